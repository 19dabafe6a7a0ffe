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
from scipy import ndimage

from .arrays import blend_into, box_around, gaussian_reach, morph_by_rows, scale_channels
from .body import Body
from .placement import Layer, PlacedGarment, legs_bent, long_old_top
from .skin import hue_cosine, is_deep_shadow, is_skin, lab_of, limb_pieces, limb_segments, skin_fill
from .warp import capsule_mask, polyline_point, tapered_mask

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
# (the waist), or on to where the old top is seen to end (placement.old_top_end_down, at most
# MIDRIFF_LOWEST), within this colour distance (ΔE) of the old top seen on the chest.
MIDRIFF_END = 0.85
MIDRIFF_LOWEST = 1.15
MIDRIFF_DELTA_E = 18.0
# ... and whatever its colour (a print), with its sides beside the bared midriff, down to this share
# of the torso above where it ends.
MIDRIFF_PRINT_ABOVE = 0.05
# The old top's colour is the commonest in bins this wide (Lab units), so a print isn't averaged in.
DOMINANT_BIN = 8.0
# A new bottom alone goes on under an old top seen to end at least UNTUCKED_BELOW of the torso
# below the new waistband; the old top's hem is found by its colour down to UNTUCKED_PAST below
# where it is seen to end down the middle (a hem dips at the sides).
UNTUCKED_BELOW = 0.08
UNTUCKED_PAST = 0.06
# A new bottom's drawn top edge is soft: the old top's hem it half covers within WAISTBAND_EDGE of
# the torso below its line is under the garment, not beside it, and stays (see _compose).
WAISTBAND_EDGE = 0.02
# Notches between a top's pieces at the shoulders narrower than SHOULDER_NOTCH of the shoulder width
# are closed, above SHOULDER_NOTCH_LOWEST of the torso and beyond NECK_HALF of the shoulder width
# from the neck.
SHOULDER_NOTCH = 0.12
SHOULDER_NOTCH_LOWEST = 0.2
# ... and above a top with sleeves, old clothes on the shoulders up to SHOULDER_GAP of the shoulder
# width above its edge.
SHOULDER_GAP = 0.06
# Wide blurs (the colour around a notch) are made where they are this many pixels wide (_wide_blur).
WIDE_BLUR_SIGMA = 4.0
# Over the shoulders, down to SHOULDER_LAID_LOWEST of the torso, a top reaches out of the person's
# outline by at most SHOULDER_EASE of the shoulder width (cloth lying on the shoulder).
SHOULDER_LAID_LOWEST = 0.1
SHOULDER_EASE = 0.03
# A bared shoulder is one piece from the neck to the arm: the torso down to this share of the torso
# length and the upper arm to this share of its length are joined.
SHOULDER_JOINED = 0.1
SHOULDER_JOINED_ARM = 0.3
NECK_HALF = 0.2
# The throat, in front of the neck below the chin: this far either side of the body's centre line
# (share of the shoulder width).
THROAT_HALF = 0.16
# ... or, on rows where the neck's skin shows, on each side as far as it reaches and this much more.
NECK_SEEN = 0.03
# The throat's deep shadow is above the shoulders by at least this share of their width: further
# down, the skin's hue at a fraction of its lightness is a sheer black top over the chest.
THROAT_DEEP_SHADOW = 0.1
# Hair is darker than this share of the skin's lightness; its lighter strands, kept off the backdrop,
# darker than HAIR_STRANDS of it.
HAIR_DARKER = 0.55
HAIR_STRANDS = 0.8
# ... and joined to the rest across gaps this many pixels wide (a strand's lighter sheen).
HAIR_BRIDGE = 9
# Hair reaches at most this far down the torso (share of the shoulder-to-hip length), and below
# HAIR_WIDE_BELOW of the shoulder width above the shoulders, at most half their width from the middle.
HAIR_LOWEST = 0.55
# A dark pixel this chromatic (and twice the hair's chroma), this many degrees of hue from the hair's, is no hair.
HAIR_OTHER_CHROMA = 12.0
HAIR_OTHER_HUE = 60.0
HAIR_WIDE_BELOW = 0.12
# Hair at least HAIR_COLOURED in chroma (brown, red) has no pixels under HAIR_GREY_SHARE of its chroma
# for their lightness (at least HAIR_NEAR_BLACK).
HAIR_NEAR_BLACK = 10.0
HAIR_COLOURED = 10.0
HAIR_GREY_SHARE = 0.35
# Bared skin reaches this far (share of the torso length) over what is darker than the lit skin by
# OLD_EDGE_FRINGE_DARKER (L) beside it: the old clothes' blended edge and their shadow.
OLD_EDGE_FRINGE = 0.012
OLD_EDGE_FRINGE_DARKER = 25.0
# Beyond the person's outline the old clothes' rim reaches at most this far (share of the torso
# length); there, a pixel differing from the continued backdrop by more than OLD_EDGE_DIFFERS
# (0..1, any channel), in the direction of the old clothes' colour (a cosine of at least
# OLD_EDGE_TOWARDS), is their rim.
OLD_EDGE_REACH = 0.03
OLD_EDGE_DIFFERS = 0.06
OLD_EDGE_TOWARDS = 0.7
# ... judged over this many pixels square around each.
OLD_EDGE_AROUND = 5
# An old collar beside the jaw (_collar_beside_the_jaw): looked for within this share of the
# shoulder width of the body's middle, up to this share above the shoulder line; a colour at least
# this chroma and this many degrees of hue from the skin's is no skin and no hair; with its soft
# edge, this many pixels round it.
COLLAR_BESIDE_JAW_HALF = 0.4
COLLAR_BESIDE_JAW_HIGHEST = 0.45
COLLAR_HUE_TURN = 45.0
COLLAR_CHROMA = 10.0
COLLAR_EDGE = 2
# Reach of an old garment's crisp edge in which only broad light is transferred (share of the torso length).
SHADE_EDGE_REACH = 0.02
# The old clothes' light carried onto bared skin as the body's form: between these two blurs
# (shares of the torso length), at most this far (log of the lightness ratio) either way.
SKIN_FORM_FINE = 0.025
SKIN_FORM_BROAD = 0.25
SKIN_FORM_LIMIT = 0.3
# ... fading in over this share of the torso from the bared region's edge (a strap shows no form).
SKIN_FORM_INSET = 0.06
# Bared legs are judged in pieces this long (torso lengths). A piece more than LEG_COVERED not
# skin was covered by the old clothes all over; less than LEG_REAL not skin, and less than
# LEG_REAL_TEXTURE finely textured, it is the real leg, hairs and shadows and all (a shadowed
# shin of a hairy leg is near half not skin).
LEG_PIECE = 0.1
LEG_COVERED = 0.6
LEG_REAL = 0.5
LEG_REAL_TEXTURE = 0.15
LEG_HEM_STEP = 0.25
# How far round a raised foot's landmarks, from the ankle, its shoe reaches (share of the torso): a
# boot's shaft too, wider than FOOT_RADIUS round heel and toes.
SHOE_RADIUS = 0.08
# How much wider than its expected width an arm may be (skin there is kept).
ARM_SLACK = 2.0
# The layer roles that wrap an arm: an arm never shows in front of them.
SLEEVES = ("sleeve_root", "sleeve")
# An arm whose elbow and wrist are further than this share of the shoulder width from the body's
# middle hangs beside it: bared under a new top's body, it shows whole in front of it. One across
# the body's front (folded arms, a hand at the chin) stays under it: a pose the engine warns of,
# where flat bands of skin across a new top, or cut off at its side, read worse than the top.
ARM_BESIDE_THE_BODY = 0.3
# ... and a bared leg's (the pose's knees and ankles are often off the leg's middle).
LEG_SLACK = 1.35
# How far (pixels) a bare arm's outline blends skin with the backdrop, on each side.
ARM_OUTLINE = 4
# A bare arm's shaded side, too dark for the skin test, is a line at most this share of the
# shoulder width across.
ARM_SHADE_WIDEST = 0.05
# ... round skin at least this many pixels wide: a narrower line is an old sleeve's blended edge.
ARM_OUTLINE_SKIN = 5
# Below a new bottom's waistband, a sleeved arm keeps the colours its sleeve shows over this share of
# the torso above it, unless the arm is skin over BARE_ARM_SKIN there (see _old_sleeves_below): a
# colour is a Lab bin COLOUR_BIN wide holding at least COLOUR_SHARE of the pixels sampled.
OLD_SLEEVE_SAMPLED = 0.08
BARE_ARM_SKIN = 0.7
COLOUR_BIN = 10.0
COLOUR_SHARE = 0.05
# Between a hand's fingers (gaps up to this share of the shoulder width), what it holds stays.
HAND_HOLDS = 0.04
# Skin-coloured cloth round a hand (a beige houndstooth's light checks) is no hand skin: inside the
# skin-coloured, a pixel's lightness is more than HAND_GRAIN (L) off its 3x3 mean over more than
# HAND_GRAIN_SHARE of HAND_GRAIN_AREA pixels around. On the dev set a beige houndstooth is 0.36-0.47
# such pixels, a hand over bare thighs and dark shorts (rings, creases, knuckles) at most 0.24.
HAND_GRAIN = 8.0
HAND_GRAIN_AREA = 15
HAND_GRAIN_SHARE = 0.3
# Where the backdrop meets bared skin, its soft edge is made this many times steeper (to the
# photo's own 1-2 px edge of a real limb).
LIMB_OUTLINE_STEEPEN = 2.5
# Beside a new sleeve, down to this much (× shoulder width) short of its end, nothing is the arm
# but the arm below it, BARE_FOREARM (× shoulder width) each side of its line.
SLEEVE_END_MARGIN = 0.05
BARE_FOREARM = 0.15
# ... and round its cap, beyond the top of the shoulder, this far from it (× shoulder width; the
# deltoid reaches 0.13-0.17 of the shoulder width out of the arm's line on the dev set's bare
# shoulders).
SLEEVE_CAP_ZONE = 0.2
# A cuff across the wrist (see _cuffed_sleeves): at least CUFF_LEAST long, measured over a strip
# CUFF_HALF_WIDTH each side of the forearm's line (× shoulder width).
CUFF_LEAST = 0.06
CUFF_HALF_WIDTH = 0.05
# Skin-coloured pixels within this many pixels of the person's outline, in a line thinner than
# SLIVER_WIDTH, are an old garment's edge blended with the backdrop, not skin (see _compose).
OUTLINE_SLIVER = 3
SLIVER_WIDTH = 5
# ... beside old clothes that go, at least this wide (pixels): an arm's own shadowed side is narrower.
OLD_CLOTHES_BROAD = 11
# Below the ankle joints, the old clothes are what is this close (ΔE) to them on the shins.
OLD_HEM_DELTA_E = 20.0
# Leather and satin of the skin's colour are told from skin by their gloss: in a stretch of
# skin-coloured old clothes (at least GLOSS_AREA × shoulder width squared), more than GLOSS_SHARE of
# its lightest tenth lies in thin streaks (GLOSS_STEP L above the median over GLOSS_WINDOW of the torso
# length around), and those streaks are paler than the stretch (saturation, chroma over lightness,
# at most GLOSS_PALER of its median): light reflected off the surface is the light's colour.
# Skin's lightest tenth is broad highlights (0-6% streaks on the dev set's bare arms, shoulders and
# ponytails); the leather jackets' 18-60%, at 0.33-0.67 of their saturation. The skin between a
# tattoo's lines is streaks too (10-31%), but of the skin's own colour (0.80-0.87); so are curls.
GLOSS_STEP = 5.0
GLOSS_WINDOW = 0.02
GLOSS_SHARE = 0.15
GLOSS_PALER = 0.75
GLOSS_AREA = 0.06
# ... and once one such stretch is found, smaller ones of at least GLOSS_PIECE pixels too.
GLOSS_PIECE = 60
# How far below the heel and toe landmarks a sole reaches (share of the torso length).
FOOT_RADIUS = 0.06
# A shoe seen from the front, round its heel and toe landmarks: half its width across the body and
# its reach up and down (shares of the torso length). A man's shoe is some 10 cm wide, a fifth of the torso.
SHOE_HALF_WIDTH = 0.1
SHOE_HALF_HEIGHT = 0.06
# Within a shoe's round, a row (across the body) more than this share skin is the bare ankle or
# instep: nothing above it is shoe.
BARE_FOOT_SKIN = 0.5
# ... if it is less than this share of the way down from the heel to the toes (further, it is bare
# toes below a sandal's strap).
BARE_ANKLE_REACH = 0.3
# Old clothes told from skin of their colour by texture: lightness varying by more than
# TEXTURE_SPREAD (std, L) within TEXTURE_WINDOW pixels, over more than TEXTURE_SHARE of
# TEXTURE_AREA pixels around.
TEXTURE_WINDOW = 5
TEXTURE_SPREAD = 6.0
TEXTURE_AREA = 15
TEXTURE_SHARE = 0.6
# A garment's shadow on the body beside it: how dark at most, how far it
# reaches and how far below the edge it falls (in torso lengths).
CONTACT_SHADOW = 0.35
CONTACT_REACH = 0.012
CONTACT_DROP = 0.006


def _print_free_grey(base: np.ndarray, scale: float) -> np.ndarray:
    """The photo's luminance at half size with lettering and small prints taken out (uint8).

    Prints on the old clothes are narrow strokes; folds and body shading are
    broad. A median wider than a stroke drops the print (so it doesn't ghost
    through the new garment or onto bared skin) and keeps the folds. At half
    size: a wide median is slow, and every use blurs wider than a pixel anyway.
    """
    h, w = base.shape[:2]
    grey = cv2.cvtColor(base, cv2.COLOR_RGB2GRAY)
    half = cv2.resize(grey, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    return cv2.medianBlur(half, min(255, 2 * int(SHADE_PRINT * scale / 4) + 1))


def _shading(print_free: np.ndarray, person: np.ndarray, scale: float) -> np.ndarray:
    """Per-pixel multiplier from the photo's fine luminance over its smooth luminance.

    ``scale`` (the torso length) sets the blur radii, so the look doesn't
    depend on how much of the photo around the person is being composited.
    Beyond the person (``person``, float 0..1) the multiplier fades to 1: a
    dress reaching past the legs over the backdrop has no shade from it.
    """
    h, w = person.shape
    grey = cv2.resize(print_free, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0 + 0.02
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


def _form_light(
    print_free: np.ndarray, region: np.ndarray, scale: float, clothes: np.ndarray | None = None
) -> np.ndarray:
    """The body's form as the old clothes show it: a lightness multiplier for bared skin.

    A plain old garment is lit like the body under it (lighter over the chest
    and shoulders, darker at the sides and under the bust), so its lightness
    relative to its own broad level, with prints and fine folds taken out,
    rounds the skin that replaces it. A dark garment shows little of the light
    and much of its sheen: its form counts for less. How dark is judged over the
    whole of ``region`` (the skin to be filled): judged pixel by pixel, the light
    motifs of a dark print counted fully and came out as pale blotches.
    """
    h, w = region.shape
    half = print_free.astype(np.float32) / 255.0
    # Both levels follow the edges between materials (edge-aware, as in ``_shading``): the
    # step from a white tank to the arms beside it is albedo, not light on the chest.
    fine = cv2.ximgproc.dtFilter(half, half, max(1.0, SKIN_FORM_FINE * scale / 2), SHADE_EDGE)
    broad = cv2.ximgproc.dtFilter(half, half, max(1.0, SKIN_FORM_BROAD * scale / 2), SHADE_EDGE)
    ratio = np.clip(np.log((fine + 0.02) / (broad + 0.02)), -SKIN_FORM_LIMIT, SKIN_FORM_LIMIT)
    ratio = cv2.resize(ratio, (w, h), interpolation=cv2.INTER_LINEAR)
    level = float(np.median(cv2.resize(broad, (w, h), interpolation=cv2.INTER_LINEAR)[region]))
    ratio *= float(np.clip((level - 0.08) / 0.25, 0.0, 1.0))
    # A strap or a collar is too narrow to show the body's form, only its own edges: bared, it
    # was a dark streak down the skin. The form fades in over SKIN_FORM_INSET from the edge of the
    # old ``clothes`` in the region: the real skin it reaches over (past an old hem's shadow) has
    # its own light, and the hem's dark fold, taken for form, was a line across a bared thigh.
    old = region if clothes is None else region & clothes
    inside = cv2.distanceTransform(old.view(np.uint8), cv2.DIST_L2, 3)
    ratio *= np.clip(inside / max(1.0, SKIN_FORM_INSET * scale), 0.0, 1.0)
    return np.exp(ratio).astype(np.float32)


def _finely_textured(lab: np.ndarray) -> np.ndarray:
    """Pixels in an area of fine, strong texture: a houndstooth, a knit, a small print (bool).

    A beige houndstooth dress has the colour of skin on average and passed for it, so strips
    of it stayed beside new jeans and on the thighs below a new hem. Skin is smooth at this
    scale; its few sharp details (fingers, an eye, a tattoo's line) fill too little of an area.
    """
    lightness = lab[..., 0].astype(np.float32)
    window = (TEXTURE_WINDOW, TEXTURE_WINDOW)
    mean = cv2.blur(lightness, window)
    spread = np.sqrt(np.maximum(cv2.blur(lightness * lightness, window) - mean * mean, 0.0))
    textured = (spread > TEXTURE_SPREAD).astype(np.float32)
    return cv2.blur(textured, (TEXTURE_AREA, TEXTURE_AREA)) > TEXTURE_SHARE


def _contact_shadow(shown: np.ndarray, scale: float) -> np.ndarray:
    """How much to darken each pixel beside a garment (0..CONTACT_SHADOW), ``shown`` its alpha.

    The light comes from above and in front: the shadow is the garment's
    alpha blurred and dropped a little, kept only where the garment is not.
    """
    h, w = shown.shape
    drop = int(round(CONTACT_DROP * scale))
    dropped = np.zeros_like(shown)
    dropped[drop:] = shown[: h - drop] if drop else shown
    np.maximum(dropped, shown, out=dropped)
    blurred = cv2.GaussianBlur(dropped, (0, 0), max(1.0, CONTACT_REACH * scale))
    return CONTACT_SHADOW * np.clip(blurred - shown, 0.0, 1.0)


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
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    filled /= 255.0  # in place: one full-frame float array, not two
    return filled


def _old_rim(photo: np.ndarray, backdrop: np.ndarray, beside: np.ndarray, old_colour: np.ndarray) -> np.ndarray:
    """The pixels ``beside`` the cleared old clothes that are still their rim (bool).

    ``photo`` (uint8) and ``backdrop`` (its continuation over the cleared region, 0..1) are RGB. A
    rim pixel differs from the backdrop, over the few pixels around it, by more than
    OLD_EDGE_DIFFERS in some channel, towards ``old_colour`` (0..1; a cosine of at least
    OLD_EDGE_TOWARDS): a band of blends of the old clothes and the backdrop. A rough wall differs
    from its smooth continuation too, but pixel by pixel, in every direction.
    """
    rim = np.zeros(beside.shape, bool)
    ys, xs = np.nonzero(beside)
    if not len(ys):
        return rim
    pad = OLD_EDGE_AROUND
    y0, y1 = max(0, ys.min() - pad), ys.max() + pad + 1
    x0, x1 = max(0, xs.min() - pad), xs.max() + pad + 1
    near = beside[y0:y1, x0:x1]
    difference = photo[y0:y1, x0:x1].astype(np.float32) / 255.0 - backdrop[y0:y1, x0:x1]
    away = cv2.blur(difference, (OLD_EDGE_AROUND, OLD_EDGE_AROUND))[near]
    towards = old_colour - backdrop[y0:y1, x0:x1][near]
    distance = np.linalg.norm(away, axis=-1) * np.linalg.norm(towards, axis=-1)
    cosine = (away * towards).sum(axis=-1) / np.maximum(distance, 1e-6)
    rim[y0:y1, x0:x1][near] = (np.abs(away).max(axis=-1) > OLD_EDGE_DIFFERS) & (cosine > OLD_EDGE_TOWARDS)
    return rim


def _along(shape: tuple[int, int], point: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Each pixel's signed distance from ``point`` along the unit ``direction``."""
    # A row of xs and a column of ys, broadcast in the sum: the same numbers as over two whole grids.
    xs = np.arange(shape[1], dtype=np.float32)[None, :]
    ys = np.arange(shape[0], dtype=np.float32)[:, None]
    return (xs - point[0]) * direction[0] + (ys - point[1]) * direction[1]


def _down_map(body: Body) -> np.ndarray:
    return _along(body.shape, body.origin, body.v)


def _across_map(body: Body) -> np.ndarray:
    """Each pixel's signed distance from the neck along the shoulders' direction (u)."""
    return _along(body.shape, body.origin, body.u)


def _torso_zone(body: Body, placed: PlacedGarment, segments) -> np.ndarray:
    """The torso between the shoulders and the new garment's hem, and the arms' tops (for skin fill)."""
    h, w = body.shape
    zone = np.zeros((h, w), np.uint8)
    left, right, centres = [], [], []
    S = body.shoulder_width
    top = min(placed.top_down, 0.0) - 0.3 * S
    hem = min(placed.hem_down, body.torso_length)
    shoulder_half = body.expected_half_width(0.0)
    downs = np.linspace(top, hem, 12)
    for down in downs:
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
        centres.append(centre)
    polygon = np.array(left + right[::-1], np.int32)
    cv2.fillPoly(zone, [polygon], 1)
    # Each shoulder runs on from the neck over the deltoid into the arm: the torso's top and the
    # upper arm's first stretch are joined by their convex hull. Apart, a bared arm hung beside
    # the torso as a square block, with a notch of backdrop over the shoulder between them.
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    shoulders = (downs >= -0.3 * S) & (downs <= SHOULDER_JOINED * body.torso_length)
    for side, edge in (("left", left), ("right", right)):
        _, shoulder, elbow, r_shoulder, r_elbow = next(seg for seg in segments if seg[0] == f"{side} arm")
        reach = shoulder + (elbow - shoulder) * SHOULDER_JOINED_ARM
        r_reach = r_shoulder + (r_elbow - r_shoulder) * SHOULDER_JOINED_ARM
        points = [
            np.array(edge)[shoulders],
            np.array(centres)[shoulders],
            shoulder + ring * r_shoulder,
            reach + ring * r_reach,
        ]
        hull = cv2.convexHull(np.concatenate(points).astype(np.float32))
        cv2.fillConvexPoly(zone, np.round(hull).astype(np.int32), 1)
    return zone > 0


def _old_top_colour(body: Body, lab: np.ndarray, down: np.ndarray, across: np.ndarray) -> np.ndarray | None:
    """The old top's colour, the commonest on the middle of the chest (which a new top hides), or
    None where too little of the person is there."""
    S, T = body.shoulder_width, body.torso_length
    chest = (body.mask > 0.5) & (np.abs(across) < 0.25 * S) & (down > 0.2 * T) & (down < 0.45 * T)
    if chest.sum() < 50:
        return None
    return _dominant_colour(lab[chest])


def _midriff(
    body: Body,
    lab: np.ndarray,
    top: PlacedGarment,
    down: np.ndarray,
    across: np.ndarray,
    old_top_end: float | None,
    bottom_top: float | None = None,
    skin_like: np.ndarray | None = None,
) -> np.ndarray:
    """The old top's pixels between a short new top's hem and the waist, or the old top's own
    hem when it is seen lower: a tee reaching the hips left a band of itself below the bared
    midriff under a new crop top. With a new bottom too (``bottom_top``, where it begins), all of
    the body down to it: skin showed between the old top's end and the new waistband.

    Nothing where the old top runs on past the hips (``old_top_end`` infinite): a dress's skirt or a
    long top hangs from what the new top covers, and where it ends above is not seen. Cut out
    down to the waist anyway, it was a flat slab of skin ending in a straight line on the
    skirt; kept, the new top is worn over it.

    What is ``skin_like`` there is the midriff too: real skin stays as it is, and an open leather
    jacket's front panels (told from skin by their gloss) are filled as skin. Given to the backdrop
    as old clothes of another colour than the top, they stood as white strips across the body.
    """
    h, w = body.shape
    T = body.torso_length
    if old_top_end is not None and np.isinf(old_top_end):
        return np.zeros((h, w), bool)
    person = body.mask > 0.5
    old_top = _old_top_colour(body, lab, down, across)
    if old_top is None:
        return np.zeros((h, w), bool)
    end = MIDRIFF_END * T
    if old_top_end is not None:
        end = float(np.clip(old_top_end + 0.02 * T, end, MIDRIFF_LOWEST * T))
    if bottom_top is not None:
        end = max(end, bottom_top + 0.02 * T)
    band = (down > top.hem_down - 0.03 * T) & (down < end)
    # The rest goes pixel by pixel and only matters in the band: asked in its box only.
    around = box_around(band, 0)
    if around is None:
        return band
    y0, y1, x0, x1 = around
    box = (slice(y0, y1), slice(x0, x1))
    down, across = down[box], across[box]
    like_old_top = _near(lab[box], old_top, MIDRIFF_DELTA_E)
    if old_top_end is not None:
        # Well above where it is seen to end (seen down the middle: the old bottom's waistband
        # may rise at the sides), all of it: its print too.
        like_old_top |= down < old_top_end - MIDRIFF_PRINT_ABOVE * T
    if bottom_top is not None:
        like_old_top |= down < end
    if skin_like is not None:
        like_old_top |= skin_like[box]
    band[box] &= (np.abs(across - body.centre_across(down)) < body.bare_half_width(down)) & person[box] & like_old_top
    return band


def _worn_over(
    body: Body, lab: np.ndarray, bottom: PlacedGarment, down: np.ndarray, across: np.ndarray, old_top_end: float | None
) -> np.ndarray | None:
    """The old top's pixels over a new bottom tried on alone, when the old top hangs loose over
    where the new waistband sits; None when it does not (a tucked-in or short top, a dress).

    A tee or tank worn out is worn out over new trousers too: the new waistband goes under it. Put
    on top, a high-rise bottom covered the tee's lower third as a flat band, with a strip of the
    backdrop where the tee had been wider. The old top is whatever is on the body well above where
    it is seen to end (its print, the arms beside it), and what has its colour down to its hem.
    """
    T = body.torso_length
    if old_top_end is None or np.isinf(old_top_end) or not long_old_top(body, old_top_end):
        return None
    # Seated, the thighs run out from under the top sideways and forwards: how it lies on the lap
    # is not told by where it ends down the middle.
    if legs_bent(body):
        return None
    if old_top_end < bottom.top_down + UNTUCKED_BELOW * T:
        return None
    old_top = _old_top_colour(body, lab, down, across)
    if old_top is None:
        return None
    person = body.mask > 0.5
    over = (down > bottom.top_down - 0.1 * T) & (down < old_top_end + UNTUCKED_PAST * T) & person
    like_old_top = _near(lab, old_top, MIDRIFF_DELTA_E) | (down < old_top_end - MIDRIFF_PRINT_ABOVE * T)
    over &= like_old_top
    # One piece hanging from the chest: a patch of the old trousers in the top's colour is not it.
    count, labels = cv2.connectedComponents(over.astype(np.uint8), connectivity=8)
    if count < 2:
        return None
    above = np.unique(labels[over & (down < old_top_end - MIDRIFF_PRINT_ABOVE * T)])
    over = np.isin(labels, above[above > 0])
    closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    return (cv2.morphologyEx(over.astype(np.uint8), cv2.MORPH_CLOSE, closing) > 0) & person


def _near(lab: np.ndarray, colour: np.ndarray, limit: float) -> np.ndarray:
    """``np.linalg.norm(lab - colour, axis=2) < limit``: the same float32 sums in the same order,
    by OpenCV and without NumPy's broadcast over three channels (a tenth of the time)."""
    if lab.dtype != np.float32 or colour.dtype != np.float32:
        return np.linalg.norm(lab - colour, axis=2) < limit
    difference = cv2.subtract(lab, (*(float(v) for v in colour), 0.0))
    squared = cv2.multiply(difference, difference)
    total = squared[..., 0] + squared[..., 1]
    total += squared[..., 2]
    return np.sqrt(total, out=total) < limit


def _dominant_colour(pixels: np.ndarray) -> np.ndarray:
    """The Lab colour most of ``pixels`` (N, 3) share: a tee's white, not the grey halfway
    between the white and its big black print that a median gives."""
    bins = np.floor(pixels / DOMINANT_BIN).astype(np.int64)
    # Each bin as one number that sorts as its row does (np.unique over rows sorts a structured
    # view, most of this step's time): the same bins in the same order, so the same first mode.
    low = bins.min(axis=0)
    span = bins.max(axis=0) - low + 1
    packed = ((bins[:, 0] - low[0]) * span[1] + (bins[:, 1] - low[1])) * span[2] + (bins[:, 2] - low[2])
    _, first, counts = np.unique(packed, return_index=True, return_counts=True)
    centre = (bins[first[np.argmax(counts)]] + 0.5) * DOMINANT_BIN
    near = np.linalg.norm(pixels - centre, axis=1) < DOMINANT_BIN
    return np.median(pixels[near], axis=0)


def _shoulder_notches(
    body: Body, garment: PlacedGarment, down: np.ndarray, across: np.ndarray, lab: np.ndarray, skin: np.ndarray | None
) -> Layer | None:
    """A layer of the garment's own colour over the notches between its pieces at the shoulders.

    The body panel's shoulder and the sleeve's cap are warped apart, and where their outlines
    meet at an angle a notch opens at the top of the shoulder: the old clothes there went to
    the backdrop or to skin, a white or brown nick in the new top. Gaps narrower than
    SHOULDER_NOTCH of the shoulder width, over the person, are closed with the colour around
    them, behind the pieces. So are the old clothes (not the ``skin`` colour, when it is known) a
    top with sleeves leaves on the shoulders just above its top edge.
    """
    h, w = body.shape
    S, T = body.shoulder_width, body.torso_length
    size = max(3, int(SHOULDER_NOTCH * S) | 1)
    # Only the rows down to the shoulders are looked at (a closing over the whole photo was most
    # of this step's time).
    rows = np.nonzero((down < SHOULDER_NOTCH_LOWEST * T + size).any(axis=1))[0]
    if not len(rows):
        return None
    band = int(rows.max()) + 1
    alpha = _layers_over(garment.layers, (0, 0, w, band), colour=None)
    solid = (alpha > 0.5).astype(np.uint8)
    # Closed in the garment's box with a margin of the disc's size: nothing beyond it closes, and in
    # it the result is the same as over the band's whole width.
    closed = np.zeros_like(solid)
    box = box_around(solid, size)
    if box is not None:
        y0, y1, x0, x1 = box
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        closed[y0:y1, x0:x1] = morph_by_rows(morph_by_rows(solid[y0:y1, x0:x1], disc, True), disc, False)
    # Over the person, or within the ease a top's shoulders may stand off it (_lay_on_the_shoulders).
    ease = max(1, int(SHOULDER_EASE * S))
    near = cv2.dilate((body.mask[:band] > 0.5).astype(np.uint8), np.ones((2 * ease + 1, 2 * ease + 1), np.uint8))
    notch = (closed > 0) & (solid == 0) & (near > 0) & (down[:band] < SHOULDER_NOTCH_LOWEST * T)
    gap = np.zeros_like(notch)
    if garment.sleeves and skin is not None:
        # A top with sleeves covers the shoulders up to the person's outline: a strip of the
        # old top's shoulders left between its top edge and the outline was filled as skin, pale
        # wings over the shoulders. Up to SHOULDER_GAP above it, the top goes on in its colour.
        up = max(1, int(SHOULDER_GAP * S))
        raised = cv2.dilate(solid, np.ones((up + 1, 1), np.uint8), anchor=(0, 0))
        gap = (raised > 0) & (solid == 0) & (body.mask[:band] > 0.5) & ~is_skin(lab[:band], skin)
        # ... a strip under the outline, not a column up the side of the neck (an old collar).
        outside = (body.mask[:band] <= 0.5).astype(np.uint8)
        under_the_outline = cv2.dilate(outside, np.ones((up + 1, 1), np.uint8), anchor=(0, up)) > 0
        gap &= under_the_outline & (down[:band] < SHOULDER_NOTCH_LOWEST * T)
        # Beyond the tops of the shoulders a short sleeve's cap rounds over the deltoid: filled up to
        # an outline of old clothes or hair there, it stood up as a square corner. There only the
        # old clothes' rim along its edge goes, half the ease wide (the rest goes to the backdrop,
        # see _in_the_sleeves): as wide as the ease, it was a tab up into hair lying on it.
        if _short_sleeved(body, garment):
            tops = [float(np.dot(body.shoulder_top(side) - body.origin, body.u)) for side in ("left", "right")]
            between = (across[:band] > min(tops)) & (across[:band] < max(tops))
            rim = max(1, ease // 2)
            disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1, 2 * rim + 1))
            gap &= between | (cv2.dilate(solid, disc) > 0)
        notch |= gap
    notch &= np.abs(across[:band]) > NECK_HALF * S  # the neckline is the garment's own shape
    if not notch.any():
        return None
    # The colour around each notch: a blur of the garment normalised by its coverage.
    sigma = max(1.0, SHOULDER_NOTCH * S / 2)
    reach = int(3 * sigma) + 4
    ys, xs = np.nonzero(notch)
    y0, y1 = max(0, ys.min() - 3), min(band, ys.max() + 4)
    x0, x1 = max(0, xs.min() - 3), min(w, xs.max() + 4)
    around_box = (max(0, x0 - reach), max(0, y0 - reach), min(w, x1 + reach), min(h, y1 + reach))
    colour = np.zeros((around_box[3] - around_box[1], around_box[2] - around_box[0], 3), np.float32)
    weight = _layers_over(garment.layers, around_box, colour=colour)
    ax, ay = x0 - around_box[0], y0 - around_box[1]
    # Normalised in the notches' box only, the part used: the same numbers.
    notches = (slice(ay, ay + y1 - y0), slice(ax, ax + x1 - x0))
    spread = np.maximum(_wide_blur(weight, sigma)[notches], 1e-6)
    around = _wide_blur(colour, sigma)[notches] / spread[..., None]
    rgba = np.zeros((y1 - y0, x1 - x0, 4), np.float32)
    rgba[..., :3] = np.clip(around, 0, 1)
    if gap.any():
        # Above the top's edge it goes on as the top mirrored across its edge: a print's blur
        # was a flat, muddy patch, and its colours drawn straight up were streaks.
        # Each column is mirrored on its own: only the notches' columns are.
        columns = slice(ax, ax + x1 - x0)
        below = _mirrored_above(colour[:, columns], weight[:, columns], slice(ay, ay + y1 - y0))
        here = gap[y0:y1, x0:x1] & np.isfinite(below[..., 0])
        rgba[here, :3] = np.clip(below[here], 0, 1)
    # Reaching a little under the pieces' feathered edges (it lies behind them), or a faint ring of
    # what lies below shows through where both are part-transparent.
    under = cv2.dilate(notch[y0:y1, x0:x1].astype(np.uint8), np.ones((5, 5), np.uint8)).astype(np.float32)
    rgba[..., 3] = np.clip(_feather(under, 0.8), 0, 1)
    return Layer(box=(int(x0), int(y0), int(x1), int(y1)), rgba=rgba, role="sleeve_root")


def _short_sleeved(body: Body, garment: PlacedGarment) -> bool:
    """Whether the top's sleeves end above the elbows (a tee's or a polo's; a long sleeve's cap
    over a bared or bulky shoulder is left as it was)."""
    return bool(garment.sleeves) and all(
        length < float(np.linalg.norm(body.point(side, "elbow") - body.shoulder_top(side)))
        for side, length in garment.sleeves.items()
    )


def _mirrored_above(colour: np.ndarray, weight: np.ndarray, rows: slice) -> np.ndarray:
    """Each pixel above a garment (``colour`` premultiplied by its ``weight``) given the garment's
    colour mirrored across its top edge in that column, a few pixels inside it (the edge's own
    feathered, shaded pixels are not its colour); NaN where there is none. Only ``rows`` of it."""
    h, w = weight.shape
    solid = weight > 0.5
    inside = solid.copy()
    inside[2:] &= solid[:-2]
    inside[:2] = False
    has = inside.any(axis=0)
    edge = np.where(has, np.argmax(inside, axis=0), h)
    rows = np.arange(h)[rows, None]
    source = 2 * edge[None, :] - rows
    valid = has[None, :] & (rows < edge[None, :]) & (source < h)
    source = np.clip(source, 0, h - 1)
    # The garment's own colour (un-premultiplied) at the mirrored pixels only: the same quotients as
    # over the whole box.
    at = (source, np.arange(w)[None, :])
    mirrored = colour[at] / np.maximum(weight[at], 1e-6)[..., None]
    valid &= inside[at]
    # In place: the gather made a float32 array of its own (np.where over the three channels, and
    # the copy after it, were a third of this function's time).
    mirrored[~valid] = np.nan
    return mirrored


def _lay_on_the_shoulders(body: Body, garment: PlacedGarment, down: np.ndarray, across: np.ndarray) -> None:
    """Trim the garment's pieces above the shoulders to the person's outline and a little ease.

    A flat lay's shoulder corners and sleeve caps are warped separately; where their slopes
    differ from the person's they stood up off the shoulder as square ears, with a notch of
    backdrop between them. Cloth lies on the shoulder: over the shoulders (beyond the neck,
    above SHOULDER_LAID_LOWEST of the torso) nothing of it reaches further out of the person's
    outline than SHOULDER_EASE of the shoulder width.
    """
    S, T = body.shoulder_width, body.torso_length
    rows = np.nonzero((down < SHOULDER_LAID_LOWEST * T).any(axis=1))[0]
    if not len(rows):
        return
    band = int(rows.max()) + 1
    outside = cv2.distanceTransform((body.mask[:band] <= 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    ease = SHOULDER_EASE * S
    keep = np.clip(1.0 - (outside - ease) / 2.0, 0.0, 1.0)
    shoulders = (down[:band] < SHOULDER_LAID_LOWEST * T) & (np.abs(across[:band]) > NECK_HALF * S)
    keep[~shoulders] = 1.0
    for layer in garment.layers:
        x0, y0, x1, y1 = layer.box
        if y0 >= band:
            continue
        rows_in = min(y1, band) - y0
        layer.rgba[:rows_in, :, 3] *= keep[y0 : y0 + rows_in, x0:x1]


def _layers_over(layers: list[Layer], box, colour: np.ndarray | None) -> np.ndarray:
    """The layers' combined alpha over ``box`` (x0, y0, x1, y1), and with ``colour`` given, their
    colour laid over it (premultiplied, in place)."""
    bx0, by0, bx1, by1 = box
    alpha = np.zeros((by1 - by0, bx1 - bx0), np.float32)
    for layer in layers:
        lx0, ly0, lx1, ly1 = layer.box
        x0, y0, x1, y1 = max(lx0, bx0), max(ly0, by0), min(lx1, bx1), min(ly1, by1)
        if x1 <= x0 or y1 <= y0:
            continue
        piece = layer.rgba[y0 - ly0 : y1 - ly0, x0 - lx0 : x1 - lx0]
        a = piece[..., 3]
        target = (slice(y0 - by0, y1 - by0), slice(x0 - bx0, x1 - bx0))
        if colour is not None:
            blend_into(colour[target], piece[..., :3], a)
        np.maximum(alpha[target], a, out=alpha[target])
    return alpha


def _beside_the_body(point: np.ndarray, across: np.ndarray, S: float) -> bool:
    """Whether ``point`` (x, y) lies further than ARM_BESIDE_THE_BODY from the body's middle."""
    h, w = across.shape
    x, y = int(np.clip(round(point[0]), 0, w - 1)), int(np.clip(round(point[1]), 0, h - 1))
    return abs(float(across[y, x])) > ARM_BESIDE_THE_BODY * S


def _forearms(body: Body, shape: tuple[int, int], sides=("left", "right")) -> np.ndarray:
    """The forearms and the lower half of the upper arms: what of the arms comes in front of a top's body."""
    forearms = np.zeros(shape, bool)
    for side in sides:
        arm = body.limb(side, ("shoulder", "elbow", "wrist"))
        start = arm[0] + (arm[1] - arm[0]) * 0.45
        forearms |= capsule_mask(shape, [start, arm[1], arm[2]], 0.085 * body.shoulder_width)
    return forearms


def _limb_zone(shape: tuple[int, int], segments, kind: str, widen: float = 1.0) -> np.ndarray:
    """Both arms' or both legs' (``kind``) extent as wide as the limbs themselves (``segments``, see
    ``limb_segments``), not as the old clothes on them."""
    zone = np.zeros(shape, bool)
    for name, start, end, r_start, r_end in segments:
        if name.endswith(kind):
            zone |= tapered_mask(shape, start, end, r_start * widen, r_end * widen)
    return zone


def _in_the_sleeves(body: Body, garment: PlacedGarment, segments, across: np.ndarray) -> np.ndarray:
    """Around each arm a new sleeve wraps, from the top of the shoulder to SLEEVE_END_MARGIN short
    of the sleeve's end: the arm's zone, ARM_SLACK wide, beyond the shoulder joints.

    Whatever of the photo shows there beside the new sleeve is no arm (the arm is in the sleeve)
    but the old sleeve. Judged by colour alone, a tan or brown leather sleeve passed for skin and
    stayed as a strip beside the new one. (Inside the shoulder joints the arm's zone reaches the
    chest: bared in a neckline, it went to the backdrop as white patches.)
    """
    h, w = body.shape
    zone = np.zeros((h, w), bool)
    short_sleeved = _short_sleeved(body, garment)
    for side, length in garment.sleeves.items():
        _, elbow, wrist = body.limb(side, ("shoulder", "elbow", "wrist"))
        arm = [body.shoulder_top(side), elbow, wrist]
        reach = length - SLEEVE_END_MARGIN * body.shoulder_width
        if reach <= 0:
            continue
        end, direction = polyline_point(arm, reach)
        # The joints before the sleeve's end, by length along the arm (a forearm folded up turns back).
        along = np.cumsum([0.0] + [float(np.linalg.norm(b - a)) for a, b in zip(arm, arm[1:], strict=False)])
        path = [point for point, at in zip(arm, along, strict=True) if at < reach] + [end]
        limb = _limb_zone((h, w), segments, f"{side} arm", ARM_SLACK)
        near = capsule_mask((h, w), path, ARM_SLACK * 0.2 * body.shoulder_width)
        sleeve = limb & near & (_along((h, w), end, direction) < 0)
        # The arm below the sleeve is bare, and a forearm folded up (a hand at the head) lies by
        # the upper arm: it stays.
        bare = [end] + [point for point, at in zip(arm, along, strict=True) if at > reach]
        if len(bare) > 1:
            sleeve &= ~capsule_mask((h, w), bare, BARE_FOREARM * body.shoulder_width)
        zone |= sleeve
        # Over the top of the shoulder a short sleeve's cap rounds over the deltoid: old clothes or a
        # bared shoulder beyond its round, out of the shoulder's top, would stand up as a corner.
        if not short_sleeved:
            continue
        top = arm[0]
        outward = -body.u if side == "left" else body.u
        radius = SLEEVE_CAP_ZONE * body.shoulder_width
        x0, y0 = (max(0, int(c - radius)) for c in top)
        x1, y1 = min(w, int(top[0] + radius) + 1), min(h, int(top[1] + radius) + 1)
        if x1 > x0 and y1 > y0:
            dy, dx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            dx -= top[0]
            dy -= top[1]
            cap = (dx * dx + dy * dy <= radius * radius) & (dx * outward[0] + dy * outward[1] > 0)
            zone[y0:y1, x0:x1] |= cap
    return zone & (np.abs(across) > 0.5 * body.shoulder_width)


def _cuffed_sleeves(body: Body, skin_like: np.ndarray, segments) -> np.ndarray:
    """Each arm that ends at a cuff above a bare hand: whatever on it passes the skin test is an
    old sleeve.

    A cuff is a band across the wrist, CUFF_LEAST long or more (× shoulder width), of which at
    most a third passes the skin test, with the hand below it mostly skin-coloured. A bomber's tan
    leather sleeves pass the skin test; their knitted cuffs do not, and bare skin runs on from
    the forearm into the hand. Returns the arms' zones (ARM_SLACK wide) down to the cuff, where
    such an arm is found.
    """
    h, w = body.shape
    S = body.shoulder_width
    zone = np.zeros((h, w), bool)
    for side in ("left", "right"):
        if not (body.seen(side, "wrist") and body.seen(side, "elbow") and body.seen(side, "index")):
            continue
        elbow, wrist = body.point(side, "elbow"), body.point(side, "wrist")
        length = float(np.linalg.norm(wrist - elbow))
        if length < 0.2 * S:
            continue
        d = (wrist - elbow) / length
        # The strip across the wrist, in stations STEP long from 0.4 of the forearm above the
        # wrist to 0.3 below it, looked at in a box round the wrist only.
        step = max(1.0, 0.02 * S)
        first_station, last_station = -0.4 * length, 0.3 * length
        reach = 0.4 * length + CUFF_HALF_WIDTH * S + 2
        x0, x1 = int(max(0, wrist[0] - reach)), int(min(w, wrist[0] + reach + 1))
        y0, y1 = int(max(0, wrist[1] - reach)), int(min(h, wrist[1] + reach + 1))
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        along = (xs - wrist[0]) * d[0] + (ys - wrist[1]) * d[1]
        off = np.abs((xs - wrist[0]) * -d[1] + (ys - wrist[1]) * d[0])
        strip = (off < CUFF_HALF_WIDTH * S) & (along >= first_station) & (along < last_station)
        station = ((along[strip] - first_station) // step).astype(np.int64)
        count = int(np.ceil((last_station - first_station) / step))
        pixels = np.bincount(station, minlength=count)[:count]
        skin = np.bincount(station, weights=skin_like[y0:y1, x0:x1][strip], minlength=count)[:count]
        share = np.where(pixels >= 3, skin / np.maximum(pixels, 1), np.nan)
        cuff = share < 1 / 3
        if not cuff.any():
            continue
        # The longest run of cuff stations, and the hand just below it.
        runs, start = [], None
        for i, c in enumerate(list(cuff) + [False]):
            if c and start is None:
                start = i
            elif not c and start is not None:
                runs.append((start, i))
                start = None
        first, last = max(runs, key=lambda run: run[1] - run[0])
        if (last - first) * step < CUFF_LEAST * S:
            continue
        below = share[last : last + int(np.ceil(0.1 * S / step))]
        if not len(below) or not np.nanmean(below) > 0.5:
            continue
        arm = _limb_zone((h, w), segments, f"{side} arm", ARM_SLACK)
        zone |= arm & (_along((h, w), wrist, d) < first_station + first * step)
    return zone


def _glossy(lab: np.ndarray, candidates: np.ndarray, body: Body, hidden: np.ndarray) -> np.ndarray:
    """The stretches of ``candidates`` (skin-coloured old clothes, as far as colour tells) that
    shine like leather or satin, not skin (see GLOSS_SHARE), and what of ``hidden`` (the same
    under the new garment) joins them.

    A brown leather jacket is the skin's colour to within the camera's noise, but where it is
    lightest, its creases catch the light in thin, pale streaks; skin is lightest in broad, soft
    highlights. Judged over each connected stretch: one streak is no material.
    """
    T, S = body.torso_length, body.shoulder_width
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates.astype(np.uint8), 8)
    areas = stats[:, cv2.CC_STAT_AREA]
    if count < 2 or areas[1:].max() < GLOSS_AREA * S * S:
        return np.zeros(candidates.shape, bool)
    lightness = np.clip(lab[..., 0] * 2.55, 0, 255).astype(np.uint8)
    radius = max(1, int(GLOSS_WINDOW * T))
    h, w = candidates.shape

    def shines(label: int) -> bool:
        x, y, bw, bh = stats[label, :4]
        # The median around each pixel, over the stretch's box only (and the window's reach).
        x0, y0 = max(0, x - radius), max(0, y - radius)
        x1, y1 = min(w, x + bw + radius), min(h, y + bh + radius)
        box = lightness[y0:y1, x0:x1]
        streaks = box.astype(np.float32) - cv2.medianBlur(box, 2 * radius + 1) > GLOSS_STEP * 2.55
        stretch = labels[y0:y1, x0:x1] == label
        values = box[stretch]
        lightest = values >= np.percentile(values, 90)
        shine = streaks[stretch] & lightest
        if shine.sum() <= GLOSS_SHARE * lightest.sum():
            return False
        colours = lab[y0:y1, x0:x1][stretch]
        saturation = np.hypot(colours[:, 1], colours[:, 2]) / np.maximum(colours[:, 0], 1.0)
        return bool(np.median(saturation[shine]) < GLOSS_PALER * np.median(saturation))

    order = np.argsort(-areas[1:]) + 1
    found = [label for label in order if areas[label] >= GLOSS_AREA * S * S and shines(label)]
    if found:
        # Once the material is known, its smaller pieces (a placket, a collar's point, a hem band
        # cut off by the new top) are told by the same shine.
        found += [label for label in order if GLOSS_PIECE <= areas[label] < GLOSS_AREA * S * S and shines(label)]
    glossy = np.isin(labels, found)
    if found:
        # What the new garment hides of the same leather is no skin either, though it can't be
        # seen to shine: taken for skin, it was what the skin fill took its light and grain
        # from, and a flat tan strip stayed down a bared arm beside a new cami.
        _, joined = cv2.connectedComponents((glossy | hidden).astype(np.uint8), connectivity=8)
        through = np.unique(joined[glossy])
        glossy |= hidden & np.isin(joined, through[through > 0])
    return glossy


def _arm_outline(arm_skin: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """A bare arm's own outline against the ``backdrop``: ARM_OUTLINE pixels round its skin.

    The outline is neither skin (the backdrop lightens it) nor old clothes: repainted as either,
    it was a blurred halo down the arm's side. Round the arm's skin only, not round an old
    sleeve's own outline: a red jacket's blends with a pale wall into a pink that passes the skin
    test, and as an arm's outline it kept the red beside it round bared shoulders as a fringe.
    Skin narrower than ARM_OUTLINE_SKIN pixels is no arm.
    """
    ring = np.ones((2 * ARM_OUTLINE + 1, 2 * ARM_OUTLINE + 1), np.uint8)
    narrow = np.ones((ARM_OUTLINE_SKIN, ARM_OUTLINE_SKIN), np.uint8)
    arm = cv2.morphologyEx(arm_skin.astype(np.uint8), cv2.MORPH_OPEN, narrow)
    return (cv2.dilate(arm, ring) > 0) & (cv2.dilate(backdrop.astype(np.uint8), ring) > 0)


def _arm_shade(lab: np.ndarray, skin: np.ndarray, real_skin: np.ndarray, arms: np.ndarray, S: float) -> np.ndarray:
    """The shaded side of bare arms in ``arms``: lines of the skin's hue, too dark for
    ``is_skin``, narrower than ARM_SHADE_WIDEST of the shoulder width, along ``real_skin`` (not
    along a tan leather sleeve taken for no skin by its gloss: its dark folds are the leather's)."""
    x, y, width, height = cv2.boundingRect(arms.view(np.uint8))
    shade = np.zeros(arms.shape, bool)
    if not width:
        return shade
    box = (slice(y, y + height), slice(x, x + width))
    dark = arms[box] & ~real_skin[box] & is_deep_shadow(lab[box], skin)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * round(ARM_SHADE_WIDEST * S / 2) + 1,) * 2)
    thin = dark & (cv2.morphologyEx(dark.view(np.uint8), cv2.MORPH_OPEN, disc) == 0)
    # Along a broad stretch of real skin (a forearm): specks of a tan sleeve that pass for skin are no arm.
    broad = cv2.morphologyEx(real_skin[box].astype(np.uint8), cv2.MORPH_OPEN, disc)
    along = cv2.dilate(broad, np.ones((5, 5), np.uint8)) > 0
    shade[box] = thin & along
    return shade


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
            # From where the arm's zone ends (see limb_segments): an old cuff round
            # the wrist is the old sleeve, to be covered, not part of the hand. The
            # capsule's round end would reach back over the cuff, so it starts one
            # radius on.
            radius = 0.05 * S
            along = (tip - wrist) / max(float(np.linalg.norm(tip - wrist)), 1e-6)
            start = wrist + (tip - wrist) * 0.7 + along * radius
            hands |= capsule_mask(body.shape, [start, reach], radius)
    return hands & (body.mask > 0.5)


def _hand_skin(hands: np.ndarray, skin_like: np.ndarray | None, lightness: np.ndarray) -> np.ndarray:
    """What is skin in ``hands`` (see _hands), closed over small gaps; all of them without a skin colour.

    The old trousers' print between the fingers of a hand by the hip is not the hand. Strictly
    skin: a pink or red print passes a looser test, and came back as specks round a hand by the hip,
    or where a hand is in a pocket. Nor is skin-coloured cloth grained all over (see
    _grained_cloth): a beige houndstooth beside hands hanging by the hips stayed as a block on
    new jeans.
    """
    if skin_like is None:
        return hands
    x, y, width, height = cv2.boundingRect(hands.view(np.uint8))
    box = (slice(y, y + height), slice(x, x + width))
    skin = hands & skin_like
    skin[box] &= ~_grained_cloth(skin_like[box], lightness[box])
    held = cv2.morphologyEx(skin.view(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
    return held & hands


def _grained_cloth(skin_like: np.ndarray, lightness: np.ndarray) -> np.ndarray:
    """Skin-coloured pixels whose lightness jumps from pixel to pixel all round (bool; see HAND_GRAIN).

    Only among skin-coloured pixels and away from their edges: there a houndstooth's light checks
    still jump, while a hand's skin is smooth. A texture test over all pixels took fingers over
    dark trousers for a print (their edges are sharp), and the fingers went.
    """
    inside = cv2.erode(skin_like.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    light = lightness.astype(np.float32)
    jumping = np.abs(light - cv2.blur(light, (3, 3))) > HAND_GRAIN
    jumps = jumping & inside
    area = (HAND_GRAIN_AREA, HAND_GRAIN_AREA)
    counted = cv2.blur(inside.astype(np.float32), area)
    grained = cv2.blur(jumps.astype(np.float32), area) > HAND_GRAIN_SHARE * np.maximum(counted, 1e-3)
    # The share falls off over the last half area to the cloth's edge: there its jumping or
    # broken-up pixels go with it (a strip of the houndstooth stayed beside the hand), the
    # hand's smooth skin beside it does not.
    near = cv2.dilate(grained.view(np.uint8), np.ones(area, np.uint8)) > 0
    return skin_like & (grained | (near & (jumping | ~inside)))


def _face(body: Body) -> np.ndarray:
    """Face and hair down to the chin."""
    h, w = body.shape
    # A column of ys and a row of xs, broadcast in each test: the same numbers as over whole grids.
    ys, xs = np.arange(h)[:, None], np.arange(w)[None, :]
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


def _head_box(body: Body) -> np.ndarray:
    """(H, W) bool: above the chin, as wide as the face (none without a face)."""
    h, w = body.shape
    face = body.face()
    if face is None:
        return np.zeros((h, w), bool)
    centre, half, _ = face
    columns = np.abs(np.arange(w, dtype=np.float32) - centre[0]) < half
    return ~_below_chin(body) & columns[None, :]


def _neck(body: Body, placed: list[PlacedGarment], down: np.ndarray, across: np.ndarray) -> np.ndarray:
    """The neck above the new garment's front neckline, below the chin.

    A flat-lay photo shows the inside of the back collar; on the body the
    neck stands in front of it. The neckline is drawn as a U from the shoulder
    seams down to the garment's own neckline depth at the middle, so the
    collar is trimmed along a curve rather than a box.
    """
    h, w = body.shape
    S = body.shoulder_width
    neck = np.zeros((h, w), bool)
    face = body.face()
    below_chin = _below_chin(body) if face is not None else np.ones((h, w), bool)
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


def _collar_beside_the_jaw(
    body: Body,
    lab: np.ndarray,
    skin: np.ndarray,
    down: np.ndarray,
    across: np.ndarray,
    face: np.ndarray,
    uncovered: np.ndarray,
) -> np.ndarray:
    """An old collar or strap standing up beside the jaw (bool), within what is ``uncovered``.

    With a short neck or the chin lowered, the back of an old collar shows beside the jaw above
    the chin's height, where the zones stop (the head's box): slivers of an old green V neck stayed
    either side of a man's neck, and an old blue tank's straps as patches by the neck. Here, above
    the shoulder line and off the face, a clear colour of another hue than the skin's, no darker
    than light strands of hair, is taken for the collar. Not a grey: that was as often the backdrop
    inside a loose outline. Not a dark colour: a jaw's shadow.
    """
    S = body.shoulder_width
    result = np.zeros(face.shape, bool)
    # Only the rows above the shoulder line are looked at.
    band = int(np.nonzero((down < 0).any(axis=1))[0].max(initial=-1)) + 1
    if not band:
        return result
    box = ~face[:band] & (body.mask[:band] > 0.5) & uncovered[:band] & (down[:band] < 0)
    box &= (np.abs(across[:band]) < COLLAR_BESIDE_JAW_HALF * S) & (down[:band] > -COLLAR_BESIDE_JAW_HIGHEST * S)
    if not box.any():
        return result
    pixels = lab[:band][box]
    chroma = np.hypot(pixels[:, 1], pixels[:, 2])
    other_hue = hue_cosine(pixels, skin) < np.cos(np.radians(COLLAR_HUE_TURN))
    collar = (pixels[:, 0] > HAIR_STRANDS * skin[0]) & other_hue & (chroma > COLLAR_CHROMA)
    collar &= ~is_skin(pixels[None], skin, loose=2.0)[0]
    found = np.zeros(box.shape, np.uint8)
    found[box] = collar
    # With the collar's own soft edge, blended with the neck and the shadow it casts.
    edge = np.ones((2 * COLLAR_EDGE + 1, 2 * COLLAR_EDGE + 1), np.uint8)
    result[:band] = (cv2.dilate(found, edge) > 0) & box
    return result


def _below_chin(body: Body) -> np.ndarray:
    """(H, 1) bool: the rows below the chin (the face's, else a guess above the shoulder line)."""
    face = body.face()
    chin = face[2] if face is not None else body.origin[1] - 0.35 * body.shoulder_width
    return np.arange(body.shape[0], dtype=np.float32)[:, None] > chin


def _throat(body: Body, skin_like: np.ndarray, across: np.ndarray) -> np.ndarray:
    """In front of the neck, below the chin (bool): the neck itself, or a collar round it.

    At most THROAT_HALF of the shoulder width either side of the centre line; on rows where the
    neck's own skin shows, on each side only as far as that skin reaches (long hair beside a
    slim or turned neck was taken for a collar and painted over as a patch of skin). ``skin_like``
    is the photo's skin-coloured pixels (``is_skin``).
    """
    S = body.shoulder_width
    throat = (np.abs(across) < THROAT_HALF * S) & _below_chin(body)
    neck = throat & skin_like & (body.mask > 0.5)
    # Rows where the neck's skin shows across more than a sliver (a collar row shows none).
    seen = neck.sum(axis=1) > 2 * NECK_SEEN * S
    for sign in (-1.0, 1.0):
        side = throat[seen] & (sign * across[seen] > 0)
        reach = np.where(neck[seen] & side, sign * across[seen], 0.0).max(axis=1)
        throat[seen] &= ~(side & (sign * across[seen] > (reach + NECK_SEEN * S)[:, None]))
    return throat


def _hair(
    body: Body,
    lab: np.ndarray,
    skin: np.ndarray,
    down: np.ndarray,
    across: np.ndarray,
    throat: np.ndarray,
    darker: float = HAIR_DARKER,
    bridge: int = 0,
) -> np.ndarray:
    """Dark pixels joined to the dark of the head: hair, possibly lying on the shoulders.

    A black collar or strap is dark too, but skin (or the ``throat``, see ``_throat``)
    separates it from the head; hair is one dark piece from the top of the head down.
    """
    h, w = body.shape
    face = body.face()
    # Hair falls from the top and sides of the head; in front of the throat,
    # below the chin, dark is a collar or a beard's edge joining one: never
    # hair to keep, and no bridge from the head to a dark collar.
    S = body.shoulder_width
    # Long hair ends by mid-chest and stays within the shoulders; dark below or beyond that (a
    # dark dress, a sleeve) is clothing, even where it touches the hair. Above the shoulders hair
    # may be as wide as it likes: a head of curls wider than half the shoulders lost its sides to
    # the backdrop in a square notch.
    wide = (np.abs(across) > 0.5 * S) & (down > -HAIR_WIDE_BELOW * S)
    low = (down > HAIR_LOWEST * body.torso_length) | wide
    dark = (lab[..., 0] < darker * skin[0]) & (body.mask > 0.5) & ~throat & ~low
    if face is not None:
        top = int(np.clip(face[0][1], 1, h))
    else:
        top = int(np.clip(body.origin[1] - 0.5 * body.shoulder_width, 1, h))
    dark = (dark & ~_unlike_the_hair(lab, skin, dark, top)).astype(np.uint8)
    if bridge:
        # A lock of hair joins the rest across a few lighter pixels (a strand's sheen, the backdrop).
        joined = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((bridge, bridge), np.uint8))
        dark = joined & ~(throat | low).astype(np.uint8) & (body.mask > 0.3).astype(np.uint8)
    count, labels = cv2.connectedComponents(dark, connectivity=8)
    if count <= 1:
        return np.zeros((h, w), bool)
    head_labels = np.unique(labels[:top][dark[:top] > 0])
    if not len(head_labels):
        return np.zeros((h, w), bool)
    return np.isin(labels, head_labels) & (dark > 0)


def _unlike_the_hair(lab: np.ndarray, skin: np.ndarray, dark: np.ndarray, top: int) -> np.ndarray:
    """Dark pixels of a colour the hair on the head (``dark`` above row ``top``) is not (bool).

    A dark blue sweatshirt's shoulder touching long brown hair passed for a lock of it, and stayed
    beside a new top as a blue stroke. Hair is one colour, dyed or not: a pixel clearly coloured
    (chroma at least HAIR_OTHER_CHROMA, and twice the hair's) in a hue HAIR_OTHER_HUE or more
    from the hair's is no hair. Nor from the ``skin``'s: where black hair meets the neck, its
    pixels are mixed with skin, brown, and taken out they cut the hair's ends off the head.
    """
    head = lab[:top][dark[:top]]
    if len(head) < 50:
        return np.zeros(dark.shape, bool)
    hair = np.median(head, axis=0)
    hair_chroma = float(np.hypot(hair[1], hair[2]))
    pixels = lab[dark]
    chroma = np.hypot(pixels[:, 1], pixels[:, 2])
    other = chroma > max(HAIR_OTHER_CHROMA, 2.0 * hair_chroma)
    other &= hue_cosine(pixels, skin) < np.cos(np.radians(HAIR_OTHER_HUE))
    if hair_chroma >= 3.0:
        other &= hue_cosine(pixels, hair) < np.cos(np.radians(HAIR_OTHER_HUE))
    if hair_chroma >= HAIR_COLOURED:
        # Brown or red hair is coloured all through, in its shadows too (as coloured for how
        # dark; near black, how coloured is camera noise): a grey or black top touching it is no
        # lock of it.
        lightness = np.maximum(pixels[:, 0], HAIR_NEAR_BLACK)
        other |= chroma / lightness < HAIR_GREY_SHARE * hair_chroma / max(float(hair[0]), 1.0)
    unlike = np.zeros(dark.shape, bool)
    unlike[dark] = other
    return unlike


def _enclosed(mask: np.ndarray, largest: float) -> np.ndarray:
    """(H, W) bool: the holes in ``mask`` (regions it surrounds) smaller than ``largest`` pixels."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), 4)
    h, w = mask.shape
    x, y, width, height, area = (stats[:, i] for i in range(5))
    inside = (x > 0) & (y > 0) & (x + width < w) & (y + height < h) & (area < largest)
    inside[0] = False
    return inside[labels] & ~mask


def _over(out: np.ndarray, rgb: np.ndarray | float, alpha: np.ndarray, box) -> None:
    x0, y0, x1, y1 = box
    blend_into(out[y0:y1, x0:x1], rgb, alpha)


def _feather(alpha: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(alpha, (0, 0), sigma) if sigma > 0 else alpha


def _feathered(mask: np.ndarray, sigma: float) -> tuple[np.ndarray, tuple[slice, slice]]:
    """``_feather(mask.astype(np.float32), sigma)`` for a bool ``mask``, and the box outside which it is nought.

    Blurred in the mask's box with the blur's reach, where the rest of the frame adds nothing: the
    same values, and a caller blends in the box only.
    """
    soft = np.zeros(mask.shape, np.float32)
    around = box_around(mask, gaussian_reach(sigma))
    if around is None:
        return soft, (slice(0, 0), slice(0, 0))
    y0, y1, x0, x1 = around
    box = (slice(y0, y1), slice(x0, x1))
    soft[box] = _feather(mask[box].astype(np.float32), sigma)
    return soft, box


def _wide_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of ``sigma`` made at a size where it is WIDE_BLUR_SIGMA pixels wide.

    The result is smooth, so nothing is lost at the smaller size: a blur of 26 pixels over the
    shoulders' box was 50 ms, a twentieth of a render, at full size.
    """
    factor = int(sigma // WIDE_BLUR_SIGMA)
    if factor < 2:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, round(w / factor)), max(1, round(h / factor))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).reshape(image.shape)


def compose(
    base: np.ndarray,
    lab: np.ndarray,
    skin: np.ndarray | None,
    body: Body,
    placed: list[PlacedGarment],
    old_top_end: float | None,
    hd: bool = False,
) -> np.ndarray:
    """The final uint8 RGB image: ``placed`` garments (back to front) on ``base``.

    ``lab`` is ``base`` in Lab (skin.lab_of), ``skin`` the person's skin colour
    (skin.skin_colour) and ``old_top_end`` where the old top ends
    (placement.old_top_end_down): the renderer reads them once, for placement too.
    Only the region around the person and the garments is worked on (an HD
    photo is mostly backdrop); the rest is the model photo as it was.
    """
    h, w = base.shape[:2]
    x0, y0, x1, y1 = _region(body, placed, h, w)
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return _compose(base, lab, skin, body, placed, old_top_end, hd)
    result = base.copy()
    result[y0:y1, x0:x1] = _compose(
        np.ascontiguousarray(base[y0:y1, x0:x1]),
        np.ascontiguousarray(lab[y0:y1, x0:x1]),
        skin,
        _crop_body(body, x0, y0, x1, y1),
        [_shift_garment(g, x0, y0) for g in placed],
        old_top_end,
        hd,
    )
    return result


def _region(body: Body, placed: list[PlacedGarment], h: int, w: int) -> tuple[int, int, int, int]:
    """Box around the person, their seen landmarks and the garment layers, with a margin."""
    x, y, width, height = cv2.boundingRect((body.mask > 0.1).view(np.uint8))
    boxes = []
    if width:
        boxes.append((x, y, x + width, y + height))
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


def _compose(
    base: np.ndarray,
    lab: np.ndarray,
    skin: np.ndarray | None,
    body: Body,
    placed: list[PlacedGarment],
    old_top_end: float | None,
    hd: bool,
) -> np.ndarray:
    h, w = base.shape[:2]
    S, T = body.shoulder_width, body.torso_length
    feather = 1.2 if hd else 0.8
    print_free = _print_free_grey(base, T)
    shade = _shading(print_free, np.clip(body.mask, 0, 1).astype(np.float32), T)
    # Each pixel's place on the body's axes, for every zone below.
    down, across = _down_map(body), _across_map(body)
    for garment in placed:
        for layer in garment.layers:
            x0, y0, x1, y1 = layer.box
            layer.rgba[..., 3] = _feather(layer.rgba[..., 3], feather)
            scale_channels(layer.rgba[..., :3], shade[y0:y1, x0:x1])
            # Colour and alpha clipped in one pass: over the whole contiguous layer it takes a
            # tenth of the time it took over the colour's strided view.
            np.clip(layer.rgba, 0, 1, out=layer.rgba)
        if garment.kind in ("upper", "full"):
            _lay_on_the_shoulders(body, garment, down, across)
            notch = _shoulder_notches(body, garment, down, across, lab, skin)
            if notch is not None:
                garment.layers.insert(0, notch)
    del shade
    # A new bottom alone goes on under an old top worn loose over its waistband.
    worn_over = worn_soft = None
    if {g.kind for g in placed} == {"lower"}:
        worn_over = _worn_over(body, lab, placed[0], down, across, old_top_end)
    if worn_over is not None:
        worn_soft = _feather(worn_over.astype(np.float32), feather)
        # Nor does the waistband under it stick out beside it, into the gap by an arm.
        beside = (body.mask <= 0.5) & (down < old_top_end)
        cut = np.maximum(worn_soft, _feather(beside.astype(np.float32), feather))
        for layer in placed[0].layers:
            x0, y0, x1, y1 = layer.box
            layer.rgba[..., 3] *= 1.0 - cut[y0:y1, x0:x1]
        del beside, cut
    coverage = np.zeros((h, w), np.float32)
    for garment in placed:
        for layer in garment.layers:
            x0, y0, x1, y1 = layer.box
            region = coverage[y0:y1, x0:x1]
            np.maximum(region, layer.rgba[..., 3], out=region)

    # Cover the old clothes where the new garment doesn't reach.
    person = body.mask > 0.5
    uncovered = person & (coverage < 0.5)
    hands = _hands(body)
    face = _face(body)
    neck = _neck(body, placed, down, across)
    head = face | neck
    skin_zone = np.zeros((h, w), bool)
    backdrop_zone = np.zeros((h, w), bool)
    lower_backdrop = np.zeros((h, w), bool)
    bared_legs = np.zeros((h, w), bool)
    by_legs = np.zeros((h, w), bool)
    midriff = np.zeros((h, w), bool)
    sleeved = np.zeros((h, w), bool)
    # The photo's skin-coloured pixels, for every skin test below.
    skin_like = is_skin(lab, skin) if skin is not None else None
    # Legs the photo shows bare are measured on it (see limb_segments).
    segments = limb_segments(body, person & skin_like if skin_like is not None else None)
    arms = _limb_zone((h, w), segments, "arm")
    kinds = {g.kind for g in placed}
    forearms = _forearms(body, (h, w))
    if kinds & {"upper", "full"} and skin_like is not None:
        # An arm comes in front of a new top's body (see the layers below), so it is bared under the
        # body too: covered, its old sleeve stayed there and was no arm to put in front, and a dress
        # wider than the torso hid half of each arm hanging beside it, leaving a thin strip. Only
        # what is clearly no skin: a skin-coloured print there (a beige houndstooth) is told from
        # the arm by its texture, after (see the layers below), where it is covered.
        sleeves = _layers_over(
            [layer for g in placed for layer in g.layers if layer.role in SLEEVES], (0, 0, w, h), None
        )
        hanging = np.zeros((h, w), bool)
        for side in ("left", "right"):
            elbow, wrist = body.limb(side, ("elbow", "wrist"))
            if all(_beside_the_body(point, across, S) for point in (elbow, wrist)):
                hanging |= _forearms(body, (h, w), (side,))
        uncovered |= hanging & arms & person & (sleeves < 0.5) & ~skin_like
        del hanging, sleeves
    if kinds & {"upper", "full"}:
        top = next(g for g in placed if g.kind in ("upper", "full"))
        skin_zone |= _torso_zone(body, top, segments) | arms
        if top.kind == "upper":
            # Below a top shorter than the old one, where the old top went on, is
            # the midriff: skin, down to the waist or the old top's hem. The old top
            # is told from old trousers or a skirt by its colour, sampled on the
            # chest the new top hides.
            bottom = next((g for g in placed if g.kind == "lower"), None)
            bottom_top = bottom.top_down if bottom else None
            midriff = _midriff(body, lab, top, down, across, old_top_end, bottom_top, skin_like)
            skin_zone |= midriff
        # Around the shoulders and arms, an old garment wider than the body
        # (a loose sleeve, a boxy tee) gives way to the backdrop, so bared
        # arms keep an arm's shape.
        span = (down > -0.35 * S) & (down < min(top.hem_down, T))
        if midriff.any():
            # The old top's sides beside a bared midriff go too; not the old bottom's waistband
            # the midriff reaches just over.
            lowest = float(down[midriff].max())
            if old_top_end is not None:
                lowest = min(lowest, old_top_end - MIDRIFF_PRINT_ABOVE * T)
            span |= (down > 0) & (down < lowest)
        backdrop_zone |= span & ~skin_zone
        # Beside the torso below the armpits there is no skin but the arms
        # (in skin_zone): an old garment's sides go whatever their colour.
        lower_backdrop |= span & (down > 0.3 * T) & ~skin_zone
        # Nor beside a new sleeve: the arm is in it.
        sleeved = _in_the_sleeves(body, top, segments, across) & uncovered & ~hands
        skin_zone &= ~sleeved
    if kinds & {"lower", "full"}:
        low = next(g for g in placed if g.kind in ("lower", "full"))
        legs = _limb_zone((h, w), segments, "leg")
        start = low.top_down if low.kind == "lower" else T
        ankle = max(_ankle_down(body, side) for side in ("left", "right"))
        below = (down > start) & (down < ankle)
        if low.kind == "lower":
            # The old top's hem under the waistband's soft edge (its solid part a pixel or two
            # below its line) stays: sent to the backdrop, it bled through that edge and over the
            # hem above, a pale line between a sweatshirt and a new skort. Old trousers there
            # still go (they showed through a soft waistband as a blue strip).
            # Only straight above its solid part: beside the waistband's corner, the old top kept
            # hung down past it as a dark tab.
            reach = max(1, int(round(WAISTBAND_EDGE * T)))
            above_solid = cv2.dilate(
                (coverage >= 0.5).view(np.uint8), np.ones((reach + 1, 1), np.uint8), anchor=(0, 0)
            ).view(bool)
            under_edge = (coverage > 0) & (down < start + WAISTBAND_EDGE * T) & above_solid
            old_top = _old_top_colour(body, lab, down, across) if under_edge.any() else None
            if old_top is not None:
                below &= ~(under_edge & _near(lab, old_top, MIDRIFF_DELTA_E))
        # The shoes are never old clothes, a lifted foot's above the other's ankle included (a step
        # back's sneaker lost its top to the backdrop): there, each on its own foot's side and not of
        # the old clothes' colour (see _old_hem_past_the_ankles).
        old_hem, shoes = _old_hem_past_the_ankles(body, lab, skin, skin_like, down, ankle)
        below = (below & ~shoes) | old_hem
        del old_hem, shoes
        if worn_over is not None:
            below &= ~worn_over
        # Legs show as skin only below the new hem (shorts, a skirt); beside
        # the new trouser legs the old ones give way to the backdrop.
        bare = down > low.hem_down - 0.02 * T
        if not low.legs:
            # A skirt's hem is seldom level (a flounce, a curved or tiered hem): below the lowest
            # point only, the legs started square under its higher parts, with the backdrop
            # showing between. Below a skirt, anything on the legs it does not cover is leg.
            skirt = low.alpha((h, w)) > 0.5
            bare |= np.maximum.accumulate(skirt, axis=0)
        bared_legs = legs & below & bare
        by_legs = _limb_zone((h, w), segments, "leg", LEG_SLACK) & below & bare
        skin_zone |= bared_legs
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
        # (The shoes are never old clothes.)
        lower_backdrop = below & ~(legs & bare) & ~arm_cores
        if legs_bent(body):
            # Seated, a raised leg's shoe is above the other's ankle, inside the band taken as old
            # trousers: the boots were wiped to the backdrop. The shoes keep their own shape.
            toes_seen = [side for side in ("left", "right") if body.seen(side, "foot")]
            shoes = _feet(body, ("ankle", "heel", "foot"), SHOE_RADIUS, toes_seen)
            backdrop_zone &= ~shoes
            lower_backdrop &= ~shoes
            skin_zone &= ~shoes
    # Nor is the head, above the chin as wide as the face: the zones reach above the shoulders
    # (an old collar's height), and a tilted face's shadowed jaw beside the face's oval was
    # repainted as a pale patch.
    head_box = _head_box(body)
    skin_zone &= ~hands & ~face & ~head_box
    # Nor is the neck above the shoulders, where no new neckline says where it is (straps): a
    # highlight under the jaw is not skin-coloured, and went to the backdrop as a white blot.
    neck_column = (np.abs(across) < THROAT_HALF * S) & (down < 0)
    # The hands stay, and what they hold (the gaps between their fingers, closed over HAND_HOLDS of
    # the shoulder width); not what is beside them: strips of an old dress stayed between hands
    # hanging by the hips and new jeans, and old pockets' edges round hands on the hips.
    hand_skin = _hand_skin(hands, skin_like, lab[..., 0])
    holds = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * round(HAND_HOLDS * S) + 1,) * 2)
    spared = (cv2.morphologyEx(hand_skin.view(np.uint8), cv2.MORPH_CLOSE, holds) > 0) & hands
    backdrop_zone &= ~spared & ~head & ~neck_column & ~head_box
    lower_backdrop &= ~spared & ~head
    del spared
    changed = np.zeros((h, w), bool)
    skin_rgb = None
    if skin is not None:
        # Finely textured old clothes are not skin whatever their colour, below where long
        # hair and a necklace reach: curls and a chain are textured too, on or by real skin.
        finely_textured = _finely_textured(lab)
        textured = finely_textured & (down > HAIR_LOWEST * T)
        not_skin = ~skin_like | textured
        # A bomber's tan leather sleeves pass the skin test; their knitted cuffs tell them apart.
        not_skin |= _cuffed_sleeves(body, skin_like, segments)
        # A leather jacket's do not, nor its body's: they shine.
        zones = skin_zone | backdrop_zone | lower_backdrop
        skin_coloured = person & zones & ~not_skin & ~hands & ~head
        not_skin |= _glossy(lab, uncovered & skin_coloured, body, skin_coloured & ~uncovered)
        by_arms = _limb_zone((h, w), segments, "arm", ARM_SLACK)
        # A bare forearm's shaded side is darker than any shade is_skin allows when the face the
        # skin colour is read from is lit (and made up): taken for old clothes, it was filled, and
        # the real forearm beside it stayed, a patchwork of fill and skin down the arm. A thin line
        # of the skin's hue along real skin is its shade; a dark brown sleeve is broad.
        not_skin &= ~_arm_shade(lab, skin, ~not_skin, by_arms & uncovered, S)
        going = uncovered & not_skin & zones
        old_edge = _old_sleeve_edges(body, skin_like, going, by_arms & (down > 0))
        not_skin |= old_edge
        # The throat under the jaw can be in a shadow deeper than any shade is_skin allows: taken
        # for an old collar, it was repainted as a pale patch under a dark-skinned man's chin.
        throat = _throat(body, skin_like, across)
        above_the_shoulders = throat & (down < -THROAT_DEEP_SHADOW * S)
        not_skin[above_the_shoulders] &= ~is_deep_shadow(lab[above_the_shoulders], skin)
        arm_outline = _arm_outline(by_arms & person & ~not_skin, body.mask <= 0.5) & ~old_edge
        # The neck above the new neckline shows in front of the garment, so an
        # old collar or strap there is covered even where the garment reaches.
        # The neck is often in shadow: only clearly-not-skin there is an old collar. However dark:
        # hair falling past the chin is told apart below (it hangs from the head), a throat's deep
        # shadow has the skin's hue (not_skin); kept for being dark, a black crew neck showed as a
        # crescent inside a lower new neckline, on the demo's own photos.
        # Tested in the neck's box only (is_skin goes pixel by pixel; the neck is nothing beyond it).
        x, y, width, height = cv2.boundingRect(neck.view(np.uint8))
        box = (slice(y, y + height), slice(x, x + width))
        neck[box] &= person[box] & ~is_skin(lab[box], skin, loose=2.0)
        if kinds & {"upper", "full"}:
            # Above the new top's neckline only: elsewhere the old top is the person's own.
            above = down < top.top_down
            collar = _collar_beside_the_jaw(body, lab, skin, down, across, face, uncovered & above)
            neck |= collar
            head |= collar
        to_skin = ((uncovered & skin_zone) | neck) & not_skin & ~arm_outline
        # Hair falls over the shoulders and chest, not across a bared midriff: a dark old top
        # joined to long hair passed for it there and stayed as patches beside a crop top's hem.
        hair = _hair(body, lab, skin, down, across, throat)
        to_skin &= ~(hair & ~midriff)
        real_legs = np.zeros((h, w), bool)
        if bared_legs.any():
            to_skin, real_legs = _old_clothes_on_the_legs(
                to_skin, bared_legs & uncovered, not_skin, textured, segments, T
            )
        # Speckled classification would blend into a see-through patch; close
        # small gaps so the fill is solid, still inside the zone and the person.
        closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
        to_skin = (cv2.morphologyEx(to_skin.astype(np.uint8), cv2.MORPH_CLOSE, closing) > 0) & (
            (skin_zone & uncovered) | neck
        )
        # Skin-coloured motifs in an old print pass for skin: small islands the old
        # clothes enclose go with them (real skin there is repainted as skin anyway).
        to_skin |= _enclosed(to_skin, (0.15 * S) ** 2) & skin_zone & uncovered
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
        # First over the darkest of them, further: a dark collar's edge blends with the neck into
        # a skin hue at a fraction of its lightness, passing for the throat's shadow, and stayed as
        # a thin dark line round the bared neck. Without the collar there is no shadow along it.
        # Only a thin line: a broad shadow (under a dark-skinned jaw) is the throat's own.
        reach = 2 * max(2, int(round(OLD_EDGE_FRINGE * T))) + 1
        fringe = cv2.dilate(to_skin.astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
        dark = ((lab[..., 0] < skin[0] - OLD_EDGE_FRINGE_DARKER) & ~hair & ~to_skin).astype(np.uint8)
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
        thin = (dark > 0) & (cv2.morphologyEx(dark, cv2.MORPH_OPEN, disc) == 0)
        to_skin = to_skin | (fringe & thin)
        grown = cv2.dilate(to_skin.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        to_skin = grown & (skin_zone | neck) & person & ~arm_outline
        del textured, going, old_edge, labels, fringe, dark, thin, grown
        if to_skin.any():
            # The light falls on the body the same whatever covers it: the old clothes' form
            # (prints and fine folds taken out) rounds the bared skin too.
            form = _form_light(print_free, to_skin, T, not_skin)
            # A real leg's hairs and shadows are its skin too: its light and grain, measured with
            # them, make a thigh bared above it as dark and as hairy as the shin below.
            real_skin = person & (~not_skin | real_legs) & ~to_skin
            skin_rgb = scale_channels(skin_fill(to_skin, skin, lab, real_skin, body, segments), form)
        # Old clothes go whatever their colour below the armpits, but skin by an arm is the arm:
        # a heavy arm is wider than the landmarks' guess, and wiping it would leave a stick. So is
        # skin by a bared leg: a real knee's outer side was wiped where the landmark sat inside it.
        by_limbs = by_arms | by_legs
        to_backdrop = uncovered & ((backdrop_zone & not_skin) | (lower_backdrop & ~(by_limbs & ~not_skin)))
        if kinds == {"lower"}:
            # The old top stays, and so do its sleeves where the arms hang below the waistband.
            to_backdrop &= ~_old_sleeves_below(body, lab, ~not_skin, segments, down, low.top_down)
        # Nor does hair go, lighter strands included: the old top's outline cut a wedge out of a
        # ponytail lying on the shoulder.
        strands = (down < 0) & _hair(body, lab, skin, down, across, throat, HAIR_STRANDS, bridge=HAIR_BRIDGE)
        to_backdrop &= ~arm_outline & ~strands
        to_backdrop |= sleeved & ~head & ~hair & ~strands
        del by_arms, throat, hair, by_limbs
    else:
        to_backdrop = uncovered & backdrop_zone
        arm_outline = strands = np.zeros((h, w), bool)
    backdrop_soft = np.zeros((h, w), np.float32)
    if to_backdrop.any():
        # The segmentation's soft rim around the old clothes would stay as a
        # faint outline: reach a little past it (backdrop there is unchanged).
        rim = max(2, int(0.02 * T))
        grown = cv2.dilate(to_backdrop.astype(np.uint8), np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)) > 0
        keep_out = (coverage >= 0.5) | ((body.mask > 0.5) & ~backdrop_zone) | arm_outline | strands
        if skin is not None:
            keep_out |= (body.mask > 0.5) & ~not_skin
        # Outside the person's outline too, below the ankles as well: the segmentation often stops
        # short of a long hem, whose dark edge then stayed as a ragged line on the floor.
        to_backdrop = grown & ~keep_out & (backdrop_zone | (body.mask <= 0.5)) | to_backdrop
        # It often stops further short still, and the inpainting then carried that rim's colour
        # into the backdrop as a ghost of the old outline. The backdrop is continued from beyond
        # OLD_EDGE_REACH of the person, and next to the cleared region, outside the person, what is
        # still their rim goes too.
        reach = max(2, int(round(OLD_EDGE_REACH * T)))
        near = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
        hidden = cv2.dilate(((body.mask > 0.2) | (coverage > 0.02)).astype(np.uint8), near) > 0
        fill = _background_fill(base, to_backdrop, hidden)
        beside = (cv2.dilate(to_backdrop.astype(np.uint8), near) > 0) & (body.mask <= 0.5) & ~keep_out
        old = to_backdrop & (body.mask > 0.5)
        if old.any():
            to_backdrop |= _old_rim(base, fill, beside, np.median(base[old], axis=0) / 255.0)
        if skin_rgb is not None:
            # So is the rim of old clothes bared as skin up to the outline (a trouser leg round a
            # bared leg): it stayed as a blue strip down the new thigh's side. Below the armpits
            # only: by the neck and shoulders, hair and the skin's own soft outline are the rim.
            bared = to_skin & (cv2.dilate((body.mask <= 0.5).astype(np.uint8), near) > 0) & (down > 0.3 * T)
            if bared.any():
                by_bared = (cv2.dilate(bared.astype(np.uint8), near) > 0) & (body.mask <= 0.5) & ~keep_out
                to_backdrop |= _old_rim(base, fill, by_bared, np.median(base[bared], axis=0) / 255.0)
        del grown, keep_out, hidden, beside, old
    # Only the fills and the masks that place them are needed from here on: what decided them goes
    # now, before the photo's float copy is made. Held longer, they were a render's peak memory (a
    # queue worker's RSS).
    del print_free, down, across, uncovered, face, neck, skin_zone, backdrop_zone, lower_backdrop
    del bared_legs, by_legs, midriff, sleeved, head_box, neck_column, arm_outline, strands
    filled = base.astype(np.float32)
    filled /= 255.0  # in place: one full-frame float array, not two
    skin_edge = None
    if skin_rgb is not None:
        # Where bared skin meets old clothes going to the backdrop, the skin reaches under the
        # backdrop's soft edge: each half-feathered over the old clothes left a quarter of them
        # showing, a dark seam down a bared leg's side.
        # Only over the old clothes, deep inside the backdrop's fill: at its edge the skin showed as a pale line.
        reach = 2 * int(np.ceil(4 * feather)) + 1
        under = cv2.dilate(to_skin.astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
        soft, box = _feathered(to_skin | (under & to_backdrop & person), feather * 1.5)
        blend_into(filled[box], skin_rgb[box], soft[box])
        skin_edge, _ = _feathered(under, feather)
        changed[box] |= soft[box] > 0
    if to_backdrop.any():
        soft, box = _feathered(to_backdrop, feather * 2)
        if skin_edge is not None:
            # Where it meets bared skin, the backdrop's edge is the limb's outline: as crisp as the
            # photo's own. At the old clothes' wider blur a bared arm's side was a soft 4 px ramp
            # beside the real forearm's 1-2 px, and read as painted in.
            # Steepened rather than blurred less: a narrower blur left the zones' staircase edges.
            crisp = np.clip((soft[box] - 0.5) * LIMB_OUTLINE_STEEPEN + 0.5, 0.0, 1.0)
            soft[box] += (crisp - soft[box]) * skin_edge[box]
        blend_into(filled[box], fill[box], soft[box])
        changed[box] |= soft[box] > 0
        backdrop_soft = soft
        del fill
    # What the fills replaced, not what their soft edges only touched: old clothes beside a fill
    # are still as they were.
    replaced = to_skin | to_backdrop
    del to_backdrop, skin_rgb, skin_edge

    out = filled.copy()
    # How much of each pixel the new garments show, and where something of the
    # person's (a forearm, a hand, the head) was put back in front of them.
    shown = np.zeros((h, w), np.float32)
    in_front_of = np.zeros((h, w), np.float32)
    # Forearms and the lower upper arm come in front of a top's body (``forearms``, above); the whole
    # arms in front of anything else.
    # What is skin there is asked in their box only (the colour conversion and the skin test go
    # pixel by pixel): nothing beyond it is ever in front.
    reached = np.zeros((h, w), bool)
    for garment in placed:
        reached |= forearms if garment.kind in ("upper", "full") else arms
    x, y, width, height = cv2.boundingRect((reached & person).view(np.uint8))
    box = (slice(y, y + height), slice(x, x + width))
    in_front = np.zeros((h, w), bool)
    if skin is not None:
        in_front[box] = is_skin(lab_of((filled[box] * 255).astype(np.uint8)), skin)
        # Old clothes left as they were, finely textured, are no arm: a beige houndstooth's side
        # panel beside the arm passed the skin test and was put back in front of a new cami.
        in_front[box] &= ~(finely_textured[box] & ~replaced[box])
    else:
        in_front[box] = True
    for garment in placed:
        # A sleeve wraps the arm itself: the arm never shows in front of it.
        sleeves = _layers_over([layer for layer in garment.layers if layer.role in SLEEVES], (0, 0, w, h), None)
        for role in ("sleeve_root", "body"):
            for layer in garment.layers:
                if layer.role == role:
                    _over(out, layer.rgba[..., :3], layer.rgba[..., 3], layer.box)
                    _over(shown[..., None], 1.0, layer.rgba[..., 3], layer.box)
        fronts = (forearms if garment.kind in ("upper", "full") else arms) & person & in_front
        soft, box = _feathered(fronts, feather)
        soft[box] *= 1.0 - sleeves[box]
        blend_into(out[box], filled[box], soft[box])
        np.maximum(in_front_of[box], soft[box] * shown[box], out=in_front_of[box])
        shown[box] *= 1 - soft[box]
        for layer in garment.layers:
            if layer.role == "sleeve":
                _over(out, layer.rgba[..., :3], layer.rgba[..., 3], layer.box)
                _over(shown[..., None], 1.0, layer.rgba[..., 3], layer.box)
    del sleeves, fronts, soft
    # The hands come back on top, but only what is skin in them.
    keep, box = _feathered(hand_skin | head, feather)
    blend_into(out[box], filled[box], keep[box])
    np.maximum(in_front_of[box], keep[box] * shown[box], out=in_front_of[box])
    shown[box] *= 1 - keep[box]
    # The filled photo and the maps that put it back are spent: let go before the shadow's maps.
    del filled, keep, hand_skin, in_front, replaced
    # A garment lies on the body: its edges cast a soft shadow on the skin and
    # clothes just below them. Without it a hem over a bared midriff or thigh
    # reads as pasted on. Not on the backdrop (a flat-lay edge over it has
    # nothing to shade) nor on a forearm or hand in front of the garment.
    # Worked out in the box the shadow can reach: the garments' own, dropped and blurred (its blur
    # is nought beyond, and so is the shadow).
    x, y, width, height = cv2.boundingRect((shown != 0).view(np.uint8))
    reach = gaussian_reach(max(1.0, CONTACT_REACH * T))
    drop = int(round(CONTACT_DROP * T))
    box = (
        slice(max(0, y - reach), min(h, y + height + drop + reach)),
        slice(max(0, x - reach), min(w, x + width + reach)),
    )
    receives = (body.mask[box] > 0.5).astype(np.float32) * (1.0 - backdrop_soft[box])
    receives *= 1.0 - np.clip(cv2.dilate(in_front_of, np.ones((5, 5), np.uint8))[box] * 3.0, 0.0, 1.0)
    shadow = _contact_shadow(shown[box], T)
    if worn_soft is not None:
        # The old top's hem shades the new bottom under it (on the garment only: in its box).
        np.maximum(shadow, _contact_shadow(worn_soft, T)[box] * shown[box], out=shadow)
    shadow *= receives
    scale_channels(out[box], 1.0 - shadow)
    changed[box] |= shadow > 0.004

    out *= 255.0
    out += 0.5
    result = np.clip(out, 0, 255, out=out).astype(np.uint8)
    changed |= coverage > 0
    # The photo's own pixels wherever nothing changed (OpenCV's masked copy: np.where over three
    # channels took 9 ms on a 768x1024 frame).
    return cv2.copyTo(base, (~changed).view(np.uint8), result)


def _old_sleeves_below(
    body: Body, lab: np.ndarray, skin: np.ndarray, segments, down: np.ndarray, waist: float
) -> np.ndarray:
    """(H, W) bool: what the old top's sleeves show below ``waist`` (a new bottom's top) where the
    arms hang beside the hips: on each sleeved arm's zone (ARM_SLACK wide), pixels of the colours
    its sleeve shows just above ``waist`` (OLD_SLEEVE_SAMPLED of the torso), joined to them.

    Below a new waistband everything but the legs gives way to the backdrop, and only a narrow core
    of each arm was kept: an old shirt's sleeves became sticks, a bomber's cuffs were cut level with
    the waistband, a rolled sleeve lost its side. An arm bare there (its line skin over
    BARE_ARM_SKIN) has no sleeve: the colours beside it are the old top's sides or a dress's.
    ``skin`` is what passes for skin (not tan leather with knitted cuffs, see _cuffed_sleeves).
    """
    h, w = body.shape
    T = body.torso_length
    person = body.mask > 0.5
    kept = np.zeros((h, w), bool)
    above = (down <= waist) & (down > waist - OLD_SLEEVE_SAMPLED * T)
    for side in ("left", "right"):
        bones = [segment for segment in segments if segment[0] == f"{side} arm"]
        arm = _limb_zone((h, w), bones, "arm") & person
        zone = _limb_zone((h, w), bones, "arm", ARM_SLACK) & person
        line = np.zeros((h, w), bool)
        for _, start, end, _, _ in bones:
            line |= capsule_mask((h, w), [start, end], 1.0)
        line &= above & person
        sleeve = arm & above & ~skin
        # Judged down the arm's line: beside a hanging arm its zone takes in the old top's side.
        if line.sum() < 5 or skin[line].mean() >= BARE_ARM_SKIN or sleeve.sum() < 50:
            continue
        rows = np.nonzero((zone & (down > waist)).any(axis=1))[0]
        if not len(rows):
            continue
        band = slice(rows[0], rows[-1] + 1)
        alike = np.zeros((h, w), bool)
        alike[band] = _of_the_colours(lab[band], lab[sleeve])
        candidates = (alike & zone & (down > waist)) | (zone & above & ~skin)
        _, labels = cv2.connectedComponents(candidates.view(np.uint8), connectivity=8)
        joined = np.unique(labels[sleeve])
        kept |= np.isin(labels, joined[joined > 0]) & (down > waist)
    return kept


def _of_the_colours(lab: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels of one of the colours that make up ``samples`` (N, 3 Lab): a Lab bin
    COLOUR_BIN wide that holds at least COLOUR_SHARE of them, or a bin beside one."""
    low = np.array([0.0, -128.0, -128.0], np.float32)
    shape = np.array([int(np.ceil(span / COLOUR_BIN)) for span in (101.0, 256.0, 256.0)])
    bins = np.clip(((samples - low) / COLOUR_BIN).astype(int), 0, shape - 1)
    count = np.zeros(tuple(shape), np.int64)
    np.add.at(count, tuple(bins.T), 1)
    common = count >= max(1.0, COLOUR_SHARE * len(samples))
    # The bins beside each common one too: a colour's shading falls either side of a bin's edge.
    common = ndimage.binary_dilation(common, np.ones((3, 3, 3), bool))
    index = np.clip(((lab - low) / COLOUR_BIN).astype(int), 0, shape - 1)
    return common[index[..., 0], index[..., 1], index[..., 2]]


def _old_sleeve_edges(body: Body, skin_like: np.ndarray, going: np.ndarray, arms: np.ndarray) -> np.ndarray:
    """Slivers of "skin" along the arms' outline that are the edge of an old sleeve ``going``.

    A red sleeve's edge blended with a white backdrop is pink and passes the skin test: kept as
    skin (and the backdrop ring beside it as a bare arm's outline), it stayed as a red fringe down
    the bared arm. A sliver with a broad piece of old clothes going right inside it is its edge.
    Skin along a real arm's outline has skin inside it, or the arm's own shadowed side, a narrow
    band. ``arms`` bounds where to look: above the shoulders, strands of hair are slivers too.
    """
    wide = np.ones((SLIVER_WIDTH, SLIVER_WIDTH), np.uint8)
    broad = np.ones((OLD_CLOTHES_BROAD, OLD_CLOTHES_BROAD), np.uint8)
    outside = (body.mask <= 0.5).astype(np.uint8)
    near_outline = cv2.dilate(outside, np.ones((2 * OUTLINE_SLIVER + 1,) * 2, np.uint8)) > 0
    broad_skin = cv2.morphologyEx(skin_like.astype(np.uint8), cv2.MORPH_OPEN, wide) > 0
    beside_going = cv2.dilate(cv2.morphologyEx(going.astype(np.uint8), cv2.MORPH_OPEN, broad), broad) > 0
    slivers = skin_like & ~broad_skin & near_outline & arms
    # Each sliver goes or stays whole: in part, it was a dashed line.
    count, labels = cv2.connectedComponents(slivers.astype(np.uint8), connectivity=8)
    sizes = np.maximum(np.bincount(labels.ravel(), minlength=count), 1)
    beside = np.bincount(labels[beside_going], minlength=count) / sizes
    return slivers & (beside > 0.5)[labels]


def _old_clothes_on_the_legs(
    to_skin: np.ndarray, legs: np.ndarray, not_skin: np.ndarray, textured: np.ndarray, segments, T: float
) -> tuple[np.ndarray, np.ndarray]:
    """``to_skin`` on the bared ``legs`` decided piece by piece of leg rather than pixel by pixel,
    and the pieces that are the real leg.

    A piece the old clothes covered for the most part is bared all over: what passes for skin
    there is their print, and cream motifs stayed on the legs as flecks. A piece that is skin for
    the most part, with little of it ``textured`` (a houndstooth passes the skin test), is the real
    leg below the old clothes: its hairs, shadows and freckles fail the skin test, and repainted
    they left a man's hairy shins a patchwork.
    """
    ys, xs = np.nonzero(legs)
    labels, down, count = limb_pieces(np.stack([xs, ys], axis=1).astype(np.float64), segments, "leg", LEG_PIECE * T)
    on = labels >= 0
    if not count or not on.any():
        return to_skin, np.zeros_like(to_skin)
    ys, xs, labels, down = ys[on], xs[on], labels[on], down[on]

    def mean(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        size = np.bincount(labels[where], minlength=count)
        return np.bincount(labels[where], weights=values[where], minlength=count) / np.maximum(size, 1)

    every = np.ones(len(labels), bool)
    missed = not_skin[ys, xs].astype(np.float64)
    share = mean(missed, every)
    fine = mean(textured[ys, xs].astype(np.float64), every)
    enough = np.bincount(labels, minlength=count) > (0.05 * T) ** 2
    covered = enough & (share > LEG_COVERED)
    # Where an old hem crosses a piece, its upper half is far less skin than its lower half: judged
    # pixel by pixel. Down a real leg, shadows and hairs are about as many in both halves.
    hem = mean(missed, down < 0.5) - mean(missed, down >= 0.5) > LEG_HEM_STEP
    real = enough & (share < LEG_REAL) & (fine < LEG_REAL_TEXTURE) & ~hem
    bared, kept = covered[labels], real[labels]
    to_skin = to_skin.copy()
    to_skin[ys[bared], xs[bared]] = True
    to_skin[ys[kept], xs[kept]] = False
    real_legs = np.zeros_like(to_skin)
    real_legs[ys[kept], xs[kept]] = True
    return to_skin, real_legs


def _old_hem_past_the_ankles(
    body: Body, lab: np.ndarray, skin, skin_like: np.ndarray | None, down: np.ndarray, ankle: float
) -> tuple[np.ndarray, np.ndarray]:
    """The old clothes below the ankle joints (a maxi dress or long trousers reaching the shoes),
    and the shoes (see _shoes) less the old hem resting on them.

    Told by colour from the old clothes on the shins (a shoe is another colour). Round each foot,
    never, but above its bare ankle or instep (see _kept_shoes). Bare shins (an old skirt)
    say nothing: the feet below them are skin too.
    """
    h, w = body.shape
    T = body.torso_length
    person = body.mask > 0.5
    shins = np.zeros((h, w), bool)
    # Round each foot, never: a shoe of the old trousers' colour (black shoes below black trousers)
    # lost its sides when this was a round of 0.06 of the torso. As wide as a shoe now, and no
    # higher than that round, so a long hem above the shoe still goes.
    shoes, own_shoes = _kept_shoes(body, skin_like, down)
    soles = ankle
    for side in ("left", "right"):
        _, knee, foot_joint = body.limb(side, ("hip", "knee", "ankle"))
        shins |= capsule_mask((h, w), [knee + (foot_joint - knee) * 0.5, foot_joint], 0.05 * T)
        foot = [body.point(side, part) for part in ("heel", "foot") if body.seen(side, part)]
        if foot:
            soles = max(soles, *(float(np.dot(p - body.origin, body.v)) + FOOT_RADIUS * T for p in foot))
    shins &= person & (down < ankle)
    nothing = np.zeros((h, w), bool)
    if soles <= ankle or shins.sum() < 50:
        return nothing, own_shoes
    old = np.median(lab[shins], axis=0)
    if skin is not None and is_skin(old[None, None], skin)[0, 0]:
        return nothing, own_shoes
    like_old = _near(lab, old, OLD_HEM_DELTA_E).astype(np.uint8)
    # The print on it (small motifs of another colour) goes with it.
    size = max(3, int(0.06 * T) | 1)
    like_old = cv2.morphologyEx(like_old, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    # Larger motifs it surrounds too, and its darker rim along the hem.
    like_old = (like_old > 0) | _enclosed(like_old > 0, (0.1 * T) ** 2)
    like_old = cv2.dilate(like_old.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    # Above the lower ankle, only what is not of the old clothes' colour: there the rounds reach
    # over an old hem's turn-up or a wide leg's side (a dark scrap stayed by a white sneaker).
    return (down >= ankle) & (down < soles) & like_old & person & ~shoes, own_shoes & ~like_old


def _shoes(body: Body, sides=("left", "right")) -> np.ndarray:
    """(H, W) bool: a shoe's extent round each foot's seen heel and toe landmarks, seen from the
    front, on ``sides``."""
    T = body.torso_length
    shoes = np.zeros(body.shape, np.uint8)
    axes = (int(round(SHOE_HALF_WIDTH * T)), int(round(SHOE_HALF_HEIGHT * T)))
    angle = float(np.degrees(np.arctan2(body.u[1], body.u[0])))
    for side in sides:
        points = [body.point(side, part) for part in ("heel", "foot") if body.seen(side, part)]
        # Swept from heel to toe: the shoe between them as well.
        for t in np.linspace(0.0, 1.0, 6) if len(points) == 2 else (0.0,) * len(points):
            point = points[0] + (points[-1] - points[0]) * t
            cv2.ellipse(shoes, tuple(int(round(v)) for v in point), axes, angle, 0, 360, 1, -1)
    return shoes > 0


def _kept_shoes(body: Body, skin_like: np.ndarray | None, down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W) bool each: the shoes, each foot's round (see _shoes) less what of it lies above the
    bare ankle or instep; and of them, what lies on the foot's own side (nearer its ankle joint
    than the other's).

    The bare ankle or instep is the first row (across the body) down from the ankle joint that is
    mostly skin (BARE_FOOT_SKIN), less than BARE_ANKLE_REACH of the way from heel to toe: a shoe is
    below it, so what is above it in the round is the old hem resting on the foot. The heel
    landmark is often at the ankle: the round then reached up over a patterned trouser cuff above
    a Mary-Jane's straps, which stayed under a new dress. Scanned from the ankle joint down, so a
    strap below bare skin above the round is no hem; and not as far as the toes, so a flip-flop's
    strap across the instep, under a hem and above bare toes, is no hem either.
    """
    person = body.mask > 0.5
    T = body.torso_length
    shoes = np.zeros(body.shape, bool)
    own = np.zeros(body.shape, bool)
    # Rows narrower than this (a round's rim) say nothing.
    least = SHOE_HALF_WIDTH * T / 2
    joints = {side: body.limb(side, ("hip", "knee", "ankle"))[-1] for side in ("left", "right")}
    for side, other in (("left", "right"), ("right", "left")):
        points = [body.point(side, part) for part in ("heel", "foot") if body.seen(side, part)]
        shoe = _shoes(body, (side,))
        if not points or not shoe.any():
            continue
        ankle = float(np.dot(joints[side] - body.origin, body.v))
        heel, toes = (float(np.dot(p - body.origin, body.v)) for p in (points[0], points[-1]))
        leg = (shoe | capsule_mask(body.shape, [joints[side], points[0]], SHOE_HALF_WIDTH * T)) & person
        leg &= down >= ankle
        if skin_like is not None and leg.any():
            # Rows across the body, counted over the leg's pixels only (not a full-frame map a render).
            rows = np.round(down[leg]).astype(int)
            first = int(rows.min())
            across = np.bincount(rows - first)
            bare = np.bincount(rows[skin_like[leg]] - first, minlength=len(across))
            bare_rows = np.nonzero((across >= least) & (bare > BARE_FOOT_SKIN * across))[0]
            if len(bare_rows) and first + bare_rows[0] < heel + BARE_ANKLE_REACH * max(0.0, toes - heel):
                # np.round(down) >= that row, without rounding every pixel of the frame.
                shoe &= down >= first + bare_rows[0] - 0.5
        shoes |= shoe
        # Nearer its own ankle joint than the other's: on its own side of the line halfway between.
        ys, xs = np.nonzero(shoe)
        mine, theirs = joints[side], joints[other]
        nearer = (xs - mine[0]) ** 2 + (ys - mine[1]) ** 2 < (xs - theirs[0]) ** 2 + (ys - theirs[1]) ** 2
        own[ys[nearer], xs[nearer]] = True
    return shoes, own


def _feet(body: Body, parts: tuple[str, ...], radius: float, sides=("left", "right")) -> np.ndarray:
    """(H, W) bool: round the seen ones of each foot's ``parts`` landmarks (ankle, heel, foot),
    ``radius`` torso lengths out, on ``sides``."""
    feet = np.zeros(body.shape, bool)
    for side in sides:
        points = [body.point(side, part) for part in parts if body.seen(side, part)]
        if points:
            feet |= capsule_mask(body.shape, points, radius * body.torso_length)
    return feet


def _ankle_down(body: Body, side: str) -> float:
    ankle = body.limb(side, ("hip", "knee", "ankle"))[-1]
    return float(np.dot(ankle - body.origin, body.v))
