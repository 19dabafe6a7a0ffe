"""A garment warped through matching points lands where its points say."""

import numpy as np
import pytest

from tryon.engine.warp import warp_layer


def _square_photo(size: int, left: int, top: int, side: int) -> np.ndarray:
    """An RGBA photo (float32) with one opaque square on a clear background."""
    photo = np.zeros((size, size, 4), np.float32)
    photo[top : top + side, left : left + side] = 1.0
    return photo


def _centre_of(alpha: np.ndarray) -> np.ndarray:
    """(x, y) of the alpha's centre of mass, pixel centres at whole numbers."""
    ys, xs = np.mgrid[0 : alpha.shape[0], 0 : alpha.shape[1]]
    total = alpha.sum()
    return np.array([(xs * alpha).sum() / total, (ys * alpha).sum() / total])


@pytest.mark.parametrize("grid_step", [8, 4])
@pytest.mark.parametrize(
    ("scale", "shift"),
    [(1.0, (0.0, 0.0)), (1.0, (13.0, 7.0)), (1.5, (-20.0, 5.0))],
    ids=["identity", "translation", "scaled"],
)
def test_a_warped_square_lands_where_its_points_say(grid_step, scale, shift):
    """The spline is evaluated on a coarse grid and interpolated up. Interpolated as cv2.resize
    does (pixel centres lined up, not grid samples), every piece was drawn shrunk towards its box's
    middle, each edge up to 3.5 px (HD 1.5 px) inside where its points put it: a pale band between
    a top's hem and a new bottom's waistband."""
    photo = _square_photo(160, 50, 60, 40)
    corners = np.array([[20.0, 20.0], [140.0, 20.0], [20.0, 140.0], [140.0, 140.0], [80.0, 80.0], [50.0, 110.0]])
    dest = corners * scale + shift
    # The box starts off the grid's multiples, as a layer's box does.
    box = (3, 5, 243, 245)
    warped = warp_layer(photo, dest, corners, box, grid_step=grid_step)
    expected = (np.array([69.5, 79.5]) * scale + shift) - [box[0], box[1]]
    landed = _centre_of(warped[..., 3])
    assert np.abs(landed - expected).max() < 0.5, f"the square's centre landed at {landed}, not {expected}"
    # Its size too: the map runs at the garment's scale all the way, with no drift across the box.
    cover = warped[..., 3].sum()
    assert abs(cover - (40 * scale) ** 2) < 0.02 * (40 * scale) ** 2
