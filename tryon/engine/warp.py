"""Non-rigid warps used by the renderer: thin-plate splines and arm/leg polylines.

A warp is described by matching points: where a garment point should land on
the body (destination) and where it is in the product photo (source). The
renderer needs the inverse map (for every output pixel, which garment pixel),
so the spline is fitted from destination to source, evaluated on a coarse
grid and interpolated up for ``cv2.remap``.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from scipy.interpolate import RBFInterpolator
from threadpoolctl import threadpool_limits

# One BLAS thread for the whole process, set once both OpenBLAS copies (numpy's and SciPy's, which
# the spline uses) are loaded. Their default, a thread per core, spins waiting for work after each
# call: a render took a quarter more CPU than with one thread (1.55 s against 1.23 s a try-on,
# with checks) and was slower, not faster, in wall time, and a queue worker's spare core is the
# other worker's. An environment variable would have to be set before numpy first loads.
threadpool_limits(limits=1, user_api="blas")


def warp_layer(
    source: np.ndarray,
    dest_points: np.ndarray,
    source_points: np.ndarray,
    box: tuple[int, int, int, int],
    grid_step: int = 8,
    smoothing: float = 0.5,
) -> np.ndarray:
    """Warp ``source`` (H, W, C float32) so ``source_points`` land on ``dest_points``.

    Only the destination ``box`` (x0, y0, x1, y1) is computed; the result has
    the box's size, and pixels mapped outside the source are zero. The spline
    is evaluated every ``grid_step`` pixels: the map is smooth, so this costs
    nothing visible and keeps the spline off the hot path.
    """
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return np.zeros((max(height, 0), max(width, 0), source.shape[2]), np.float32)
    dest = np.asarray(dest_points, np.float64)
    src = np.asarray(source_points, np.float64)
    # Normalising keeps the spline's linear system well conditioned.
    centre = dest.mean(axis=0)
    scale = max(float(np.abs(dest - centre).max()), 1.0)
    spline = RBFInterpolator(
        (dest - centre) / scale,
        src,
        kernel="thin_plate_spline",
        smoothing=smoothing / len(dest),
    )
    gw = width // grid_step + 2
    gh = height // grid_step + 2
    gx = x0 + np.arange(gw) * grid_step
    gy = y0 + np.arange(gh) * grid_step
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2).astype(np.float64)
    mapped = spline((grid - centre) / scale).astype(np.float32).reshape(gh, gw, 2)
    # Bilinear upsampling of the coarse map: grid sample i lies on pixel i * grid_step, so pixel x
    # reads the grid at x / grid_step. (cv2.resize aligns pixel centres instead, and its map, sized
    # to the grid's span, shrank every piece towards its box's middle: each edge drawn up to 3.5 px,
    # HD 1.5 px, inside where its points put it.)
    to_grid = np.array([[1.0 / grid_step, 0.0, 0.0], [0.0, 1.0 / grid_step, 0.0]])
    full_map = cv2.warpAffine(
        mapped, to_grid, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    map_x, map_y = cv2.split(full_map)
    warped = cv2.remap(
        source,
        map_x,
        map_y,
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    if warped.ndim == 2:
        warped = warped[..., None]
    return warped


def polyline_point(points: list[np.ndarray], distance: float) -> tuple[np.ndarray, np.ndarray]:
    """The point ``distance`` along a polyline, and the unit direction there.

    Past the end the last segment is extended, so a sleeve longer than the arm
    still has somewhere to go.
    """
    end, direction = points[-1], np.array([0.0, 1.0])
    for a, b in zip(points[:-1], points[1:], strict=False):
        segment = b - a
        length = float(np.linalg.norm(segment))
        if length < 1e-6:
            continue
        direction = segment / length
        if distance <= length:
            return a + direction * distance, direction
        distance -= length
    return end + direction * distance, direction


def polyline_length(points: list[np.ndarray]) -> float:
    return float(sum(np.linalg.norm(b - a) for a, b in zip(points[:-1], points[1:], strict=False)))


def capsule_mask(shape: tuple[int, int], points: list[np.ndarray], radius: float) -> np.ndarray:
    """(H, W) bool: pixels within ``radius`` of the polyline (a limb's rough extent)."""
    mask = np.zeros(shape, np.uint8)
    thickness = max(1, int(round(2 * radius)))
    for a, b in zip(points[:-1], points[1:], strict=False):
        cv2.line(mask, tuple(int(round(v)) for v in a), tuple(int(round(v)) for v in b), 1, thickness, cv2.LINE_AA)
    for p in points:
        cv2.circle(mask, tuple(int(round(v)) for v in p), int(round(radius)), 1, -1)
    return mask > 0


def tapered_mask(shape: tuple[int, int], start: np.ndarray, end: np.ndarray, r_start: float, r_end: float):
    """(H, W) bool: a limb segment that narrows (or widens) from ``r_start`` to ``r_end``."""
    mask = np.zeros(shape, np.uint8)
    direction = end - start
    length = max(float(np.linalg.norm(direction)), 1e-6)
    normal = np.array([-direction[1], direction[0]]) / length
    quad = np.array([start + normal * r_start, end + normal * r_end, end - normal * r_end, start - normal * r_start])
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 1, cv2.LINE_AA)
    for point, radius in ((start, r_start), (end, r_end)):
        cv2.circle(mask, tuple(int(round(v)) for v in point), int(round(radius)), 1, -1)
    return mask > 0


def tube_maps(
    path: list[np.ndarray],
    outer: np.ndarray,
    box: tuple[int, int, int, int],
    to_source: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remap tables for a garment tube (a sleeve) wrapped along a bent limb, and each pixel's ``s``.

    Every output pixel in ``box`` gets its arc length ``s`` along ``path`` and
    its signed distance ``d`` from it (positive on the ``outer`` side, e.g.
    away from the torso); ``to_source(s, d)`` turns those into source (x, y).
    Unlike a spline through a few points, this can't fold when the elbow bends:
    each pixel belongs to its nearest segment, and the outside of a bend fans
    out around the joint. Computed at every pixel, not on a coarse grid:
    ``to_source`` may jump to "outside the source" (a sleeve's cap), and a
    coarse map interpolated across that jump leaves a staircase edge.
    """
    x0, y0, x1, y1 = box
    px, py = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    best = np.full(px.shape, np.inf)
    s_out = np.zeros(px.shape)
    d_out = np.zeros(px.shape)
    start = 0.0
    previous = None
    count = len(path) - 1
    for i, (a, b) in enumerate(zip(path[:-1], path[1:], strict=False)):
        segment = b - a
        length = float(np.linalg.norm(segment))
        if length < 1e-6:
            continue
        direction = segment / length
        normal = np.array([-direction[1], direction[0]])
        if previous is None:
            if np.dot(normal, outer) < 0:
                normal = -normal
        elif np.dot(normal, previous) < 0:
            normal = -normal
        previous = normal
        rx, ry = px - a[0], py - a[1]
        along = rx * direction[0] + ry * direction[1]
        # The first segment extends backwards and the last one forwards, so
        # the tube has square ends the source mask can trim.
        low = -np.inf if i == 0 else 0.0
        high = np.inf if i == count - 1 else length
        t = np.clip(along, low, high)
        cx, cy = a[0] + direction[0] * t, a[1] + direction[1] * t
        dist = np.hypot(px - cx, py - cy)
        side = np.sign((px - cx) * normal[0] + (py - cy) * normal[1])
        side[side == 0] = 1.0
        closer = dist < best
        best[closer] = dist[closer]
        s_out[closer] = start + t[closer]
        d_out[closer] = (side * dist)[closer]
        start += length
    sx, sy = to_source(s_out, d_out)
    return sx.astype(np.float32), sy.astype(np.float32), s_out.astype(np.float32)
