"""Skin: the person's own skin colour, and skin to fill where old clothes are bared.

A bared limb is filled with the light measured across the same limb where the
photo shows it (a forearm below a short sleeve lends its tone, its highlight
and its darker edges to the upper arm the new top bares); with no real skin on
that limb, and on the torso, a rounded profile of the person's skin tone stands
in. The photo's own skin grain is tiled over either.
"""

from __future__ import annotations

import cv2
import numpy as np

from .arrays import scale_channels
from .body import Body
from .warp import capsule_mask

# Skin: how far (Lab a/b distance) a pixel may be from the sampled skin colour.
SKIN_AB = 12.0
MIN_SKIN_SAMPLES = 120
# How much darker (L) than the lit skin colour a shaded patch of skin may be.
SKIN_SHADE = 35.0
# ... its chroma falling with its lightness, to no less than this share of the lit skin's.
SKIN_SHADOW_CHROMA = 0.5
SKIN_SHADOW_AB = 7.0
# Deep shadow (under a dark-skinned person's jaw) is darker than SKIN_SHADE allows, yet keeps the
# skin's hue (within this many degrees) and the chroma its darkness leaves it (at least this share).
DEEP_SHADOW_HUE = 25.0
DEEP_SHADOW_CHROMA = 0.5
# Grain (L units) used when no real skin patch is there to copy, and the clip on copied grain
# (times its measured strength): beyond it, creases and hairs tile into a cracked-paint look.
SKIN_GRAIN = 1.6
SKIN_GRAIN_CLIP = 1.2
# Side of the real-skin patches tiled into a fill, and the side of the smallest stretch of skin
# they are taken from (shares of the torso length).
SKIN_PATCH = 0.03
SKIN_SOURCE = 0.2
# The busiest patches (above this percentile of their grain's energy) are not tiled, when there are
# at least SKIN_PATCH_CHOICE to choose from. Keeping only the calmest half made the grain too weak.
SKIN_PATCH_CALM = 90
SKIN_PATCH_CHOICE = 32
# ... nor any patch with more than this many times the typical (median) patch's energy: a strand of
# hair across a face, a brow's edge. Over plain skin hardly any patch is (their energies are within
# tens of percent of each other); over a face behind long hair, the top tenth left strands in.
SKIN_PATCH_BUSY = 3.0
# Rounding where no real skin of the same limb shows: a limb is a cylinder lit from one side,
# lightness = ambient + (1 - ambient) * the cosine between its surface and the light, at most 1.
# The light's angle (from the viewer, towards the image's right) and the ambient share are fitted
# to the light across the photo's own bare limbs; with none, the angle to its face's, and the
# shadowed edges of the dev set's bare limbs (0.8 of the lit side, the median fit); with neither,
# lit from the front. Rounded about their middle, sqrt-like, the filled limbs were flat tubes
# beside real ones lit from a side.
LIMB_AMBIENT = 0.8
LIMB_LIGHT_ANGLES = np.radians(np.arange(-70, 71, 5))
LIMB_AMBIENTS = np.arange(0.5, 0.96, 0.05)
# Legs are lit less than the face and arms the person's skin colour is read from (further from the
# light, seldom made up): where the photo shows them bare, the dev set's shins are 0.84, 0.86 and 0.95
# times as light as that colour. A leg with none of its own skin to measure is lit at this share;
# at the face's lightness, bared legs were pale peach sticks above the real ankles.
LEG_TONE = 0.9
# A bared limb is rounded across the skin's extent on each side of its bone, taken as at least and
# at most these shares of its expected half width.
LIMB_HALF_AT_OUTLINE = (0.7, 1.6)
# ... measured at this many stations along each bone.
LIMB_STATIONS = 12
TORSO_EDGE = 0.86
# The chest's form, as a relief lit from the front and above (heights and spreads in shoulder
# widths, from the shoulder line and the body's centre line): collarbones, the notch between
# them and the chest's two broad mounds. A bared chest without them is a flat, painted patch.
COLLARBONE = ((0.05, 0.03), (0.42, -0.03), 0.05, 0.014)  # inner end, outer end, spread, height
CHEST_MOUND = ((0.2, 0.3), (0.15, 0.2, 0.18), 0.035)  # centre, spread (across, above, below), height
NOTCH = ((0.0, 0.0), 0.045, 0.012)  # centre, spread, depth
CHEST_REACH = (0.7, -0.25, 0.85)  # where the chest's relief is: widest across, from, to (down)
# The belly's, in torso lengths down from the shoulder line: the navel and the faint groove
# down the middle above it. A bared midriff without a navel reads as a doll's.
NAVEL = ((0.0, 0.8), (0.013, 0.02), 0.008)  # centre, spread (across, down), depth
BELLY_GROOVE = ((0.45, 0.75), 0.025, 0.004)  # from and to (down), spread, depth
# The navel is a hollow the light hardly reaches: its middle this much darker, whatever its slopes.
NAVEL_SHADOW = 0.15
BELLY_REACH = (0.12, 0.3, 0.95)
# Real skin this near the navel's place (torso lengths) shows the belly's own: none is drawn.
NAVEL_SHOWN = 0.08
# The knee's form, in the leg's half width at the knee, from the knee landmark (along: down the
# leg; across: towards the other leg): the kneecap, and the thigh's inner muscle above it.
KNEECAP = ((0.0, -0.1), (0.5, 0.55), 0.25)  # centre (across, along), spread, height
KNEE_INNER = ((0.45, -0.9), (0.4, 0.6), 0.15)
# The pose puts the knee up to half its width above the real kneecap: real skin this near it
# (in knee half widths) is the knee shown, in part.
KNEE_SHOWN = 1.5
KNEE_REACH = (2.0, -3.0, 2.5)
# The shoulder's form on a bared upper arm, in the arm's half width at the shoulder, from the
# shoulder joint (across: away from the body; along: down the arm): the deltoid's rounded cap. A
# bared arm without it was a straight, flat tube from the shoulder down.
DELTOID = ((0.25, 0.9), (0.8, 1.3), 0.35)  # centre (across, along), spread, height
DELTOID_REACH = (2.5, -1.5, 4.0)
# Towards the light, in a body part's frame: x across, y down the part, z towards the camera.
FRONT_LIGHT = (0.0, -0.6, 1.0)
# How much of the relief's light is given: a studio's soft, wide light rounds a body gently.
RELIEF_SHADING = 0.6
# Steps in light and colour where one body part's fill meets another's are blended over this
# share of the torso length.
OWNER_BLEND = 0.02
# Seam with the real skin around a fill: how far from the border the correction fades out (share of
# the torso length), and the largest lightness step corrected (L).
SEAM_REACH = 0.3
SEAM_LIMIT = 15.0
# Half a bared leg's width (torso lengths) at the hip joint, the knee, the calf (a third of the way
# to the ankle), the ankle and the top of the foot, as measured on the dev set's bare legs. Guessed
# at two thirds of that before, they drew legs as sticks under a new skirt or shorts.
LEG_HALF_WIDTHS = (0.16, 0.1, 0.108, 0.058, 0.05)
# Where the photo shows a leg bare, its width across the knee, the calf and the ankle is measured on
# the person's outline: a span this share of the expected width, at least and at most, and skin over
# at least LEG_SPAN_SKIN of it, is the leg's own.
LEG_MEASURED = (0.7, 1.5)
LEG_SPAN_SKIN = 0.85
# Where the knee is measured, or failing that (hidden by an old hem) this far down the shin.
KNEE_MEASURED_BELOW = (0.0, 0.08, 0.16, 0.24)
# ... and the thigh above the knee, as high up (share of the way to the hip) as the photo shows it bare.
THIGH_MEASURED_ABOVE = (0.5, 0.4, 0.3, 0.2, 0.1)
# Legs are shaped as limbs from this far (torso lengths) below the hip joints.
LEG_BELOW_HIPS = 0.12
# A limb's measured light: at least this many real skin pixels, spread over this many bins across it.
PROFILE_SAMPLES = 150
# ... and skin over at least this share of the limb's expected area.
PROFILE_SHARE = 0.3
PROFILE_MIN_BINS = 5
PROFILE_BINS = 24
# A bared arm in the old sleeves' shade is lit at least this share of the other, lit one, when the
# sleeves are one material: hues within SIDE_LIGHT_HUE degrees, chroma for their lightness within
# SIDE_LIGHT_CHROMA times (unless both are neutral, SIDE_LIGHT_NEUTRAL in chroma), the lit one at
# least SIDE_LIGHT_LIGHTEST and the shaded one SIDE_LIGHT_DARKEST in lightness.
SIDE_LIGHT = 0.7
SIDE_LIGHT_HUE = 15.0
SIDE_LIGHT_CHROMA = 1.3
SIDE_LIGHT_NEUTRAL = 6.0
SIDE_LIGHT_LIGHTEST = 25.0
SIDE_LIGHT_DARKEST = 10.0
# How far (pixels) beyond the region a fill is blended in by its caller's soft edge, at most.
FILL_EDGE = 6
# A hand's skin is looked for within this many of its bone's half widths (fingers spread past it).
HAND_REACH = 1.6


def lab_of(rgb: np.ndarray) -> np.ndarray:
    # Scaled and converted in one float32 array (OpenCV converts pixel by pixel, so in place gives
    # the same values): two full-frame temporaries fewer.
    lab = rgb.astype(np.float32)
    lab /= 255.0
    return cv2.cvtColor(lab, cv2.COLOR_RGB2LAB, dst=lab)


def skin_colour(base: np.ndarray, body: Body, lab: np.ndarray):
    """Median Lab colour of the person's visible skin, or None when none is seen.

    Sampled where skin usually shows (face, neck, forearms, hands) and kept
    only if it looks like skin in YCrCb, so a sleeve or a mask doesn't count.
    """
    h, w = body.shape
    S = body.shoulder_width
    zone = np.zeros((h, w), bool)
    face_zone = np.zeros((h, w), bool)
    face = body.face()
    if face is not None:
        centre, half, chin = face
        cv2.ellipse(
            face_zone.view(np.uint8),
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
    face_zone &= body.mask > 0.5
    # Tested in the zones' box only (YCrCb goes pixel by pixel; the samples come in the same order).
    x0, y0, width, height = cv2.boundingRect((zone | face_zone).view(np.uint8))
    if not width:
        return None
    box = (slice(y0, y0 + height), slice(x0, x0 + width))
    zone, face_zone, lab = zone[box], face_zone[box], lab[box]
    ycrcb = cv2.cvtColor(base[box], cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    skinlike = (cr >= 135) & (cr <= 180) & (cb >= 80) & (cb <= 135) & (y > 45)
    samples = lab[(zone | face_zone) & skinlike]
    if len(samples) < MIN_SKIN_SAMPLES:
        return None
    # A tan leather sleeve passes the YCrCb test too; the face is always skin, so where it
    # shows, arm and neck samples count only when their hue is the face's.
    face_samples = lab[face_zone & skinlike]
    if len(face_samples) >= MIN_SKIN_SAMPLES:
        face_ab = np.median(face_samples[:, 1:], axis=0)
        samples = samples[np.hypot(*(samples[:, 1:] - face_ab).T) < SKIN_AB]
        if len(samples) < MIN_SKIN_SAMPLES:
            samples = face_samples
    colour = np.median(samples, axis=0)
    # Shadowed skin pulls the median down; filled skin should match the lit parts.
    colour[0] = np.percentile(samples[:, 0], 65)
    return colour


def is_skin(lab: np.ndarray, skin: np.ndarray, loose: float = 1.0) -> np.ndarray:
    """Pixels near the person's skin colour; ``loose`` > 1 widens the tolerance.

    Skin in shadow is darker and less saturated with it: its hue is compared with the skin's
    own chroma scaled by how much darker it is, as well as with the lit skin's. Compared with the
    lit skin only, the shadow under the jaw of a dark-skinned person failed the test and the
    neck was repainted as a flat, lighter patch.
    """
    near = _hypot_below(lab[..., 1] - skin[1], lab[..., 2] - skin[2], SKIN_AB * loose)
    darker = np.clip(lab[..., 0] / max(float(skin[0]), 1.0), SKIN_SHADOW_CHROMA, 1.0)
    # The shaded comparison is tighter: a brown or maroon print is darker than the skin and less
    # saturated too, and must not pass for its shadow.
    shaded = _hypot_below(lab[..., 1] - skin[1] * darker, lab[..., 2] - skin[2] * darker, SKIN_SHADOW_AB * loose)
    light = (lab[..., 0] > skin[0] - SKIN_SHADE * loose) & (lab[..., 0] < skin[0] + 40)
    return (near | shaded) & light


def _hypot_below(x: np.ndarray, y: np.ndarray, limit: float) -> np.ndarray:
    """``np.hypot(x, y) < limit``, the same answers, with hypot taken only where the sum of squares
    is within 1e-4 of the limit (hypot was most of :func:`is_skin`'s time)."""
    squared = x * x + y * y
    below = squared < limit * limit * (1 - 1e-4)
    unsure = ~below & (squared < limit * limit * (1 + 1e-4))
    below[unsure] = np.hypot(x[unsure], y[unsure]) < limit
    return below


def is_deep_shadow(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Pixels too dark for ``is_skin`` that still have the skin's hue, in proportion to their darkness.

    Only for where skin is expected in shadow (the throat): a dark brown garment passes too.
    A black one does not: its chroma is no more than noise, in no particular hue.
    """
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    skin_chroma = float(np.hypot(skin[1], skin[2]))
    darker = np.clip(lab[..., 0] / max(float(skin[0]), 1.0), 0.0, 1.0)
    return (
        (lab[..., 0] <= skin[0] - SKIN_SHADE)
        & (chroma > np.maximum(3.0, DEEP_SHADOW_CHROMA * darker * skin_chroma))
        & (chroma < skin_chroma)
        & (hue_cosine(lab, skin) > np.cos(np.radians(DEEP_SHADOW_HUE)))
    )


def hue_cosine(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """The cosine of the angle between each Lab pixel's hue and the ``skin``'s (1: the same hue)."""
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    skin_chroma = float(np.hypot(skin[1], skin[2]))
    return (lab[..., 1] * skin[1] + lab[..., 2] * skin[2]) / np.maximum(chroma * skin_chroma, 1e-6)


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
    if len(origins) >= SKIN_PATCH_CHOICE:
        # Patches holding a feature (a knuckle's crease, a fleck of the old print, an earring's
        # edge) tiled over a limb as bright and dark flecks: leave out the busiest.
        energy = cv2.boxFilter(detail * detail, -1, (size, size), anchor=(0, 0), normalize=True)
        patch_energy = energy[origins[:, 0], origins[:, 1]]
        busiest = min(np.percentile(patch_energy, SKIN_PATCH_CALM), SKIN_PATCH_BUSY * np.median(patch_energy))
        origins = origins[patch_energy <= busiest]
    rng = np.random.default_rng(0)
    real = detail[skin_pixels]
    strength = float(np.std(np.clip(real, -8, 8))) if len(real) else SKIN_GRAIN
    if len(origins) < 4:
        noise = rng.normal(0.0, strength, (h, w)).astype(np.float32)
        return cv2.GaussianBlur(noise, (0, 0), 0.7)
    # Strong features (an eye, a mole, a seam at the edge) would repeat visibly: clip them.
    limit = SKIN_GRAIN_CLIP * max(strength, 0.5)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    rows, columns = range(y0, y1, size), range(x0, x1, size)
    # Every tile's patch drawn at once: the same numbers, in the same order, as one draw a tile.
    picks = iter(origins[rng.integers(len(origins), size=len(rows) * len(columns))].tolist())
    for ty in rows:
        for tx in columns:
            sy, sx = next(picks)
            th, tw = min(size, h - ty), min(size, w - tx)
            texture[ty : ty + th, tx : tx + tw] = detail[sy : sy + th, sx : sx + tw]
    return np.clip(texture, -limit, limit) * region


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


def _bare_leg_across(body: Body, point: np.ndarray, along: np.ndarray, half: float, bare: np.ndarray):
    """(middle, half width) of the leg across ``point`` (``along`` the leg) where the photo shows it
    bare, or None: the person's outline on both sides, about ``half`` apart, with skin between."""
    normal = np.array([-along[1], along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
    reach = LEG_MEASURED[1] * 2 * half
    a = body.outline_towards(point, normal, reach)
    b = body.outline_towards(point, -normal, reach)
    if a is None or b is None:
        return None
    span = float(np.linalg.norm(a - b)) / 2
    if not LEG_MEASURED[0] * half <= span <= LEG_MEASURED[1] * half:
        return None
    # The outline's own pixels are half backdrop: the skin is looked for inside it.
    samples = np.round(a + (b - a) * np.linspace(0.1, 0.9, 24)[:, None]).astype(int)
    if bare[samples[:, 1], samples[:, 0]].mean() < LEG_SPAN_SKIN:
        return None
    return (a + b) / 2, span


def limb_segments(body: Body, bare: np.ndarray | None = None) -> list[tuple[str, np.ndarray, np.ndarray, float, float]]:
    """Each limb's bones as (limb, start, end, half the limb's width at the start, at the end).

    A bared upper arm is as thick as this person's arm (a little more than the
    forearm the photo shows), not as wide as the old sleeve was. Limbs taper the
    way bodies do: the thigh from the hip to the knee, the calf swelling below
    the knee and narrowing to the ankle, the arm towards the elbow and the wrist;
    two straight tubes read as a mannequin. Where ``bare`` (the photo's skin) shows
    a leg, its knee, calf and ankle are as wide and as placed as the photo's: a thigh
    bared above a real knee then meets it edge to edge.
    """
    S, T = body.shoulder_width, body.torso_length
    segments = []
    for side in ("left", "right"):
        shoulder, elbow, wrist = body.limb(side, ("shoulder", "elbow", "wrist"))
        forearm = _forearm_half_width(body, [shoulder, elbow, wrist])
        upper = 0.13 * S if forearm is None else float(np.clip(1.3 * forearm, 0.085 * S, 0.13 * S))
        segments += [
            (f"{side} arm", shoulder, elbow, 1.05 * upper, 0.8 * upper),
            (f"{side} arm", elbow, wrist, 0.085 * S, 0.06 * S),
        ]
        if body.seen(side, "wrist"):
            # The wrist landmark often sits at the top of a cuff, which reaches about
            # two thirds of the way to the knuckles (the pose's hand points): still the arm, where an
            # old shirt's cuff is to be bared. Skin there (the heel of the hand) stays.
            knuckles = np.mean([body.point(side, part) for part in ("index", "pinky", "thumb")], axis=0)
            segments.append((f"{side} arm", wrist, wrist + (knuckles - wrist) * 0.7, 0.06 * S, 0.055 * S))
        hip, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
        calf = knee + (ankle - knee) * 0.3
        thigh, knee_width, calf_width, ankle_width, foot_width = (share * T for share in LEG_HALF_WIDTHS)
        thighs = None
        if bare is not None:
            shin = ankle - knee
            # An old hem often hides the knee itself: the leg just below it stands in, moved up.
            for t in KNEE_MEASURED_BELOW:
                below = _bare_leg_across(body, knee + shin * t, shin, knee_width, bare)
                if below is not None:
                    knee, knee_width = below[0] - shin * t, below[1]
                    break
            calf, calf_width = _bare_leg_across(body, calf, shin, calf_width, bare) or (calf, calf_width)
            ankle, ankle_width = _bare_leg_across(body, ankle, shin, ankle_width, bare) or (ankle, ankle_width)
            # The highest stretch of thigh the photo shows bare (below an old hem): the thigh
            # bared above it goes on from its outline, not from a guess that met it with a step.
            for t in THIGH_MEASURED_ABOVE:
                expected = knee_width + (thigh - knee_width) * t
                above = _bare_leg_across(body, knee + (hip - knee) * t, knee - hip, expected, bare)
                if above is not None:
                    thighs = [
                        (f"{side} leg", hip, above[0], thigh, above[1]),
                        (f"{side} leg", above[0], knee, above[1], knee_width),
                    ]
                    break
        segments += thighs or [(f"{side} leg", hip, knee, thigh, knee_width)]
        segments += [
            (f"{side} leg", knee, calf, knee_width, calf_width),
            (f"{side} leg", calf, ankle, calf_width, ankle_width),
        ]
        if body.seen(side, "foot"):
            # Under a long hem the pose puts the ankle too high (it cannot see it):
            # the leg goes on towards the toes, so a leg bared by a shorter garment
            # reaches the foot. Only where old clothes were is anything painted.
            foot = body.point(side, "foot")
            segments.append((f"{side} leg", ankle, ankle + (foot - ankle) * 0.5, ankle_width, foot_width))
    return segments


def limb_pieces(points: np.ndarray, segments, kind: str, length: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Each of the (N, 2) ``points``' piece of limb: the arms' or legs' (``kind``) bones cut into
    pieces about ``length`` long, each point in the piece of the bone nearest it (relative to the
    limb's width there). Returns the labels (-1 for a point off every bone), how far down its
    piece each point is (0..1, from the end nearer the body) and how many pieces there are."""
    labels = np.full(len(points), -1)
    down = np.zeros(len(points))
    nearest = np.full(len(points), np.inf)
    count = 0
    for name, start, end, r_start, r_end in segments:
        if not name.endswith(kind):
            continue
        along, _, distance = _bone_coordinates(points, start, end)
        relative = distance / (r_start + (r_end - r_start) * np.clip(along, 0, 1))
        pieces = max(1, int(np.ceil(float(np.linalg.norm(end - start)) / max(length, 1.0))))
        closer = (relative < 1.0) & (relative < nearest)
        position = np.clip(along[closer] * pieces, 0, pieces - 1e-6)
        labels[closer] = count + position.astype(int)
        down[closer] = position % 1.0
        nearest[closer] = relative[closer]
        count += pieces
    return labels, down, count


def _bone_frame(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """The bone start→end's unit direction, its length, and its unit normal, signed the same way
    on every bone (towards the image's right): the one convention every limb measure shares."""
    direction = end - start
    length = max(float(np.linalg.norm(direction)), 1e-6)
    direction = direction / length
    normal = np.array([-direction[1], direction[0]])
    if normal[0] + 0.3 * normal[1] < 0:
        normal = -normal
    return direction, length, normal


def _bone_coordinates(points: np.ndarray, start: np.ndarray, end: np.ndarray):
    """(along 0..1, across in pixels, distance) of (N, 2) points from the bone start→end.

    "Across" is signed the same way on every bone (towards the image's right), so a
    profile measured on one bone lights another from the same side.
    """
    direction, length, normal = _bone_frame(start, end)
    rel = points - start
    along = rel @ direction / length
    across = rel @ normal
    # Beyond either end, the distance to that end: measured for those points only (most lie beside
    # the bone, and both norms over every point were most of this function's time).
    distance = np.abs(across)
    before, after = along < 0, along > 1
    distance[before] = np.maximum(np.hypot(rel[before, 0], rel[before, 1]), distance[before])
    distance[after] = np.maximum(np.linalg.norm(points[after] - end, axis=1), distance[after])
    return along, across, distance


def _limb_light(lab: np.ndarray, skin_pixels: np.ndarray, bones: list[tuple[np.ndarray, np.ndarray, float]]):
    """The light across a limb, measured on its real skin: (lightness at 0..1 across, a, b), or None.

    Skin pixels along the limb's bones are binned by their position across
    (in units of the bone's half width); the bins that hold skin give the
    limb's true extent, and their mean lightness, resampled over that extent,
    is the profile: highlight, darker edges and all.
    """
    # The outline's pixels are half backdrop (lighter or darker than skin): measure inside it.
    # Only round the bones, where a pixel can be near one (the erosion two pixels wider still, so
    # the box's pixels erode as in the whole photo): the whole photo's skin was most of the time.
    h, w = skin_pixels.shape
    ends = np.array([point for start, end, *_ in bones for point in (start, end)], np.float64)
    reach = 1.6 * max(max(r_start, r_end) for *_, r_start, r_end in bones) + 1
    x0, y0 = np.maximum(np.floor(ends.min(axis=0) - reach), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(ends.max(axis=0) + reach) + 1, (w, h)).astype(int)
    ys = xs = np.zeros(0, np.intp)
    if x1 > x0 and y1 > y0:
        ex0, ey0, ex1, ey1 = max(0, x0 - 2), max(0, y0 - 2), min(w, x1 + 2), min(h, y1 + 2)
        inner = cv2.erode(skin_pixels[ey0:ey1, ex0:ex1].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        ys, xs = np.nonzero(inner[y0 - ey0 : y1 - ey0, x0 - ex0 : x1 - ex0])
        ys, xs = ys + y0, xs + x0
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    positions, values = [], []
    area = 0.0
    for start, end, r_start, r_end in bones:
        along, across, _ = _bone_coordinates(points, start, end)
        radius = r_start + (r_end - r_start) * np.clip(along, 0, 1)
        near = (along > 0.05) & (along < 0.95) & (np.abs(across) < 1.6 * radius)
        positions.append(across[near] / radius[near])
        values.append(lab[ys[near], xs[near]])
        area += 0.9 * float(np.linalg.norm(end - start)) * (r_start + r_end)
    position = np.concatenate(positions)
    # A bare limb is mostly skin; skin-coloured specks (a print on the old clothes) are not a limb.
    if len(position) < max(PROFILE_SAMPLES, PROFILE_SHARE * area):
        return None
    value = np.concatenate(values)
    edges = np.linspace(-1.6, 1.6, PROFILE_BINS + 1)
    index = np.clip(np.digitize(position, edges) - 1, 0, PROFILE_BINS - 1)
    count = np.bincount(index, minlength=PROFILE_BINS)
    total = np.bincount(index, weights=value[:, 0], minlength=PROFILE_BINS)
    valid = count >= max(6, 0.25 * count.max())
    if valid.sum() < PROFILE_MIN_BINS:
        return None
    centres = (edges[:-1] + edges[1:]) / 2
    step = edges[1] - edges[0]
    first, last = centres[valid][0] - step / 2, centres[valid][-1] + step / 2
    relative = (centres[valid] - first) / (last - first)
    samples = np.linspace(0, 1, 17)
    lightness = np.interp(samples, relative, total[valid] / count[valid])
    keep = np.isin(index, np.nonzero(valid)[0])
    a, b = np.median(value[keep, 1]), np.median(value[keep, 2])
    return lightness, float(a), float(b)


def _cylinder(q: np.ndarray, angle, ambient) -> np.ndarray:
    """Lightness (at most 1) across a cylinder at positions ``q`` -1..1, lit from ``angle`` (within
    ±90°, where the cosine's peak is on the cylinder); angle and ambient may be arrays that broadcast."""
    q = np.clip(q, -1, 1)
    lit = np.maximum(0.0, q * np.sin(angle) + np.sqrt(1 - q * q) * np.cos(angle))
    return ambient + (1 - ambient) * lit


def _side_light(profiles: list[np.ndarray]) -> tuple[float, float]:
    """(angle, ambient) of the cylinder whose light best fits ``profiles`` (lightness across, -1..1)."""
    if not profiles:
        return 0.0, LIMB_AMBIENT
    # Each profile relative to its own lit side: a limb in shade has the same shape of light.
    target = np.mean([p / max(float(np.max(p)), 1e-6) for p in profiles], axis=0)
    q = np.linspace(-1, 1, len(target))
    # Every angle and ambient share at once (angles, ambients, positions): 290 fits in one pass.
    fits = _cylinder(q, LIMB_LIGHT_ANGLES[:, None, None], LIMB_AMBIENTS[None, :, None])
    angle, ambient = np.unravel_index(np.argmin(np.mean((fits - target) ** 2, axis=2)), fits.shape[:2])
    return float(LIMB_LIGHT_ANGLES[angle]), float(LIMB_AMBIENTS[ambient])


def _face_light(lab: np.ndarray, skin_pixels: np.ndarray, body: Body) -> np.ndarray | None:
    """The light across the face, measured as across a limb (see ``_limb_light``), or None."""
    face = body.face()
    if face is None:
        return None
    centre, half, chin = face
    top, bottom = np.array([centre[0], 2 * centre[1] - chin]), np.array([centre[0], chin])
    measured = _limb_light(lab, skin_pixels, [(top, bottom, 0.9 * half, 0.9 * half)])
    return None if measured is None else measured[0]


def _hand_tone(lab: np.ndarray, skin_pixels: np.ndarray, hand: tuple) -> np.ndarray | None:
    """The lit Lab tone of the real skin round a hand's bone (wrist to knuckles, half widths), or None."""
    start, end, r_start, r_end = hand
    # The outline's pixels are half backdrop: inside it only (eroded in the hand's box).
    reach = int(np.ceil(HAND_REACH * max(r_start, r_end))) + 2
    h, w = skin_pixels.shape
    x0, y0 = np.maximum(np.floor(np.minimum(start, end)) - reach, 0).astype(int)
    x1, y1 = np.minimum(np.ceil(np.maximum(start, end)) + reach + 1, (w, h)).astype(int)
    if x1 <= x0 or y1 <= y0:
        return None
    around = capsule_mask((y1 - y0, x1 - x0), [start - (x0, y0), end - (x0, y0)], HAND_REACH * max(r_start, r_end))
    inner = cv2.erode(skin_pixels[y0:y1, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    samples = lab[y0:y1, x0:x1][around & inner]
    if len(samples) < PROFILE_SAMPLES:
        return None
    # Lit as skin_colour measures it: shadow between the fingers pulls the median down.
    return np.array([np.percentile(samples[:, 0], 65), np.median(samples[:, 1]), np.median(samples[:, 2])])


def _sides_light(lab: np.ndarray, filled: np.ndarray, ys: np.ndarray, xs: np.ndarray, on_limbs: dict):
    """Each arm's light as the old sleeves show it, the lighter arm's 1: {limb: factor}. ``on_limbs``
    says which of the (N) pixels ``ys``, ``xs`` each limb owns, ``filled`` which are filled.

    Lit from one side, one arm of a photo is darker than the other (0.55 to 0.9 of it on the dev
    set), and so is the old sleeve on it. Filled at one tone, both arms were lit alike, flat against
    the photo's light. Only where both sleeves are one material, the same hue and as saturated for
    their lightness (a shaded colour is a deeper one), and the lighter light enough to show light: a
    colour-blocked top's sleeves differ in albedo, and a black one's in sheen.
    """
    sleeves = {}
    for limb in ("left arm", "right arm"):
        on = filled & on_limbs.get(limb, False)
        if on.sum() >= PROFILE_SAMPLES:
            sleeves[limb] = np.median(lab[ys[on], xs[on]], axis=0)
    if len(sleeves) < 2:
        return {}
    darker, lighter = sorted(sleeves.values(), key=lambda sleeve: sleeve[0])
    if lighter[0] < SIDE_LIGHT_LIGHTEST or darker[0] < SIDE_LIGHT_DARKEST:
        return {}
    chroma = [float(np.hypot(*sleeve[1:])) / sleeve[0] for sleeve in (darker, lighter)]
    if max(chroma) * lighter[0] > SIDE_LIGHT_NEUTRAL:
        cosine = float(darker[1:] @ lighter[1:]) / max(
            float(np.linalg.norm(darker[1:]) * np.linalg.norm(lighter[1:])), 1e-6
        )
        if cosine < np.cos(np.radians(SIDE_LIGHT_HUE)) or max(chroma) > SIDE_LIGHT_CHROMA * min(chroma):
            return {}
    return {limb: float(np.clip(sleeve[0] / lighter[0], SIDE_LIGHT, 1.0)) for limb, sleeve in sleeves.items()}


def _local_tone(region: np.ndarray, skin: np.ndarray, lab: np.ndarray, skin_pixels: np.ndarray, scale: float):
    """The nearby real skin's tone at each pixel (a wide normalised blur), the person's skin where none is near.

    Skin next to a fill is often in shadow (under the chin, beside a sleeve); the
    bared skin itself faces the light, so it is at least as light as the person's lit skin.
    """
    h, w = region.shape
    factor = 4
    size = (max(1, w // factor), max(1, h // factor))
    weight = skin_pixels.astype(np.float32)
    colour = cv2.resize(scale_channels(lab.copy(), weight), size, interpolation=cv2.INTER_AREA)
    weight = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    sigma = max(2.0, 0.2 * scale / factor)
    weight = cv2.GaussianBlur(weight, (0, 0), sigma)
    colour = cv2.GaussianBlur(colour, (0, 0), sigma)
    trust = np.clip(weight / 0.02, 0, 1)[..., None]
    local = colour / np.maximum(weight, 1e-6)[..., None]
    local = trust * local + (1 - trust) * skin
    local[..., 0] = np.maximum(local[..., 0], skin[0])
    return cv2.resize(local, (w, h), interpolation=cv2.INTER_LINEAR)


def _membrane(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``values`` (H, W, C) known where ``known``, spread smoothly over the rest (push-pull).

    Each coarser level averages what is known below it; coming back up, a pixel keeps its own
    value as far as it is known and takes the coarser level's smooth guess for the rest: the
    result meets every known pixel and varies gently between them, like a stretched membrane.
    """
    weight = known.astype(np.float32)
    levels = [(scale_channels(values.copy(), weight), weight)]
    while min(levels[-1][1].shape) > 8:
        sums, weights = levels[-1]
        levels.append((cv2.pyrDown(sums), cv2.pyrDown(weights)))
    sums, weights = levels[-1]
    guess = sums.reshape(*weights.shape, -1) / np.maximum(weights, 1e-6)[..., None]
    if weights.max() > 0:
        guess[weights <= 0] = sums.reshape(-1, guess.shape[-1]).sum(axis=0) / weights.sum()
    for sums, weights in reversed(levels[:-1]):
        h, w = weights.shape
        up = cv2.pyrUp(guess, dstsize=(w, h)).reshape(h, w, -1)
        sure = np.clip(weights * 4.0, 0.0, 1.0)
        unsure, known_weights, sums = 1 - sure, np.maximum(weights, 1e-6), sums.reshape(h, w, -1)
        guess = np.empty_like(up)
        # Channel by channel, as in .arrays: the same numbers as a broadcast of the weights.
        for c in range(up.shape[2]):
            guess[..., c] = sure * (sums[..., c] / known_weights) + unsure * up[..., c]
    return guess.reshape(values.shape)


def _meet_the_real_skin(fill: np.ndarray, lab: np.ndarray, region: np.ndarray, ring: np.ndarray, scale: float):
    """``fill`` (Lab) shifted so it meets the real skin around ``region`` without a seam, in place.

    Where the fill borders real skin (a thigh below a new hem meeting the real
    knee, a chest meeting the neck above an old neckline) the difference between the two is
    measured along that border and spread into the fill as a membrane: it meets every border
    pixel exactly, so no step and no halo shows, and eases between borders of different tone.
    It fades out within SEAM_REACH of the torso from the border: the fill's own light and
    texture stay, and a small border (a shadowed neck) does not recolour a whole torso.
    """
    if ring.sum() < 20:
        return fill
    ys, xs = np.nonzero(region | ring)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    # In the fill's box only: it is all the membrane spreads over.
    difference = (lab[y0:y1, x0:x1] - fill[y0:y1, x0:x1]) * ring[y0:y1, x0:x1, None]
    difference[..., 0] = np.clip(difference[..., 0], -SEAM_LIMIT, SEAM_LIMIT)
    offset = _membrane(difference, ring[y0:y1, x0:x1])
    away = cv2.distanceTransform((~ring[y0:y1, x0:x1]).astype(np.uint8), cv2.DIST_L2, 3)
    fade = np.clip(1.0 - away / max(1.0, SEAM_REACH * scale), 0.0, 1.0)
    # In place: the caller's fill is its own (a copy was 9 MB more at a render's peak).
    inside = region[y0:y1, x0:x1]
    # At the fill's pixels only: the same products as over the box.
    fill[y0:y1, x0:x1][inside] += offset[inside] * fade[inside][:, None]
    fill[ring] = lab[ring]
    return fill


def _limb_extent(solid: np.ndarray, start: np.ndarray, end: np.ndarray, r_start: float, r_end: float):
    """Where the skin (``solid``) ends on either side of a limb's bone, at stations along it: (along
    0..1, the nearer side's offset, the farther's), offsets signed as ``_bone_coordinates``'
    "across" and kept between LIMB_HALF_AT_OUTLINE of the expected half width from the bone.

    Marched out from the bone at each station; where the bone itself lies off the skin, the
    expected width stands in.
    """
    h, w = solid.shape
    _, _, normal = _bone_frame(start, end)
    stations = np.linspace(0.0, 1.0, LIMB_STATIONS)
    radius = r_start + (r_end - r_start) * stations
    least, most = LIMB_HALF_AT_OUTLINE[0] * radius, LIMB_HALF_AT_OUTLINE[1] * radius
    steps = np.arange(0.0, float(most.max()) + 1.0)
    points = start + np.outer(stations, end - start)
    sides = []
    # Every station's ray at once: (stations, steps) pixels on each side.
    for sign in (-1.0, 1.0):
        rays = points[:, None, :] + (sign * steps)[None, :, None] * normal
        x, y = np.round(rays[..., 0]).astype(int), np.round(rays[..., 1]).astype(int)
        on = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        inside = np.zeros(x.shape, bool)
        inside[on] = solid[y[on], x[on]]
        # The first step off the skin (or the last step, when the skin goes on past it).
        off = ~inside
        reach = np.where(off.any(axis=1), steps[np.argmax(off, axis=1)], steps[-1])
        reach = np.clip(reach, least, most)
        # A bone lying off the skin: its expected width, centred on it.
        reach[~inside[:, 0]] = ((least + most) / 2)[~inside[:, 0]]
        sides.append(sign * reach)
    return stations, sides[0], sides[1]


def _bump(a: np.ndarray, d: np.ndarray, centre, spread) -> np.ndarray:
    """A smooth bump, 1 at ``centre`` (across, down), falling off over ``spread`` (across, down)."""
    return np.exp(-(((a - centre[0]) / spread[0]) ** 2) - ((d - centre[1]) / spread[1]) ** 2)


def _chest_height(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The chest's relief at ``a`` across and ``d`` down (shoulder widths), in shoulder widths."""
    height = np.zeros_like(a)
    (ia, id_), (oa, od), spread, rise = COLLARBONE
    side = np.abs(a)
    # Distance from the collarbone's line, and how far along it (fading at both ends).
    direction = np.array([oa - ia, od - id_])
    length = float(np.linalg.norm(direction))
    direction /= length
    along = ((side - ia) * direction[0] + (d - id_) * direction[1]) / length
    off = -(side - ia) * direction[1] + (d - id_) * direction[0]
    ends = np.clip(np.minimum(along, 1 - along) / 0.15, 0, 1)
    height += rise * np.exp(-((off / spread) ** 2)) * ends
    (ca, cd), (sa, above, below), mound = CHEST_MOUND
    height += mound * _bump(side, d, (ca, cd), (sa, np.where(d < cd, above, below)))
    centre, spread, depth = NOTCH
    return height - depth * _bump(a, d, centre, (spread, spread))


def _belly_height(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The belly's relief at ``a`` across and ``d`` down (torso lengths), in torso lengths."""
    centre, spread, depth = NAVEL
    height = -depth * _bump(a, d, centre, spread)
    (top, bottom), spread, groove = BELLY_GROOVE
    along = np.clip(np.minimum(d - top, bottom - d) / 0.1, 0, 1)
    return height - groove * np.exp(-((a / spread) ** 2)) * along


def _navel_shadow(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """A lightness multiplier at ``a`` across and ``d`` down (torso lengths): the navel's hollow."""
    centre, spread, _ = NAVEL
    return 1.0 - NAVEL_SHADOW * _bump(a, d, centre, spread)


def _knee_height(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The knee's relief at ``a`` across (towards the other leg) and ``d`` down the leg, in the
    leg's half width at the knee."""
    return sum(rise * _bump(a, d, centre, spread) for centre, spread, rise in (KNEECAP, KNEE_INNER))


def _lit_relief(height, a: np.ndarray, d: np.ndarray, reach: tuple[float, float, float]) -> np.ndarray:
    """A lightness multiplier: the relief ``height(a, d)`` (heights in the units of ``a`` across
    and ``d`` down) lit by FRONT_LIGHT, 1 where it is flat. ``reach`` (the widest ``|a|``, the
    least and the most ``d``) bounds where the relief is: only there is it worked out."""
    relief = np.ones(len(a))
    widest, top, bottom = reach
    near = (np.abs(a) < widest) & (d > top) & (d < bottom)
    a, d = a[near], d[near]
    step = 0.01
    slope_a = (height(a + step, d) - height(a - step, d)) / (2 * step)
    slope_d = (height(a, d + step) - height(a, d - step)) / (2 * step)
    light = np.array(FRONT_LIGHT) / np.linalg.norm(FRONT_LIGHT)
    # The surface's normal is (-dH/da, -dH/dd, 1); its light relative to a flat surface's.
    facing = (-slope_a * light[0] - slope_d * light[1] + light[2]) / np.sqrt(1 + slope_a**2 + slope_d**2)
    relief[near] = 1.0 + RELIEF_SHADING * (facing / light[2] - 1.0)
    return relief


def _shown(skin_pixels: np.ndarray, point: np.ndarray, radius: float) -> bool:
    """Whether the photo's real skin shows in the disc of ``radius`` round ``point`` (more than a sliver)."""
    h, w = skin_pixels.shape
    x, y = np.round(point).astype(int)
    r = max(1, int(round(radius)))
    if not (0 <= x < w and 0 <= y < h):
        return False
    ys, xs = np.ogrid[max(0, y - r) : min(h, y + r + 1), max(0, x - r) : min(w, x + r + 1)]
    disc = (xs - x) ** 2 + (ys - y) ** 2 <= r * r
    return float(skin_pixels[ys, xs][disc].mean()) > 0.05


def _knee_relief(points: np.ndarray, body: Body, side: str, half_width: float) -> np.ndarray:
    """A lightness multiplier for leg pixels ``points`` (N, 2): the knee's relief."""
    hip, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
    # Across counts towards the other leg: the inner muscle above the knee is on that side.
    other = body.point("right" if side == "left" else "left", "knee")
    return _part_relief(points, knee, ankle - hip, other - knee, half_width, _knee_height, KNEE_REACH)


def _part_relief(points, at, down, towards, half_width: float, height, reach) -> np.ndarray:
    """A lightness multiplier for ``points`` (N, 2): the relief ``height`` (see _lit_relief) in a
    body part's frame from ``at``, down along ``down``, across towards ``towards``, in units of
    ``half_width``."""
    down = down / max(float(np.linalg.norm(down)), 1e-6)
    normal = np.array([-down[1], down[0]])
    if towards @ normal < 0:
        normal = -normal
    relative = (points - at) / max(half_width, 1.0)
    return _lit_relief(height, relative @ normal, relative @ down, reach)


def _deltoid_height(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The shoulder's relief at ``a`` across (away from the body) and ``d`` down the upper arm, in
    the arm's half width at the shoulder."""
    centre, spread, rise = DELTOID
    return rise * _bump(a, d, centre, spread)


def _shoulder_relief(points: np.ndarray, body: Body, side: str, half_width: float) -> np.ndarray:
    """A lightness multiplier for arm pixels ``points`` (N, 2): the deltoid's relief."""
    shoulder, elbow = body.limb(side, ("shoulder", "elbow"))
    # Across counts away from the body.
    away = body.u * float((shoulder - body.origin) @ body.u)
    return _part_relief(points, shoulder, elbow - shoulder, away, half_width, _deltoid_height, DELTOID_REACH)


def _blend_owners(colour: np.ndarray, tone: np.ndarray, ys: np.ndarray, xs: np.ndarray, scale: float):
    """``colour`` (N, 3 Lab, at pixels ``ys``, ``xs``) with the steps between body parts smoothed.

    Each pixel's light comes from the part that owns it: an arm's inner edge turns away from
    the light, the torso beside it faces it. Where the two meet, that was a hard dark stripe down
    the side of the chest, a seam no body has. The light relative to the local ``tone``, and the
    colour, are blended over OWNER_BLEND of the torso length (only among the fill's pixels).
    """
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    field = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    weight = np.zeros((y1 - y0, x1 - x0), np.float32)
    field[ys - y0, xs - x0, 0] = colour[:, 0] / np.maximum(tone[:, 0], 1.0)
    field[ys - y0, xs - x0, 1:] = colour[:, 1:]
    weight[ys - y0, xs - x0] = 1.0
    sigma = max(1.0, OWNER_BLEND * scale)
    # Normalised at the fill's pixels only, the ones read: the same numbers as over the box.
    at = (ys - y0, xs - x0)
    blended = (
        cv2.GaussianBlur(field, (0, 0), sigma)[at]
        / np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma)[at], 1e-6)[:, None]
    )
    blended[:, 0] *= tone[:, 0]
    return blended


def skin_fill(region: np.ndarray, skin: np.ndarray, lab: np.ndarray, skin_pixels: np.ndarray, body: Body, segments):
    """(H, W, 3) RGB 0..1 skin for ``region``, shaped like the body part under each pixel.

    ``segments`` are the body's ``limb_segments``. Pixels on a limb take that limb's
    measured light (see ``_limb_light``) or,
    with none measured, the nearby tone rounded like a limb; the rest (chest,
    midriff, neck) the nearby tone rounded like the torso.
    """
    h, w = region.shape
    T = body.torso_length
    # Only whole stretches of skin count: a skin-coloured motif in the old clothes' print isn't skin.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(skin_pixels.astype(np.uint8), 8)
    large = np.nonzero(stats[1:, cv2.CC_STAT_AREA] >= (SKIN_SOURCE * T) ** 2)[0] + 1
    all_skin, skin_pixels = skin_pixels, np.isin(labels, large)
    del labels  # a full-frame int32 map, held through the fill for nothing
    out = _local_tone(region, skin, lab, skin_pixels, T)
    # The real skin just outside the fill: where they meet, the fill must match it.
    ring = cv2.dilate(region.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    ring &= ~region & skin_pixels
    ys, xs = np.nonzero(region | ring)
    if len(ys):
        points = np.stack([xs, ys], axis=1).astype(np.float64)
        tone = out[ys, xs]
        # The torso first: rounded across its expected width at each height.
        down = (points - body.origin) @ body.v
        across = (points - body.origin) @ body.u - body.centre_across(down)
        q = np.clip(across / np.maximum(body.bare_half_width(down), 1.0), -1, 1)
        lightness = tone[:, 0] * (TORSO_EDGE + (1 - TORSO_EDGE) * np.sqrt(1 - q * q))
        # The body's form (collarbones, knees), lit after the parts' light is blended: blended, its
        # ridges and hollows blurred away.
        S = body.shoulder_width
        relief = _lit_relief(_chest_height, across / S, down / S, CHEST_REACH)
        # A navel the photo shows (a midriff between an old crop top and low jeans) is its own.
        navel_down = NAVEL[0][1] * T
        navel = body.frame(float(body.centre_across(np.array(navel_down))), navel_down)
        if not _shown(skin_pixels, navel, NAVEL_SHOWN * T):
            belly = _lit_relief(_belly_height, across / T, down / T, BELLY_REACH)
            relief *= belly * _navel_shadow(across / T, down / T)
        colour = tone.copy()
        # The lightness each pixel's a and b belong to.
        lit_at = tone[:, 0].copy()
        # Then each limb, over the pixels nearest its bones.
        nearest = np.full(len(points), np.inf)
        owner = np.full(len(points), -1)
        coordinates = []
        # Just below the hip joints is still the torso: skin bared there (below a crop top, down
        # to an old tee's hem) rounded as two thighs read as a pair of briefs.
        hip_down = float((body.hip_centre - body.origin) @ body.v)
        below_hips = down > hip_down + LEG_BELOW_HIPS * T
        solid = region | skin_pixels
        for i, (name, start, end, r_start, r_end) in enumerate(segments):
            along, across_bone, distance = _bone_coordinates(points, start, end)
            radius = r_start + (r_end - r_start) * np.clip(along, 0, 1)
            # Rounded across the skin's own extent on each side of the bone (up to the backdrop or
            # a garment): a limb bared wider than expected (an arm as wide as the old sleeve was),
            # or off its bone, has its middle and its edges there. Rounded about the bone at the
            # expected width, the pixels beyond took the limb's darkest edge, a flat dark slab.
            stations, low, high = _limb_extent(solid, start, end, r_start, r_end)
            low, high = np.interp(along, stations, low), np.interp(along, stations, high)
            coordinates.append((across_bone - (low + high) / 2) / np.maximum((high - low) / 2, 1.0))
            closer = (distance < 1.5 * radius) & (distance / radius < nearest)
            if name.endswith("leg"):
                closer &= below_hips
            nearest[closer] = (distance / radius)[closer]
            owner[closer] = i
        limbs = {}
        for limb in dict.fromkeys(name for name, *_ in segments):
            members = [i for i, segment in enumerate(segments) if segment[0] == limb]
            limbs[limb] = members, np.isin(owner, members)
        side_light = _sides_light(lab, region[ys, xs], ys, xs, {limb: on for limb, (_, on) in limbs.items()})
        measures = {
            limb: _limb_light(lab, skin_pixels, [segments[i][1:] for i in members]) if on_limb.any() else None
            for limb, (members, on_limb) in limbs.items()
        }
        # A limb with no skin of its own to measure is lit as the photo's bare limbs are, or its face.
        profiles = [measured[0] for measured in measures.values() if measured is not None]
        angle, ambient = _side_light(profiles)
        if not profiles and (face := _face_light(lab, skin_pixels, body)) is not None:
            # The face gives the light's side, not its depth: its skin shows only its front (hair
            # and the cheeks' turn hide its sides), nearly flat, and lit from the front as a rule.
            angle = _side_light([face])[0]
        for limb, (members, on_limb) in limbs.items():
            if not on_limb.any():
                continue
            q = np.zeros(len(points))
            for i in members:
                q[owner == i] = coordinates[i][owner == i]
            q = np.clip(q[on_limb], -1, 1)
            measured = measures[limb]
            hand = None
            if measured is None and len(members) == 3:
                hand = _hand_tone(lab, all_skin, segments[members[2]][1:])
            if hand is not None:
                # An arm bared from its shoulder to an old cuff shows only its hand (too small a
                # stretch of skin to tile from): the arm is the hand's tone, not the face's. A face
                # lit from the front, and made up, was pale beside the real, tanned hands.
                lightness[on_limb] = hand[0] * _cylinder(q, angle, ambient)
                colour[on_limb, 1], colour[on_limb, 2] = hand[1], hand[2]
                lit_at[on_limb] = hand[0]
            elif measured is None:
                lit = tone[on_limb, 0] * (LEG_TONE if limb.endswith("leg") else side_light.get(limb, 1.0))
                lightness[on_limb] = lit * _cylinder(q, angle, ambient)
            else:
                profile, a, b = measured
                lightness[on_limb] = np.interp((q + 1) / 2, np.linspace(0, 1, len(profile)), profile)
                colour[on_limb, 1], colour[on_limb, 2] = a, b
                # Its colour is the limb's as a whole: the profile's shading is relative to its middle.
                lit_at[on_limb] = float(np.median(profile))
            if limb.endswith("arm"):
                side, half_width = limb.split()[0], segments[members[0]][3]
                # A shoulder the photo shows has its own form.
                if not _shown(skin_pixels, body.point(side, "shoulder"), half_width):
                    relief[on_limb] = _shoulder_relief(points[on_limb], body, side, half_width)
            if limb.endswith("leg"):
                side, knee_width = limb.split()[0], LEG_HALF_WIDTHS[1] * T
                # A knee the photo shows, even in part (below a hem just above it), has its own form:
                # drawn again on the fill above it, a second knee or a dark band at the hem.
                if not _shown(skin_pixels, body.point(side, "knee"), KNEE_SHOWN * knee_width):
                    relief[on_limb] = _knee_relief(points[on_limb], body, side, knee_width)
        colour[:, 0] = lightness
        # Shade darkens a colour's a and b with its lightness (a shaded skin is a deeper, not a
        # more saturated, tone): a limb's edges kept the lit tone's a and b, and legs lit below the
        # face read as orange.
        colour[:, 1:] *= (lightness / np.maximum(lit_at, 1.0))[:, None]
        # The per-pixel measures are spent: let go before the seam's membrane, a render's peak memory.
        del points, down, across, q, lightness, nearest, owner, coordinates, lit_at
        colour = _blend_owners(colour, tone, ys, xs, T)
        colour *= relief[:, None]
        out[ys, xs] = colour
        out = _meet_the_real_skin(out, lab, region, ring, T)
    # A smooth fill reads as paint next to the photo's own grain: carry the
    # person's own skin texture into it.
    # Copied from the body's skin rather than the face when there is enough of it: stubble,
    # brows and lips would tile into a blotchy marble.
    source = skin_pixels
    face = body.face()
    if face is not None:
        below_chin = source.copy()
        below_chin[: int(np.clip(face[2], 0, h))] = False
        if below_chin.sum() > 20 * (SKIN_PATCH * T) ** 2:
            source = below_chin
    out[..., 0] += _skin_texture(lab[..., 0], source, region, T)
    # Over the real skin just beyond the region the fill is the photo itself: the caller blends the
    # fill in over a soft edge, and the local tone there (lighter than skin in shade, where that is
    # too small a stretch to count as the fill's border) drew a pale line round the fill. Not over
    # old clothes (the caller's skin reaches under the backdrop's edge there), nor in the region's
    # pinholes and slits: a zip's dark line between two bared pieces stays filled.
    edge = np.ones((2 * FILL_EDGE + 1, 2 * FILL_EDGE + 1), np.uint8)
    holes = cv2.morphologyEx(region.view(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
    around = (cv2.dilate(region.view(np.uint8), edge) > 0) & ~holes & all_skin
    out[around] = lab[around]
    # Converted and clipped in place (OpenCV converts pixel by pixel): the same values without two
    # more full-frame copies at what was a render's peak memory.
    rgb = np.ascontiguousarray(out, np.float32)
    cv2.cvtColor(rgb, cv2.COLOR_LAB2RGB, dst=rgb)
    return np.clip(rgb, 0, 1, out=rgb)
