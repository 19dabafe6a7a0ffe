"""Garment analysis and FitRoom's clothes check.

:func:`extract_garment` separates a product photo's garment from its plain
background (flat lay, mannequin or ghost mannequin) and measures the
silhouette: its type (upper / lower / full) and the keypoints the renderer
maps onto a body. :func:`check_clothes_image` turns that into FitRoom's
"Check Clothes Image" answer, ``clothes_type`` and ``is_clothes``.

No learned garment model is available offline (see
``shared/notes/engine-feasibility.md`` §3-4), so the foreground comes from the
border colour, edges and a GrabCut pass at reduced size, and the type from
silhouette rules. Thresholds were calibrated on the dev photos; each says what
it separates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from tryon.cloth_types import CHECK_TYPES

CLOTHES_TYPES = CHECK_TYPES

# Long side of the image the foreground is computed on; GrabCut's cost grows
# with pixels and the silhouette rules need no more detail than this.
ANALYSIS_SIDE = 320

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

# --- sanity of the foreground -----------------------------------------------------
# Garment area as a share of the image: below MIN it's a speck or nothing,
# above MAX the "background" was part of the subject.
MIN_AREA_SHARE = 0.04
MAX_AREA_SHARE = 0.92
# A second connected component at least this share of the largest one means
# several items (two garments side by side), not one garment.
SECOND_ITEM_SHARE = 0.25

# --- silhouette rules (notes §4) ---------------------------------------------------
# Legs: the centre column is background below the crotch in this share of the
# lower rows, with the crotch in the upper part of the silhouette.
LEG_GAP_ROWS = 0.30
LEG_GAP_MAX_CROTCH = 0.80
# Flat waistband: the top edge's height range over the top's width (share of
# the silhouette height; skirts <= 0.074, tops >= 0.083 on dev, dresses with a
# straight neckline lower still), the top nearly as wide as the body, and no
# longer than a long skirt (the plaid dress's straight neckline: aspect 2.7).
FLAT_TOP_RANGE = 0.08
FLAT_TOP_WIDTH = 0.60
FLAT_TOP_MAX_ASPECT = 2.0
# Full-length garments: height / width of the bounding box, or length / body
# width; but a top shorter than twice its body width isn't a dress even when
# narrow (a long cami: aspect 1.7, length 1.9 bodies; dresses >= 2.26).
FULL_ASPECT = 1.5
FULL_LENGTH_BODY = 2.6
FULL_MIN_LENGTH_BODY = 2.0
FULL_SURE_ASPECT = 1.8
# Neck opening: a crew neck's front lies about 0.4 of the opening's width below
# the collar's top corners (back drop ~2 cm, front ~9 cm, opening ~18 cm); an
# opening narrower than this share of the shoulders is a high collar.
FRONT_NECK_DROP = 0.42
MIN_NECK_OPENING = 0.3
# Sleeves lying against the body, joined to it in the silhouette: the armpit
# lies this share of the body's width below the top; only for tops at least
# this tall for their width (an off-shoulder band's puff sleeves are not arms').
HANGING_ARMPIT_DEPTH = 0.45
HANGING_MIN_ASPECT = 0.7


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
    have (a waistband on a tee) are absent from the dict.
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


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab with L in 0..100 and a, b centred on 0 (float32)."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


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


def _foreground(small_rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """Garment mask at analysis size, and whether the border is plain."""
    lab = _lab(small_rgb)
    border = _border_pixels(lab)
    background = np.median(border, axis=0)
    border_distance = np.linalg.norm(border - background, axis=1)
    plain = float(np.mean(border_distance < BORDER_DELTA_E)) >= PLAIN_BORDER_SHARE

    distance = np.linalg.norm(lab - background, axis=2)
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
    result = cv2.morphologyEx(result.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return result > 0, plain


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


def _central_run(row: np.ndarray, centre: int) -> tuple[int, int] | None:
    """The garment run through ``centre`` in one row (inclusive ends)."""
    if not row[centre]:
        return None
    left = centre
    while left > 0 and row[left - 1]:
        left -= 1
    right = centre
    while right < len(row) - 1 and row[right + 1]:
        right += 1
    return left, right


def _body_runs(mask: np.ndarray, box) -> np.ndarray:
    """Per row (y0..y1): left and right of the run through the centre column, or nan."""
    x0, y0, x1, y1 = box
    centre = int(round(np.mean(np.nonzero(mask)[1])))
    runs = np.full((y1 - y0, 2), np.nan, np.float32)
    for i, y in enumerate(range(y0, y1)):
        run = _central_run(mask[y], centre)
        if run is not None:
            runs[i] = run
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
    # Both sides of the gap must hold garment (two legs, not one off-centre item).
    mid = y0 + int((row + height) / 2)
    left_side = mask[mid, x0:centre].any()
    right_side = mask[mid, centre:x1].any()
    return bool(left_side and right_side and crotch < LEG_GAP_MAX_CROTCH), crotch, centre


def _classify(mask: np.ndarray, box) -> str:
    """upper / lower / full from the silhouette (rules in notes §4)."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    legs, _, _ = _leg_gap(mask, box)
    if legs:
        return "lower"
    runs = _body_runs(mask, box)
    widths = runs[:, 1] - runs[:, 0] + 1
    lower_rows = widths[int(height * 0.55) : int(height * 0.85)]
    body_width = float(np.nanmedian(lower_rows)) if np.isfinite(lower_rows).any() else width
    # Waistband: a flat top edge as wide as the body, with no neckline notch.
    top = _top_edge(mask, x0, x1)
    inner = top[int(width * 0.1) : int(width * 0.9)]
    inner = inner[np.isfinite(inner)]
    if len(inner):
        top_range = (np.percentile(inner, 95) - np.percentile(inner, 5)) / height
        top_row = mask[y0 + max(1, int(height * 0.03))]
        top_width = float(top_row.sum())
        flat = top_range < FLAT_TOP_RANGE and top_width > FLAT_TOP_WIDTH * body_width
        if flat and height / max(width, 1) < FLAT_TOP_MAX_ASPECT:
            return "lower"
    aspect = height / max(width, 1)
    length = height / max(body_width, 1)
    if aspect > FULL_ASPECT or length > FULL_LENGTH_BODY:
        if length < FULL_MIN_LENGTH_BODY and aspect < FULL_SURE_ASPECT:
            return "upper"
        return "full"
    return "upper"


def _scale_points(points: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    return {name: (np.asarray(p, np.float32) + 0.5) * scale - 0.5 for name, p in points.items()}


def _upper_keypoints(mask: np.ndarray, box, clothes_type: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Neckline, shoulders, armpits, sleeve ends and hem of a top or dress, and its parts (see _parts)."""
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
        hanging = _hanging_sleeves(mask, box)
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
    points.update(_front_neckline(top, points, armpit_y))
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
            dist = np.hypot(sx - root[0], sy - root[1])
            far = dist >= np.percentile(dist, 93)
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
        if 0.3 * width <= right - left <= 0.75 * width:
            return left, right, y
    return None


def _front_neckline(top: np.ndarray, points: dict[str, np.ndarray], armpit_y: float) -> dict[str, np.ndarray]:
    """Where the front of a collar would lie: ``collar_left``/``collar_right`` and ``neck_front``.

    A top laid flat (or on a ghost mannequin) shows the inside of its back
    through the neck opening, above the front neckline; worn, that is where
    the neck is. The opening runs between the highest points of the top edge
    either side of the middle (where collar and shoulder seams meet), and a
    crew neck's front drops about 0.4 of the opening's width below them. Not
    for a narrow high collar (it covers the neck), nor when that would reach
    down towards the armpits (an off-shoulder band, a camisole's straps), nor
    when the top edge already lies that low (a V or scoop seen from the front).
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
    front_y = high + FRONT_NECK_DROP * opening
    if opening < MIN_NECK_OPENING * (sr - sl) or front_y <= neck_y or front_y - high > 0.8 * (armpit_y - high):
        return {}
    return {
        "collar_left": np.array([x_left, high], np.float32),
        "collar_right": np.array([x_right, high], np.float32),
        "neck_front": np.array([(x_left + x_right) / 2, front_y], np.float32),
    }


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
        bottom = _bottom_edge(mask, x0, x1)
        hem_y = float(np.nanmax(bottom))
        row = np.nonzero(mask[int(hem_y) - max(1, height // 50)])[0]
        points["hem_left"] = np.array([row.min() if len(row) else x0, hem_y], np.float32)
        points["hem_right"] = np.array([row.max() if len(row) else x1, hem_y], np.float32)
    return points


def _refine_edges(rgb: np.ndarray, mask: np.ndarray, up: float) -> np.ndarray:
    """Sharpen the upscaled mask's edge with the full-size photo where the garment stands out.

    The cut-out is found at ANALYSIS_SIDE; scaled up it has soft, wobbly
    edges. Near the edge, a garment that differs clearly from the backdrop
    gets its alpha from its own colour distance to the backdrop instead. Pale
    garments on pale backdrops keep the smooth upscaled edge.
    """
    lab = _lab(rgb)
    background = np.median(_border_pixels(lab), axis=0)
    distance = np.linalg.norm(lab - background, axis=2)
    radius = max(2, int(round(up * 1.5)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    binary = (mask > 0.5).astype(np.uint8)
    band = (cv2.dilate(binary, kernel) > 0) & ~(cv2.erode(binary, kernel) > 0)
    core = cv2.erode(binary, kernel).astype(np.float32)
    sigma = 2.0 * radius
    inner = cv2.GaussianBlur(distance * core, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(core, (0, 0), sigma), 1e-3)
    # Alpha ramps over the lower part of the garment's own contrast.
    contrast = inner > 2 * FOREGROUND_DELTA_E_HIGH
    ramp = np.clip((distance - 0.15 * inner) / np.maximum(0.35 * inner, 1.0), 0.0, 1.0)
    refined = mask.copy()
    use = band & contrast
    refined[use] = ramp[use]
    return refined


def extract_garment(image: Image.Image, max_side: int = 1024, clothes_type: str | None = None) -> GarmentAnalysis:
    """Cut the garment out of a product photo and measure its silhouette.

    The mask is computed at ANALYSIS_SIDE and scaled up to the garment image
    (shrunk to ``max_side``); keypoints are in that image's pixels. The
    keypoints are those of ``clothes_type`` when given (the user's choice wins:
    a long top may be worn as a dress), else of the detected type.
    """
    if max(image.size) > max_side:
        scale = max_side / max(image.size)
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.LANCZOS,
        )
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    h, w = rgb.shape[:2]
    factor = min(1.0, ANALYSIS_SIDE / max(h, w))
    small = (
        cv2.resize(rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
        if factor < 1.0
        else rgb
    )
    rough, plain = _foreground(small)
    main, items = _largest_components(rough)
    area_share = float(main.mean())
    if not main.any():
        return GarmentAnalysis(
            rgb=rgb,
            mask=np.zeros((h, w), np.float32),
            clothes_type="upper",
            plain_background=plain,
            items=0,
            area_share=0.0,
        )
    box = _rows_cols(main)
    detected = _classify(main, box)
    clothes_type = clothes_type or detected
    if clothes_type == "lower":
        points = _lower_keypoints(main, box)
        parts = main.astype(np.uint8)
    else:
        points, parts = _upper_keypoints(main, box, clothes_type)
        # Without a sleeve on a side, what lies beyond the armhole line (a
        # strap, a ruffle) belongs to the body piece.
        for side, label in (("left", 2), ("right", 3)):
            if f"sleeve_{side}" not in points:
                parts[parts == label] = 1
    up = 1.0 / factor
    points = {name: (p * up if name.endswith("_width") else (p + 0.5) * up - 0.5) for name, p in points.items()}
    mask = cv2.resize(main.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, 0.5 * up))
    if up > 1.5:
        mask = _refine_edges(rgb, mask, up)
    box_full = tuple(int(round(v * up)) for v in box)
    parts = cv2.resize(parts, (w, h), interpolation=cv2.INTER_NEAREST)
    return GarmentAnalysis(
        rgb=rgb,
        mask=mask,
        clothes_type=detected,
        keypoints=points,
        plain_background=plain,
        items=items,
        area_share=area_share,
        box=box_full,
        parts=parts,
    )


def check_clothes_image(image: Image.Image) -> ClothesCheck:
    """FitRoom's "Check Clothes Image": is this one garment on a plain background, and which type.

    ``is_clothes`` is false for a photo of a person (a worn garment is a model
    image), a scene or noise (the border isn't plain), nothing or everything in
    the foreground, or several items side by side. ``clothes_type`` is the
    silhouette's best guess even then, as FitRoom always returns one.
    """
    from .person import analyse_person

    garment = extract_garment(image, max_side=ANALYSIS_SIDE * 2)
    is_clothes = (
        garment.plain_background and garment.items == 1 and MIN_AREA_SHARE <= garment.area_share <= MAX_AREA_SHARE
    )
    if is_clothes and analyse_person(image) is not None:
        is_clothes = False
    return ClothesCheck(clothes_type=garment.clothes_type, is_clothes=is_clothes)
