"""The engine's array helpers give OpenCV's own answers, faster."""

import cv2
import numpy as np
import pytest

from tryon.engine.arrays import box_around, morph_by_rows


def blobs(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    noise = cv2.GaussianBlur(rng.random((h, w), np.float32), (0, 0), 3.0)
    return (noise > 0.5).astype(np.uint8)


@pytest.mark.parametrize("size", [1, 2, 5, 8, 17, 33, 60])
def test_disc_dilation_and_erosion_match_opencv(size):
    rng = np.random.default_rng(size)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    masks = [blobs(rng, 90, 140), blobs(rng, 7, 50) * 255, (rng.random((40, 30)) * 255).astype(np.uint8)]
    for mask in masks:
        assert np.array_equal(morph_by_rows(mask, disc, True), cv2.dilate(mask, disc))
        assert np.array_equal(morph_by_rows(mask, disc, False), cv2.erode(mask, disc))
        closed = morph_by_rows(morph_by_rows(mask, disc, True), disc, False)
        assert np.array_equal(closed, cv2.morphologyEx(mask, cv2.MORPH_CLOSE, disc))


def test_a_masks_box_grows_by_its_margin_within_the_frame():
    mask = np.zeros((40, 60), bool)
    assert box_around(mask, 5) is None
    mask[10:12, 50:58] = True
    assert box_around(mask, 5) == (5, 17, 45, 60)
    assert box_around(mask.astype(np.uint8) * 255, 0) == (10, 12, 50, 58)
