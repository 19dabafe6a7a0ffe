"""Where a garment goes on a body: keypoint matches and the warped pieces.

A top or dress is placed by a similarity transform anchored at the shoulder
seams (scale: the garment's body width becomes FIT_WIDTH shoulder widths),
then its sides are pushed out wherever the body is wider, so the old clothes
underneath are covered. Sleeves get their own spline along the arm; trousers
get one spline whose legs follow hip, knee and ankle.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import cv2
import numpy as np

from .arrays import box_around, gaussian_reach, morph_by_rows
from .body import Body
from .garment import ANALYSIS_SIDE, GarmentAnalysis
from .skin import is_skin
from .warp import polyline_length, polyline_point, tube_maps, warp_layer

# The cut-out's edge pixels take the colour from inside as far out as the blur of its core weighs
# at least this: all of its soft edge, and the pixel beyond that the warp's bilinear reading mixes
# in. At 0.02 the faint outer edge of a small product photo's cut (the 300 px wrap skort's, alpha
# 0.1) kept its backdrop's white, blown up on the body as a pale rim round the garment.
EDGE_COLOUR_WEIGHT = 1e-4
# The garment's body width (at the armpits) over the shoulder-joint distance:
# a regular-fit top is a little wider than the joints are apart.
FIT_WIDTH = 1.05
# The garment's sides at least this much wider than the body measured at the
# same height, so the old clothes don't peek out.
COVER = 1.05
# A flat garment is half its circumference wide; seen from the front on a
# body it looks about this much narrower, so its lengths scale by this much
# more than the body's front width suggests.
FLAT_TO_FRONT = 1.3
SLEEVE_FLAT_TO_FRONT = np.pi / 2
# Trousers: the crotch sits this far below the hip joints (share of the torso).
CROTCH_DROP = 0.13
# ... or lower, where the flat lay's rise puts it, but not past the legs' first station (the flat
# leg's middle): measured from the body's crotch, dev trousers' flat crotch lands 0.09-0.99 of the
# way there and looks right; the shorts' 2.1-2.7 (below their hems), the joggers' 1.7-2.1 and the
# striped wide trousers' 1.16 folded the garment.
CROTCH_TO_STATION = 1.0
# Leg radius at the hip and at the ankle (share of the torso): legs taper.
LEG_RADIUS_HIP = 0.16
LEG_RADIUS_ANKLE = 0.06
# Trousers may reach this far past the ankle joint (share of the torso) before
# they are shortened; longer ones would cover the shoes.
HEM_PAST_ANKLE = 0.05
# Full-length trousers rest on the shoe: their hem reaches the heel landmark's height down the shin's
# line, at most this far past the ankle joint (share of the torso; the dev set's heels lie 0.06-0.08
# below the ankles). Ending at the ankle, flares stopped short of the shoes, a band of bared ankle
# or old trousers between.
HEM_ON_SHOE_MOST = 0.1
# Trouser legs become tubes along the legs when a thigh leaves the torso's line or a knee bends by
# more than LEG_BENT degrees; the tubes and the seat overlap by LEG_TUBE_OVERLAP of the garment photo.
LEG_BENT = 35.0
LEG_TUBE_OVERLAP = 0.02
# ... and the tubes begin this share of the rise above the crotch.
LEG_TUBE_FROM = 0.6
# Softening of the borders between a garment's parts (share of the garment image's long side).
PART_EDGE = 0.002
# Up to this share of the upper arm from the shoulder, a sleeve is behind the torso panel.
SLEEVE_BEHIND = 0.6
# How far a sleeve's cap stands off the shoulder's outline (cloth and a little ease), × shoulder width.
SLEEVE_CAP_EASE = 0.02
# A sleeve follows the old one's outline over the shoulder and down the upper arm, out to at most
# this far from the arm's line (× shoulder width): beyond, a bulky old jacket's sleeve is not the
# arm, and a new shirt's sleeves drawn out to it stood off the arms as boxy, puffed tubes. A broad,
# muscular arm in a tee reaches 0.2 down the upper arm: held to 0.17, the old tee's sleeve
# beside the new one was bared as pale wings.
SHOULDER_CAP_WIDEST = 0.22
UPPER_ARM_WIDEST = 0.22
# A warped sleeve's alpha ramps are made this many times steeper (to the cut-out's own 1-2 px).
SLEEVE_EDGE_SHARPEN = 2.0
# A long sleeve narrows past the elbow to the forearm as the photo's outline shows it (old sleeve
# included) by this share of the forearm; measured at least this thin (× shoulder width, a wrist).
# Only the upper arm's width, tapered, held it as wide as a baggy old sleeve or a rolled-up cuff
# round the upper arm (0.15-0.18 of the shoulders' width where the forearm's outline is 0.08-0.10):
# a stiff, wide tube down to the wrist.
FOREARM_NARROWED_BY = 0.5
FOREARM_THINNEST = 0.07
# A short sleeve photographed hanging beside the body (on a model or an invisible mannequin: its
# armpit no higher than the middle of its end) runs square to its hem, which is fitted to the
# sleeve's bottom edge between these shares of its reach out from the armpit (nearer the armpit
# the edge is the seam's, further out the corner's). Its part furthest from the armhole is the
# hem's outer corner: aimed there, the dev set's polos and tees ran 20-55 degrees off their own
# hems, and worn along the arm their hems slanted off it as flaring points.
HANGING_HEM_FIT = (0.1, 0.9)
# ... unless the fitted hem's square points further from straight down than this (degrees).
HANGING_HEM_STEEPEST = 60.0
# A sleeve hanging beside the body reaches out from its armpit at most this share of the armhole's
# height (the dev set's hanging tees, polos and dresses: 0.24-0.52); one laid flat, drooping, further (the
# drawn flat tees: 0.60-0.62), and its bottom edge is where the body's outline cuts it off, not its hem.
HANGING_REACH = 0.55

# Where a hem or a sleeve end lands, by the class measured on the flat lay
# (GarmentAnalysis.hem / .sleeve). A top's hem along the torso, as a share of
# the shoulder-to-hip length (a crop top ends above the navel, a regular one
# just past the hip joints); a dress's, skirt's or trouser leg's hem at a leg
# station (0 hip joint, 1 knee, 2 ankle); a sleeve end at an arm station
# (0 top of the shoulder, 1 elbow, 2 wrist).
TOP_HEM = {"crop": 0.62, "waist": 0.82, "hip": 1.06, "thigh": 1.32}
DRESS_HEM = {"mini": 0.55, "knee": 1.08, "midi": 1.55, "maxi": 1.97}
BOTTOM_HEM = {"shorts": 0.5, "knee": 1.05, "midi": 1.6, "ankle": 2.0}
SLEEVE_END = {"cap": 0.22, "short": 0.45, "elbow": 1.0, "three_quarter": 1.55, "long": 2.0}
# A top worn over a lower garment reaches at least this far past its waistband (share of the torso).
WAISTBAND_OVERLAP = 0.06
# Where the old top ends: told down the body's centre (a strip this share of the shoulder width
# across) from OLD_TOP_SAMPLED_AT × the torso above the hips, by a colour change of this ΔE from a top
# plain enough (lightness spread at most OLD_TOP_PLAIN), at most OLD_TOP_LOWEST × the torso past
# the hip joints. An end above the hips by OLD_WAIST_ABOVE_HIPS × the torso is the old bottom's
# waistband, which a new bottom covers with WAISTBAND_OVER_OLD × torso length to spare.
OLD_WAIST_SAMPLE = 0.08
OLD_WAIST_DELTA_E = 20.0
OLD_TOP_SAMPLED_AT = (0.6, 0.45)
OLD_TOP_PLAIN = 12.0
OLD_TOP_LOWEST = 0.15
OLD_WAIST_ABOVE_HIPS = 0.02
# Where the old top says nothing (not plain), the old bottom is read up from the hips, told from a
# long top by its colour this far down each thigh too (share of hip to knee).
OLD_BOTTOM_THIGH = 0.4
WAISTBAND_OVER_OLD = 0.02
# ... and sits at most this far above it (share of the torso). From the highest its rise allows
# (0.28 of the torso above the hips, where every dev bottom with legs lands), jeans rose 0.06 over
# a jumper's hem and a seated man's 0.09 over his tee's; at 0.02 (a garment's drawn top lies about
# 0.02 below its line) a band of the old jeans went to the backdrop under a tank's hem.
WAISTBAND_ABOVE_OLD = 0.04
# The old top's shadow keeps its hue (within this many degrees) where its chroma is at least this.
OLD_TOP_SHADOW_HUE = 12.0
OLD_TOP_SHADOW_CHROMA = 8.0
# Where an old short sleeve ends on the upper arm: the first of the stations (every
# OLD_SLEEVE_STEP of the upper arm, from OLD_SLEEVE_FROM of it) whose core (OLD_SLEEVE_CORE of the
# shoulder width either side of the arm's line) is skin over at least OLD_SLEEVE_SKIN, and the next
# one too, below a first station whose outer side is skin over at most 1 - OLD_SLEEVE_SKIN. A new
# short sleeve ending above it by up to SLEEVE_OVER_OLD_REACH of the upper arm reaches on over it by
# SLEEVE_OVER_OLD of the shoulder width.
OLD_SLEEVE_FROM = 0.15
OLD_SLEEVE_STEP = 0.03
OLD_SLEEVE_CORE = 0.06
OLD_SLEEVE_SKIN = 0.7
SLEEVE_OVER_OLD_REACH = 0.4
SLEEVE_OVER_OLD = 0.02
# Where an old long sleeve ends past the wrist (a cuff over the back of the hand): read the same
# way down the forearm's core, from OLD_CUFF_FROM of the forearm above the wrist (which must be the
# old sleeve) to OLD_CUFF_TO below it. A new long sleeve, which ends at the wrist, reaches on over
# it by SLEEVE_OVER_OLD of the shoulder width. The pose's wrist often sits high: a shirt's white
# cuff in the dev set ends 0.33 of the forearm below it.
OLD_CUFF_FROM = 0.3
OLD_CUFF_TO = 0.45
# A class moves the hem by stretching or squeezing the garment below the
# armpits, within these limits of its own proportions (a wrong class must not
# turn a tee into a ribbon).
STRETCH_LIMITS = (0.6, 1.8)


@dataclass
class Layer:
    """One warped garment piece: RGBA floats over ``box`` (x0, y0, x1, y1) of the output."""

    box: tuple[int, int, int, int]
    rgba: np.ndarray  # (h, w, 4) float32
    role: str  # "sleeve_root" (behind the body), "body" or "sleeve" (in front)


@dataclass
class PlacedGarment:
    """A garment warped onto the body, plus the lines the compositor needs."""

    kind: str  # "upper", "lower" or "full"
    layers: list[Layer] = field(default_factory=list)
    top_down: float = 0.0  # neckline or waistband, along the torso axis from the shoulders
    hem_down: float = 0.0  # lowest hem, same axis
    legs: bool = False  # trousers or shorts: a leg of its own round each of the person's
    seam: tuple[np.ndarray, np.ndarray] | None = None  # destination shoulder points
    neck: np.ndarray | None = None  # destination neckline point
    sleeves: dict[str, float] = field(default_factory=dict)  # side -> sleeve length on the arm
    # Where the garment's class says the hem and the sleeve ends belong (same axes), when known.
    hem_target: float | None = None
    # A shirt or polo collar stands round the neck: the neck shows above it, never painted over it.
    collar: bool = False
    sleeve_targets: dict[str, float] = field(default_factory=dict)

    def alpha(self, shape: tuple[int, int], roles: tuple[str, ...] | None = None) -> np.ndarray:
        """(H, W) float: the garment's opacity over the output, its layers' (of ``roles`` only) at most."""
        alpha = np.zeros(shape, np.float32)
        for layer in self.layers:
            if roles is None or layer.role in roles:
                x0, y0, x1, y1 = layer.box
                np.maximum(alpha[y0:y1, x0:x1], layer.rgba[..., 3], out=alpha[y0:y1, x0:x1])
        return alpha


# A kept product photo's analysis (render._analysed) comes back for its next try-on: the colours
# _prepare gives its edge, a few thousand pixels, are kept beside it, by the analysis' identity.
EDGES_KEPT = 4
_edges: OrderedDict[int, tuple[weakref.ref, np.ndarray, np.ndarray]] = OrderedDict()
_edges_lock = threading.Lock()


def _prepare(garment: GarmentAnalysis) -> np.ndarray:
    """RGBA float source; edge pixels take the colour from just inside.

    The cut-out's soft edge mixes garment and backdrop colour; left alone it
    draws a pale halo around the garment on the body.
    """
    rgb = garment.rgb.astype(np.float32)
    rgb /= 255.0  # in place: one float array of the photo's size, not two
    mask = garment.mask
    with _edges_lock:
        kept = _edges.get(id(garment))
    if kept is not None and kept[0]() is garment:
        index, colours = kept[1], kept[2]
    else:
        index, colours = _edge_colours(rgb, mask)
        with _edges_lock:
            _edges[id(garment)] = (weakref.ref(garment), index, colours)
            while len(_edges) > EDGES_KEPT:
                _edges.popitem(last=False)
    rgb.reshape(-1, 3)[index] = colours
    # OpenCV copies the colour into four channels in a third of the time of a strided assignment.
    source = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)
    source[..., 3] = mask
    return source


def _edge_colours(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cut-out's edge pixels (flat indices into ``rgb``) and the colour from just inside for each."""
    core = cv2.erode((mask > 0.95).astype(np.float32), np.ones((5, 5), np.uint8))
    sigma = max(1.5, 0.004 * max(mask.shape))
    # Both blurs are nought beyond the kernel's reach of the core: made in the core's box with
    # that margin, they are the same numbers in a fraction of the time.
    around = box_around(core != 0, gaussian_reach(sigma))
    if around is None:
        return np.zeros(0, np.intp), np.zeros((0, 3), np.float32)
    y0, y1, x0, x1 = around
    box = core[y0:y1, x0:x1]
    weight = cv2.GaussianBlur(box, (0, 0), sigma)
    # OpenCV's product with the core in three channels (the same numbers as NumPy's broadcast, a
    # third of the time), and the division at the edge's pixels only, the one place it is used.
    inner = cv2.GaussianBlur(cv2.multiply(rgb[y0:y1, x0:x1], cv2.merge([box] * 3)), (0, 0), sigma)
    edge = (box < 0.5) & (weight > EDGE_COLOUR_WEIGHT)
    ys, xs = np.nonzero(edge)
    colours = inner[edge] / np.maximum(weight[edge], 1e-4)[:, None]
    return (ys + y0) * rgb.shape[1] + (xs + x0), colours


def _open_neckline(source: np.ndarray, garment: GarmentAnalysis) -> np.ndarray:
    """Cut away the inside of the back collar, above the front neckline from collar corner to corner.

    The front neckline is the V the garment analysis measured (``neck_v_*``), or else a U down to
    ``neck_front``. Not for a shirt or polo collar: its flaps lie in that U, and the band behind
    the neck shows when worn too.
    """
    kp = garment.keypoints
    if "neck_front" not in kp or garment.neckline == "collar":
        return source
    left, right, front = kp["collar_left"], kp["collar_right"], kp["neck_front"]
    h, w = source.shape[:2]
    if "neck_v_left_0" in kp:
        edge = sorted(name for name in kp if name.startswith("neck_v_left_"))
        down_left = [kp[name] for name in edge]
        up_right = [kp[name.replace("left", "right")] for name in reversed(edge)]
        outline = [(left[0], 0), left, *down_left, front, *up_right, right, (right[0], 0)]
        # Drawn at 4x for a smooth edge, then a one-pixel soft edge like the cut-out's own.
        cut = np.zeros((h, w), np.uint8)
        cv2.fillPoly(cut, [np.round(np.array(outline, np.float64) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
        source[..., 3] *= 1.0 - cv2.GaussianBlur(cut.astype(np.float32) / 255.0, (0, 0), 0.7)
        return source
    half = max(float(right[0] - left[0]) / 2, 1.0)
    depth = float(front[1] - (left[1] + right[1]) / 2)
    x0, x1 = int(max(0, np.floor(front[0] - half))), int(min(w, np.ceil(front[0] + half) + 1))
    y1 = int(min(h, np.ceil(front[1]) + 2))
    if x1 <= x0 or y1 <= 0:
        return source
    ys, xs = np.mgrid[0:y1, x0:x1].astype(np.float32)
    across = np.clip((xs - front[0]) / half, -1.0, 1.0)
    curve = (left[1] + right[1]) / 2 + depth * np.sqrt(1.0 - across**2)
    # A one-pixel soft edge along the curve, like the cut-out's own.
    keep = np.clip((ys - curve) + 0.5, 0.0, 1.0)
    source[0:y1, x0:x1, 3] *= keep
    return source


def _down(body: Body, point: np.ndarray) -> float:
    return float(np.dot(point - body.origin, body.v))


def leg_station_down(body: Body, station: float) -> float:
    """``down`` of the point at ``station`` along the legs (0 hip joint, 1 knee, 2 ankle), legs averaged."""
    downs = []
    for side in ("left", "right"):
        hip, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
        point = hip + (knee - hip) * station if station <= 1.0 else knee + (ankle - knee) * (station - 1.0)
        downs.append(_down(body, point))
    return float(np.mean(downs))


def _station_length(path: list[np.ndarray], station: float) -> float:
    """Distance along a three-point limb path to ``station`` (0 start, 1 middle joint, 2 end)."""
    first = float(np.linalg.norm(path[1] - path[0]))
    second = float(np.linalg.norm(path[2] - path[1]))
    return first * station if station <= 1.0 else first + second * (station - 1.0)


def _stretch(target: float, natural: float, span: float, k: float) -> float:
    """Scale along the garment's length that moves its end from ``natural`` to ``target``.

    ``span`` is the source length that stretches (below the armpits, or the
    whole leg); the result stays within STRETCH_LIMITS of ``k``.
    """
    if span <= 1.0:
        return k
    wanted = k + (target - natural) / span
    return float(np.clip(wanted, STRETCH_LIMITS[0] * k, STRETCH_LIMITS[1] * k))


def _centre_at(body: Body, down: float) -> np.ndarray:
    """The torso's centre line, extended below the hips."""
    return body.origin + (body.hip_centre - body.origin) * (down / body.torso_length)


def _leg_reach(body: Body, side: str, down: float) -> float:
    """How far the outside of one leg is from the centre line at ``down``."""
    leg = body.limb(side, ("hip", "knee", "ankle"))
    downs = [_down(body, p) for p in leg]
    if down <= downs[0]:
        point, t = leg[0], 0.0
    else:
        point, t = leg[-1], 1.0
        for i in range(len(leg) - 1):
            if downs[i] <= down <= downs[i + 1] and downs[i + 1] > downs[i]:
                f = (down - downs[i]) / (downs[i + 1] - downs[i])
                point = leg[i] + (leg[i + 1] - leg[i]) * f
                t = (i + f) / (len(leg) - 1)
                break
    radius = (LEG_RADIUS_HIP + (LEG_RADIUS_ANKLE - LEG_RADIUS_HIP) * t) * body.torso_length
    across = float(np.dot(point - _centre_at(body, down), body.u))
    return abs(across) + radius if (across < 0) == (side == "left") else radius


def cover_half_widths(body: Body, down: float) -> tuple[float, float]:
    """Left and right distance from the centre line a garment must reach at ``down``."""
    left, right = body.half_widths(min(down, body.torso_length))
    if down > 0.9 * body.torso_length:
        left = max(left if down <= body.torso_length else 0.0, _leg_reach(body, "left", down))
        right = max(right if down <= body.torso_length else 0.0, _leg_reach(body, "right", down))
    return left, right


def _body_row(garment: GarmentAnalysis, y: float, label: int = 1) -> tuple[float, float] | None:
    row = int(np.clip(round(y), 0, garment.mask.shape[0] - 1))
    labels = garment.parts[row] if garment.parts is not None else (garment.mask[row] > 0.5)
    xs = np.nonzero((labels == label) & (garment.mask[row] > 0.5))[0]
    if len(xs) < 2:
        return None
    return float(xs.min()), float(xs.max())


def _box_for(dest: np.ndarray, src: np.ndarray, part_box, shape, margin: float):
    """Output box covering the part: its source box mapped by a fitted affine, and the points."""
    h, w = shape
    affine, _ = cv2.estimateAffine2D(src.astype(np.float32), dest.astype(np.float32), method=cv2.LMEDS)
    x0, y0, x1, y1 = part_box
    corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64)
    pts = [dest]
    if affine is not None:
        pts.append(corners @ affine[:, :2].T + affine[:, 2])
    allpts = np.vstack(pts)
    bx0, by0 = allpts.min(axis=0) - margin
    bx1, by1 = allpts.max(axis=0) + margin
    bx0, by0 = int(max(0, np.floor(bx0))), int(max(0, np.floor(by0)))
    bx1, by1 = int(min(w, np.ceil(bx1))), int(min(h, np.ceil(by1)))
    return bx0, by0, bx1, by1


def _part_source(source: np.ndarray, garment: GarmentAnalysis, labels: tuple[int, ...]):
    """The source RGBA with alpha limited to ``labels``, and that part's bounding box."""
    if garment.parts is None:
        keep = np.ones(garment.mask.shape, bool)
    elif garment.parts.dtype == np.uint8:
        # A table lookup per pixel: np.isin compared the whole label map with each label in turn.
        table = np.zeros(256, np.uint8)
        table[list(labels)] = 1
        keep = cv2.LUT(garment.parts, table).view(bool)
    else:
        keep = np.isin(garment.parts, labels)
    if garment.parts is not None:
        # The parts are labelled at ANALYSIS_SIDE and scaled up blocky. Where a part meets no other
        # (its outer edge) the garment's smooth mask is its edge: the part reaches out over the
        # unlabelled pixels beyond, or the blocks cut a staircase into a tee's shoulders and hems.
        block = int(np.ceil(max(keep.shape) / ANALYSIS_SIDE)) + 1
        reach = cv2.dilate(keep.view(np.uint8), np.ones((2 * block + 1, 2 * block + 1), np.uint8)).view(bool)
        keep = keep | (reach & (garment.parts == 0))
    part = source.copy()
    # The parts are labelled at analysis size and scaled up pixel-blocky; soften their borders
    # so a piece's cut edge (body beside sleeve) doesn't warp into a staircase.
    sigma = max(1.0, PART_EDGE * max(keep.shape))
    # The blur is nought beyond its kernel's reach of the part: made in the part's box with that
    # margin, the same numbers; the alpha beyond is multiplied by nought as before.
    blurred = np.zeros(keep.shape, np.float32)
    box = box_around(keep, gaussian_reach(sigma))
    if box is not None:
        y0, y1, x0, x1 = box
        blurred[y0:y1, x0:x1] = cv2.GaussianBlur(keep[y0:y1, x0:x1].astype(np.float32), (0, 0), sigma)
    part[..., 3] *= blurred
    x, y, width, height = cv2.boundingRect((keep & (garment.mask > 0.05)).view(np.uint8))
    if not width:
        return None, None
    return part, (x, y, x + width, y + height)


def _warp_part(body, part, part_box, dest, src, grid_step, role, margin) -> Layer | None:
    dest = np.asarray(dest, np.float64)
    src = np.asarray(src, np.float64)
    box = _box_for(dest, src, part_box, body.shape, margin)
    if box[2] <= box[0] or box[3] <= box[1]:
        return None
    rgba = warp_layer(part, dest, src, box, grid_step=grid_step)
    # Beyond the matched points the spline extrapolates, and stray garment
    # pixels there (a sleeve's root under the armpit) fly off as spikes:
    # keep the piece within the hull of its destination points.
    hull = cv2.convexHull(np.round(dest - [box[0], box[1]]).astype(np.int32))
    inside = np.zeros(rgba.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, hull, 1)
    grow = max(3, int(round(0.4 * margin)))
    inside = morph_by_rows(inside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)), True)
    rgba[..., 3] *= inside
    if rgba[..., 3].max() <= 0.01:
        return None
    return Layer(box=box, rgba=rgba, role=role)


def _place_top(
    body: Body,
    garment: GarmentAnalysis,
    kind: str,
    grid_step: int,
    over: PlacedGarment | None = None,
    old_sleeves: dict[str, float] | None = None,
) -> PlacedGarment:
    old_sleeves = old_sleeves or {}
    kp = garment.keypoints
    source = _open_neckline(_prepare(garment), garment)
    S, _T = body.shoulder_width, body.torso_length
    sl, sr = kp["shoulder_left"], kp["shoulder_right"]
    al, ar = kp["armpit_left"], kp["armpit_right"]
    seam_src = (sl + sr) / 2
    k = FIT_WIDTH * S / max(float(ar[0] - al[0]), 1.0)
    top_l, top_r = body.shoulder_top("left"), body.shoulder_top("right")
    seam_dst = (top_l + top_r) / 2

    # Below the armpits the garment stretches or squeezes so that its hem
    # lands where its measured length class says (a sweatshirt at the hips, a
    # crop top above the navel); shoulders and neckline keep their shape.
    pit_rel = float((al[1] + ar[1]) / 2 - seam_src[1])
    hem_rel = float((kp["hem_left"][1] + kp["hem_right"][1]) / 2 - seam_src[1])
    seam_down = _down(body, seam_dst)
    hem_target = None
    if kind == "upper" and garment.hem in TOP_HEM:
        hem_target = TOP_HEM[garment.hem] * _T
    elif kind == "full" and garment.hem in DRESS_HEM:
        hem_target = leg_station_down(body, DRESS_HEM[garment.hem])
    if over is not None and garment.hem != "crop":
        overlap = over.top_down + WAISTBAND_OVERLAP * _T
        natural = seam_down + k * hem_rel
        hem_target = max(hem_target if hem_target is not None else natural, overlap)
    kv = k
    if hem_target is not None:
        kv = _stretch(hem_target, seam_down + k * hem_rel, hem_rel - pit_rel, k)

    def similar(p):
        rel = np.asarray(p, np.float64) - seam_src
        along = k * rel[1] if rel[1] <= pit_rel else k * pit_rel + kv * (rel[1] - pit_rel)
        return seam_dst + body.u * (k * rel[0]) + body.v * along

    dest, src = [], []

    def pair(s, d):
        src.append(np.asarray(s, np.float64))
        dest.append(np.asarray(d, np.float64))

    d_sl, d_sr = similar(sl), similar(sr)
    # A sleeve's shoulder seam sits on the shoulder's outline, at least as far
    # out as the joint (a strap may sit further in).
    has_sleeves = "sleeve_left" in kp or "sleeve_right" in kp
    for s_pt, d_pt, top, side in ((sl, d_sl, top_l, "left"), (sr, d_sr, top_r, "right")):
        sign = -1.0 if side == "left" else 1.0
        across = float(np.dot(d_pt - body.origin, body.u))
        joint = float(np.dot(top - body.origin, body.u))
        if has_sleeves and sign * across < sign * joint:
            d_pt = d_pt + body.u * (joint - across) * 0.7
        pair(s_pt, d_pt)
    d_sl, d_sr = dest[0], dest[1]
    neck_dst = similar(kp["neck"])
    pair(kp["neck"], neck_dst)
    # Collar top (back of the neckline in a flat lay), kept rigid with the seam.
    top_y = float(garment.box[1])
    pair((seam_src[0], top_y), similar((seam_src[0], top_y)))
    # The top edge between collar and shoulder seam lies on the shoulder's
    # outline, so an old strap or collar there is covered, not left peeking.
    top_edge = garment.mask > 0.5
    for s_shoulder, d_shoulder in ((sl, d_sl), (sr, d_sr)):
        for f in (0.5, 0.75):
            x = float(kp["neck"][0] + (s_shoulder[0] - kp["neck"][0]) * f)
            column = np.nonzero(top_edge[:, int(np.clip(round(x), 0, top_edge.shape[1] - 1))])[0]
            if not len(column):
                continue
            across = float(np.dot(d_shoulder - body.origin, body.u)) * f
            outline = body.outline_above(body.origin + body.u * across, 0.3 * S)
            if outline is not None:
                pair((x, float(column[0])), outline)

    hem_y = float((kp["hem_left"][1] + kp["hem_right"][1]) / 2)
    levels = 7 if kind == "upper" else 11
    pit_y = float((al[1] + ar[1]) / 2)
    side_points = {}
    for i, t in enumerate(np.linspace(0.0, 1.0, levels)):
        y = pit_y + (hem_y - pit_y) * t
        row = _body_row(garment, y) if i not in (0, levels - 1) else None
        if i == 0:
            row = (float(al[0]), float(ar[0]))
        elif i == levels - 1:
            row = (float(kp["hem_left"][0]), float(kp["hem_right"][0]))
        if row is None:
            continue
        centre_src = np.array([(row[0] + row[1]) / 2, y])
        centre_d = similar(centre_src)
        down = _down(body, centre_d)
        line = _centre_at(body, down)
        need_l, need_r = cover_half_widths(body, down)
        half_l = k * (centre_src[0] - row[0])
        half_r = k * (row[1] - centre_src[0])
        # Centre the garment on the body's centre line at this height.
        shift = float(np.dot(line - centre_d, body.u))
        centre_d = centre_d + body.u * shift
        half_l = max(half_l, COVER * need_l)
        half_r = max(half_r, COVER * need_r)
        d_left = centre_d - body.u * half_l
        d_right = centre_d + body.u * half_r
        pair((row[0], y), d_left)
        pair((row[1], y), d_right)
        if i > 0:
            pair(centre_src, centre_d)
        side_points[i] = (d_left, d_right)

    # The neck stands where the flat lay shows the inside of the back: the
    # compositor shows the person there, down to the front neckline.
    placed = PlacedGarment(
        kind=kind,
        seam=(d_sl, d_sr),
        neck=similar(kp.get("neck_front", kp["neck"])),
        collar=garment.neckline == "collar",
    )
    placed.top_down = _down(body, neck_dst)
    placed.hem_down = max(_down(body, d) for d in dest)
    placed.hem_target = hem_target
    margin = 0.06 * S
    part, part_box = _part_source(source, garment, (1,) if has_sleeves else (1, 2, 3))
    if part is not None:
        layer = _warp_part(body, part, part_box, dest, src, grid_step, "body", margin)
        if layer is not None:
            placed.layers.append(layer)

    for side, label, s_sh, s_pit in (("left", 2, sl, al), ("right", 3, sr, ar)):
        if f"sleeve_{side}" not in kp:
            continue
        sleeve = _place_sleeve(body, garment, source, side, label, k, s_sh, s_pit, old_sleeves.get(side))
        if sleeve is not None:
            layers, length, target = sleeve
            placed.layers.extend(layers)
            placed.sleeves[side] = length
            if target is not None:
                placed.sleeve_targets[side] = target
    return placed


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-6)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _sleeve_pixels(garment: GarmentAnalysis, label: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows and columns of the sleeve part ``label``'s solid pixels."""
    return np.nonzero((garment.parts == label) & (garment.mask > 0.5))


def _sleeve_frame(pixels, s_root, axis, normal):
    """Measure the flat sleeve (its ``pixels``, see _sleeve_pixels) along its axis: where it starts
    and ends, and its centre offset and half-width near the root and near the end.

    A tee's sleeve starts at its armhole seam, but a long sleeve lying
    against the body starts up at the shoulder, alongside the seam; measuring
    the pixels handles both.
    """
    ys, xs = pixels
    if len(xs) < 20:
        return None
    step = max(1, len(xs) // 20000)
    rel_x, rel_y = xs[::step] - s_root[0], ys[::step] - s_root[1]
    along = rel_x * axis[0] + rel_y * axis[1]
    across = rel_x * normal[0] + rel_y * normal[1]
    start, end = np.percentile(along, 2), np.percentile(along, 98)
    span = max(end - start, 2.0)
    stations = []
    for lo, hi in ((start, start + 0.15 * span), (end - 0.15 * span, end)):
        pick = (along >= lo) & (along <= hi)
        values = across[pick] if pick.sum() >= 5 else across
        low, high = np.percentile(values, 5), np.percentile(values, 95)
        stations.append(((low + high) / 2, max((high - low) / 2, 2.0)))
    return start, end, stations


def _place_sleeve(body, garment, source, side, label, k, s_sh, s_pit, old_sleeve_end=None):
    """Wrap one sleeve along its arm (shoulder, elbow, wrist) as a tube.

    The flat sleeve is measured along the line from the middle of its armhole
    seam to its end (a short sleeve hanging beside the body: square to its
    hem, see _hanging_hem); on the body its centre line follows the arm from
    the top of the shoulder. Within the first third the sleeve's root width folds down
    to the tube's. ``old_sleeve_end`` is where the old sleeve ends on this arm (see
    ``old_sleeve_ends``), when it does on the upper arm or past the wrist.
    """
    kp = garment.keypoints
    s_end = kp[f"sleeve_{side}"].astype(np.float64)
    s_root = (s_sh + s_pit) / 2
    if float(np.linalg.norm(s_end - s_root)) < 2:
        return None
    axis = _unit(s_end - s_root)
    pixels = hem = None
    reach = abs(float(s_end[0] - s_pit[0]))
    if garment.sleeve == "short" and s_pit[1] >= s_end[1] and reach <= HANGING_REACH * float(s_pit[1] - s_sh[1]):
        pixels = _sleeve_pixels(garment, label)
        hem = _hanging_hem(pixels, label, s_pit)
    if hem is not None:
        middle, axis = hem
        s_end = s_root + axis * float(np.dot(middle - s_root, axis))
    # The flat sleeve's edge that goes to the arm's outer side is the one up and out from the
    # garment (a laid-out tee's top edge, a hanging sleeve's edge away from the body). Told by the
    # way the armhole seam leans (every dev top's shoulder point lies inside its armpit), a sleeve
    # hanging down the body's side went on mirrored: its underarm edge outside, its outer edge and
    # the backdrop's shadow beside it against the body, a grey gap at the armpit.
    n_src = np.array([-axis[1], axis[0]])
    if np.dot(n_src, [-1.0 if label == 2 else 1.0, -1.0]) < 0:
        n_src = -n_src
    seam = _unit(s_pit - s_sh)
    if hem is not None or abs(float(np.dot(seam, axis))) > np.cos(np.radians(35)):
        # A sleeve lying along its seam (hanging beside the body in the
        # photo): measure where it really starts and how wide it is.
        frame = _sleeve_frame(pixels if pixels is not None else _sleeve_pixels(garment, label), s_root, axis, n_src)
        if frame is None:
            return None
        start_src, end_src, ((root_centre, root_half_src), (end_centre, end_half_src)) = frame
    else:
        # A sleeve standing out from its seam (a tee laid flat): it starts at
        # the seam and is as wide as the armhole there.
        start_src, end_src = 0.0, float(np.linalg.norm(s_end - s_root))
        root_centre = end_centre = 0.0
        root_half_src = float(np.linalg.norm(s_sh - s_pit)) / 2
        end_half_src = max(float(kp[f"sleeve_{side}_width"][0]) / 2, 2.0)
    length_src = end_src - start_src
    S = body.shoulder_width
    arm = _sleeve_path(body, side)
    arm_length = max(polyline_length(arm), 1.0)
    upper = float(np.linalg.norm(arm[1] - arm[0]))
    # The sleeve ends where its measured class says (a long sleeve at the
    # wrist, a short one halfway down the upper arm), else at its own length.
    target = None
    if garment.sleeve in SLEEVE_END:
        target = _station_length(arm, SLEEVE_END[garment.sleeve])
        length = target
        # Over an old sleeve ending a little lower (a short one, or a long one's cuff over the
        # hand), the new one reaches on to cover it.
        reach = {"short": SLEEVE_OVER_OLD_REACH * upper, "long": OLD_CUFF_TO * float(np.linalg.norm(arm[2] - arm[1]))}
        old_end = old_sleeve_end if garment.sleeve in reach else None
        if old_end is not None and target < old_end < target + reach[garment.sleeve]:
            length = old_end + SLEEVE_OVER_OLD * S
    else:
        length = min(k * length_src, arm_length + 0.12 * S)
    outward = -body.u if side == "left" else body.u
    # A flat sleeve is half its circumference wide; worn, it is a tube round
    # the arm, and a tube seen from the side is its diameter wide: 2/pi of flat.
    front = k / SLEEVE_FLAT_TO_FRONT
    root_half_dst = min(front * root_half_src, 0.2 * S)
    end_half_dst = max(front * end_half_src, 1.15 * 0.09 * S)

    upper_half = _upper_arm_half_width(body, arm, outward)
    forearm_half = _forearm_half_width(body, arm, outward, upper_half)
    cap_stations, cap_reach = _shoulder_cap(body, arm, outward)
    cap_ease = SLEEVE_CAP_EASE * S

    def to_source(s, d):
        f = np.clip(s / length, 0.0, None)
        arm_half = upper_half * (1.0 - 0.3 * np.clip(s / arm_length, 0.0, 1.0))
        past_elbow = _smoothstep((s - upper) / max(FOREARM_NARROWED_BY * (arm_length - upper), 1.0))
        arm_half = arm_half + (np.minimum(arm_half, forearm_half) - arm_half) * past_elbow
        tube = np.maximum(front * end_half_src, 1.15 * arm_half)
        half_d = root_half_dst + (tube - root_half_dst) * _smoothstep(f / 0.35)
        # Inwards, the root reaches under the torso panel at least as far as the
        # arm is wide: a narrow armhole left the shoulder showing between them.
        half_d = np.where(d < 0, np.maximum(half_d, tube), half_d)
        # On the outer side a sleeve falls from the shoulder along the arm, over
        # the deltoid's curve (the photo's outline, old sleeve included), and
        # only further down is free to take its own width: drawn out from the
        # top of the shoulder as wide as its flat root, it stood off the shoulder
        # as a square tab; as narrow as the armhole, it left the deltoid bare.
        # Past the cap, a sleeve wider there than its tube narrows to the tube by the elbow,
        # as the deltoid gives way to the upper arm: held at the cap's width, a long sleeve
        # hung off the arm like a board.
        cap_edge = np.interp(s, cap_stations, cap_reach) + cap_ease
        cap_end = cap_stations[-1]
        opening = _smoothstep(s / max(cap_end, 1.0))
        narrowing = _smoothstep((s - cap_end) / max(upper - cap_end, 1.0))
        outer = cap_edge + (tube - cap_edge) * np.where(tube >= cap_edge, opening, narrowing)
        half_d = np.where(d > 0, outer, half_d)
        g = np.clip(f, 0.0, 1.0)
        half_s = root_half_src + (end_half_src - root_half_src) * g
        centre = root_centre + (end_centre - root_centre) * g
        along = start_src + s * (length_src / length)
        across = centre + d * (half_s / np.maximum(half_d, 1.0))
        x = s_root[0] + axis[0] * along + n_src[0] * across
        y = s_root[1] + axis[1] * along + n_src[1] * across
        # Above the shoulder the torso piece carries the shoulder; a sleeve
        # drawn there would stick up like an ear.
        behind = (s < -0.02 * S) | (d > outer)
        x[behind] = -1e4
        y[behind] = -1e4
        return x, y

    part, _ = _part_source(source, garment, (label,))
    if part is None:
        return None
    ends = [polyline_point(arm, length * t)[0] for t in (0.0, 0.5, 1.0)] + arm[:1]
    box = _tube_box(body, ends, 1.3 * max(root_half_dst, end_half_dst) + 4)
    if box is None:
        return None
    path = arm if length <= arm_length else arm + [polyline_point(arm, length)[0]]
    map_x, map_y, along_arm = tube_maps(path, outward, box, to_source)
    rgba = cv2.remap(part, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    if rgba[..., 3].max() <= 0.01:
        return None
    # Drawn out along the arm (a short sleeve reaching over an old one) and round it, the sleeve's
    # cut-out edge softened with it: its hem was a pinkish fringe over the arm 4-5 px wide.
    rgba[..., 3] = _smoothstep((rgba[..., 3] - 0.5) * SLEEVE_EDGE_SHARPEN + 0.5)
    # Around the armpit the sleeve goes behind the torso panel (seen from the
    # front, the panel's side seam is in front of the sleeve's inner half);
    # further down the arm, the sleeve is in front of whatever it passes.
    behind = 1.0 - _smoothstep((along_arm - SLEEVE_BEHIND * upper) / (0.08 * upper) + 0.5)
    root = rgba.copy()
    alpha = rgba[..., 3]
    root[..., 3] = alpha * behind
    # Laid over the root, the front part completes the sleeve's own alpha
    # exactly, so the hand-over leaves no see-through seam.
    rgba[..., 3] = alpha * (1.0 - behind) / np.maximum(1.0 - alpha * behind, 1e-6)
    return [Layer(box=box, rgba=root, role="sleeve_root"), Layer(box=box, rgba=rgba, role="sleeve")], length, target


def _hanging_hem(pixels, label: int, armpit: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The middle of a hanging sleeve's hem and the unit direction square to it, down the sleeve,
    fitted to the bottom edge of the sleeve part ``label`` (its ``pixels``, see _sleeve_pixels) out
    from ``armpit``; None when too few columns show it, or the hem is too steep for a sleeve hanging
    down (HANGING_HEM_STEEPEST)."""
    ys, xs = pixels
    if len(xs) < 20:
        return None
    x0 = int(xs.min())
    bottom = np.full(int(xs.max()) - x0 + 1, -1)
    np.maximum.at(bottom, xs - x0, ys)
    columns = np.arange(x0, x0 + len(bottom))
    reach = (columns - float(armpit[0])) * (-1.0 if label == 2 else 1.0)
    furthest = float(reach.max())
    fit = (bottom >= 0) & (reach >= HANGING_HEM_FIT[0] * furthest) & (reach <= HANGING_HEM_FIT[1] * furthest)
    if furthest <= 0 or fit.sum() < 5:
        return None
    slope, offset = np.polyfit(columns[fit], bottom[fit], 1)
    down = _unit(np.array([-slope, 1.0]))
    if down[1] < np.cos(np.radians(HANGING_HEM_STEEPEST)):
        return None
    middle_x = float(columns[fit].mean())
    return np.array([middle_x, slope * middle_x + offset]), down


def _tube_box(body: Body, points: list[np.ndarray], reach: float) -> tuple[int, int, int, int] | None:
    """The output box (x0, y0, x1, y1) around a tube's centre ``points`` and ``reach`` more, in the
    image; None when that is empty."""
    h, w = body.shape
    x0, y0 = np.floor(np.min(points, axis=0) - reach).astype(int)
    x1, y1 = np.ceil(np.max(points, axis=0) + reach).astype(int)
    box = (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
    return box if box[2] > box[0] and box[3] > box[1] else None


def _outward_at(path: list[np.ndarray], distance: float, outward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The point ``distance`` along an arm's ``path`` and the unit normal there on the ``outward`` side."""
    point, direction = polyline_point(path, distance)
    normal = np.array([-direction[1], direction[0]])
    return point, (normal if np.dot(normal, outward) >= 0 else -normal)


def _shoulder_cap(body: Body, arm: list[np.ndarray], outward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far the outline reaches out from the arm's line over the top half of the
    upper arm (from the top of the shoulder): stations along the line and the reach
    at each, never less than above it down to the widest. Where no outline is found nearby,
    the reach is the upper arm's width."""
    S = body.shoulder_width
    upper = float(np.linalg.norm(arm[1] - arm[0]))
    stations = np.linspace(0.0, 0.5 * upper, 8)
    fallback = _upper_arm_half_width(body, arm, outward)
    reaches = []
    for s in stations:
        point, normal = _outward_at(arm, float(s), outward)
        edge = body.outline_towards(point, normal, 0.35 * S)
        reaches.append(fallback if edge is None else float(np.linalg.norm(edge - point)))
    reaches = np.minimum(np.array(reaches), SHOULDER_CAP_WIDEST * S)
    # Up to the deltoid's widest the reach only grows (hair or a strap dips in the outline there);
    # below it the cloth follows the arm in, and a sleeve held at the widest reach down to its hem
    # stood off the upper arm as a puff.
    widest = int(np.argmax(reaches))
    reaches[:widest] = np.maximum.accumulate(reaches[:widest])
    return stations, reaches


def _upper_arm_half_width(body: Body, arm: list[np.ndarray], outward: np.ndarray) -> float:
    """How far the upper arm reaches out from its centre line, as the photo shows it.

    The joint line runs inside the deltoid, and a sleeve only as wide as a
    standard arm left the old sleeve showing outside it: measure from the
    line to the outline (the old sleeve included) on the outer side, along
    the upper arm, and keep the result between a thin and a very broad arm.
    """
    S = body.shoulder_width
    upper = float(np.linalg.norm(arm[1] - arm[0]))
    reaches = _outline_reaches(body, arm, outward, [t * upper for t in (0.3, 0.5, 0.7)])
    if not reaches:
        return 0.13 * S
    return float(np.clip(np.median(reaches), 0.11 * S, UPPER_ARM_WIDEST * S))


def _outline_reaches(body: Body, arm: list[np.ndarray], outward: np.ndarray, distances) -> list[float]:
    """How far the person's outline is from the arm's line on the ``outward`` side, at each of
    ``distances`` along it where an outline is found within 0.35 of the shoulder width."""
    reaches = []
    for distance in distances:
        point, normal = _outward_at(arm, distance, outward)
        edge = body.outline_towards(point, normal, 0.35 * body.shoulder_width)
        if edge is not None:
            reaches.append(float(np.linalg.norm(edge - point)))
    return reaches


def _forearm_half_width(body: Body, arm: list[np.ndarray], outward: np.ndarray, upper_half: float) -> float:
    """How far the forearm reaches out from its centre line, as the photo shows it (the old sleeve
    included), at least FOREARM_THINNEST of the shoulder width; ``upper_half`` where no outline is
    found nearby."""
    upper = float(np.linalg.norm(arm[1] - arm[0]))
    forearm = float(np.linalg.norm(arm[2] - arm[1]))
    reaches = _outline_reaches(body, arm, outward, [upper + t * forearm for t in (0.3, 0.5, 0.7)])
    if not reaches:
        return upper_half
    return max(float(np.median(reaches)), FOREARM_THINNEST * body.shoulder_width)


def old_top_end_down(lab: np.ndarray, body: Body, skin: np.ndarray | None) -> float | None:
    """Where the old top ends and the old bottom (or its waistband, a belt) begins, along the
    torso axis, read off the photo's ``lab`` colours down the body's centre from mid-chest;
    infinity when the top's colour runs on past the hips (a dress, a jumpsuit, a long top). When
    the top is not plain (a print, a heathered tee, an open jacket), read up from the hips through
    a plain old bottom instead (see _old_bottom_top); None when neither says, or the photo ends first.

    A new bottom whose rise is lower than the old one's would leave the old waistband showing
    above it (a band of black trousers under a tucked-in shirt). Read from the top down: a plain
    top (or bare skin) is one colour, while the old bottom may be a print. Below a short top a
    bared midriff (``skin``, the person's skin colour) is passed over: the old bottom begins
    where the skin ends.
    """
    S, T = body.shoulder_width, body.torso_length
    hip_down = _down(body, body.hip_centre)
    h, w = lab.shape[:2]
    half = max(2, int(OLD_WAIST_SAMPLE * S))

    def window(down: float, rows: int) -> np.ndarray | None:
        x, y = np.round(_centre_at(body, down)).astype(int)
        if not (half <= x < w - half and rows <= y < h - rows) or body.mask[y, x] < 0.5:
            return None
        return lab[y - rows : y + rows + 1, x - half : x + half + 1].reshape(-1, 3)

    # Mid-chest; lower where that is out of the photo or not plain (a necklace, a print).
    for share in OLD_TOP_SAMPLED_AT:
        start = hip_down - share * T
        sample = window(start, max(2, int(0.04 * T)))
        if sample is not None and np.std(sample[:, 0]) <= OLD_TOP_PLAIN:
            break
    else:
        return _old_bottom_top(lab, body, skin, window)
    top = np.median(sample, axis=0)
    step = max(1.0, 0.01 * T)
    down, apart, midriff = start, 0, False
    while down < hip_down + OLD_TOP_LOWEST * T:
        down += step
        here = window(down, 1)
        if here is None:
            return None
        colour = np.median(here, axis=0)
        on_skin = skin is not None and bool(is_skin(colour[None], skin)[0])
        differs = not on_skin if midriff else _another_colour(colour, top)
        apart = apart + 1 if differs else 0
        if apart == 2:
            if midriff or not on_skin:
                return down - step
            midriff, apart = True, 0
    return math.inf


def _old_bottom_top(lab: np.ndarray, body: Body, skin: np.ndarray | None, window) -> float | None:
    """Where the old bottom begins, read up the body's centre from the hips through its own plain
    colour, when the old top's says nothing (a heathered tee, an open jacket, crossed arms); None
    when the bottom there is not plain, is skin, is not the colour down both thighs too (a long top
    over leggings: that is the top), or runs on up to mid-chest. ``window(down, rows)`` is
    old_top_end_down's sample of ``lab`` on the centre line.
    """
    T = body.torso_length
    hip_down = _down(body, body.hip_centre)
    sample = window(hip_down, max(2, int(0.04 * T)))
    if sample is None or np.std(sample[:, 0]) > OLD_TOP_PLAIN:
        return None
    bottom = np.median(sample, axis=0)
    if skin is not None and bool(is_skin(bottom[None], skin)[0]):
        return None
    h, w = lab.shape[:2]
    half = max(2, int(OLD_WAIST_SAMPLE * body.shoulder_width))
    for side in ("left", "right"):
        hip, knee = body.limb(side, ("hip", "knee"))[:2]
        x, y = np.round(hip + OLD_BOTTOM_THIGH * (knee - hip)).astype(int)
        if not (half <= x < w - half and half <= y < h - half) or body.mask[y, x] < 0.5:
            return None
        thigh = np.median(lab[y - half : y + half + 1, x - half : x + half + 1].reshape(-1, 3), axis=0)
        if _another_colour(thigh, bottom):
            return None
    step = max(1.0, 0.01 * T)
    down, apart = hip_down, 0
    while down > hip_down - OLD_TOP_SAMPLED_AT[0] * T:
        down -= step
        here = window(down, 1)
        if here is None:
            return None
        apart = apart + 1 if _another_colour(np.median(here, axis=0), bottom) else 0
        if apart == 2:
            # The first row that is no longer the old bottom, as read from the top down.
            return down + step
    return None


def long_old_top(body: Body, old_top_end: float) -> bool:
    """Whether an old top ending ``old_top_end`` down the body (see old_top_end_down) is a long
    top worn out, or a dress: one ending above the hips ends at the old bottom's waistband."""
    return old_top_end >= _down(body, body.hip_centre) - OLD_WAIST_ABOVE_HIPS * body.torso_length


def _sleeve_path(body: Body, side: str) -> list[np.ndarray]:
    """The line a sleeve follows down one arm: from the top of the shoulder (the joint is inside
    the deltoid) by the elbow to the wrist."""
    arm = body.limb(side, ("shoulder", "elbow", "wrist"))
    top = body.shoulder_top(side)
    return [top] + arm[1:] if np.linalg.norm(arm[1] - top) > 1 else arm


def old_sleeve_ends(lab: np.ndarray, body: Body, skin: np.ndarray | None) -> dict[str, float]:
    """Where each old sleeve ends, on the upper arm (a short one) or past the wrist (a long one
    with a cuff over the hand): its distance down the sleeve's path (see ``_sleeve_path``), for
    the arms that show an old sleeve and then bare skin.

    A new short sleeve a little shorter than the old one left a band of the old sleeve to be
    filled as skin, whose outline was the old sleeve's, wider than the arm: a pale, stepped
    patch under the new sleeve's hem. A new long sleeve ending at the wrist left the old one's
    cuff below it, a black band over the back of a hand under a sheer old sleeve (the skin seen
    through it passes for the wrist's shadow). Read along the arm's core.
    """
    ends: dict[str, float] = {}
    if skin is None:
        return ends
    for side in ("left", "right"):
        path = _sleeve_path(body, side)
        outward = -body.u if side == "left" else body.u
        stations = np.arange(OLD_SLEEVE_FROM, 1.0, OLD_SLEEVE_STEP) * float(np.linalg.norm(path[1] - path[0]))
        # A sleeve round the top of the arm, its outer side too: a tank's armhole edge lies along
        # the inner side of a bare arm.
        top = _arm_skin_share(lab, body, skin, path, outward, float(stations[0]), outer=True)
        if top is None or top > 1.0 - OLD_SLEEVE_SKIN:
            continue
        end = _skin_after_sleeve(lab, body, skin, path, outward, stations)
        if end is None and body.seen(side, "wrist"):
            forearm = float(np.linalg.norm(path[2] - path[1]))
            wrist = _station_length(path, 2.0)
            cuff = wrist + np.arange(-OLD_CUFF_FROM, OLD_CUFF_TO, OLD_SLEEVE_STEP) * forearm
            above = _arm_skin_share(lab, body, skin, path, outward, float(cuff[0]))
            if above is not None and above <= 1.0 - OLD_SLEEVE_SKIN:
                end = _skin_after_sleeve(lab, body, skin, path, outward, cuff)
                # Ending above the wrist, a new long sleeve covers it anyway.
                end = end if end is not None and end > wrist else None
        if end is not None:
            ends[side] = end
    return ends


def _skin_after_sleeve(lab, body: Body, skin, path, outward, stations: np.ndarray) -> float | None:
    """The first of ``stations`` down ``path`` (after the first) whose core is skin, and the next
    one's too: where a sleeve seen at the first station ends; None where it does not end there."""
    shares = [_arm_skin_share(lab, body, skin, path, outward, float(s)) for s in stations]
    for i in range(1, len(shares) - 1):
        if shares[i] is None:
            return None
        if shares[i] >= OLD_SLEEVE_SKIN and (shares[i + 1] or 0.0) >= OLD_SLEEVE_SKIN:
            return float(stations[i])
    return None


def _arm_skin_share(lab, body: Body, skin, path, outward, s: float, outer: bool = False) -> float | None:
    """The share of skin across the arm's core ``s`` down ``path`` (or, ``outer``, just inside its
    outer outline, on the ``outward`` side), on the person only; None where too little of that is
    on the person."""
    S = body.shoulder_width
    h, w = lab.shape[:2]
    point, normal = _outward_at(path, s, outward)
    across = np.linspace(-OLD_SLEEVE_CORE, OLD_SLEEVE_CORE, 9) * S
    if outer:
        # Just inside the arm's outer outline: the joint's line runs down the arm's inner side.
        edge = body.outline_towards(point, normal, 0.35 * S)
        if edge is None:
            return None
        point, across = edge, -np.linspace(0.02, 0.02 + OLD_SLEEVE_CORE, 9) * S
    xs, ys = (np.round(point[None] + across[:, None] * normal[None]).astype(int)).T
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    xs, ys = xs[inside], ys[inside]
    # Near the top of the shoulder the core reaches past the outline: the backdrop is neither.
    on_person = body.mask[ys, xs] > 0.5
    if on_person.sum() < len(across) // 2:
        return None
    return float(is_skin(lab[ys[on_person], xs[on_person]], skin).mean())


def _another_colour(colour: np.ndarray, top: np.ndarray) -> bool:
    """Whether Lab ``colour`` down the body is no longer the old top's ``top``.

    Beyond OLD_WAIST_DELTA_E, except for the top's own shadow (a loose top's fold overhanging
    its hem): darker, the same hue within OLD_TOP_SHADOW_HUE degrees, its chroma falling with
    its lightness. A grey or white top has no hue to keep, and its shadow counts as another colour.
    """
    if np.linalg.norm(colour - top) <= OLD_WAIST_DELTA_E:
        return False
    chroma, top_chroma = float(np.hypot(colour[1], colour[2])), float(np.hypot(top[1], top[2]))
    if top_chroma < OLD_TOP_SHADOW_CHROMA or colour[0] >= top[0] or chroma < 0.5 * OLD_TOP_SHADOW_CHROMA:
        return True
    turn = np.degrees(np.arctan2(colour[2], colour[1]) - np.arctan2(top[2], top[1]))
    turn = abs((turn + 180.0) % 360.0 - 180.0)
    darker = float(colour[0]) / max(float(top[0]), 1.0)
    fades = 0.5 * darker <= chroma / top_chroma <= 1.5 * max(darker, 0.5)
    return not (turn < OLD_TOP_SHADOW_HUE and fades)


def _top_edge_between(mask: np.ndarray, left: np.ndarray, right: np.ndarray) -> float:
    """The row of ``mask``'s top edge in the middle fifth between the ``left`` and ``right``
    corners of a waistband (their own row where nothing is solid there)."""
    solid = mask > 0.5
    x0, x1 = float(left[0]), float(right[0])
    columns = solid[:, int(round(x0 + 0.4 * (x1 - x0))) : int(round(x0 + 0.6 * (x1 - x0))) + 1]
    columns = columns[:, columns.any(axis=0)]
    corners = float(min(left[1], right[1]))
    if not columns.size:
        return corners
    return max(corners, float(np.median(np.argmax(columns, axis=0))))


def _place_bottom(
    body: Body, garment: GarmentAnalysis, grid_step: int, old_top_end: float | None = None
) -> PlacedGarment:
    kp = garment.keypoints
    source = _prepare(garment)
    T = body.torso_length
    wl_s, wr_s = kp["waist_left"], kp["waist_right"]
    # The waistband's middle, on its top edge: a flat lay's corners often stand higher, and with
    # the middle placed by them it sat below the waistband's line, the old clothes above it going
    # to the backdrop as a white band under the top.
    waist_src = np.array([(wl_s[0] + wr_s[0]) / 2, _top_edge_between(garment.mask, wl_s, wr_s)])
    width_src = max(float(wr_s[0] - wl_s[0]), 1.0)
    crotch_src = kp.get("crotch")
    hip_down = _down(body, body.hip_centre)
    crotch_down = hip_down + CROTCH_DROP * T
    # The waistband's height follows the garment's rise: solve for the scale
    # twice, since the body's width depends on where the waistband lands.
    waist_down = hip_down - 0.15 * T
    for _ in range(2):
        need_l, need_r = body.half_widths(waist_down)
        k = FLAT_TO_FRONT * (need_l + need_r) / width_src
        if crotch_src is not None:
            waist_down = crotch_down - k * float(crotch_src[1] - waist_src[1])
        waist_down = float(np.clip(waist_down, hip_down - 0.28 * T, hip_down - 0.05 * T))
    old_waist = None if old_top_end is None or long_old_top(body, old_top_end) else old_top_end
    if old_waist is not None:
        # On the person's own waistline, over the old waistband: up over it, the rise stretches
        # and the hems stay where they belong; down to it from the highest the rise allows, where
        # every dev bottom with legs lands (their flat rise is no guide).
        waist_down = float(np.clip(waist_down, old_waist - WAISTBAND_ABOVE_OLD * T, old_waist - WAISTBAND_OVER_OLD * T))
    need_l, need_r = body.half_widths(waist_down)
    k = FLAT_TO_FRONT * (need_l + need_r) / width_src
    # Across, the garment is seen from the front: narrower than it lies flat.
    kx = k / FLAT_TO_FRONT
    waist_dst = _centre_at(body, waist_down)
    hem_class = garment.hem
    station = BOTTOM_HEM.get(hem_class)
    hem_target = leg_station_down(body, station) if station is not None else None
    # A skirt's length follows its class the way a top's does: stretched or
    # squeezed so the hem lands at the mini, knee, midi or ankle line.
    ky = k
    if crotch_src is None and hem_target is not None:
        hem_rel = float((kp["hem_left"][1] + kp["hem_right"][1]) / 2 - waist_src[1])
        ky = _stretch(hem_target, waist_down + k * hem_rel, hem_rel, k)

    def similar(p):
        rel = np.asarray(p, np.float64) - waist_src
        return waist_dst + body.u * (kx * rel[0]) + body.v * (ky * rel[1])

    dest, src = [], []

    def pair(s, d):
        src.append(np.asarray(s, np.float64))
        dest.append(np.asarray(d, np.float64))

    pair(wl_s, waist_dst - body.u * COVER * need_l)
    pair(wr_s, waist_dst + body.u * COVER * need_r)
    pair(waist_src, waist_dst)
    waistband_pairs = len(src)

    placed = PlacedGarment(kind="lower", top_down=waist_down, hem_target=hem_target)
    part, part_box = _part_source(source, garment, (1, 2, 3))
    leg_layers: list[Layer] = []
    if crotch_src is not None:
        hems = []
        # How far down each leg's first station (the flat leg's middle, or its hem) lands.
        first_stations = []
        # Legs bent at the hip or the knee (seated, striding far) are wrapped along them as
        # tubes, as sleeves are along arms: a warp through a few points smeared them into a Z.
        bent = legs_bent(body)
        # Legs crossed at the knees, their feet out of the photo (a walk cut off at the shins): a
        # warp through both legs' points folded the garment between them into a swirl. With no
        # shoe to meet, each trouser leg hangs straight down from its hip instead.
        straight = not bent and legs_crossed(body) and not any(body.seen(side, "ankle") for side in ("left", "right"))
        for side in ("left", "right"):
            outer, inner = kp.get(f"leg_{side}_outer"), kp.get(f"leg_{side}_inner")
            if outer is None or inner is None:
                continue
            knee_o, knee_i = kp.get(f"knee_{side}_outer"), kp.get(f"knee_{side}_inner")
            row = garment.mask[int(np.clip(crotch_src[1] + 2, 0, garment.mask.shape[0] - 1))] > 0.5
            xs = np.nonzero(row)[0]
            edge = float(xs.min() if side == "left" else xs.max()) if len(xs) else float(outer[0])
            top_src = np.array([(edge + crotch_src[0]) / 2, crotch_src[1]])
            leg = body.limb(side, ("hip", "knee", "ankle"))
            if straight:
                thigh, shin = (float(np.linalg.norm(b - a)) for a, b in zip(leg[:-1], leg[1:], strict=True))
                leg = [leg[0], leg[0] + body.v * thigh, leg[0] + body.v * (thigh + shin)]
            start = max(0.0, crotch_down - _down(body, leg[0]))
            full = polyline_length(leg)
            sign = -1.0 if side == "left" else 1.0
            stations = []
            if knee_o is not None and knee_i is not None:
                stations.append((knee_o, knee_i))
            stations.append((outer, inner))
            hem_src = (outer + inner) / 2
            src_leg = float(np.linalg.norm(hem_src - top_src))
            if station is not None:
                # Trouser legs end where the class says: full length at the ankle, not mid-calf.
                along = _station_length(leg, station) + (_past_the_ankle(body, side, leg) if station >= 2.0 else 0.0)
                scale = _stretch(along - start, k * src_leg, src_leg, k) / k
            else:
                scale = min(1.0, (full - start + HEM_PAST_ANKLE * T) / max(k * src_leg, 1.0))
            if bent and part is not None:
                tube = _leg_tube(body, garment, part, side, top_src, edge, stations, leg, start, k * scale, kx)
                if tube is not None:
                    layer, end_down = tube
                    leg_layers.append(layer)
                    hems.append(end_down)
                continue
            for index, (s_out, s_in) in enumerate(stations):
                centre_s = (s_out + s_in) / 2
                along = k * scale * float(np.linalg.norm(centre_s - top_src))
                c_d, direction = polyline_point(leg, start + along)
                n_d = np.array([-direction[1], direction[0]])
                if np.dot(n_d, body.u) * sign < 0:
                    n_d = -n_d
                half = kx * float(np.linalg.norm(s_out - s_in)) / 2
                half = max(half, 0.05 * T)
                pair(s_out, c_d + n_d * half)
                pair(s_in, c_d - n_d * half)
                pair(centre_s, c_d)
                hems.append(_down(body, c_d))
                if index == 0:
                    first_stations.append(_down(body, c_d))
        # The flat lay's crotch often lies lower on the body than the legs' tops (which start at
        # the body's crotch), and is kept there; but past CROTCH_TO_STATION of the way down to the
        # legs' first station the warp folded the garment over itself (short legs: shorts' crotch
        # below their hems, backdrop up to the waistband; a swirl at wide trousers' knees). The seat
        # above it is squeezed with it.
        crotch_flat = _down(body, similar(crotch_src))
        crotch_at = max(crotch_down, crotch_flat)
        if first_stations:
            crotch_at = min(crotch_at, crotch_down + CROTCH_TO_STATION * max(min(first_stations) - crotch_down, 0.0))
        seat = (crotch_at - waist_down) / max(crotch_flat - waist_down, 1.0)
        crotch_dst = _centre_at(body, crotch_at)
        # The seat's points go before the legs', where the warp's fit has always had them.
        legs_src, legs_dest = src[waistband_pairs:], dest[waistband_pairs:]
        del src[waistband_pairs:], dest[waistband_pairs:]
        pair(crotch_src, crotch_dst)
        for name, side in (("hip_left", "left"), ("hip_right", "right")):
            if name not in kp:
                continue
            d = similar(kp[name])
            d = d - body.v * (1.0 - min(seat, 1.0)) * (_down(body, d) - waist_down)
            down = _down(body, d)
            need = cover_half_widths(body, down)[0 if side == "left" else 1]
            line = _centre_at(body, down)
            across = float(np.dot(d - line, body.u))
            sign = -1.0 if side == "left" else 1.0
            pair(kp[name], line + body.u * sign * max(abs(across), COVER * need))
        src.extend(legs_src)
        dest.extend(legs_dest)
        placed.hem_down = max(hems) if hems else _down(body, crotch_dst)
        placed.legs = bool(hems)
    else:
        hem_y = float((kp["hem_left"][1] + kp["hem_right"][1]) / 2)
        for t in (0.35, 0.7, 1.0):
            y = float(waist_src[1] + (hem_y - waist_src[1]) * t)
            row = _body_row(garment, y) if t < 1.0 else (float(kp["hem_left"][0]), float(kp["hem_right"][0]))
            if row is None:
                continue
            centre_s = np.array([(row[0] + row[1]) / 2, y])
            down = _down(body, similar(centre_s))
            line = _centre_at(body, down)
            need_l, need_r = cover_half_widths(body, down)
            half_l = max(kx * (centre_s[0] - row[0]), COVER * need_l)
            half_r = max(kx * (row[1] - centre_s[0]), COVER * need_r)
            pair((row[0], y), line - body.u * half_l)
            pair((row[1], y), line + body.u * half_r)
            pair(centre_s, line)
            placed.hem_down = down
    if part is not None:
        if leg_layers:
            # The legs are tubes of their own: the seat's warp keeps the garment down to where the
            # tubes take over, above the crotch (a thigh's top warped with the seat stood off
            # between the legs).
            rows = np.arange(part.shape[0], dtype=np.float32)[:, None]
            fade = max(2.0, LEG_TUBE_OVERLAP * garment.mask.shape[0])
            part[..., 3] *= np.clip((_seat_end(kp) + fade - rows) / fade, 0.0, 1.0)
        layer = _warp_part(body, part, part_box, dest, src, grid_step, "body", 0.05 * T)
        if layer is not None:
            placed.layers.append(layer)
    placed.layers.extend(leg_layers)
    return placed


def _past_the_ankle(body: Body, side: str, leg: list[np.ndarray]) -> float:
    """How far down the shin's line past the ankle joint a full-length trouser leg reaches: to the
    heel's height where the heel is seen (the hem resting on the shoe), never less than half of
    HEM_PAST_ANKLE nor more than HEM_ON_SHOE_MOST of the torso."""
    T = body.torso_length
    least = 0.5 * HEM_PAST_ANKLE * T
    if not body.seen(side, "heel"):
        return least
    shin = _unit(leg[-1] - leg[-2])
    heel = float(np.dot(body.point(side, "heel") - leg[-1], shin))
    return float(np.clip(heel, least, HEM_ON_SHOE_MOST * T))


def _seat_end(kp: dict[str, np.ndarray]) -> float:
    """The flat lay's row where a bottom's seat gives way to its legs (tubes when the legs bend)."""
    waist = (kp["waist_left"][1] + kp["waist_right"][1]) / 2
    return float(kp["crotch"][1] - LEG_TUBE_FROM * (kp["crotch"][1] - waist))


def legs_bent(body: Body) -> bool:
    """Whether a thigh leaves the torso's line, or a knee bends, by more than LEG_BENT degrees."""
    limit = np.cos(np.radians(LEG_BENT))
    for side in ("left", "right"):
        hip, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
        thigh, shin = _unit(knee - hip), _unit(ankle - knee)
        if float(np.dot(thigh, body.v)) < limit or float(np.dot(thigh, shin)) < limit:
            return True
    return False


def legs_crossed(body: Body) -> bool:
    """Whether the knees are the other way round across the body from the hips (legs crossed,
    one stepping over the other): a warp through the two legs' points then folds the garment
    between them into a swirl."""
    hips = [float(np.dot(body.point(side, "hip"), body.u)) for side in ("left", "right")]
    knees = [float(np.dot(body.point(side, "knee"), body.u)) for side in ("left", "right")]
    return (hips[0] - hips[1]) * (knees[0] - knees[1]) < 0


def _leg_tube(body, garment, part, side, top_src, edge, stations, leg, start, scale, kx):
    """One trouser leg wrapped along its leg from the crotch's height, as a tube: (layer, hem's down).

    The flat leg is measured from the middle of its run at the crotch's row to the middle of its
    hem, with its half width there, at the knee when known, and at the hem; on the body its centre
    follows hip, knee and ankle from ``start`` (arc length), ``scale`` times as long as it lies.
    ``part`` is the garment's source RGBA (``_part_source``).
    """
    outer_hem, inner_hem = stations[-1]
    hem_src = (outer_hem + inner_hem) / 2
    length_src = float(np.linalg.norm(hem_src - top_src))
    if length_src < 2:
        return None
    axis = _unit(hem_src - top_src)
    normal = np.array([-axis[1], axis[0]])
    sign = -1.0 if side == "left" else 1.0
    if normal[0] * sign < 0:
        normal = -normal
    along_src, half_src, centre_src = [0.0], [abs(edge - top_src[0])], [0.0]
    for s_out, s_in in stations:
        centre = (s_out + s_in) / 2
        along_src.append(float(np.dot(centre - top_src, axis)))
        half_src.append(float(np.linalg.norm(s_out - s_in)) / 2)
        centre_src.append(float(np.dot(centre - top_src, normal)))
    T = body.torso_length
    length = scale * length_src
    path = list(leg)
    end = start + length
    if end > polyline_length(path):
        path = path + [polyline_point(path, end)[0]]
    halves_dst = [max(kx * h, 0.05 * T) for h in half_src]
    # Up to where the seat's warp ends, and a little more, so the two overlap.
    overlap = top_src[1] - _seat_end(garment.keypoints) + 2 * LEG_TUBE_OVERLAP * garment.mask.shape[0]

    def to_source(s, d):
        a = (s - start) / scale
        half_s = np.interp(a, along_src, half_src)
        half_d = np.interp(a, along_src, halves_dst)
        centre = np.interp(a, along_src, centre_src)
        across = centre + d * (half_s / np.maximum(half_d, 1.0))
        x = top_src[0] + axis[0] * a + normal[0] * across
        y = top_src[1] + axis[1] * a + normal[1] * across
        outside = (np.abs(d) > half_d) | (a < -overlap) | (a > length_src)
        x[outside] = -1e4
        y[outside] = -1e4
        return x, y

    points = [polyline_point(path, float(t))[0] for t in np.linspace(start, end, 8)]
    box = _tube_box(body, points, 1.3 * max(halves_dst) + 4)
    if box is None:
        return None
    outward = -body.u if side == "left" else body.u
    map_x, map_y, _ = tube_maps(path, outward, box, to_source)
    rgba = cv2.remap(part, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    if rgba[..., 3].max() <= 0.01:
        return None
    return Layer(box=box, rgba=rgba, role="body"), _down(body, polyline_point(path, end)[0])


def place_garment(
    body: Body,
    garment: GarmentAnalysis,
    kind: str,
    grid_step: int = 8,
    over: PlacedGarment | None = None,
    old_top_end: float | None = None,
    old_sleeves: dict[str, float] | None = None,
) -> PlacedGarment:
    """Warp ``garment`` (analysed as ``kind``) onto ``body``; kind is "upper", "lower" or "full".

    ``old_top_end`` (see old_top_end_down) is where the old top ends: above the
    hips that is the old bottom's waistband, and a new bottom reaches at least that high.
    ``old_sleeves`` (see old_sleeve_ends) is where old sleeves end, which a new sleeve of the same
    length ending a little higher reaches down to cover.

    ``over`` is the lower garment a top is worn over (a combo): a top that
    isn't cropped then reaches past its waistband, so no strip of the old top
    shows between the two.
    """
    if kind == "lower":
        return _place_bottom(body, garment, grid_step, old_top_end)
    return _place_top(body, garment, kind, grid_step, over, old_sleeves)
