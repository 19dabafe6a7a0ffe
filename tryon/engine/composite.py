"""Layering the warped garments onto the model photo.

Order, back to front: the model photo with the old clothes covered where the
new garment won't reach, the lower garment, the upper garment's body, the
arms (when they are in front of the torso), the sleeves, then hands and head
from the photo again. Garment colours are multiplied by the photo's own
shading (a high-pass of its luminance) so folds and light stay the person's.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from .body import Body
from .placement import Layer, PlacedGarment
from .warp import capsule_mask

# Shading transfer: detail and base blur radii (share of the torso length),
# strength (exponent on the luminance ratio) and the largest log-ratio let
# through (an old garment's print shouldn't ghost through the new one).
SHADE_DETAIL = 0.01
SHADE_BASE = 0.16
SHADE_STRENGTH = 0.6
SHADE_LIMIT = 0.2
# Print strokes narrower than this (share of the torso length) don't count as shading.
SHADE_PRINT = 0.1
# Luminance steps larger than this (0..1) are edges between materials, not shade.
SHADE_EDGE = 0.12
# Below a short top, the old top's colour is bared as midriff down to this share of the torso
# (the waist), within this colour distance (ΔE) of the old top seen on the chest.
MIDRIFF_END = 0.85
MIDRIFF_DELTA_E = 18.0
# Hair reaches at most this far down the torso (share of the shoulder-to-hip length).
HAIR_LOWEST = 0.55
# Reach of an old garment's crisp edge in which only broad light is transferred (share of the torso length).
SHADE_EDGE_REACH = 0.02
# Skin: how far (Lab a/b distance) a pixel may be from the sampled skin colour.
SKIN_AB = 12.0
MIN_SKIN_SAMPLES = 120
# Filled skin: the rounding's reach (share of the torso length) and the grain (L units)
# used when no real skin patch is there to copy.
SKIN_ROUND = 0.05
SKIN_GRAIN = 1.6
# Blur of the old clothes' light carried onto bared skin (share of the torso length).
SKIN_LIGHT = 0.06
# Side of the real-skin patches tiled into a fill (share of the torso length).
SKIN_PATCH = 0.03


def _shading(base: np.ndarray, person: np.ndarray, scale: float) -> np.ndarray:
    """Per-pixel multiplier from the photo's fine luminance over its smooth luminance.

    ``scale`` (the torso length) sets the blur radii, so the look doesn't
    depend on how much of the photo around the person is being composited.
    Beyond the person (``person``, float 0..1) the multiplier fades to 1: a
    dress reaching past the legs over the backdrop has no shade from it.
    """
    h, w = base.shape[:2]
    grey = cv2.cvtColor(base, cv2.COLOR_RGB2GRAY)
    # Lettering and small prints on the old clothes are narrow strokes; folds
    # and body shading are broad. A median wider than a stroke drops the print
    # (so it doesn't ghost through the new garment) and keeps the folds.
    # (At half size: a wide median is slow, and the detail blur below is wider than a pixel anyway.)
    half = cv2.resize(grey, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    half = cv2.medianBlur(half, min(255, 2 * int(SHADE_PRINT * scale / 4) + 1))
    grey = cv2.resize(half, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0 + 0.02
    detail = cv2.GaussianBlur(grey, (0, 0), max(0.8, SHADE_DETAIL * scale))
    # The smooth level is edge-aware (a domain-transform filter): it follows a jump from a white
    # shirt to navy trousers, so that albedo edge is not taken for shade, while it smooths across
    # the gentle ramps of folds. On a half-size copy: same result, a fraction of the time.
    half = cv2.resize(grey, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    smooth = cv2.ximgproc.dtFilter(half, half, max(1.0, SHADE_BASE * scale / 2), SHADE_EDGE)
    smooth = cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = np.log(detail / np.maximum(smooth, 0.02))
    ratio = SHADE_LIMIT * np.tanh(ratio / SHADE_LIMIT)
    # Along the old clothes' own lines (a neckline, a hem, a sleeve's edge, a
    # seam) the ratio draws that line onto the new garment: an opaque garment
    # hides them, so near a crisp edge only the broad light passes.
    edges = cv2.Canny(np.clip(half * 255.0, 0, 255).astype(np.uint8), 30, 90).astype(np.float32)
    edges = cv2.GaussianBlur(edges / 255.0, (0, 0), max(1.0, SHADE_EDGE_REACH * scale / 2))
    near_edge = np.clip(edges * 6.0, 0.0, 1.0)
    near_edge = cv2.resize(near_edge, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio *= 1.0 - near_edge
    on_person = cv2.GaussianBlur(person, (0, 0), max(1.0, SHADE_DETAIL * scale))
    return np.exp(SHADE_STRENGTH * ratio * on_person).astype(np.float32)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _skin_model(base: np.ndarray, body: Body, lab: np.ndarray):
    """Median Lab colour of the person's visible skin, or None when none is seen.

    Sampled where skin usually shows (face, neck, forearms, hands) and kept
    only if it looks like skin in YCrCb, so a sleeve or a mask doesn't count.
    """
    h, w = body.shape
    S = body.shoulder_width
    zone = np.zeros((h, w), bool)
    face = body.face()
    if face is not None:
        centre, half, chin = face
        cv2.ellipse(
            zone.view(np.uint8),
            (int(centre[0]), int(centre[1])),
            (int(half * 0.6), int(max(1, (chin - centre[1]) * 0.8))),
            0,
            0,
            360,
            1,
            -1,
        )
    neck = body.origin - body.v * 0.15 * S
    cv2.circle(zone.view(np.uint8), (int(neck[0]), int(neck[1])), int(0.12 * S), 1, -1)
    for side in ("left", "right"):
        arm = body.limb(side, ("shoulder", "elbow", "wrist"))
        zone |= capsule_mask((h, w), arm[1:], 0.07 * S)
        if body.seen(side, "wrist") and body.seen(side, "index"):
            zone |= capsule_mask((h, w), [body.point(side, "wrist"), body.point(side, "index")], 0.05 * S)
    zone &= body.mask > 0.5
    ycrcb = cv2.cvtColor(base, cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    skinlike = (cr >= 135) & (cr <= 180) & (cb >= 80) & (cb <= 135) & (y > 45)
    samples = lab[zone & skinlike]
    if len(samples) < MIN_SKIN_SAMPLES:
        return None
    colour = np.median(samples, axis=0)
    # Shadowed skin pulls the median down; filled skin should match the lit parts.
    colour[0] = np.percentile(samples[:, 0], 65)
    return colour


def _is_skin(lab: np.ndarray, skin: np.ndarray, loose: float = 1.0) -> np.ndarray:
    """Pixels near the person's skin colour; ``loose`` > 1 widens the tolerance."""
    ab = np.hypot(lab[..., 1] - skin[1], lab[..., 2] - skin[2])
    light = (lab[..., 0] > skin[0] - 35 * loose) & (lab[..., 0] < skin[0] + 40)
    return (ab < SKIN_AB * loose) & light


def _skin_fill(
    region: np.ndarray, skin: np.ndarray, lab: np.ndarray, skin_pixels: np.ndarray, scale: float
) -> np.ndarray:
    """Skin for ``region``: the nearby skin's own tone, with a soft rounded shading.

    The tone is a wide normalised blur of the real skin around (neck skin next
    to a filled neckline, arm skin next to a filled sleeve), falling back to
    the person's overall skin colour where no skin is near.
    """
    h, w = region.shape
    factor = 4
    size = (max(1, w // factor), max(1, h // factor))
    weight = cv2.resize(skin_pixels.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(lab * skin_pixels[..., None], size, interpolation=cv2.INTER_AREA)
    sigma = max(2.0, 0.2 * scale / factor)
    weight = cv2.GaussianBlur(weight, (0, 0), sigma)
    colour = cv2.GaussianBlur(colour, (0, 0), sigma)
    trust = np.clip(weight / 0.02, 0, 1)[..., None]
    local = colour / np.maximum(weight, 1e-6)[..., None]
    local = trust * local + (1 - trust) * skin
    # Skin next to a fill is often in shadow (under the chin, beside a sleeve);
    # the bared skin itself faces the light, so it is at least as light as the person's lit skin.
    local[..., 0] = np.maximum(local[..., 0], skin[0])
    local = cv2.resize(local, (w, h), interpolation=cv2.INTER_LINEAR)
    # Rounded like a limb: darker towards the outline, over about an arm's radius.
    dist = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 5)
    depth = np.clip(dist / max(SKIN_ROUND * scale, 1.0), 0, 1)
    local[..., 0] *= 0.82 + 0.18 * np.sqrt(depth)
    # A smooth fill reads as paint next to the photo's own grain: carry the
    # person's own skin texture into it.
    local[..., 0] += _skin_texture(lab[..., 0], skin_pixels, region, scale)
    rgb = cv2.cvtColor(local.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.clip(rgb, 0, 1)


def _skin_texture(lightness: np.ndarray, skin_pixels: np.ndarray, region: np.ndarray, scale: float) -> np.ndarray:
    """Fine texture for ``region``, tiled from patches of the person's real skin.

    The detail (lightness minus its local mean) of square patches lying wholly
    on visible skin is copied tile by tile into the fill, so bared skin has the
    photo's own pores, noise and JPEG grain, not a synthetic noise. With no
    patch of real skin to copy, a gentle noise of the measured strength stands in.
    """
    h, w = region.shape
    size = int(np.clip(SKIN_PATCH * scale, 6, 48))
    # Grain is the finest scale of skin; anything broader is shape and light, which the fill has.
    detail = lightness - cv2.GaussianBlur(lightness, (0, 0), max(1.0, 0.004 * scale))
    texture = np.zeros((h, w), np.float32)
    ys, xs = np.nonzero(region)
    if not len(ys):
        return texture
    inside = cv2.erode(skin_pixels.astype(np.uint8), np.ones((size, size), np.uint8), anchor=(0, 0)) > 0
    inside[h - size :] = False
    inside[:, w - size :] = False
    origins = np.argwhere(inside[::2, ::2]) * 2
    rng = np.random.default_rng(0)
    real = detail[skin_pixels]
    strength = float(np.std(np.clip(real, -8, 8))) if len(real) else SKIN_GRAIN
    if len(origins) < 4:
        noise = rng.normal(0.0, strength, (h, w)).astype(np.float32)
        return cv2.GaussianBlur(noise, (0, 0), 0.7)
    # Strong features (an eye, a mole, a seam at the edge) would repeat visibly: clip them.
    limit = 2.0 * max(strength, 0.5)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    for ty in range(y0, y1, size):
        for tx in range(x0, x1, size):
            sy, sx = origins[rng.integers(len(origins))]
            th, tw = min(size, h - ty), min(size, w - tx)
            texture[ty : ty + th, tx : tx + tw] = detail[sy : sy + th, sx : sx + tw]
    return np.clip(texture, -limit, limit) * region


def _background_fill(base: np.ndarray, region: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The backdrop continued into ``region`` (inpainting at quarter size).

    ``hidden`` (the person and the new garments) is inpainted over too, so the
    fill draws only on true backdrop, never on the old clothes next to it.
    """
    h, w = base.shape[:2]
    factor = 4
    size = (max(1, w // factor), max(1, h // factor))
    small = cv2.resize(base, size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize((region | hidden).astype(np.uint8), size, interpolation=cv2.INTER_AREA)
    mask = cv2.dilate((mask > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(small, mask, 5, cv2.INPAINT_TELEA)
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    return filled.astype(np.float32) / 255.0


def _down_map(body: Body) -> np.ndarray:
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return (xs - body.origin[0]) * body.v[0] + (ys - body.origin[1]) * body.v[1]


def _torso_zone(body: Body, placed: PlacedGarment) -> np.ndarray:
    """The torso between the shoulders and the new garment's hem (for skin fill)."""
    h, w = body.shape
    zone = np.zeros((h, w), np.uint8)
    left, right = [], []
    top = min(placed.top_down, 0.0) - 0.3 * body.shoulder_width
    hem = min(placed.hem_down, body.torso_length)
    shoulder_half = body.expected_half_width(0.0)
    for down in np.linspace(top, hem, 12):
        # From the landmarks, not the mask: a loose old top's boxy outline
        # isn't the body's, and what lies beyond gives way to the backdrop.
        need_l = need_r = body.expected_half_width(max(down, 0.0))
        if down < 0.0:
            # Above the shoulder joints the outline curves in to the neck
            # (a quarter ellipse): a bared shoulder is rounded, not the old
            # tee's square corner.
            t = min(-down / (0.3 * body.shoulder_width), 1.0)
            neck = 0.2 * body.shoulder_width
            need_l = need_r = neck + (shoulder_half - neck) * float(np.sqrt(1.0 - t * t))
        centre = body.origin + (body.hip_centre - body.origin) * (down / body.torso_length)
        left.append(centre - body.u * need_l)
        right.append(centre + body.u * need_r)
    polygon = np.array(left + right[::-1], np.int32)
    cv2.fillPoly(zone, [polygon], 1)
    return zone > 0


def _forearm_half_width(body: Body, arm: list[np.ndarray]) -> float | None:
    """Half the forearm's width at its middle, measured on the person's outline."""
    S = body.shoulder_width
    middle = (arm[1] + arm[2]) / 2
    direction = (arm[2] - arm[1]) / max(float(np.linalg.norm(arm[2] - arm[1])), 1e-6)
    normal = np.array([-direction[1], direction[0]])
    a = body.outline_towards(middle, normal, 0.3 * S)
    b = body.outline_towards(middle, -normal, 0.3 * S)
    if a is None or b is None:
        return None
    return float(np.linalg.norm(a - b)) / 2


def _midriff(body: Body, lab: np.ndarray, top: PlacedGarment, down: np.ndarray) -> np.ndarray:
    """The old top's pixels between a short new top's hem and the waist."""
    h, w = body.shape
    S, T = body.shoulder_width, body.torso_length
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    person = body.mask > 0.5
    chest = person & (np.abs(across) < 0.25 * S) & (down > 0.2 * T) & (down < 0.45 * T)
    if chest.sum() < 50:
        return np.zeros((h, w), bool)
    old_top = np.median(lab[chest], axis=0)
    band = (down > top.hem_down - 0.03 * T) & (down < MIDRIFF_END * T)
    band &= np.abs(across) < 1.1 * body.expected_half_width(0.6 * T)
    like_old_top = np.linalg.norm(lab - old_top, axis=2) < MIDRIFF_DELTA_E
    return band & person & like_old_top


def _arm_zone(body: Body, side: str) -> np.ndarray:
    S = body.shoulder_width
    arm = body.limb(side, ("shoulder", "elbow", "wrist"))
    # A bared upper arm is as thick as this person's arm (a little more than the
    # forearm the photo shows), not as wide as the old sleeve was.
    forearm = _forearm_half_width(body, arm)
    radius = 0.13 * S if forearm is None else float(np.clip(1.3 * forearm, 0.085 * S, 0.13 * S))
    upper = capsule_mask(body.shape, arm[:2], radius)
    # Narrow at the forearm, which hangs next to the hips and pockets.
    lower = capsule_mask(body.shape, arm[1:], 0.075 * S)
    return upper | lower


def _hands(body: Body) -> np.ndarray:
    S = body.shoulder_width
    hands = np.zeros(body.shape, bool)
    for side in ("left", "right"):
        if not body.seen(side, "wrist"):
            continue
        wrist = body.point(side, "wrist")
        tips = [body.point(side, p) for p in ("index", "pinky", "thumb")]
        for tip in tips:
            reach = tip + (tip - wrist) * 0.6
            # From a little past the wrist joint: an old cuff round the wrist is
            # the old sleeve, to be covered, not part of the hand.
            start = wrist + (tip - wrist) * 0.3
            hands |= capsule_mask(body.shape, [start, reach], 0.05 * S)
    return hands & (body.mask > 0.5)


def _face(body: Body) -> np.ndarray:
    """Face and hair down to the chin."""
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w]
    face = body.face()
    if face is None:
        return np.zeros((h, w), bool)
    centre, half, chin = face
    # Hair and the top of the head fill a box; below the eyes the jaw narrows to
    # the chin, so a collar beside the jaw stays the new garment's.
    head = (ys < centre[1]) & (np.abs(xs - centre[0]) < half)
    jaw_x, jaw_y = 0.6 * half, max(chin - centre[1], 1.0)
    jaw = ((xs - centre[0]) / jaw_x) ** 2 + ((ys - centre[1]) / jaw_y) ** 2 < 1.0
    return (head | jaw) & (body.mask > 0.3)


def _neck(body: Body, placed: list[PlacedGarment]) -> np.ndarray:
    """The neck above the new garment's front neckline, below the chin.

    A flat-lay photo shows the inside of the back collar; on the body the
    neck stands in front of it. The neckline is drawn as a U from the shoulder
    seams down to the garment's own neckline depth at the middle, so the
    collar is trimmed along a curve rather than a box.
    """
    h, w = body.shape
    S = body.shoulder_width
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    neck = np.zeros((h, w), bool)
    face = body.face()
    below_chin = ys > face[2] if face is not None else np.ones((h, w), bool)
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    down = (xs - body.origin[0]) * body.v[0] + (ys - body.origin[1]) * body.v[1]
    half = 0.2 * S
    for garment in placed:
        if garment.seam is None or garment.neck is None or garment.collar:
            continue
        d_l, d_r = garment.seam
        centre = float(np.dot((d_l + d_r) / 2 - body.origin, body.u))
        seam = float(np.dot((d_l + d_r) / 2 - body.origin, body.v)) - 0.02 * S
        dip = max(float(np.dot(garment.neck - body.origin, body.v)) - seam, 0.06 * S)
        t = np.clip(1.0 - ((across - centre) / half) ** 2, 0.0, 1.0)
        neck |= (down < seam + t * dip) & (np.abs(across - centre) < half) & below_chin
    return neck & (body.mask > 0.3)


def _hair(body: Body, lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Dark pixels joined to the dark of the head: hair, possibly lying on the shoulders.

    A black collar or strap is dark too, but skin (or the throat, see below)
    separates it from the head; hair is one dark piece from the top of the head down.
    """
    h, w = body.shape
    face = body.face()
    # Hair falls from the top and sides of the head; in front of the throat,
    # below the chin, dark is a collar or a beard's edge joining one: never
    # hair to keep, and no bridge from the head to a dark collar.
    S = body.shoulder_width
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    chin = face[2] if face is not None else body.origin[1] - 0.35 * S
    throat = (np.abs(across) < 0.16 * S) & (ys > chin)
    # Long hair ends by mid-chest and stays within the shoulders; dark below or beyond that (a
    # dark dress, a sleeve) is clothing, even where it touches the hair.
    down = (xs - body.origin[0]) * body.v[0] + (ys - body.origin[1]) * body.v[1]
    low = (down > HAIR_LOWEST * body.torso_length) | (np.abs(across) > 0.5 * S)
    dark = ((lab[..., 0] < 0.55 * skin[0]) & (body.mask > 0.5) & ~throat & ~low).astype(np.uint8)
    count, labels = cv2.connectedComponents(dark, connectivity=8)
    if count <= 1:
        return np.zeros((h, w), bool)
    if face is not None:
        top = int(np.clip(face[0][1], 1, h))
    else:
        top = int(np.clip(body.origin[1] - 0.5 * body.shoulder_width, 1, h))
    head_labels = np.unique(labels[:top][dark[:top] > 0])
    if not len(head_labels):
        return np.zeros((h, w), bool)
    return np.isin(labels, head_labels) & (dark > 0)


def _over(out: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, box) -> None:
    x0, y0, x1, y1 = box
    region = out[y0:y1, x0:x1]
    a = alpha[..., None]
    region *= 1.0 - a
    region += rgb * a


def _feather(alpha: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(alpha, (0, 0), sigma) if sigma > 0 else alpha


def compose(base: np.ndarray, body: Body, placed: list[PlacedGarment], hd: bool = False) -> np.ndarray:
    """The final uint8 RGB image: ``placed`` garments (back to front) on ``base``.

    Only the region around the person and the garments is worked on (an HD
    photo is mostly backdrop); the rest is the model photo as it was.
    """
    h, w = base.shape[:2]
    x0, y0, x1, y1 = _region(body, placed, h, w)
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return _compose(base, body, placed, hd)
    result = base.copy()
    result[y0:y1, x0:x1] = _compose(
        np.ascontiguousarray(base[y0:y1, x0:x1]),
        _crop_body(body, x0, y0, x1, y1),
        [_shift_garment(g, x0, y0) for g in placed],
        hd,
    )
    return result


def _region(body: Body, placed: list[PlacedGarment], h: int, w: int) -> tuple[int, int, int, int]:
    """Box around the person, their seen landmarks and the garment layers, with a margin."""
    ys, xs = np.nonzero(body.mask > 0.1)
    boxes = []
    if len(xs):
        boxes.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
    seen = body.landmarks[(body.landmarks[:, 3] > 0.5)][:, :2]
    if len(seen):
        lo, hi = seen.min(axis=0), seen.max(axis=0) + 1
        boxes.append((lo[0], lo[1], hi[0], hi[1]))
    boxes += [layer.box for garment in placed for layer in garment.layers]
    if not boxes:
        return 0, 0, w, h
    box = np.array(boxes, np.float64)
    margin = 0.15 * body.torso_length
    x0 = int(max(0, np.floor(box[:, 0].min() - margin)))
    y0 = int(max(0, np.floor(box[:, 1].min() - margin)))
    x1 = int(min(w, np.ceil(box[:, 2].max() + margin)))
    y1 = int(min(h, np.ceil(box[:, 3].max() + margin)))
    return x0, y0, x1, y1


def _crop_body(body: Body, x0: int, y0: int, x1: int, y1: int) -> Body:
    offset = np.array([x0, y0], np.float64)
    landmarks = body.landmarks.copy()
    landmarks[:, :2] -= offset
    return replace(
        body,
        landmarks=landmarks,
        mask=np.ascontiguousarray(body.mask[y0:y1, x0:x1]),
        origin=body.origin - offset,
        hip_centre=body.hip_centre - offset,
    )


def _shift_garment(garment: PlacedGarment, x0: int, y0: int) -> PlacedGarment:
    offset = np.array([x0, y0], np.float64)
    layers = [
        Layer(box=(b[0] - x0, b[1] - y0, b[2] - x0, b[3] - y0), rgba=layer.rgba, role=layer.role)
        for layer in garment.layers
        for b in (layer.box,)
    ]
    seam = tuple(p - offset for p in garment.seam) if garment.seam is not None else None
    neck = garment.neck - offset if garment.neck is not None else None
    return replace(garment, layers=layers, seam=seam, neck=neck)


def _compose(base: np.ndarray, body: Body, placed: list[PlacedGarment], hd: bool) -> np.ndarray:
    h, w = base.shape[:2]
    S, T = body.shoulder_width, body.torso_length
    feather = 1.2 if hd else 0.8
    shade = _shading(base, np.clip(body.mask, 0, 1).astype(np.float32), T)
    coverage = np.zeros((h, w), np.float32)
    for garment in placed:
        for layer in garment.layers:
            x0, y0, x1, y1 = layer.box
            layer.rgba[..., 3] = np.clip(_feather(layer.rgba[..., 3], feather), 0, 1)
            layer.rgba[..., :3] = np.clip(layer.rgba[..., :3] * shade[y0:y1, x0:x1, None], 0, 1)
            region = coverage[y0:y1, x0:x1]
            np.maximum(region, layer.rgba[..., 3], out=region)

    # Cover the old clothes where the new garment doesn't reach.
    lab = _lab(base)
    skin = _skin_model(base, body, lab)
    person = body.mask > 0.5
    uncovered = person & (coverage < 0.5)
    hands = _hands(body)
    face = _face(body)
    neck = _neck(body, placed)
    head = face | neck
    skin_zone = np.zeros((h, w), bool)
    backdrop_zone = np.zeros((h, w), bool)
    lower_backdrop = np.zeros((h, w), bool)
    arms = _arm_zone(body, "left") | _arm_zone(body, "right")
    kinds = {g.kind for g in placed}
    down = None
    if kinds & {"upper", "full"}:
        top = next(g for g in placed if g.kind in ("upper", "full"))
        skin_zone |= _torso_zone(body, top) | arms
        # Around the shoulders and arms, an old garment wider than the body
        # (a loose sleeve, a boxy tee) gives way to the backdrop, so bared
        # arms keep an arm's shape.
        if down is None:
            down = _down_map(body)
        if top.kind == "upper" and top.hem_down < MIDRIFF_END * T:
            # Below a short top, where the old top went on, is the midriff:
            # skin, down to the waist. The old top is told from old trousers
            # or a skirt by its colour, sampled on the chest the new top hides.
            skin_zone |= _midriff(body, lab, top, down)
        span = (down > -0.35 * S) & (down < min(top.hem_down, T))
        backdrop_zone |= span & ~skin_zone
        # Beside the torso below the armpits there is no skin but the arms
        # (in skin_zone): an old garment's sides go whatever their colour.
        lower_backdrop |= span & (down > 0.3 * T) & ~skin_zone
    if kinds & {"lower", "full"}:
        down = _down_map(body)
        low = next(g for g in placed if g.kind in ("lower", "full"))
        legs = np.zeros((h, w), bool)
        for side in ("left", "right"):
            leg = body.limb(side, ("hip", "knee", "ankle"))
            legs |= capsule_mask((h, w), leg[:2], 0.11 * T)
            legs |= capsule_mask((h, w), leg[1:], 0.08 * T)
        start = low.top_down if low.kind == "lower" else T
        ankle = max(_ankle_down(body, side) for side in ("left", "right"))
        below = (down > start) & (down < ankle)
        # Legs show as skin only below the new hem (shorts, a skirt); beside
        # the new trouser legs the old ones give way to the backdrop.
        bare = down > low.hem_down - 0.02 * T
        skin_zone |= legs & below & bare
        # Keep only a narrow core of each arm out of it: a wide one would save
        # the old garment's sides where the arms hang beside them (skin pixels
        # are never repainted as backdrop anyway).
        arm_cores = np.zeros((h, w), bool)
        for side in ("left", "right"):
            arm_cores |= capsule_mask((h, w), body.limb(side, ("shoulder", "elbow", "wrist")), 0.06 * S)
        backdrop_zone |= below & ~(legs & bare) & ~arm_cores
        # Below the waist the only skin is the legs (kept as skin above) and
        # the hands: there, old clothes give way to the backdrop whatever their
        # colour, so a beige dress doesn't survive beside new jeans or below a
        # new hem just because it passes for skin.
        # (Down to the ankle joints only: the shoes are never old clothes.)
        lower_backdrop = below & (down < ankle) & ~(legs & bare) & ~arm_cores
    skin_zone &= ~hands & ~face
    backdrop_zone &= ~hands & ~head
    lower_backdrop &= ~hands & ~head
    filled = base.astype(np.float32) / 255.0
    changed = np.zeros((h, w), bool)
    if skin is not None:
        not_skin = ~_is_skin(lab, skin)
        # The neck above the new neckline shows in front of the garment, so an
        # old collar or strap there is covered even where the garment reaches.
        # Hair falling past the chin is dark; it stays (so do dark old straps).
        # The neck is often in shadow: only clearly-not-skin there is an old collar.
        neck &= person & (lab[..., 0] > 0.55 * skin[0]) & ~_is_skin(lab, skin, loose=2.0)
        to_skin = ((uncovered & skin_zone) | neck) & not_skin
        to_skin &= ~_hair(body, lab, skin)
        # Speckled classification would blend into a see-through patch; close
        # small gaps so the fill is solid, still inside the zone and the person.
        closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
        to_skin = (cv2.morphologyEx(to_skin.astype(np.uint8), cv2.MORPH_CLOSE, closing) > 0) & (
            (skin_zone & uncovered) | neck
        )
        # Specks are misread skin (a highlight, a freckle), not old clothes.
        count, labels, stats, _ = cv2.connectedComponentsWithStats(to_skin.astype(np.uint8), 8)
        small = np.nonzero(stats[1:, cv2.CC_STAT_AREA] < (0.08 * S) ** 2)[0] + 1
        if len(small):
            # ... unless they touch the new garment: a strap's end peeking out.
            near = cv2.dilate((coverage > 0.3).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
            touching = np.unique(labels[near & (labels > 0)])
            small = np.setdiff1d(small, touching)
            to_skin &= ~np.isin(labels, small)
        # Edge pixels of the old garment blend with skin and pass as skin;
        # reach over them so no ghost outline of the old neckline remains.
        grown = cv2.dilate(to_skin.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        to_skin = grown & (skin_zone | neck) & person
        if to_skin.any():
            # The light falls on the body the same whatever covers it: the old clothes' broad
            # shading (prints and material edges already taken out) rounds the bared skin too.
            # Only the broadest of that light: a bold print on the old clothes must not ghost onto the skin.
            broad = cv2.GaussianBlur(shade, (0, 0), max(1.0, SKIN_LIGHT * T))
            fill = _skin_fill(to_skin, skin, lab, person & ~not_skin & ~to_skin, T) * broad[..., None]
            soft = _feather(to_skin.astype(np.float32), feather * 1.5)
            filled = filled * (1 - soft[..., None]) + fill * soft[..., None]
            changed |= soft > 0
        to_backdrop = uncovered & ((backdrop_zone & not_skin) | lower_backdrop)
    else:
        to_backdrop = uncovered & backdrop_zone
    if to_backdrop.any():
        # The segmentation's soft rim around the old clothes would stay as a
        # faint outline: reach a little past it (backdrop there is unchanged).
        rim = max(2, int(0.02 * T))
        grown = cv2.dilate(to_backdrop.astype(np.uint8), np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)) > 0
        keep_out = (coverage >= 0.5) | ((body.mask > 0.5) & ~backdrop_zone)
        if skin is not None:
            keep_out |= (body.mask > 0.5) & ~not_skin
        to_backdrop = grown & ~keep_out & backdrop_zone | to_backdrop
        fill = _background_fill(base, to_backdrop, (body.mask > 0.2) | (coverage > 0.02))
        soft = _feather(to_backdrop.astype(np.float32), feather * 2)
        filled = filled * (1 - soft[..., None]) + fill * soft[..., None]
        changed |= soft > 0

    out = filled.copy()
    in_front = _is_skin(_lab((filled * 255).astype(np.uint8)), skin) if skin is not None else np.ones((h, w), bool)
    for garment in placed:
        # A sleeve wraps the arm itself: the arm never shows in front of it.
        sleeves = np.zeros((h, w), np.float32)
        for layer in garment.layers:
            if layer.role in ("sleeve_root", "sleeve"):
                x0, y0, x1, y1 = layer.box
                region = sleeves[y0:y1, x0:x1]
                np.maximum(region, layer.rgba[..., 3], out=region)
        for role in ("sleeve_root", "body"):
            for layer in garment.layers:
                if layer.role == role:
                    _over(out, layer.rgba[..., :3], layer.rgba[..., 3], layer.box)
        if garment.kind in ("upper", "full"):
            # Forearms and the lower upper arm in front of the garment's body.
            fronts = np.zeros((h, w), bool)
            for side in ("left", "right"):
                arm = body.limb(side, ("shoulder", "elbow", "wrist"))
                start = arm[0] + (arm[1] - arm[0]) * 0.45
                fronts |= capsule_mask((h, w), [start, arm[1], arm[2]], 0.085 * S)
            fronts &= person & in_front
        else:
            fronts = arms & person & in_front
        soft = _feather(fronts.astype(np.float32), feather) * (1.0 - sleeves)
        out = out * (1 - soft[..., None]) + filled * soft[..., None]
        for layer in garment.layers:
            if layer.role == "sleeve":
                _over(out, layer.rgba[..., :3], layer.rgba[..., 3], layer.box)
    # The hands come back on top, but only what is skin in them: the old
    # trousers' print between the fingers of a hand by the hip would show.
    held = hands & _is_skin(lab, skin, loose=1.5) if skin is not None else hands
    held = cv2.morphologyEx(held.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
    keep = _feather(((held & hands) | head).astype(np.float32), feather)
    out = out * (1 - keep[..., None]) + filled * keep[..., None]

    result = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
    changed |= coverage > 0
    return np.where(changed[..., None], result, base)


def _ankle_down(body: Body, side: str) -> float:
    ankle = body.limb(side, ("hip", "knee", "ankle"))[-1]
    return float(np.dot(ankle - body.origin, body.v))
