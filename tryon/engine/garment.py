"""Garment analysis and FitRoom's clothes check.

:func:`extract_garment` separates a product photo's garment from its plain
background (flat lay, mannequin or ghost mannequin) and measures the
silhouette: its type (upper / lower / full), the keypoints the renderer maps
onto a body, and its parts (neckline, sleeves, hem, skirt or legs).
:func:`check_clothes_image` turns its first step, the cut (:func:`garment_cut`,
made once per photo and process), into FitRoom's "Check Clothes Image" answer,
``clothes_type`` and ``is_clothes``.

No learned garment model is available offline (see
``shared/notes/engine-feasibility.md`` §3-4), so the foreground comes from the
border colour, edges and a GrabCut pass at reduced size, the type from shape
evidence added up (_bottom_evidence, _dress_evidence: legs, waistband,
armholes, sleeves, neckline, length, flare), and the parts from the keypoints.
Thresholds were calibrated on the dev photos (type: file-name prefixes; parts:
bench/garment_labels.csv); each says what it separates.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from tryon.cloth_types import CHECK_TYPES

from .arrays import box_around, gaussian_reach

CLOTHES_TYPES = CHECK_TYPES

# Long side of the image the foreground is computed on; GrabCut's cost grows
# with pixels and the silhouette rules need no more detail than this.
ANALYSIS_SIDE = 320
# The photo is shrunk to this side (the normal render's garment size) before ANALYSIS_SIDE, whatever
# size the caller works at: the clothes check and every render of a photo find the same cut.
CUT_FROM_SIDE = 1024
# Cuts kept per process (see garment_cut): a few photos' worth, a few hundred kilobytes.
CUTS_KEPT = 8

# --- background ---------------------------------------------------------------
# Width of the border band sampled for the background colour, fraction of the
# short side.
BORDER_FRACTION = 0.02
# A border pixel is "background coloured" within this Lab distance (ΔE76) of the
# border's median colour; product photos have >= 0.75 of the border within it,
# scenes and noise far less.
BORDER_DELTA_E = 10.0
PLAIN_BORDER_SHARE = 0.75
# A pixel this far (ΔE) from the background colour is garment for sure; the
# band between LOW and HIGH is left to GrabCut. White garments on white
# backgrounds differ by 4-8 ΔE plus their shading and seams.
FOREGROUND_DELTA_E_LOW = 6.0
FOREGROUND_DELTA_E_HIGH = 18.0
# A pale piece (a white collar's flap) on a pale backdrop, missed by the cut, lies within the
# convex outline of the top's shoulders and is lighter than the backdrop around it by at least
# this much (L): such pieces come back when they are at least PALE_PIECE_AREA of the garment.
PALE_PIECE_LIGHTER = 3.0
# ... with its shaded parts, which differ from the backdrop by this much (ΔE) in any direction.
PALE_PIECE_DIFFERS = 2.0
PALE_PIECE_AREA = 0.002
# ... the backdrop it is compared with: blurred over this share of the photo's long side.
PALE_PIECE_BACKDROP = 0.03
# A floating garment's shadow on the floor (see _floor_shadow): the backdrop nearby is measured over
# this share of the photo's long side; the shadow's pixels are smooth (grain under FLOOR_SHADOW_GRAIN),
# at most this much lighter than it (L), first at least FLOOR_SHADOW_DARK darker, then within
# FLOOR_SHADOW_LIGHT of it, within FLOOR_SHADOW_REACH of the photo's height from the mask's bottom,
# in runs at least FLOOR_SHADOW_BROAD columns wide.
FLOOR_SHADOW_BACKDROP = 0.05
FLOOR_SHADOW_GRAIN = 8.0
FLOOR_SHADOW_ALIKE = 8.0
FLOOR_SHADOW_DARK = 25.0
FLOOR_SHADOW_LIGHT = 10.0
FLOOR_SHADOW_REACH = 0.12
FLOOR_SHADOW_BROAD = 11
# A body panel past the armhole line: within this share of the photo's long side of the body, unlike
# its sleeve's colour (ΔE) and like the body's beside it.
PANEL_REACH = 0.03
PANEL_OTHER = 25.0
PANEL_ALIKE = 15.0
# A cast shadow on the backdrop: its hue (within SHADOW_AB), darker by less than
# SHADOW_DEPTH, at most SHADOW_THICKNESS of the photo's long side from its edge
# to its middle, smooth (median fine detail in L under SHADOW_GRAIN) and darker
# by SHADOW_DEEPENS where it meets the garment than where it meets the backdrop;
# where it meets the garment it runs along it, SHADOW_LENGTH times its thickness limit.
SHADOW_AB = 6.0
SHADOW_DEPTH = 35.0
SHADOW_THICKNESS = 0.03
SHADOW_GRAIN = 1.5
# ... or, where a band so judged fails, its pixels under SHADOW_PIXEL_GRAIN each, judged again (a
# shadow's band: up to 4; a plaid's checks beside it: 5-20).
SHADOW_PIXEL_GRAIN = 4.5
# ... measured in its middle, away from its sides, beside a garment darker than it by SHADOW_RAMP (L).
SHADOW_RAMP = 20.0
SHADOW_DEEPENS = 3.0
SHADOW_LENGTH = 8.0
# The strip of backdrop between trouser legs laid close: below LEG_GAP_TOP of
# the height, within LEG_GAP_BAND of the width from the middle, at least
# LEG_GAP_TALL of the height (and twice its width) long and at most LEG_GAP_THIN
# of the width wide on average.
LEG_GAP_TOP = 0.3
# A strap laid as a loop (its front and back apart, the backdrop between): hole filling took the
# backdrop inside for a print, and worn it was a white stripe down the strap. Such a pocket of the
# backdrop's colour lies in the top STRAP_LOOP_TOP of the garment, is at least STRAP_LOOP_TALL
# times as tall as wide and STRAP_LOOP_LEAST pixels (at ANALYSIS_SIDE), and on its rows the
# outside is at most STRAP_LOOP_BESIDE of the garment's width away on both sides (a print's pale
# spot near an edge has the garment's body on one side).
STRAP_LOOP_TOP = 0.4
STRAP_LOOP_TALL = 2.5
STRAP_LOOP_LEAST = 8
STRAP_LOOP_BESIDE = 0.08
LEG_GAP_BAND = 0.15
LEG_GAP_TALL = 0.1
LEG_GAP_THIN = 0.1
# ... reaching within LEG_GAP_HEM of the height from the hem.
LEG_GAP_HEM = 0.05
# ... with at least LEG_GAP_LIT of it the backdrop's own colour (the knee shorts' strip on dev, in
# their own shadow: 0.098; nothing else on dev passes at 0.05).
LEG_GAP_LIT = 0.08
# Legs laid touching (the cut joined them all the way down, only such a strip shows between them
# near the hem): they part from a crotch this many waistband widths below the waistband, as dev
# photos' seams show it (knee shorts 0.83, wide black jeans 0.75, pink denim shorts 0.76); the strip's
# top lies far lower (the knee shorts' 0.72 of the height), where a crotch made a skirt-like seat.
JOINED_LEGS_RISE = 0.8
# ... cut apart by a slit this many pixels wide (at ANALYSIS_SIDE) down the inseam to the strip;
# only shorts and knee shorts: the wide black jeans on dev, so cut, came out with their legs askew
# and a pale rim down the slit, where as one piece they were believable.
JOINED_LEGS_SLIT = 3
JOINED_LEGS_HEMS = ("shorts", "knee")

# A skirt's hem corners lie on the lowest row at least this share as wide as its widest below its
# middle (dev skirts' rows at 96% of their height: 0.93-1.0, but a tiered skirt's lining 0.24, a
# curved pleated hem 0.57, a wrap skirt's 0.66).
HEM_SPAN = 0.8

# --- sanity of the foreground -----------------------------------------------------
# Garment area as a share of the image: below MIN it's a speck or nothing,
# above MAX the "background" was part of the subject.
MIN_AREA_SHARE = 0.04
MAX_AREA_SHARE = 0.92
# A second connected component at least this share of the largest one means
# several items (two garments side by side), not one garment.
SECOND_ITEM_SHARE = 0.25

# --- garment type: evidence from the silhouette (notes §4) --------------------------
# Legs: the centre column is background below the crotch in this share of the
# lower rows, with the crotch in the upper part of the silhouette; halfway down
# the legs the gap between them is at most LEG_GAP_MAX_WIDTH of the garment's
# width and each leg at least LEG_MIN_WIDTH (two cuffs hanging below a
# cardigan, or a bustier's dangling straps, stand far apart and are narrow).
LEG_GAP_ROWS = 0.30
LEG_GAP_MAX_CROTCH = 0.80
LEG_GAP_MAX_WIDTH = 0.45
LEG_MIN_WIDTH = 0.15
# A waistband is the top of the silhouette: the row just below it spans at
# least WAISTBAND_WIDTH of the garment's widest row (skirts and trousers
# 0.49-0.92 on dev; a collar or a neck 0.1-0.45), or the garment widens
# steadily from it (a long flared skirt's narrow waistband): at 15% of the
# height it is at most STEADY_WIDENING (share of the widest row) wider than
# the straight line from 3% to 60% says (skirts <= 0.03; a neck opening onto
# shoulders and sleeves 0.06-0.48) ...
WAISTBAND_WIDTH = 0.45
STEADY_WIDENING = 0.04
# The waistband row: this share of the height below the top (lower, it
# reaches a tee's shoulders), or below the top edge at the waistband's
# corners when they lie within WAISTBAND_TILT of the width of the top (a
# skirt laid up to 4 degrees askew; a tee's edge there is its sleeves').
WAISTBAND_ROW = 0.02
WAISTBAND_TILT = 0.08
# ... along straight sides: each side strays from the line between its ends
# (3% and 90% of the height) by at most STRAIGHT_SIDES of the width (flared and
# A-line skirts <= 0.031; a jacket's collar, shoulders and sleeves more).
STRAIGHT_SIDES = 0.05
# ... it is straight: the top edge across its middle 70% varies by less than
# STRAIGHT_TOP of the width (skirts <= 0.018; necklines, straps and the dome
# of a back collar 0.03-0.3) ...
STRAIGHT_TOP = 0.035
# ... and below it the garment only widens: a side that steps inwards by more
# than SIDE_NOTCH of the width below a wider part above is an armhole or a
# sleeve (skirts 0.0; sleeveless tops 0.058-0.075, sleeves 0.12-0.28).
SIDE_NOTCH = 0.03
# No skirt is more than this much wider than tall (an off-shoulder band: 0.45).
MIN_BOTTOM_ASPECT = 0.55
# A bodice: the upper third keeps its width (within BODICE_STRAIGHT of the
# width) and the skirt below flares to BODICE_FLARE times it: a dress.
BODICE_STRAIGHT = 0.05
BODICE_FLARE = 1.4
# Cuffs of sleeves laid down the body hang within this share of the width from
# the garment's sides (dev tops <= 0.04; a wrap skirt's uneven hem 0.17).
CUFF_SIDE_REACH = 0.1
# A garment is a bottom above this much evidence (skirts and shorts >= 2.5 on
# dev, tops <= 1.4: a hoodie laid flat with its sleeves down).
BOTTOM_EVIDENCE = 2.0
# Dresses are long for their chest: box height over the body's width at 20-40%
# of its height is >= 2.8 for every dev dress, <= 2.53 for tops (a long tank);
# a skirt that flares below a waist (FLARE, hem over waist width) adds to it.
DRESS_LENGTH_CHEST = 2.65
DRESS_FLARE = 1.35
# Neck opening: a crew neck's front lies about 0.4 of the opening's width below
# the collar's top corners (back drop ~2 cm, front ~9 cm, opening ~18 cm); an
# opening narrower than this share of the shoulders is a high collar.
FRONT_NECK_DROP = 0.42
MIN_NECK_OPENING = 0.3
# A V neck laid flat shows the inside of its back down to the V's tip, between V_FRONT_DEPTH shares
# of the opening's width below its corners. The inside is the pixels within V_FRONT_ALIKE (ΔE, its
# lightness counted at V_FRONT_LIGHTNESS: the inside is shaded) of its colour just below the top edge.
# The dev set's two V necks (a darker pink back panel, a grey lining) are both found at 6, the lining
# not at 7; no other top or dress is taken for a V at 6.
V_FRONT_DEPTH = (0.5, 2.5)
V_FRONT_ALIKE = 6.0
V_FRONT_LIGHTNESS = 0.5
# ... and it is cut this many pixels (at the analysis size) beyond that colour's edge.
V_FRONT_SHADOW = 2
# The rows (shares of the way down to the tip) at which the edges are measured.
V_FRONT_ROWS = (0.2, 0.4, 0.6, 0.8)
# Sleeves lying against the body, joined to it in the silhouette: the armpit
# lies this share of the body's width below the top; only for tops at least
# this tall for their width (an off-shoulder band's puff sleeves are not arms').
HANGING_ARMPIT_DEPTH = 0.45
# Cuffs ending beside the body above the hem widen the silhouette by at least
# this much over the body at the hem (a long-sleeve tee laid with its sleeves
# down: 1.28).
CUFF_WIDENING = 1.25
# ... within 3% of the height: a step, where a rounded hem narrows gradually.
CUFF_STEP = 1.15
HANGING_MIN_ASPECT = 0.7
# A sleeve's end is its part furthest from the armhole, less this share of how far it rises above it.
SLEEVE_RISE_PENALTY = 1.0
# A sliver of the backdrop's colour inside the garment, between the body and one sleeve, at least
# GAP_AREA of the garment's area and at most GAP_THIN of its width thick (half-width), is backdrop.
GAP_AREA = 0.0015
GAP_THIN = 0.03
# A sliver of the backdrop's colour or shade inside the body's piece, with a sleeve's piece within
# GAP_REACH of the garment's width of it, is backdrop when it is at least GAP_LONG of the garment's
# height long, GAP_UPRIGHT times as tall as wide and GAP_OPEN of its width wide on average (the
# vest's gaps beside its puffed sleeves: 0.35 of the height, 9-10 times, 0.019-0.027; the other
# dev pieces so placed are shorter, squatter (a denim jacket's pale seam: 3 times) or hairlines
# (pale seams at most 0.007 wide).
GAP_REACH = 0.07
# A garment less than this share of whose pixels round its gaps (within GAP_REACH) are in the
# backdrop's hue is coloured (the red tee: 0.01, a red puffer 0.09; a printed off-shoulder top 0.30,
# a white corset blouse 0.56, a vest in greys over a striped shirt 0.50).
GAP_GREYS = 0.15
GAP_LONG = 0.15
GAP_UPRIGHT = 4.0
GAP_OPEN = 0.012
# A gap between two lower pieces that is less than OPENING_NARROWS as wide halfway up as at the
# bottom, and less than OPENING_CLOSES near its top, is a jacket's open front, not the space
# between two cuffs.
OPENING_NARROWS = 0.8
OPENING_CLOSES = 0.6
# The seam line of a sleeve lying inside a jacket's outline is at least this many times as strong
# an edge as is usual across its side of the jacket.
INSIDE_SEAM_CONTRAST = 3.0
# A top's armpits lie in its upper half; a widening found lower down is sleeves laid down its sides.
LOWEST_ARMPIT = 0.5
# A soft shadow on the backdrop that the cut took in beside a garment's edge (see _refine_edges):
# within SHADOW_BAND analysis pixels of the cut's edge, reached from the backdrop without crossing
# a step in the photo (Canny's thresholds EDGE_STEP_LOW and EDGE_STEP_HIGH on 0..255 grey), in the
# backdrop's hue (SHADOW_AB) and darker than it by more than SHADOW_LEAST, nearer the backdrop
# than SHADOW_SIDE of the garment's own contrast, and no grey the garment itself has nearby
# (within SHADOW_OWN in L).
SHADOW_BAND = 3.0
EDGE_STEP_LOW = 80
EDGE_STEP_HIGH = 160
SHADOW_LEAST = 6.0
SHADOW_SIDE = 0.6
SHADOW_OWN = 5.0

# --- a worn garment or a ghost mannequin -------------------------------------------
# mediapipe Pose landmarks that are bare skin on a person: face (0-10) and
# hands (15-22). Windows around them, of this share of the torso length, hold
# >= SKIN_SHARE skin pixels on every dev person photo and <= 0.32 on ghost
# mannequins.
SKIN_LANDMARKS = tuple(range(0, 11)) + tuple(range(15, 23))
SKIN_WINDOW_TORSO = 0.06
SKIN_SHARE = 0.5
SKIN_CR = (135, 173)
SKIN_CB = (77, 127)
SKIN_MIN_Y = 40


# --- parts: neckline, sleeves, length -------------------------------------------------
# Lengths are shares of the garment's width at the armpits (tops, dresses) or
# at the waistband (bottoms). Product photos mix flat lays, ghost mannequins
# and models' shapes, which show the same garment narrower or wider, so the
# bounds are calibrated on the labelled dev photos (bench/garment_labels.csv),
# not on tailors' centimetres. (upper bound, class) pairs, in order. (A hip-length flannel
# shirt measures 1.19 from its shoulders, once the shadow beside one is no longer counted.)
HEM_CLASSES = {
    "upper": ((1.15, "crop"), (1.18, "waist"), (2.3, "hip"), (np.inf, "thigh")),
    "full": ((3.1, "mini"), (3.3, "knee"), (5.5, "midi"), (np.inf, "maxi")),
    "lower": ((1.7, "shorts"), (1.9, "knee"), (2.45, "midi"), (np.inf, "ankle")),
}
# Sleeves are told by their shape, which the photo's projection doesn't
# change: area over squared length (shoulder seam to end). A cap is wider
# than long (dev >= 1.28), a short sleeve about as wide as long (0.28-0.51), a
# long one thin (<= 0.25, ghost mannequins' foreshortened arms aside); below
# SLEEVE_MIN_FULLNESS it is a strap (a bustier's: 0.02), not a sleeve. Among
# thin sleeves, the length (share of the armpit width) or how far down the
# body the end hangs (share of shoulder-to-hem) tells long from shorter.
CAP_FULLNESS = 1.0
SHORT_FULLNESS = 0.27
SLEEVE_MIN_FULLNESS = 0.035
LONG_SLEEVE = 1.02
LONG_SLEEVE_DROP = 0.55
ELBOW_SLEEVE = 0.8
# Neckline, from the top edge between the armpits. Straps: a quarter of the way
# from the top down to the armpits, the garment there is two or more pieces,
# each under STRAP_WIDTH of the armpit width (a tank's 0.12; a sleeveless
# dress's shoulders >= 0.18).
STRAP_WIDTH = 0.15
# Off the shoulder: the top edge beyond the armpits (a band over the arms)
# rises above all of it between them by more than OFF_SHOULDER_RISE of the
# armpit width (an off-shoulder dress: 0.10; every other dev top <= 0.0).
OFF_SHOULDER_RISE = 0.05
# A collar (shirt, polo, hood, stand collar) closes the neck: the opening
# between the top edge's highest points either side is under COLLAR_OPENING of
# the armpit width, or the top rises above the shoulder seams by more than
# COLLAR_RISE of the armpit depth (crew necks <= 0.11).
COLLAR_OPENING = 0.12
COLLAR_RISE = 0.2
# A V: the dip below the opening's corners is at least V_DIP of its width
# (crew necks' back dips <= 0.43).
V_DIP = 0.5


@dataclass(frozen=True)
class ClothesCheck:
    """FitRoom's answer to "Check Clothes Image"."""

    clothes_type: str  # "upper" | "lower" | "full"
    is_clothes: bool


@dataclass
class GarmentAnalysis:
    """A garment cut out of its product photo, with the points render maps onto a body.

    ``rgb`` and ``mask`` are at the garment image's resolution; keypoints are
    (x, y) pixels in that frame, named for the garment's own left/right as it
    lies in the photo (``left`` = image left). Keypoints that a type doesn't
    have (a waistband on a tee) are absent from the dict. Tops and dresses:
    ``shoulder_*``, ``neck``, ``collar_*``/``neck_front`` (an open neck),
    ``armpit_*``, ``hem_*``, ``sleeve_*`` (sleeve ends, with ``sleeve_*_width``
    as (width, 0)), dresses ``waist_*``. Bottoms: ``waist_*`` (waistband),
    then with legs ``crotch``, ``hip_*``, ``knee_{side}_{outer,inner}`` and
    the leg hems ``leg_left_outer``, ``leg_left_inner``, ``leg_right_inner``,
    ``leg_right_outer``; without (a skirt) ``hem_left``/``hem_right``.
    The shoulder seam is the armpit's x at its shoulder keypoint's height.
    """

    rgb: np.ndarray  # (H, W, 3) uint8
    mask: np.ndarray  # (H, W) float32 0..1
    clothes_type: str
    keypoints: dict[str, np.ndarray] = field(default_factory=dict)
    plain_background: bool = True
    items: int = 1  # large connected components
    area_share: float = 0.0
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # x0, y0, x1, y1 of the garment
    # (H, W) uint8: 0 background, 1 body, 2 left sleeve, 3 right sleeve (image left/right)
    parts: np.ndarray | None = None
    # Parts measured on the flat lay, for the type in ``clothes_type`` or the
    # one asked for (see extract_garment); lengths are shares of the width at
    # the armpits (tops, dresses) or at the waistband (bottoms).
    # "crew" | "v" | "collar" | "straps" | "strapless"; "none" for bottoms.
    neckline: str = "none"
    # (front neckline y - shoulder seam y) / (armpit y - shoulder seam y); 0 without one.
    neckline_depth: float = 0.0
    # "none" | "cap" | "short" | "elbow" | "three_quarter" | "long" ("none" for bottoms).
    sleeve: str = "none"
    # Shoulder seam to sleeve end (keypoints sleeve_left/right), mean of the sleeves; 0 without.
    sleeve_length: float = 0.0
    # tops "crop" | "waist" | "hip" | "thigh"; bottoms "shorts" | "knee" | "midi" | "ankle";
    # dresses "mini" | "knee" | "midi" | "maxi"; "" only when no garment was found.
    hem: str = ""
    # Shoulder seam to hem (tops, dresses) or waistband to hem (bottoms).
    length: float = 0.0
    # A bottom without a leg split (skirt); False for trousers, shorts and all tops.
    skirt: bool = False


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab with L in 0..100 and a, b centred on 0 (float32)."""
    # Scaled and converted in place (as skin.lab_of): the same values, two temporaries fewer.
    lab = rgb.astype(np.float32)
    lab /= 255.0
    return cv2.cvtColor(lab, cv2.COLOR_RGB2LAB, dst=lab)


def _border_pixels(array: np.ndarray) -> np.ndarray:
    h, w = array.shape[:2]
    band = max(2, int(round(min(h, w) * BORDER_FRACTION)))
    parts = [array[:band], array[-band:], array[:, :band], array[:, -band:]]
    return np.concatenate([p.reshape(-1, array.shape[2]) for p in parts])


def _largest_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """The largest component (holes filled) and how many components are large items."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    if count <= 1:
        return np.zeros_like(mask, dtype=bool), 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    order = np.argsort(areas)[::-1]
    largest = order[0] + 1
    items = int(np.sum(areas >= SECOND_ITEM_SHARE * areas[order[0]]))
    main = (labels == largest).astype(np.uint8)
    return _fill_holes(main) > 0, items


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill background pockets fully enclosed by the garment (prints, shine)."""
    h, w = mask.shape
    flood = np.zeros((h + 2, w + 2), np.uint8)
    flood[1:-1, 1:-1] = mask
    outside = flood.copy()
    cv2.floodFill(outside, None, (0, 0), 1)
    holes = outside[1:-1, 1:-1] == 0
    return (mask.astype(bool) | holes).astype(np.uint8)


def _strap_loops(mask: np.ndarray, backdrop: np.ndarray, box) -> np.ndarray:
    """The backdrop inside a strap laid as a loop, where hole filling closed it (bool); see
    STRAP_LOOP_TOP and the rest for how it is told from a print's pale spots."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    count, labels, stats, _ = cv2.connectedComponentsWithStats((mask & backdrop).astype(np.uint8), 8)
    loops = np.zeros_like(mask)
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if area < STRAP_LOOP_LEAST or h < STRAP_LOOP_TALL * w or y - y0 > STRAP_LOOP_TOP * height:
            continue
        reaches = []
        for row in range(y, y + h):
            xs = np.nonzero(labels[row, x : x + w] == label)[0] + x
            if not len(xs):
                continue
            left = np.nonzero(~mask[row, : xs[0]])[0]
            right = np.nonzero(~mask[row, xs[-1] + 1 :])[0]
            reaches.append(max(xs[0] - left[-1] if len(left) else width, right[0] + 1 if len(right) else width))
        if reaches and np.median(reaches) <= STRAP_LOOP_BESIDE * width:
            loops |= labels == label
    return loops


def _gap_between_the_legs(mask: np.ndarray, backdrop: np.ndarray, shadows: np.ndarray, box) -> np.ndarray:
    """The backdrop between two trouser legs laid close, where the cut closed it (bool).

    Both legs' edges run within a few pixels; the cut bridged them and hole
    filling took the strip between for a print. Worn, it was a white wedge
    between the legs. The strip is the backdrop's colour (some of it in the legs'
    shadow), near the middle, reaches the hem, tall and thin; a pale stripe at a
    skirt's hem is wide, not tall.
    """
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    candidates = mask & (backdrop | shadows)
    middle = np.zeros_like(mask)
    centre, band = (x0 + x1) // 2, int(LEG_GAP_BAND * width)
    middle[y0 + int(LEG_GAP_TOP * height) :, centre - band : centre + band] = True
    candidates &= middle
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates.astype(np.uint8), 8)
    gap = np.zeros_like(mask)
    for label in range(1, count):
        # Open at the hem, or closed just above it where the cut bridged the legs' ends too.
        if stats[label, cv2.CC_STAT_TOP] + stats[label, cv2.CC_STAT_HEIGHT] < y1 - LEG_GAP_HEM * height:
            continue
        # Its width on average over its rows: where the legs end it may spread along the hem.
        strip_height = stats[label, cv2.CC_STAT_HEIGHT]
        strip_width = stats[label, cv2.CC_STAT_AREA] / strip_height
        tall = strip_height >= max(LEG_GAP_TALL * height, 2 * strip_width)
        # Some of it is the backdrop itself: a pale grey denim's seam isn't.
        lit = (backdrop & (labels == label)).sum() >= LEG_GAP_LIT * stats[label, cv2.CC_STAT_AREA]
        if tall and lit and strip_width <= LEG_GAP_THIN * width:
            gap |= labels == label
    return gap


def _gaps_between_sleeve_and_body(
    mask: np.ndarray, backdrop: np.ndarray, parts: np.ndarray, shade: np.ndarray | None = None
) -> np.ndarray:
    """The backdrop a sleeve laid against the body closes off (hole filling took it for a print).

    Each patch of the garment ``mask`` with the ``backdrop``'s colour that is thin (a sliver, not
    the broad light of a white garment on a white backdrop), of some size, and borders the body
    and one sleeve. Left in, it showed as a pale wedge between sleeve and body. A print of the
    backdrop's colour lies inside one piece or runs across them all.

    And a long, upright sliver of the backdrop or its ``shade`` (see ``_thin_shadows``) inside
    the body's piece with one sleeve's a little way off: a puffed sleeve laid against the body
    bulges past the armhole line (drawn straight down from the armpit), and the gap beside it,
    in the sleeve's shade, was a white wedge between the worn sleeve and a vest.
    """
    gaps = np.zeros(mask.shape, bool)
    columns = np.nonzero(mask.any(axis=0))[0]
    rows = np.nonzero(mask.any(axis=1))[0]
    if not len(columns):
        return gaps
    garment_width = float(columns.max() - columns.min() + 1)
    garment_height = float(rows.max() - rows.min() + 1)
    ring = np.ones((5, 5), np.uint8)
    reach = 2 * int(round(GAP_REACH * garment_width)) + 1
    passes = [(backdrop, ring, False)]
    if shade is not None:
        passes.append((backdrop | shade, np.ones((reach, reach), np.uint8), True))
    for colour, nearby, upright in passes:
        candidates = (mask & colour & ~gaps).astype(np.uint8)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates, 8)
        if count <= 1:
            continue
        thickness = cv2.distanceTransform(candidates, cv2.DIST_L2, 3)
        smallest = GAP_AREA * mask.sum()
        for label in range(1, count):
            area, height = stats[label, cv2.CC_STAT_AREA], stats[label, cv2.CC_STAT_HEIGHT]
            if area < smallest:
                continue
            patch = labels == label
            if thickness[patch].max() > GAP_THIN * garment_width:
                continue
            if upright and not (
                height >= GAP_LONG * garment_height
                and height >= GAP_UPRIGHT * stats[label, cv2.CC_STAT_WIDTH]
                and area / height >= GAP_OPEN * garment_width
            ):
                continue
            grown = cv2.dilate(patch.astype(np.uint8), ring) > 0
            around = parts[grown & ~patch & mask]
            beside = parts[(cv2.dilate(patch.astype(np.uint8), nearby) > 0) & ~patch & mask]
            if (around == 1).any() and (beside == 2).any() != (beside == 3).any():
                gaps |= patch
    return gaps


def _deep_shadow_by_the_gaps(small: np.ndarray, mask: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """The deep shadow in a gap between sleeve and body where they meet at the armpit (bool).

    At the top of the gap, the sleeve's fold shades the backdrop to black: no longer the
    backdrop's colour, it stayed when the gap went, and worn it was black specks at the armpit.
    Beside a coloured garment it is told by its hue: the pixels in the backdrop's hue, of any
    lightness, joined to a gap within GAP_REACH of the garment's width of it. Beside a garment in
    greys (most of the garment round the gap in the backdrop's hue too) nothing is told.
    """
    deep = np.zeros(mask.shape, bool)
    if not gaps.any():
        return deep
    lab = _lab(small)
    background = np.median(_border_pixels(lab), axis=0)
    neutral = np.hypot(lab[..., 1] - background[1], lab[..., 2] - background[2]) < SHADOW_AB
    columns = np.nonzero(mask.any(axis=0))[0]
    reach = int(round(GAP_REACH * (columns.max() - columns.min() + 1)))
    near = cv2.dilate(gaps.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)) > 0
    ring = near & mask & ~gaps
    if not ring.any() or neutral[ring].mean() >= GAP_GREYS:
        return deep
    count, labels = cv2.connectedComponents(((ring & neutral) | gaps).astype(np.uint8), connectivity=8)
    joined = np.zeros(count, bool)
    joined[labels[gaps]] = True
    joined[0] = False
    return joined[labels] & ~gaps


def _foreground(small_rgb: np.ndarray) -> tuple[np.ndarray, bool, np.ndarray, np.ndarray]:
    """Garment mask at analysis size, whether the border is plain, the pixels of the
    backdrop's colour (the median of the border), wherever they are, and the mask's
    thin pieces of the backdrop's hue a little darker (its shadow, see ``_thin_shadows``)."""
    lab = _lab(small_rgb)
    border = _border_pixels(lab)
    background = np.median(border, axis=0)
    border_distance = np.linalg.norm(border - background, axis=1)
    plain = float(np.mean(border_distance < BORDER_DELTA_E)) >= PLAIN_BORDER_SHARE

    distance = np.linalg.norm(lab - background, axis=2)
    backdrop = distance < FOREGROUND_DELTA_E_LOW
    distance = cv2.GaussianBlur(distance, (3, 3), 0)
    sure = distance > FOREGROUND_DELTA_E_HIGH
    maybe = distance > FOREGROUND_DELTA_E_LOW
    # Edges catch white-on-white outlines the colour distance misses.
    grey = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, 20, 60) > 0
    edges = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rough = maybe | edges
    rough = cv2.morphologyEx(rough.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    rough = _fill_holes(rough) > 0

    h, w = distance.shape
    gc_mask = np.full((h, w), cv2.GC_BGD, np.uint8)
    gc_mask[rough] = cv2.GC_PR_FGD
    near = cv2.dilate(rough.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    gc_mask[near & ~rough] = cv2.GC_PR_BGD
    gc_mask[sure & ~edges] = cv2.GC_FGD
    band = max(2, int(round(min(h, w) * BORDER_FRACTION)))
    gc_mask[:band] = gc_mask[-band:] = cv2.GC_BGD
    gc_mask[:, :band] = gc_mask[:, -band:] = cv2.GC_BGD

    result = rough
    has_fg = np.any(gc_mask == cv2.GC_FGD) or np.any(gc_mask == cv2.GC_PR_FGD)
    has_bg = np.any(gc_mask == cv2.GC_BGD)
    if plain and has_fg and has_bg and 0.01 < rough.mean() < 0.95:
        try:
            bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
            # GrabCut starts its colour models with k-means on OpenCV's (per-thread) random
            # generator: seed it, so the same photo always gets the same cut and the same type.
            cv2.setRNGSeed(0)
            cv2.grabCut(small_rgb[:, :, ::-1].copy(), gc_mask, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
            cut = (gc_mask == cv2.GC_FGD) | (gc_mask == cv2.GC_PR_FGD)
            # Guard: GrabCut sometimes eats a pale garment or spills into a
            # shadow; trust it only when it stays near the colour estimate.
            if 0.6 * rough.sum() <= cut.sum() <= 1.15 * rough.sum():
                result = cut
        except cv2.error:
            pass
    result = cv2.morphologyEx(result.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    shadows = _thin_shadows(result, lab, background)
    if plain:
        result &= ~_cast_shadow(result, lab, background, shadows)
    return result, plain, backdrop, shadows & result


def _thin_shadows(mask: np.ndarray, lab: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Pixels of ``mask`` in the backdrop's hue, a little darker, in thin pieces: a shadow on the
    backdrop. A light grey garment on a white backdrop has those colours too, but in one broad piece."""
    ab = np.hypot(lab[..., 1] - background[1], lab[..., 2] - background[2])
    darker = background[0] - lab[..., 0]
    shadowy = (mask & (ab < SHADOW_AB) & (darker > 0) & (darker < SHADOW_DEPTH)).astype(np.uint8)
    count, labels = cv2.connectedComponents(shadowy, connectivity=8)
    if count <= 1:
        return shadowy > 0
    # Measured with the holes filled: the dots of a print on a grey garment
    # leave only narrow grey between them, but the garment is broad.
    thickness = cv2.distanceTransform(_fill_holes(shadowy), cv2.DIST_L2, 3)
    thickest = np.zeros(count, np.float32)
    np.maximum.at(thickest, labels.ravel(), thickness.ravel())
    thin = thickest <= SHADOW_THICKNESS * max(mask.shape)
    thin[0] = False
    return thin[labels]


def _cast_shadow(mask: np.ndarray, lab: np.ndarray, background: np.ndarray, shadows: np.ndarray) -> np.ndarray:
    """The soft shadow a garment casts on its backdrop, where the cut took it in (bool).

    A studio photo often has one along a side: the backdrop's own hue, a little
    darker, smooth. Worn, it was a pale strip down the new trousers' leg. Only
    thin (``shadows``, see ``_thin_shadows``), smooth bands joined to the outside count.
    """
    lightness = lab[..., 0]
    darker = background[0] - lightness
    grain = np.abs(lightness - cv2.GaussianBlur(lightness, (0, 0), 1.5))
    outside = cv2.dilate((~mask).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    shadow, failed = _smooth_bands(mask, lightness, darker, grain, outside, shadows)
    if failed.any():
        # A band can run into the garment's own greys (a plaid's pale checks at the shoulder,
        # joined to the shadow down its sleeve): their texture failed it as a whole, and worn it
        # was a broad grey band down the sleeve's outer side. Its pixels smooth on their own (the
        # blur over the backdrop and the shadow, not across the garment's edge) are judged again.
        around = (~mask | shadows).astype(np.float32)
        spread = cv2.GaussianBlur(lightness * around, (0, 0), 1.5)
        spread /= np.maximum(cv2.GaussianBlur(around, (0, 0), 1.5), 1e-3)
        smooth = failed & (np.abs(lightness - spread) < SHADOW_PIXEL_GRAIN)
        shadow |= _smooth_bands(mask, lightness, darker, grain, outside, smooth)[0]
    return shadow


def _smooth_bands(mask, lightness, darker, grain, outside, shadows) -> tuple[np.ndarray, np.ndarray]:
    """The pieces of ``shadows`` joined to the ``outside`` that are a cast shadow (see
    ``_cast_shadow``), and those that are not (bools)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(shadows.astype(np.uint8), 8)
    shadow, failed = np.zeros_like(mask), np.zeros_like(mask)
    if count <= 1:
        return shadow, failed
    touching = np.unique(labels[outside & shadows])
    limit = SHADOW_THICKNESS * max(mask.shape)
    # A shadow deepens towards the garment that casts it; a pale collar or
    # stripe at the edge is as light on both sides.
    by_garment = cv2.dilate((mask & ~shadows).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    for label in touching[touching > 0]:
        part = labels == label
        failed |= part
        inner, outer = part & by_garment, part & outside
        # Smooth. Beside a garment much darker than it, smooth in its middle: at its two sides the
        # steep ramp from a black garment's edge to the backdrop reads as grain, and a black tank's
        # shadow was kept, a pale line along the worn neckline. A band too thin to have a middle
        # is the garment's own edge.
        smooth_over = part
        beside = cv2.dilate(part.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        beside &= mask & ~shadows
        if beside.any() and np.median(lightness[beside]) < np.median(lightness[part]) - SHADOW_RAMP:
            smooth_over = part & ~inner & ~outer
        if not smooth_over.any() or np.median(grain[smooth_over]) >= SHADOW_GRAIN:
            continue
        if inner.any():
            # It runs along the garment's side; a pale patch of a print at the edge is short.
            if max(stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT]) < limit * SHADOW_LENGTH:
                continue
            if darker[inner].mean() - darker[outer].mean() < SHADOW_DEEPENS:
                continue
        failed &= ~part
        shadow |= part
    return shadow, failed


def _backdrop_nearby(lab: np.ndarray, backdrop: np.ndarray, sigma: float, shrink: int = 1) -> np.ndarray:
    """The ``backdrop`` pixels' Lab colour spread over the photo (a blur over them alone, ``sigma``
    wide): what the backdrop looks like near each pixel, shading and all. Blurred at 1/``shrink``
    of the size where a coarse estimate does (a blur 16 pixels wide cost 10 ms of a core)."""
    h, w = backdrop.shape
    weight, colour = backdrop.astype(np.float32), lab * backdrop[..., None]
    if shrink > 1:
        small = (max(1, w // shrink), max(1, h // shrink))
        weight = cv2.resize(weight, small, interpolation=cv2.INTER_AREA)
        colour = cv2.resize(colour, small, interpolation=cv2.INTER_AREA)
    weight = cv2.GaussianBlur(weight, (0, 0), max(1.0, sigma / shrink))
    colour = cv2.GaussianBlur(colour, (0, 0), max(1.0, sigma / shrink))
    nearby = colour / np.maximum(weight, 1e-3)[..., None]
    return cv2.resize(nearby, (w, h), interpolation=cv2.INTER_LINEAR) if shrink > 1 else nearby


def _floor_shadow(mask: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """The shadow a floating garment (on a ghost mannequin) casts on the floor below it, and the
    backdrop it encloses, where the cut took them in (bool).

    Below the jacket's hem and cuffs lies a soft dark ellipse, and the cut joined it to the
    garment: worn, it was a grey band along the hem, and the backdrop between sleeve and body,
    enclosed by it, was filled in as garment, so the sleeves were never found. Going up each
    column from the bottom of the mask: pixels in the backdrop's hue, smooth, first darker than
    the backdrop nearby by FLOOR_SHADOW_DARK and then as light as it again, are no garment (a
    black hem stays dark all the way up; a print is not smooth). Only broad runs count; from
    them, the backdrop-like pixels they touch go too (the gap between a sleeve and the body).
    """
    h, w = mask.shape
    # A coarse estimate does: the shadow is told by its own darkness and light, not small steps.
    nearby = _backdrop_nearby(lab, ~mask, FLOOR_SHADOW_BACKDROP * max(h, w), shrink=4)
    hue = np.hypot(lab[..., 1] - nearby[..., 1], lab[..., 2] - nearby[..., 2])
    grain = np.abs(lab[..., 0] - cv2.GaussianBlur(lab[..., 0], (0, 0), 1.5))
    lighter = lab[..., 0] - nearby[..., 0]
    backdropish = mask & (hue < SHADOW_AB) & (lighter < FLOOR_SHADOW_ALIKE) & (grain < FLOOR_SHADOW_GRAIN)
    # Each column's pixels from the mask's bottom up (rows past the top count as garment).
    columns = np.nonzero(mask.any(axis=0))[0]
    bottoms = h - 1 - np.argmax(mask[::-1, columns], axis=0)
    rows = bottoms[:, None] - np.arange(int(FLOOR_SHADOW_REACH * h) + 1)[None, :]
    inside = rows >= 0
    rows = np.maximum(rows, 0)
    light_by = lighter[rows, columns[:, None]]
    in_backdrop = backdropish[rows, columns[:, None]] & inside
    run = np.cumprod(in_backdrop, axis=1).astype(bool)
    dark = np.maximum.accumulate(run & (light_by < -FLOOR_SHADOW_DARK), axis=1)
    light_after_dark = run[:, 1:] & (light_by[:, 1:] > -FLOOR_SHADOW_LIGHT) & dark[:, :-1]
    shadowed = light_after_dark.any(axis=1)
    floor = np.zeros((h, w), bool)
    pick = run & shadowed[:, None]
    floor[rows[pick], np.broadcast_to(columns[:, None], rows.shape)[pick]] = True
    floor = cv2.morphologyEx(floor.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, FLOOR_SHADOW_BROAD), np.uint8)) > 0
    if not floor.any():
        return floor
    alike = backdropish & (np.abs(lighter) < FLOOR_SHADOW_ALIKE)
    count, labels = cv2.connectedComponents((alike | floor).astype(np.uint8), connectivity=4)
    return floor | (np.isin(labels, np.unique(labels[floor])) & (labels > 0))


def _rows_cols(mask: np.ndarray):
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _top_edge(mask: np.ndarray, x0: int, x1: int) -> np.ndarray:
    """First garment row in each column x0..x1 (height where a column is empty)."""
    cols = mask[:, x0:x1]
    has = cols.any(axis=0)
    top = np.argmax(cols, axis=0).astype(np.float32)
    top[~has] = np.nan
    return top


def _bottom_edge(mask: np.ndarray, x0: int, x1: int) -> np.ndarray:
    cols = mask[:, x0:x1]
    has = cols.any(axis=0)
    bottom = (mask.shape[0] - 1 - np.argmax(cols[::-1], axis=0)).astype(np.float32)
    bottom[~has] = np.nan
    return bottom


def _body_runs(mask: np.ndarray, box) -> np.ndarray:
    """Per row (y0..y1): left and right of the run through the centre column, or nan."""
    x0, y0, x1, y1 = box
    centre = int(round(np.mean(np.nonzero(mask[y0:y1])[1])))
    rows = mask[y0:y1].astype(bool)
    # Distance from the centre to the first background pixel on each side (the
    # whole half when there is none), for all rows at once.
    leftwards = ~rows[:, : centre + 1][:, ::-1]
    rightwards = ~rows[:, centre:]
    to_left = np.where(leftwards.any(axis=1), np.argmax(leftwards, axis=1), centre + 1)
    to_right = np.where(rightwards.any(axis=1), np.argmax(rightwards, axis=1), rows.shape[1] - centre)
    runs = np.stack([centre - to_left + 1, centre + to_right - 1], axis=1).astype(np.float32)
    runs[~rows[:, centre]] = np.nan
    return runs


def _leg_gap(mask: np.ndarray, box) -> tuple[bool, float, int]:
    """Trouser legs: background at the centre below a crotch.

    Returns (legs, crotch height as a share of the silhouette, gap column).
    """
    x0, y0, x1, y1 = box
    height = y1 - y0
    # The gap between the legs is near the middle, but a shadow or a belt end
    # can shift the box: take the most open column close to the centre.
    middle = (x0 + x1) // 2
    reach = max(2, int((x1 - x0) * 0.08))
    lower_rows = mask[y0 + int(height * 0.45) : y0 + int(height * 0.97)]
    columns = np.arange(max(x0 + 1, middle - reach), min(x1 - 1, middle + reach + 1))
    if len(columns) == 0 or len(lower_rows) == 0:
        return False, 1.0, middle
    openness = (~lower_rows[:, columns]).sum(axis=0)
    centre = int(columns[np.argmax(openness)]) if openness.max() > 0 else middle
    # A few columns around it: a single column can hit a seam.
    strip = mask[y0:y1, max(x0, centre - 1) : min(x1, centre + 2)].all(axis=1)
    gap = ~strip
    lower = gap[int(height * 0.45) : int(height * 0.97)]
    if len(lower) == 0 or lower.mean() < LEG_GAP_ROWS:
        return False, 1.0, centre
    # Crotch: top of the last continuous gap run reaching the hem.
    row = height - 1
    while row > 0 and not gap[row]:
        row -= 1
    while row > 0 and gap[row - 1]:
        row -= 1
    crotch = row / height
    # Two legs either side of a narrow gap, halfway down them: not two cuffs or
    # straps hanging far apart, nor one off-centre item.
    mid = y0 + int((row + height) / 2)
    width = x1 - x0
    left = _row_runs(mask[mid, x0:centre])
    right = _row_runs(mask[mid, centre:x1])
    if not left or not right:
        return False, crotch, centre
    left_leg, right_leg = left[-1], right[0]
    gap_width = (centre - x0 - left_leg[1]) + right_leg[0]
    legs_wide = min(left_leg[1] - left_leg[0], right_leg[1] - right_leg[0]) + 1 >= LEG_MIN_WIDTH * width
    legs = crotch < LEG_GAP_MAX_CROTCH and gap_width <= LEG_GAP_MAX_WIDTH * width and legs_wide
    return bool(legs), crotch, centre


def _inseam_slit(opened: np.ndarray, box) -> np.ndarray | None:
    """Legs laid touching, apart only at the strip between them near the hem (``opened`` has it
    cut out): the inseam from JOINED_LEGS_RISE below the waistband down to the strip, as a slit
    (bool), or None when that strip doesn't make them two legs."""
    legs, crotch, column = _leg_gap(opened, box)
    if not legs:
        return None
    x0, y0, x1, y1 = box
    xs = np.nonzero(opened[y0 + max(1, int((y1 - y0) * 0.02))])[0]
    if len(xs) < 2:
        return None
    top = y0 + int(round(JOINED_LEGS_RISE * (xs.max() - xs.min())))
    bottom = int(y0 + crotch * (y1 - y0))
    slit = np.zeros_like(opened)
    if top < bottom:
        half = JOINED_LEGS_SLIT // 2
        slit[top : bottom + 1, column - half : column + half + 1] = True
    return slit


@dataclass(frozen=True)
class _Silhouette:
    """Shape features of a garment's mask, each a share of the garment's box (see the constants)."""

    legs: bool
    crotch: float  # crotch height / box height (1.0 without legs)
    aspect: float  # box height / width
    top_width: float  # the row at 3% of the height / the widest row
    early_widening: float  # row at 15% beyond the line through the rows at 3% and 60% / the widest row
    side_bend: float  # mean over the sides of the largest stray from a straight side (3% to 90%) / width
    top_unevenness: float  # top edge's range across the middle 70% of that row / box width
    side_notch: float  # largest inward step of a side below a wider part above / box width
    bodice: bool  # straight-sided upper third above a flaring skirt
    sleeves_down: bool  # sleeves laid down the body, their cuffs apart below it (_hanging_sleeves)
    length_chest: float  # box height / body width at 20-40% of the height (below cuffs laid beside it)
    flare: float  # widest body row in 60-95% / narrowest in 25-60%


def _silhouette(mask: np.ndarray, box) -> _Silhouette:
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    legs, crotch, _ = _leg_gap(mask, box)
    # Each side's inset from the box, going down; a notch is a side stepping
    # back in below a part that reached further out (not counted in the legs).
    shares = np.linspace(0.02, 0.97, 39)
    insets = np.zeros((len(shares), 2), np.float32)
    for i, share in enumerate(shares):
        xs = np.flatnonzero(mask[y0 + int(share * height)])
        insets[i] = (xs.min() - x0, x1 - 1 - xs.max()) if len(xs) else (width / 2, width / 2)
    insets /= max(width, 1)
    extent = 1.0 - insets.sum(axis=1)
    above = shares <= min(0.55, crotch - 0.05)
    side_notch = float((insets[above] - np.minimum.accumulate(insets[above], axis=0)).max()) if above.any() else 0.0
    # The top edge across the middle of the row just below the top.
    xs = np.flatnonzero(mask[y0 + max(1, int(0.04 * height))])
    a, b = (int(xs.min()), int(xs.max())) if len(xs) else (x0, x1 - 1)
    span = b - a + 1
    top = _top_edge(mask, a + int(0.15 * span), b - int(0.15 * span) + 1)
    top = top[np.isfinite(top)]
    unevenness = float(np.percentile(top, 95) - np.percentile(top, 5)) / width if len(top) else 0.0

    def extent_at(share: float) -> float:
        return float(extent[int(np.argmin(np.abs(shares - share)))])

    widest = max(float(extent.max()), 1e-6)
    sides = insets[(shares >= 0.03) & (shares <= 0.9)]
    along = np.linspace(0.0, 1.0, len(sides))[:, None]
    side_bend = float(np.abs(sides - (sides[0] + (sides[-1] - sides[0]) * along)).max(axis=0).mean())
    straight_line = extent_at(0.03) + (extent_at(0.6) - extent_at(0.03)) * (0.12 / 0.57)

    bodice = extent_at(0.3) - extent_at(0.03) < BODICE_STRAIGHT and extent_at(0.9) > BODICE_FLARE * extent_at(0.3)
    runs = _body_runs(mask, box)
    widths = runs[:, 1] - runs[:, 0] + 1

    def body(lo: float, hi: float) -> np.ndarray:
        segment = widths[int(lo * height) : max(int(lo * height) + 1, int(hi * height))]
        return segment[np.isfinite(segment)]

    chest, waist, hem = body(0.2, 0.4), body(0.25, 0.6), body(0.6, 0.95)
    chest_width = float(np.median(chest)) if len(chest) else float(width)
    # Sleeves laid down the bodice widen the chest rows: measure below their cuffs.
    cuffs = _cuffs_beside_bodice(box, runs)
    if cuffs is not None:
        chest_width = min(chest_width, float(cuffs[1] - cuffs[0] + 1))
    flare = float(hem.max() / max(waist.min(), 1.0)) if len(hem) and len(waist) else 1.0
    return _Silhouette(
        legs=legs,
        crotch=crotch,
        aspect=height / max(width, 1),
        top_width=_waistband_extent(mask, box, extent_at(WAISTBAND_ROW)) / widest,
        early_widening=(extent_at(0.15) - straight_line) / widest,
        side_bend=side_bend,
        top_unevenness=unevenness,
        side_notch=side_notch,
        bodice=bool(bodice),
        sleeves_down=not legs and _cuffs_at_the_sides(mask, box),
        length_chest=height / max(chest_width, 1.0),
        flare=flare,
    )


def _waistband_extent(mask: np.ndarray, box, extent: float) -> float:
    """The top row's extent (share of the box width), measured along a top edge laid askew.

    When the top edge is high near both sides (within WAISTBAND_TILT of the
    width below the top at 15% and 85% of the width: a waistband, not
    shoulders sloping away from a collar), the row is taken below the lower
    of the two.
    """
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    top = _top_edge(mask, x0, x1)
    ends = top[[int(0.15 * width), int(0.85 * width) - 1]] - y0
    if not np.isfinite(ends).all() or ends.max() > WAISTBAND_TILT * width:
        return extent
    xs = np.flatnonzero(mask[min(y1 - 1, y0 + int(ends.max() + WAISTBAND_ROW * height))])
    return max(extent, float(xs.max() - xs.min() + 1) / width) if len(xs) else extent


def _cuffs_at_the_sides(mask: np.ndarray, box) -> bool:
    """Sleeves laid down the body (_hanging_sleeves) with their cuffs at the garment's outer sides.

    Hanging sleeves are the outermost parts; pieces of an uneven skirt hem
    (a wrap skirt's lining) lie further in.
    """
    hanging = _hanging_sleeves(mask, box)
    if hanging is None:
        return False
    x0, _, x1, _ = box
    xs = np.flatnonzero(mask[hanging[2]])
    reach = CUFF_SIDE_REACH * (x1 - x0)
    return bool(len(xs) and xs.min() - x0 <= reach and x1 - 1 - xs.max() <= reach)


def _ramp(value: float, zero: float, scale: float, low: float = -1.0, high: float = 1.0) -> float:
    """Evidence in [low, high]: 0 at ``zero``, +1 ``scale`` beyond it (scale < 0 flips the sense)."""
    return float(np.clip((value - zero) / scale, low, high))


def _bottom_evidence(shape: _Silhouette) -> float:
    """Evidence (> 0) that the silhouette is worn from the waist down: legs, or a waistband on top.

    A waistband is a wide, straight top edge with nothing sticking out below
    it (no armholes, no sleeves); a neckline, straps, shoulders or a collar
    make the top narrow or uneven, armholes and sleeves notch the sides or,
    laid down the body, hang apart below it.
    """
    score = 0.0
    if shape.legs:
        score += 3.0 if shape.crotch < 0.5 else 2.0
    steady = shape.side_bend <= STRAIGHT_SIDES
    score += max(
        _ramp(shape.top_width, WAISTBAND_WIDTH, 0.1, low=-2.0),
        _ramp(shape.early_widening, STEADY_WIDENING, -0.02, low=-2.0) if steady else -2.0,
    )
    # Above two legs an uneven top edge is more often the cut-out's fault
    # (belt loops, a pale waistband) than a neckline's.
    score += _ramp(shape.top_unevenness, STRAIGHT_TOP, -0.015, low=-1.5 if shape.legs else -3.0)
    if not shape.legs:
        score += _ramp(shape.side_notch, SIDE_NOTCH, -0.015, low=-3.0)
    if shape.aspect < MIN_BOTTOM_ASPECT:
        score -= 2.0
    if shape.bodice:
        score -= 2.0
    if shape.sleeves_down:
        score -= 2.0
    return score


def _dress_evidence(shape: _Silhouette) -> float:
    """Evidence (> 0) that a garment worn from the shoulders reaches down past the hips: a dress."""
    return _ramp(shape.length_chest, DRESS_LENGTH_CHEST, 0.2, low=-3.0, high=3.0) + _ramp(
        shape.flare, DRESS_FLARE, 0.15
    )


def _classify(mask: np.ndarray, box) -> str:
    """upper / lower / full from the silhouette's evidence (see _Silhouette and the constants)."""
    shape = _silhouette(mask, box)
    if _bottom_evidence(shape) > BOTTOM_EVIDENCE:
        return "lower"
    return "full" if _dress_evidence(shape) > 0 else "upper"


def _scale_points(points: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    return {name: (np.asarray(p, np.float32) + 0.5) * scale - 0.5 for name, p in points.items()}


def _upper_keypoints(
    mask: np.ndarray, box, clothes_type: str, rgb: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Neckline, shoulders, armpits, sleeve ends and hem of a top or dress, and its parts (see _parts).

    ``rgb`` (the photo at the mask's size) lets sleeves lying inside the outline be found by
    the seam line along them, and a V neck's front by its edges.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    x0, y0, x1, y1 = box
    height = y1 - y0
    runs = _body_runs(mask, box)
    widths = runs[:, 1] - runs[:, 0] + 1
    # Body rows: below the sleeves and above the hem (tops) or the skirt (dresses).
    lo, hi = (0.50, 0.85) if clothes_type == "upper" else (0.25, 0.45)
    segment = widths[int(height * lo) : int(height * hi)]
    if np.isfinite(segment).any():
        body_width = float(np.nanmedian(segment))
        ref = int(height * lo) + int(np.nanargmin(np.abs(segment - body_width)))
        body_left, body_right = runs[ref]
    else:
        body_width = (x1 - x0) * 0.6
        ref = int(height * 0.6)
        body_left = (x0 + x1) / 2 - body_width / 2
        body_right = body_left + body_width

    # Armpit: going up from the body rows, the first row where the run widens
    # well beyond the body (sleeves join it).
    armpit = None
    for i in range(ref, -1, -1):
        if np.isfinite(widths[i]) and widths[i] > body_width * 1.18:
            armpit = i
            break
    sleeves = armpit is not None and armpit > height * 0.08
    hanging = None
    if not sleeves and clothes_type == "upper":
        hanging = _hanging_sleeves(mask, box) or _cuffs_above_hem(mask, box, runs)
    elif sleeves and clothes_type == "upper" and armpit > LOWEST_ARMPIT * height:
        # Far down a top, the widening is where sleeves laid down its sides part
        # from it (their forearms and cuffs), not the armpit.
        hanging = _hanging_sleeves(mask, box)
    elif not sleeves:
        hanging = _cuffs_beside_bodice(box, runs)
    if hanging is None and not sleeves and clothes_type == "upper":
        hanging = _sleeves_inside(grey, mask, box)
    if hanging is not None:
        body_left, body_right, _split = hanging
        body_width = body_right - body_left + 1
        armpit = int(min(HANGING_ARMPIT_DEPTH * body_width, 0.45 * height))
        sleeves = True
    elif not sleeves:
        armpit = int(height * (0.28 if clothes_type == "upper" else 0.16))
    armpit_y = y0 + armpit
    # The body's sides at the armpit row: extrapolated from just below it.
    below = runs[min(armpit + max(2, height // 40), len(runs) - 1)]
    if hanging is not None or not np.isfinite(below).all():
        below = np.array([body_left, body_right])
    armpit_left = np.array([below[0], armpit_y], np.float32)
    armpit_right = np.array([below[1], armpit_y], np.float32)

    # Shoulders: the top edge above the body's sides (a little inwards, where
    # the seam is, clear of a dropped sleeve's slope).
    top = _top_edge(mask, 0, mask.shape[1])
    inset = 0.08 * (below[1] - below[0])
    points = {}
    for name, x in (("shoulder_left", below[0] + inset), ("shoulder_right", below[1] - inset)):
        xi = int(np.clip(round(x), 0, mask.shape[1] - 1))
        window = top[max(0, xi - 2) : xi + 3]
        y = float(np.nanmin(window)) if np.isfinite(window).any() else float(y0)
        y = min(y, armpit_y - 0.05 * height)
        points[name] = np.array([x, y], np.float32)

    # Neckline: the top edge at the middle between the shoulders (its deepest
    # point near the middle, for a V); off-centre dips are ruffles or folds.
    sl, sr = points["shoulder_left"][0], points["shoulder_right"][0]
    neck_x = float((sl + sr) / 2)
    span = np.arange(int(sl + 0.42 * (sr - sl)), int(sr - 0.42 * (sr - sl)) + 1)
    neck_top = top[span] if len(span) else np.array([np.nan])
    shoulder_y = (points["shoulder_left"][1] + points["shoulder_right"][1]) / 2
    neck_y = float(np.nanmax(neck_top)) if np.isfinite(neck_top).any() else shoulder_y
    points["neck"] = np.array([neck_x, max(neck_y, shoulder_y)], np.float32)
    points.update(_front_neckline(top, points, armpit_y, mask, rgb))
    points["armpit_left"] = armpit_left
    points["armpit_right"] = armpit_right

    # Hem: the bottom edge across the body.
    bottom = _bottom_edge(mask, 0, mask.shape[1])
    hem_row = runs[int(height * 0.97)] if np.isfinite(runs[int(height * 0.97)]).all() else below
    hem_y = (
        float(np.nanmedian(bottom[int(hem_row[0]) : int(hem_row[1]) + 1])) if hem_row[1] > hem_row[0] else float(y1 - 1)
    )
    hem_y = max(hem_y, armpit_y + 0.2 * height)
    hem_run = runs[min(int(hem_y) - y0, len(runs) - 1) - max(1, height // 50)]
    if not np.isfinite(hem_run).all():
        hem_run = hem_row
    points["hem_left"] = np.array([hem_run[0], hem_y], np.float32)
    points["hem_right"] = np.array([hem_run[1], hem_y], np.float32)
    if clothes_type == "full":
        # Waist of a dress: the narrowest body row between armpit and mid-height.
        a, b = armpit + int(0.05 * height), int(height * 0.55)
        seg = widths[a:b]
        if len(seg) and np.isfinite(seg).any():
            w_row = a + int(np.nanargmin(seg))
            points["waist_left"] = np.array([runs[w_row, 0], y0 + w_row], np.float32)
            points["waist_right"] = np.array([runs[w_row, 1], y0 + w_row], np.float32)

    # Sleeves: garment outside the body (see _parts), one per side.
    parts = _parts(mask, box, points, hanging)
    if sleeves:
        for side, label, pit in (("left", 2, armpit_left), ("right", 3, armpit_right)):
            sy, sx = np.nonzero(parts == label)
            if len(sx) < 20:
                continue
            shoulder = points[f"shoulder_{side}"]
            root = (shoulder + pit) / 2
            # The end is the part furthest from the armhole, less how far it rises above it: a
            # sleeve hangs from the shoulder. Measured as a plain distance, a short sleeve's top
            # corner by the shoulder won over its cuff, and it was worn upside down, a tab
            # standing off the arm.
            far = _furthest(sx, sy, root, SLEEVE_RISE_PENALTY)
            end = np.array([sx[far].mean(), sy[far].mean()], np.float32)
            # Sleeve width at its end, across the sleeve's direction.
            axis = end - root
            axis /= max(np.linalg.norm(axis), 1e-6)
            normal = np.array([-axis[1], axis[0]])
            across = (sx[far] - end[0]) * normal[0] + (sy[far] - end[1]) * normal[1]
            width = float(np.ptp(across)) if len(across) > 1 else 0.1 * height
            # A strap's stub beside the armhole is not a sleeve: a sleeve
            # reaches well away from its seam and has some area.
            if np.linalg.norm(end - root) < 0.2 * body_width or len(sx) < 0.02 * mask.sum():
                continue
            points[f"sleeve_{side}"] = end
            points[f"sleeve_{side}_width"] = np.array([width, 0.0], np.float32)
    return points, parts


def _sleeves_inside(grey: np.ndarray, mask: np.ndarray, box) -> tuple[int, int, int] | None:
    """Sleeves lying inside the outline (a jacket on a ghost mannequin): no gap shows them,
    but a line runs down each side where sleeve meets body.

    Down the middle of the garment's height, the strongest vertical edge within each side band
    (away from the outline and from a centre zip) is taken for that line, if it stands out from
    the band and the two sit about symmetrically. Returns the body's sides and the bottom row,
    like _hanging_sleeves, or None.
    """
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    if height < HANGING_MIN_ASPECT * width or width < 40:
        return None
    rows = slice(y0 + int(0.35 * height), y0 + int(0.8 * height))
    # One solid shape across (straps or sleeves apart from the body show as gaps).
    if mask[rows, int(x0 + 0.05 * width) : int(x1 - 0.05 * width)].mean() < 0.95:
        return None
    inside = cv2.erode(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    edges = np.abs(cv2.Sobel(cv2.GaussianBlur(grey, (3, 3), 0).astype(np.float32), cv2.CV_32F, 1, 0, ksize=3))
    edges[~inside] = 0
    profile = edges[rows].mean(axis=0)
    lines = []
    for lo, hi in ((x0 + 0.12 * width, x0 + 0.38 * width), (x1 - 0.38 * width, x1 - 0.12 * width)):
        band = profile[int(lo) : int(hi)]
        if not len(band):
            return None
        peak = int(np.argmax(band))
        if band[peak] < INSIDE_SEAM_CONTRAST * max(float(np.median(band)), 1e-3):
            return None
        lines.append(int(lo) + peak)
    left, right = lines
    # About symmetric, and the body the larger part: a jacket seen at an angle, or a print's
    # lines, give lines anywhere.
    if abs((left - x0) - (x1 - right)) > 0.08 * width or right - left < 0.5 * width:
        return None
    return left, right, y1 - 1


def _row_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """The garment runs of one mask row, as inclusive (start, end) pairs."""
    edges = np.flatnonzero(np.diff(np.r_[0, row.astype(np.int8), 0]))
    return [(int(start), int(end) - 1) for start, end in zip(edges[::2], edges[1::2], strict=True)]


def _hanging_sleeves(mask: np.ndarray, box) -> tuple[int, int, int] | None:
    """Sleeves that lie against the body and join it in the silhouette.

    Long sleeves laid down beside a blouse's body make one wide shape; they
    show only near the bottom, where sleeves and body end at different
    heights: going up from the hem, the first row in which the garment falls
    into pieces on both sides of the middle (cuffs beside the body, or two
    cuffs below a shorter body). Returns the body's sides in that row and the
    row itself, or None.
    """
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    if height < HANGING_MIN_ASPECT * width:
        return None
    middle = (x0 + x1) / 2
    for share in np.arange(0.98, 0.55, -0.01):
        y = y0 + int(share * height)
        pieces = [run for run in _row_runs(mask[y]) if run[1] - run[0] + 1 >= 0.06 * width]
        if len(pieces) < 2 or not pieces[0][1] < middle < pieces[-1][0]:
            continue
        inner = pieces[1:-1]
        left, right = (inner[0][0], inner[-1][1]) if inner else (pieces[0][1] + 1, pieces[-1][0] - 1)
        if not inner and _opening_narrows(mask, y, middle, right - left):
            # Two pieces with a gap that narrows upwards are the fronts of an open
            # jacket below its button, not two cuffs below a shorter body.
            return None
        if 0.3 * width <= right - left <= 0.75 * width:
            return left, right, y
    return None


def _opening_narrows(mask: np.ndarray, y: int, middle: float, gap: int) -> bool:
    """Whether the gap through the middle of row ``y`` (``gap`` wide) narrows going up, like an
    inverted V, rather than keeping its width up to a hem that closes it."""
    widths = []
    for row in range(y, -1, -1):
        runs = _row_runs(mask[row])
        left = max((end for _, end in runs if end < middle), default=None)
        right = min((start for start, _ in runs if start > middle), default=None)
        if left is None or right is None or any(start <= middle <= end for start, end in runs):
            break
        widths.append(right - left - 1)
    if len(widths) < 4:
        return False
    # An inverted V narrows all the way up: already halfway, and much more near its top. The gap
    # between two cuffs or straps keeps its width until the hem above closes it (a curved hem
    # narrows it only near the top).
    halfway, near_top = widths[len(widths) // 2], widths[int(0.9 * (len(widths) - 1))]
    return halfway < OPENING_NARROWS * gap and near_top < OPENING_CLOSES * gap


def _cuffs_above_hem(mask: np.ndarray, box, runs: np.ndarray) -> tuple[int, int, int] | None:
    """Sleeves laid down the body whose cuffs end beside it, touching it, above the hem.

    The silhouette never parts (_hanging_sleeves finds nothing), but below the
    cuffs only the body is left: going up from the hem, the first row at least
    CUFF_WIDENING times as wide as the body at the hem, wider on both sides,
    is where the cuffs end. Returns the body's sides (at the hem) and that row,
    like _hanging_sleeves, or None.
    """
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    if height < HANGING_MIN_ASPECT * width:
        return None
    hem_row = runs[int(0.95 * (height - 1))]
    band = runs[int(0.92 * (height - 1)) : int(0.97 * (height - 1)) + 1]
    if not np.isfinite(band).all():
        return None
    left, right = hem_row
    body = right - left + 1
    # The body runs straight down to the hem (a rounded hem's width keeps changing).
    if np.ptp(band[:, 1] - band[:, 0]) > 0.06 * body:
        return None
    for share in np.arange(0.93, 0.55, -0.01):
        run = runs[int(share * (height - 1))]
        if not np.isfinite(run).all():
            return None
        beyond = min(left - run[0], run[1] - right)
        if run[1] - run[0] + 1 >= CUFF_WIDENING * body and beyond >= 0.05 * width:
            # A cuff ends in a step; a rounded hem narrows gradually.
            below = runs[int((share + 0.03) * (height - 1))]
            if np.isfinite(below).all() and below[1] - below[0] + 1 <= CUFF_STEP * body:
                return int(left), int(right), y0 + int(share * (height - 1))
            return None
    return None


def _cuffs_beside_bodice(box, runs: np.ndarray) -> tuple[int, int, int] | None:
    """A dress's sleeves laid down its bodice: the silhouette steps in where the cuffs end.

    Going down from a fifth of the height to below the waist, the first row
    at least CUFF_WIDENING times as wide as the row 3% of the height lower
    (and wider by a tenth of the dress's width) is the cuffs' end; below it is
    the body. Returns the body's sides there and that row, like
    _hanging_sleeves, or None.
    """
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    step = max(1, int(0.03 * height))
    widths = runs[:, 1] - runs[:, 0] + 1
    for row in range(int(0.2 * height), int(0.6 * height)):
        here, below = widths[row], widths[min(row + step, height - 1)]
        if np.isfinite(here) and np.isfinite(below) and here >= CUFF_WIDENING * below and here - below >= 0.1 * width:
            left, right = runs[min(row + step, height - 1)]
            return int(left), int(right), y0 + row
    return None


def _front_neckline(
    top: np.ndarray, points: dict[str, np.ndarray], armpit_y: float, mask: np.ndarray, rgb: np.ndarray
) -> dict[str, np.ndarray]:
    """Where the front of a collar would lie: ``collar_left``/``collar_right`` and ``neck_front``.

    A top laid flat (or on a ghost mannequin) shows the inside of its back
    through the neck opening, above the front neckline; worn, that is where
    the neck is. The opening runs between the highest points of the top edge
    either side of the middle (where collar and shoulder seams meet), and a
    crew neck's front drops about 0.4 of the opening's width below them. Not
    for a narrow high collar (it covers the neck), nor when that would reach
    down towards the armpits (an off-shoulder band, a camisole's straps), nor
    when the top edge already lies that low (a V or scoop seen from the front).
    A V's front edges are looked for first, on the photo (``rgb``) within the
    garment's ``mask`` (see _v_front): then ``neck_front`` is the V's tip and
    ``neck_v_left_<i>``/``neck_v_right_<i>`` points down its edges, from the top.
    """
    sl, sr = float(points["shoulder_left"][0]), float(points["shoulder_right"][0])
    centre_x, neck_y = float(points["neck"][0]), float(points["neck"][1])
    a, b, c = int(sl), int(centre_x), int(centre_x) + 1
    left, right = top[a:b], top[c : int(sr)]
    if sr - sl < 4 or not np.isfinite(left).any() or not np.isfinite(right).any():
        return {}
    # The highest columns; of equally high ones, those nearest the middle.
    x_left = a + int(np.nonzero(left <= np.nanmin(left) + 1)[0].max())
    x_right = c + int(np.nonzero(right <= np.nanmin(right) + 1)[0].min())
    high = float(top[x_left] + top[x_right]) / 2
    opening = x_right - x_left
    if opening < MIN_NECK_OPENING * (sr - sl):
        return {}
    corners = {
        "collar_left": np.array([x_left, high], np.float32),
        "collar_right": np.array([x_right, high], np.float32),
    }
    v = _v_front(rgb, mask, top, x_left, x_right, armpit_y)
    if v is not None:
        return corners | v
    front_y = high + FRONT_NECK_DROP * opening
    if front_y <= neck_y or front_y - high > 0.8 * (armpit_y - high):
        return {}
    return corners | {"neck_front": np.array([(x_left + x_right) / 2, front_y], np.float32)}


def _v_front(rgb: np.ndarray, mask: np.ndarray, top: np.ndarray, x_left: int, x_right: int, armpit_y: float):
    """A V neck's front (``neck_front`` at its tip, ``neck_v_*_<i>`` down its edges), or None.

    The inside of the back seen through the neck opening is one colour, and
    another than the front (a darker, shadowed panel; a lining): grown from just
    below the top edge between the corners, it narrows row by row to the V's
    tip. Where the front is the same colour it runs on down the garment, and
    where it stops soon it is a crew neck's inside: neither is a V.
    """
    h, w = mask.shape
    opening = x_right - x_left
    middle = (x_left + x_right) / 2
    high = int(round(float(top[x_left] + top[x_right]) / 2))
    lowest = int(min(h - 2, high + V_FRONT_DEPTH[1] * opening, armpit_y + (armpit_y - high)))
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb.astype(np.float32) / 255.0, (0, 0), 1.0), cv2.COLOR_RGB2LAB)
    interior = cv2.erode((mask > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    # The inside's colour: just below the top edge, either side of the middle (a label or a
    # keyhole often sits at the middle itself).
    seeds = []
    for x in (int(middle - 0.2 * opening), int(middle + 0.2 * opening)):
        y = top[x]
        if not np.isfinite(y):
            return None
        seeds += [(int(y) + dy, x + dx) for dy in (2, 3, 4) for dx in (-1, 0, 1)]
    seeds = [(y, x) for y, x in seeds if 0 <= y < h and interior[y, x]]
    if len(seeds) < 9:
        return None
    colour = np.median(np.array([lab[y, x] for y, x in seeds]), axis=0)
    # Lightness counts for half: the inside is shaded, lighter towards the tip.
    difference = (lab - colour) * np.array([V_FRONT_LIGHTNESS, 1.0, 1.0], np.float32)
    alike = (np.linalg.norm(difference, axis=-1) < V_FRONT_ALIKE) & interior
    alike[: max(0, high - 2)] = False
    alike[lowest + 1 :] = False
    alike[:, : max(0, x_left - 2)] = False
    alike[:, x_right + 3 :] = False
    _, labels = cv2.connectedComponents(alike.astype(np.uint8), connectivity=4)
    wanted = {labels[y, x] for y, x in seeds} - {0}
    inside = np.isin(labels, list(wanted)) if wanted else np.zeros_like(alike)
    rows = np.nonzero(inside.any(axis=1))[0]
    if not len(rows) or rows.max() >= lowest:
        return None
    tip = int(rows.max())
    if tip - high < V_FRONT_DEPTH[0] * opening:
        return None
    lefts = np.array([np.nonzero(inside[y])[0].min() if inside[y].any() else np.nan for y in range(high, tip + 1)])
    rights = np.array([np.nonzero(inside[y])[0].max() if inside[y].any() else np.nan for y in range(high, tip + 1)])
    widths = rights - lefts
    # A V narrows steadily: half as wide halfway down, give or take.
    half_way = len(widths) // 2
    first = widths[: max(1, len(widths) // 8)]
    top_width = float(np.median(first[np.isfinite(first)])) if np.isfinite(first).any() else 0.0
    if not (np.isfinite(widths[half_way]) and top_width > 0.6 * opening):
        return None
    if not 0.25 * top_width <= widths[half_way] <= 0.75 * top_width:
        return None
    v = {"neck_front": np.array([middle, tip], np.float32)}
    for i, share in enumerate(V_FRONT_ROWS):
        k = int(round(share * (len(widths) - 1)))
        if not np.isfinite(lefts[k]):
            return None
        # The inside's colour stops a little short of the front's edge, in the front's shadow.
        v[f"neck_v_left_{i}"] = np.array([lefts[k] - V_FRONT_SHADOW, high + k], np.float32)
        v[f"neck_v_right_{i}"] = np.array([rights[k] + V_FRONT_SHADOW, high + k], np.float32)
    return v


def _parts(mask: np.ndarray, box, points: dict[str, np.ndarray], hanging=None) -> np.ndarray:
    """Label each garment pixel: 1 body, 2 left sleeve, 3 right sleeve (0 background).

    Above the armpits the body lies between the shoulder-armpit lines; below
    them it is the garment run through the centre, so sleeves hanging beside
    the body stay sleeves. Sleeves joined to the body (``hanging``, from
    _hanging_sleeves) end at the body's sides down to where they part.
    """
    x0, y0, x1, y1 = box
    h, w = mask.shape
    labels = np.zeros((h, w), np.uint8)
    labels[mask] = 1
    if "armpit_left" not in points:
        return labels
    sl, sr = points["shoulder_left"], points["shoulder_right"]
    al, ar = points["armpit_left"], points["armpit_right"]
    runs = _body_runs(mask, box)
    xs = np.arange(w)
    for y in range(y0, y1):
        if y < al[1]:
            t = (y - sl[1]) / max(al[1] - sl[1], 1e-6)
            left = sl[0] + (al[0] - sl[0]) * t if y >= sl[1] else sl[0]
        else:
            run = runs[y - y0]
            left = run[0] if np.isfinite(run[0]) else al[0]
            if hanging is not None and y < hanging[2]:
                left = max(left, hanging[0])
        if y < ar[1]:
            t = (y - sr[1]) / max(ar[1] - sr[1], 1e-6)
            right = sr[0] + (ar[0] - sr[0]) * t if y >= sr[1] else sr[0]
        else:
            run = runs[y - y0]
            right = run[1] if np.isfinite(run[1]) else ar[0]
            if hanging is not None and y < hanging[2]:
                right = min(right, hanging[1])
        row = mask[y]
        labels[y, row & (xs < left - 0.5)] = 2
        labels[y, row & (xs > right + 0.5)] = 3
    # A sleeve is one piece; specks along the body's edge belong to the body.
    for label in (2, 3):
        count, comp, stats, _ = cv2.connectedComponentsWithStats((labels == label).astype(np.uint8), 8)
        if count > 2:
            keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
            labels[(comp > 0) & (comp != keep)] = 1
    return labels


def _body_panels_past_the_armholes(small: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Sleeve-labelled pixels that are the body's panel reaching past the armhole line (bool).

    The line from shoulder to armpit is not the seam: a colour-block tee's white body panel runs
    a little past it. Cut with the sleeve, that strip turned with it onto the top of the shoulder,
    a white wedge beside the red sleeve. A piece of another colour than its sleeve, like the
    body's beside it and lying wholly near the line (a stripe across the sleeve does not), is the body's.
    """
    panels = np.zeros(parts.shape, bool)
    body = parts == 1
    if not body.any():
        return panels
    lab = _lab(small)
    reach = max(2, int(round(PANEL_REACH * max(parts.shape))))
    distance_to_body = cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 3)
    near_body = distance_to_body <= reach
    # The colour of the body's nearest pixel (a little smoothed, for its print's grain).
    smooth = cv2.GaussianBlur(lab, (0, 0), 1.0)
    _, nearest = cv2.distanceTransformWithLabels(
        (~body).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    colours = np.zeros((int(nearest.max()) + 1, 3), np.float32)
    colours[nearest[body]] = smooth[body]
    beside = colours[nearest]
    # The outline's pixels are half backdrop, of no garment colour: they would join a sleeve's
    # panel to its whole edge.
    within = cv2.erode((parts > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    touching = cv2.dilate(body.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    like_the_body = np.linalg.norm(lab - beside, axis=2) < PANEL_ALIKE
    for label in (2, 3):
        sleeve = (parts == label) & within
        if sleeve.sum() < 50:
            continue
        colour = np.median(lab[sleeve], axis=0)
        from_sleeve = np.linalg.norm(lab - colour, axis=2)
        other = sleeve & (from_sleeve > PANEL_OTHER) & like_the_body
        count, pieces, stats, _ = cv2.connectedComponentsWithStats(other.astype(np.uint8), 8)
        for piece in range(1, count):
            # A panel runs along the seam; a print's motif by the line is the sleeve's own.
            height, width = stats[piece, cv2.CC_STAT_HEIGHT], stats[piece, cv2.CC_STAT_WIDTH]
            if height < max(2 * reach, 2 * width) or stats[piece, cv2.CC_STAT_AREA] < 0.8 * reach * reach:
                continue
            here = pieces == piece
            if not (here & touching).any() or (here & near_body).sum() < 0.9 * stats[piece, cv2.CC_STAT_AREA]:
                continue
            # ... and beyond it, at its rows, the sleeve's own colour resumes. A yoke that runs on
            # over the sleeve's cap is the sleeve's own (the bow dress's black top).
            rows = np.zeros(parts.shape, bool)
            rows[np.unique(np.nonzero(here)[0])] = True
            beyond = sleeve & rows & ~near_body & (distance_to_body <= 2.5 * reach)
            if beyond.sum() and (from_sleeve[beyond] < PANEL_OTHER).mean() >= 0.6:
                # With its rim, which blends into the sleeve's colour and the outline's.
                rim = cv2.dilate(here.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
                panels |= here | (rim & (parts == label) & (from_sleeve > PANEL_OTHER / 2))
    return panels


def _lower_keypoints(mask: np.ndarray, box) -> dict[str, np.ndarray]:
    """Waistband, crotch and leg ends of trousers, shorts or a skirt."""
    x0, y0, x1, y1 = box
    height = y1 - y0
    top_row = y0 + max(1, int(height * 0.02))
    xs = np.nonzero(mask[top_row])[0]
    if len(xs) == 0:
        xs = np.array([x0, x1 - 1])
    points = {
        "waist_left": np.array([xs.min(), y0], np.float32),
        "waist_right": np.array([xs.max(), y0], np.float32),
    }
    legs, crotch, gap_column = _leg_gap(mask, box)
    centre = float(gap_column) if legs else (x0 + x1) / 2
    if legs:
        crotch_y = y0 + crotch * height
        points["crotch"] = np.array([centre, crotch_y], np.float32)
        hip_row = int(min(crotch_y - 1, y0 + 0.7 * (crotch_y - y0)))
        hx = np.nonzero(mask[max(hip_row, y0)])[0]
        if len(hx):
            points["hip_left"] = np.array([hx.min(), hip_row], np.float32)
            points["hip_right"] = np.array([hx.max(), hip_row], np.float32)
        for side, sl in (("left", slice(x0, int(centre))), ("right", slice(int(centre), x1))):
            part = mask[:, sl]
            rows = np.nonzero(part.any(axis=1))[0]
            if not len(rows):
                continue
            bottom = rows.max()
            # Leg end: the run in the leg's last rows.
            tail = part[max(int(crotch_y), bottom - max(2, height // 40)) : bottom + 1]
            cols = np.nonzero(tail.any(axis=0))[0] + sl.start
            points[f"leg_{side}_outer" if side == "left" else f"leg_{side}_inner"] = np.array(
                [cols.min(), bottom], np.float32
            )
            points[f"leg_{side}_inner" if side == "left" else f"leg_{side}_outer"] = np.array(
                [cols.max(), bottom], np.float32
            )
            # Knee level of the leg: halfway from crotch to hem.
            knee_y = int((crotch_y + bottom) / 2)
            kx = np.nonzero(part[knee_y])[0] + sl.start
            if len(kx):
                points[f"knee_{side}_outer" if side == "left" else f"knee_{side}_inner"] = np.array(
                    [kx.min(), knee_y], np.float32
                )
                points[f"knee_{side}_inner" if side == "left" else f"knee_{side}_outer"] = np.array(
                    [kx.max(), knee_y], np.float32
                )
    else:
        # A skirt's hem: its corners, at the hem's typical height. The lowest
        # point alone is often a ruffle or a pleat near the middle; and the hem's
        # corners are where the skirt is still nearly its full width (a lining
        # hanging below a tiered skirt's hem, a hem curving up to its sides, made
        # the skirt narrow to a quarter of its width at its hem: a puffed ball).
        rows = mask[y0:y1]
        extents = np.where(
            rows.any(axis=1), rows.shape[1] - np.argmax(rows[:, ::-1], axis=1) - np.argmax(rows, axis=1), 0
        )
        spans = np.nonzero(extents >= HEM_SPAN * extents[height // 2 :].max())[0]
        row = np.nonzero(mask[y0 + min(int(0.96 * (height - 1)), int(spans.max()))])[0]
        left, right = (int(row.min()), int(row.max())) if len(row) else (x0, x1 - 1)
        bottom = _bottom_edge(mask, left, right + 1)
        hem_y = float(np.nanmedian(bottom)) if np.isfinite(bottom).any() else float(y1 - 1)
        points["hem_left"] = np.array([left, hem_y], np.float32)
        points["hem_right"] = np.array([right, hem_y], np.float32)
    return points


def _length_class(value: float, classes) -> str:
    value = value if np.isfinite(value) else 0.0
    return next(name for bound, name in classes if value < bound)


def _neckline(mask: np.ndarray, points: dict[str, np.ndarray]) -> tuple[str, float]:
    """Neckline kind and depth (see GarmentAnalysis) from the top edge between the armpits.

    Strapless: an off-shoulder band rises over the arms, above anything
    between the armpits; a bandeau whose top is straight across isn't told
    from a wide scoop yet ("crew").
    """
    sl, sr = points["shoulder_left"], points["shoulder_right"]
    al, ar = points["armpit_left"], points["armpit_right"]
    shoulder_y = float(sl[1] + sr[1]) / 2
    depth_span = max(float(al[1] + ar[1]) / 2 - shoulder_y, 1.0)
    armpit_width = max(float(ar[0] - al[0]), 1.0)
    top = _top_edge(mask, 0, mask.shape[1])
    a, b = int(al[0]), int(ar[0]) + 1
    edge = top[a:b]
    middle = int(round((float(sl[0]) + float(sr[0])) / 2)) - a
    if b - a < 4 or not np.isfinite(edge[:middle]).any() or not np.isfinite(edge[middle:]).any():
        return "crew", 0.0
    high = float(np.nanmin(edge))
    probe = int(round(high + 0.25 * (shoulder_y + depth_span - high)))
    pieces = [run for run in _row_runs(mask[min(max(probe, 0), mask.shape[0] - 1), a:b]) if run[1] - run[0] >= 1]
    # The opening between the highest points either side of the middle.
    left, right = edge[:middle], edge[middle:]
    x_left = int(np.nonzero(left <= np.nanmin(left) + 1)[0].max())
    x_right = middle + int(np.nonzero(right <= np.nanmin(right) + 1)[0].min())
    corners = float(edge[x_left] + edge[x_right]) / 2
    inside = edge[x_left : x_right + 1]
    dip = float(np.nanmax(inside)) - corners if np.isfinite(inside).any() else 0.0
    opening = max(x_right - x_left, 1)
    front_y = corners + dip
    if "neck_front" in points:
        front_y = max(front_y, float(points["neck_front"][1]))
    if "neck_v_left_0" in points:
        return "v", max(0.0, (front_y - shoulder_y) / depth_span)
    depth = max(0.0, (front_y - shoulder_y) / depth_span)
    if len(pieces) >= 2 and max(run[1] - run[0] + 1 for run in pieces) < STRAP_WIDTH * armpit_width:
        return "straps", depth
    beyond = np.concatenate([top[:a], top[b:]])
    if np.isfinite(beyond).any() and high - float(np.nanmin(beyond)) > OFF_SHOULDER_RISE * armpit_width:
        return "strapless", depth
    if opening < COLLAR_OPENING * armpit_width or shoulder_y - high > COLLAR_RISE * depth_span:
        return "collar", max(0.0, (corners + dip - shoulder_y) / depth_span)
    # Flat, most V necks show only their back: the dip seen is the back neck's.
    return ("v" if dip >= V_DIP * opening else "crew"), depth


def _furthest(xs: np.ndarray, ys: np.ndarray, root: np.ndarray, rise_penalty: float = 0.0) -> np.ndarray:
    """Which of the pixels (``xs``, ``ys``) are the furthest 7% from ``root``, each one's distance
    less ``rise_penalty`` times how far it rises above it (bool)."""
    reach = np.hypot(xs - root[0], ys - root[1]) - rise_penalty * np.maximum(root[1] - ys, 0.0)
    return reach >= np.percentile(reach, 93)


def _sleeve_class(mask_parts: np.ndarray, label: int, end, seam, armpit_width: float, drop_span) -> str | None:
    """One sleeve's class from its shape (see SHORT_FULLNESS); None for a strap."""
    length = float(np.linalg.norm(np.asarray(end) - seam))
    fullness = float((mask_parts == label).sum()) / max(length**2, 1.0)
    if fullness < SLEEVE_MIN_FULLNESS:
        return None
    if fullness > CAP_FULLNESS:
        return "cap"
    if fullness > SHORT_FULLNESS:
        return "short"
    reach = length / armpit_width
    drop = (float(end[1]) - drop_span[0]) / max(drop_span[1] - drop_span[0], 1.0)
    if reach >= LONG_SLEEVE or drop >= LONG_SLEEVE_DROP:
        return "long"
    return "three_quarter" if reach >= ELBOW_SLEEVE else "elbow"


SLEEVE_ORDER = ("none", "cap", "short", "elbow", "three_quarter", "long")


def _top_parts(mask: np.ndarray, parts: np.ndarray, points: dict[str, np.ndarray], clothes_type: str) -> dict:
    """Neckline, sleeve and hem of a top or dress, measured on its keypoints (GarmentAnalysis fields).

    A "sleeve" that is only a strap (too thin for its length) loses its
    sleeve-end keypoints: the strap belongs to the body.
    """
    al, ar = points["armpit_left"], points["armpit_right"]
    armpit_width = max(float(ar[0] - al[0]), 1.0)
    shoulder_y = float(points["shoulder_left"][1] + points["shoulder_right"][1]) / 2
    hem_y = float(points["hem_left"][1] + points["hem_right"][1]) / 2
    neckline, depth = _neckline(mask, points)
    lengths, classes = [], []
    for side, label, pit in (("left", 2, al), ("right", 3, ar)):
        if f"sleeve_{side}" not in points:
            continue
        seam = np.array([pit[0], points[f"shoulder_{side}"][1]], np.float32)
        # Its size is measured to the part furthest from the armhole, whichever way that is (the
        # classes' bounds are set on that), not to the end it hangs from (see _upper_keypoints).
        ys, xs = np.nonzero(parts == label)
        far = _furthest(xs, ys, (points[f"shoulder_{side}"] + pit) / 2)
        reach = np.array([xs[far].mean(), ys[far].mean()], np.float32)
        found = _sleeve_class(parts, label, reach, seam, armpit_width, (shoulder_y, hem_y))
        if found is None:
            del points[f"sleeve_{side}"], points[f"sleeve_{side}_width"]
            continue
        classes.append(found)
        lengths.append(float(np.linalg.norm(reach - seam)) / armpit_width)
    length = (hem_y - shoulder_y) / armpit_width
    return {
        "neckline": neckline,
        "neckline_depth": depth,
        # Sides can differ (a ghost mannequin's arm turned towards the camera): the longer counts.
        "sleeve": max(classes, key=SLEEVE_ORDER.index) if classes else "none",
        "sleeve_length": float(np.mean(lengths)) if lengths else 0.0,
        "hem": _length_class(length, HEM_CLASSES[clothes_type]),
        "length": length,
    }


def _bottom_parts(points: dict[str, np.ndarray]) -> dict:
    """Hem class and length of trousers, shorts or a skirt (GarmentAnalysis fields)."""
    waist_y = float(points["waist_left"][1] + points["waist_right"][1]) / 2
    waist_width = max(float(points["waist_right"][0] - points["waist_left"][0]), 1.0)
    skirt = "crotch" not in points
    ends = ("hem_left", "hem_right") if skirt else ("leg_left_outer", "leg_right_outer")
    hem_y = max(float(points[name][1]) for name in ends if name in points)
    length = (hem_y - waist_y) / waist_width
    return {"hem": _length_class(length, HEM_CLASSES["lower"]), "length": length, "skirt": skirt}


def _pale_pieces_at_the_shoulders(small: np.ndarray, mask: np.ndarray, points: dict[str, np.ndarray]) -> np.ndarray:
    """Pieces of a collared top the cut took for backdrop, between its shoulders (bool, at ANALYSIS_SIDE).

    A white collar's flap on a pale grey backdrop differs from it by less than the cut's
    thresholds and went with the backdrop: worn, the top had a notch of bare skin beside the
    collar. Within the convex outline of the top above its armpits, a piece that differs from the
    backdrop around it and is mostly lighter than it is the garment's (a shadow on the backdrop is
    only darker). Only for a collar: between a camisole's straps the same test took the
    backdrop's faint shading for the top.
    """
    h, w = mask.shape
    restored = np.zeros((h, w), bool)
    needed = ("shoulder_left", "shoulder_right", "armpit_left", "armpit_right")
    if not all(name in points for name in needed):
        return restored
    x0 = int(np.floor(min(points["shoulder_left"][0], points["shoulder_right"][0])))
    x1 = int(np.ceil(max(points["shoulder_left"][0], points["shoulder_right"][0]))) + 1
    y1 = int(min(points["armpit_left"][1], points["armpit_right"][1]))
    band = np.zeros((h, w), bool)
    band[: max(0, y1), max(0, x0) : max(0, x1)] = True
    ys, xs = np.nonzero(mask & band)
    if len(ys) < 3:
        return restored
    hull = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.stack([xs, ys], axis=1).astype(np.int32)), 1)
    # Compared with the backdrop nearby (outside the outline): a ghost mannequin's backdrop
    # shades towards its shoulders, and that shading is no garment.
    lab = _lab(small)
    nearby = _backdrop_nearby(lab, (hull == 0) & ~mask, PALE_PIECE_BACKDROP * max(h, w))
    # Found by its lighter parts: what is only darker is the garment's shadow on the backdrop (a
    # darker piece stands out enough for the cut). The piece's own shaded parts join them.
    difference = lab - nearby
    lighter = (difference[..., 0] > PALE_PIECE_LIGHTER) & (hull > 0) & band & ~mask
    differs = (np.linalg.norm(difference, axis=2) > PALE_PIECE_DIFFERS) & (hull > 0) & band & ~mask
    differs = cv2.morphologyEx(differs.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    # Opened, for the backdrop's faint halo along the collar's top.
    differs = cv2.morphologyEx(differs, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    differs &= (hull > 0) & ~mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(differs.astype(np.uint8), 8)
    touching = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    for label in range(1, count):
        piece = labels == label
        large = stats[label, cv2.CC_STAT_AREA] >= PALE_PIECE_AREA * mask.sum()
        if large and (piece & touching).any() and (piece & lighter).sum() >= 0.5 * stats[label, cv2.CC_STAT_AREA]:
            restored |= piece
    return restored


def _refine_edges(rgb: np.ndarray, mask: np.ndarray, up: float) -> np.ndarray:
    """Sharpen the upscaled mask's edge with the full-size photo where the garment stands out.

    The cut-out is found at ANALYSIS_SIDE; scaled up it has soft, wobbly
    edges. Near the edge, a garment that differs clearly from the backdrop
    gets its alpha from its own colour distance to the backdrop instead. Pale
    garments on pale backdrops keep the smooth upscaled edge.
    """
    lab = _lab(rgb)
    background = np.median(_border_pixels(lab), axis=0)
    radius = max(2, int(round(up * 1.5)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    binary = (mask > 0.5).astype(np.uint8)
    # Only the edge's band changes, and what it reads lies within the blur's reach of it: all of
    # this is worked out in the garment's box with that margin, the same numbers as over the
    # whole photo (its backdrop was most of the time).
    sigma = 2.0 * radius
    box = box_around(binary, radius + gaussian_reach(sigma) + 1)
    if box is None:
        return mask.copy()
    y0, y1, x0, x1 = box
    binary = binary[y0:y1, x0:x1]
    distance = np.linalg.norm(lab[y0:y1, x0:x1] - background, axis=2)
    band = (cv2.dilate(binary, kernel) > 0) & ~(cv2.erode(binary, kernel) > 0)
    core = cv2.erode(binary, kernel).astype(np.float32)
    inner = cv2.GaussianBlur(distance * core, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(core, (0, 0), sigma), 1e-3)
    # Alpha ramps over the lower part of the garment's own contrast.
    contrast = inner > 2 * FOREGROUND_DELTA_E_HIGH
    ramp = np.clip((distance - 0.15 * inner) / np.maximum(0.35 * inner, 1.0), 0.0, 1.0)
    refined = mask.copy()
    use = band & contrast
    refined[y0:y1, x0:x1][use] = ramp[use]
    # A soft shadow the cut took in goes back to the backdrop.
    shadow = _shadow_at_the_edge(rgb[y0:y1, x0:x1], lab[y0:y1, x0:x1], background, binary, distance, inner, up)
    refined[y0:y1, x0:x1][shadow & contrast] = 0.0
    return refined


def _shadow_at_the_edge(rgb, lab, background, binary, distance, inner, up: float) -> np.ndarray:
    """The soft shadow beside a garment's edge that the cut took in (bool, over ``binary``'s box).

    A shadow on the backdrop beside a dark garment (inside a neckline, along a side) ramps
    smoothly into the garment, and the cut, made small, took its darker part in: worn, it was a
    pale line along the neckline or down a trouser leg. The garment's own edge is a step in the
    photo: what the backdrop reaches without crossing one, near the cut's edge, is the backdrop's,
    if it is the backdrop's hue and darker, nearer the backdrop's colour than the garment's
    (``distance`` to ``background``, and ``inner``, the garment's own near the edge), and no grey
    the garment itself has nearby (the white of a black-and-white print, cut along the edge).
    """
    wide = max(2, int(round(up * SHADOW_BAND)))
    inside = cv2.distanceTransform(binary, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - binary, cv2.DIST_L2, 3)
    near_edge = (inside <= wide) & (outside <= wide)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    steps = cv2.Canny(grey, EDGE_STEP_LOW, EDGE_STEP_HIGH) > 0
    open_ground = (near_edge | (binary == 0)) & ~steps
    count, labels = cv2.connectedComponents(open_ground.astype(np.uint8), connectivity=4)
    from_the_backdrop = np.zeros(count, bool)
    from_the_backdrop[labels[open_ground & (outside > wide)]] = True
    from_the_backdrop[0] = False
    reached_from_the_backdrop = from_the_backdrop[labels]
    lightness = np.ascontiguousarray(lab[..., 0], dtype=np.float32)
    hue_off = cv2.magnitude(
        (lab[..., 1] - background[1]).astype(np.float32), (lab[..., 2] - background[2]).astype(np.float32)
    )
    shadowy = (hue_off < SHADOW_AB) & (background[0] - lightness > SHADOW_LEAST)
    candidates = reached_from_the_backdrop & near_edge & shadowy & (distance < SHADOW_SIDE * inner)
    if not candidates.any():
        return candidates
    # The garment's greys well inside it (the cut's edge runs through the shadow), in patches rather
    # than a knit's glints, within reach: the lightest and darkest of each 4x4 block, spread.
    neutral_core = (inside > 2 * wide) & (hue_off < SHADOW_AB)
    patches = cv2.medianBlur(np.clip(lightness * 2.55, 0, 255).astype(np.uint8), 5).astype(np.float32) / 2.55
    h, w = (binary.shape[0] // 4) * 4, (binary.shape[1] // 4) * 4
    window = np.ones((2 * wide + 1, 2 * wide + 1), np.uint8)
    block = np.ones((4, 4), np.uint8)
    lightest = cv2.dilate(np.where(neutral_core, patches, np.float32(-1000.0)), block, anchor=(0, 0))
    darkest = cv2.erode(np.where(neutral_core, patches, np.float32(1000.0)), block, anchor=(0, 0))
    lightest = cv2.dilate(np.ascontiguousarray(lightest[:h:4, :w:4]), window)
    darkest = cv2.erode(np.ascontiguousarray(darkest[:h:4, :w:4]), window)
    size = lightest.shape
    ys, xs = np.nonzero(candidates)
    at = (np.minimum(ys // 4, size[0] - 1), np.minimum(xs // 4, size[1] - 1))
    own_grey = (lightness[ys, xs] > darkest[at] - SHADOW_OWN) & (lightness[ys, xs] < lightest[at] + SHADOW_OWN)
    candidates[ys[own_grey], xs[own_grey]] = False
    return candidates


@dataclass(frozen=True)
class GarmentCut:
    """The garment found in a product photo, at ANALYSIS_SIDE: all the clothes check judges, and
    where :func:`extract_garment` starts. Shared between threads: never modify its arrays."""

    small: np.ndarray  # (h, w, 3) uint8: the photo at ANALYSIS_SIDE
    mask: np.ndarray  # (h, w) bool: the largest component, holes filled
    plain_background: bool
    backdrop: np.ndarray  # (h, w) bool: pixels of the backdrop's colour (see _foreground)
    shadows: np.ndarray  # (h, w) bool: the mask's thin shadows (see _thin_shadows)
    items: int
    area_share: float
    box: tuple[int, int, int, int] | None  # of ``mask``; None when nothing was found
    clothes_type: str  # the silhouette's type ("upper" when nothing was found)


_cuts: OrderedDict[tuple, Future] = OrderedDict()
_cuts_lock = threading.Lock()


def garment_cut(image: Image.Image) -> GarmentCut:
    """The garment in ``image`` at ANALYSIS_SIDE, made once per photo and process.

    A try-on's clothes check runs in a thread beside its render, on the same photo; the cut (the
    foreground's GrabCut and the type, about 70 ms of a core) is the costly part of both. The
    cut is a function of the shrunk photo's pixels alone, so it is kept under their digest: the
    second asker waits for the first's cut rather than making its own.
    """
    return _cut_of(np.asarray(image.convert("RGB"), dtype=np.uint8))


def _cut_of(rgb: np.ndarray) -> GarmentCut:
    """:func:`garment_cut` of the photo's pixels (any size; already at CUT_FROM_SIDE, nothing is redone)."""
    small = _shrunk(_shrunk(rgb, CUT_FROM_SIDE), ANALYSIS_SIDE)
    key = small.shape, hashlib.blake2b(small.tobytes(), digest_size=16).digest()
    with _cuts_lock:
        future = _cuts.get(key)
        mine = future is None
        if mine:
            future = _cuts[key] = Future()
            while len(_cuts) > CUTS_KEPT:
                _cuts.popitem(last=False)
        else:
            _cuts.move_to_end(key)
    if mine:
        try:
            future.set_result(_cut(small))
        except BaseException as error:
            with _cuts_lock:
                _cuts.pop(key, None)
            future.set_exception(error)
    return future.result()


def _shrunk(rgb: np.ndarray, side: int) -> np.ndarray:
    """``rgb`` with its long side at most ``side``: Lanczos to the working size, area averaging below it."""
    h, w = rgb.shape[:2]
    if max(h, w) <= side:
        return rgb
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if side > ANALYSIS_SIDE:
        return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _cut(small: np.ndarray) -> GarmentCut:
    rough, plain, backdrop, shadows = _foreground(small)
    main, items = _largest_components(rough)
    if plain and main.any():
        floor = _floor_shadow(main, _lab(small))
        if floor.any():
            main, _ = _largest_components(main & ~floor)
    for array in (small, main, backdrop, shadows):
        array.flags.writeable = False
    found = bool(main.any())
    box = _rows_cols(main) if found else None
    return GarmentCut(
        small=small,
        mask=main,
        plain_background=plain,
        backdrop=backdrop,
        shadows=shadows,
        items=items if found else 0,
        area_share=float(main.mean()),
        box=box,
        clothes_type=_classify(main, box) if found else "upper",
    )


def extract_garment(image: Image.Image, max_side: int = 1024, clothes_type: str | None = None) -> GarmentAnalysis:
    """Cut the garment out of a product photo and measure its silhouette.

    The mask is computed at ANALYSIS_SIDE (:func:`garment_cut`) and scaled up to the garment image
    (shrunk to ``max_side``); keypoints are in that image's pixels. The
    keypoints are those of ``clothes_type`` when given (the user's choice wins:
    a long top may be worn as a dress), else of the detected type.
    """
    photo = np.asarray(image.convert("RGB"), dtype=np.uint8)
    rgb = _shrunk(photo, max_side)
    h, w = rgb.shape[:2]
    cut = _cut_of(rgb if max_side == CUT_FROM_SIDE else photo)
    if cut.box is None:
        return GarmentAnalysis(
            rgb=rgb,
            mask=np.zeros((h, w), np.float32),
            clothes_type="upper",
            plain_background=cut.plain_background,
            items=0,
            area_share=0.0,
        )
    small, backdrop, box, detected = cut.small, cut.backdrop, cut.box, cut.clothes_type
    main = cut.mask.copy()
    clothes_type = clothes_type or detected
    deep = None
    if clothes_type == "lower":
        gap = _gap_between_the_legs(main, backdrop, cut.shadows, box)
        points = _lower_keypoints(main, box)
        # Short legs laid touching: cut apart, or worn they were a boxy skirt across both thighs.
        # (Long ones hang down both legs as one piece already, the strip showing between them.)
        if "crotch" not in points and gap.any() and _bottom_parts(points)["hem"] in JOINED_LEGS_HEMS:
            slit = _inseam_slit(main & ~gap, box)
            if slit is not None:
                gap |= slit
                points = _lower_keypoints(main & ~gap, box)
        # Only now: the keypoints need the legs as the cut joined them (a gap
        # opened at the hems alone would put the crotch there).
        main &= ~gap
        parts = main.astype(np.uint8)
        described = _bottom_parts(points)
    else:
        points, parts = _upper_keypoints(main, box, clothes_type, small)
        gaps = _gaps_between_sleeve_and_body(main, backdrop, parts, cut.shadows) | _strap_loops(main, backdrop, box)
        deep = _deep_shadow_by_the_gaps(small, main, gaps)
        gaps |= deep
        main &= ~gaps
        parts[gaps] = 0
        parts[_body_panels_past_the_armholes(small, parts)] = 1
        described = _top_parts(main, parts, points, clothes_type)
        if described["neckline"] == "collar":
            restored = _pale_pieces_at_the_shoulders(small, main, points)
            main |= restored
            parts[restored] = 1
        # Without a sleeve on a side, what lies beyond the armhole line (a
        # strap, a ruffle) belongs to the body piece.
        for side, label in (("left", 2), ("right", 3)):
            if f"sleeve_{side}" not in points:
                parts[parts == label] = 1
    up = max(h, w) / max(small.shape[:2])
    points = {name: (p * up if name.endswith("_width") else (p + 0.5) * up - 0.5) for name, p in points.items()}
    mask = cv2.resize(main.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, 0.5 * up))
    if up > 1.5:
        mask = _refine_edges(rgb, mask, up)
        if deep is not None and deep.any():
            # The refined edge takes its alpha from the colour's distance to the backdrop, and black
            # is far from it: the deep shadow would come back.
            mask[cv2.resize(deep.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5] = 0.0
    box_full = tuple(int(round(v * up)) for v in box)
    parts = cv2.resize(parts, (w, h), interpolation=cv2.INTER_NEAREST)
    return GarmentAnalysis(
        rgb=rgb,
        mask=mask,
        clothes_type=detected,
        keypoints=points,
        plain_background=cut.plain_background,
        items=cut.items,
        area_share=cut.area_share,
        box=box_full,
        parts=parts,
        **described,
    )


def check_clothes_image(image: Image.Image) -> ClothesCheck:
    """FitRoom's "Check Clothes Image": is this one garment on a plain background, and which type.

    ``is_clothes`` is false for a photo of a person (a worn garment is a model
    image), a scene or noise (the border isn't plain), nothing or everything in
    the foreground, or several items side by side. ``clothes_type`` is the
    silhouette's best guess even then, as FitRoom always returns one.
    """
    from .person import analyse_person

    cut = garment_cut(image)
    is_clothes = cut.plain_background and cut.items == 1 and MIN_AREA_SHARE <= cut.area_share <= MAX_AREA_SHARE
    if is_clothes:
        person = analyse_person(image)
        # Pose finds a body in a ghost mannequin's shape too; a worn garment
        # shows skin where the pose puts the face or the hands.
        if person is not None and _skin_at_face_or_hands(np.asarray(image.convert("RGB")), person):
            is_clothes = False
    return ClothesCheck(clothes_type=cut.clothes_type, is_clothes=is_clothes)


def _skin_at_face_or_hands(rgb: np.ndarray, person) -> bool:
    """Whether skin fills the window around any face or hand landmark of ``person`` (``rgb``'s frame).

    Skin: the classic YCrCb box (Chai & Ngan), wide enough for every skin
    tone of the dev set's people; ghost-mannequin collars and cuffs show at
    most a third of their window as skin, people at least half (a head
    cropped at the mouth still has its hands).
    """
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycc[..., 0], ycc[..., 1], ycc[..., 2]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1]) & (y > SKIN_MIN_Y)
    h, w = skin.shape
    radius = max(3, int(SKIN_WINDOW_TORSO * person.torso_length))
    for index in SKIN_LANDMARKS:
        x, yy = person.landmarks[index, :2]
        if 0 <= x < w and 0 <= yy < h:
            x, yy = int(x), int(yy)
            window = skin[max(0, yy - radius) : yy + radius + 1, max(0, x - radius) : x + radius + 1]
            if window.mean() >= SKIN_SHARE:
                return True
    return False
