"""Where garments land on a standing, full-body person: hems, sleeve ends and legs at the
body landmarks their measured class asks for, bared skin with the person's own grain.

The person is a licence-clean catalogue photo (tests/fixtures/ATTRIBUTION.md): a man,
frontal, head to feet, in a tee and long trousers. Garments are drawn (tests/engine/drawing.py).
"""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.engine import drawing
from tryon.engine.render import render_tryon_detailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def person():
    return Image.open(FIXTURES / "person_man_fullbody_trousers.jpg").convert("RGB")


def _down_map(body) -> np.ndarray:
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return (xs - body.origin[0]) * body.v[0] + (ys - body.origin[1]) * body.v[1]


def _lowest(rendering, index: int = 0, roles=("body",)) -> float:
    """The lowest solid point of a placed garment's layers, along the torso axis."""
    body = rendering.body
    h, w = body.shape
    alpha = np.zeros((h, w), np.float32)
    for layer in rendering.placed[index].layers:
        if layer.role in roles:
            x0, y0, x1, y1 = layer.box
            np.maximum(alpha[y0:y1, x0:x1], layer.rgba[..., 3], out=alpha[y0:y1, x0:x1])
    return float(np.percentile(_down_map(body)[alpha > 0.5], 99.5))


def _landmark_down(body, side_part: tuple[str, str]) -> float:
    return float(np.dot(body.point(*side_part) - body.origin, body.v))


def _height(body) -> float:
    return max(_landmark_down(body, (side, "ankle")) for side in ("left", "right"))


def test_full_length_trousers_end_at_the_ankles(person):
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower")
    body = rendering.body
    ankles = np.mean([_landmark_down(body, (side, "ankle")) for side in ("left", "right")])
    assert rendering.garments[0].hem == "ankle"
    assert abs(_lowest(rendering) - ankles) < 0.04 * _height(body)


def test_shorts_end_above_the_knees_and_a_crop_top_above_the_navel(person):
    shorts = render_tryon_detailed(person, drawing.shorts(), "lower")
    body = shorts.body
    knees = np.mean([_landmark_down(body, (side, "knee")) for side in ("left", "right")])
    hips = np.mean([_landmark_down(body, (side, "hip")) for side in ("left", "right")])
    assert hips < _lowest(shorts) < knees

    crop = render_tryon_detailed(person, drawing.crop_top(), "upper")
    tee = render_tryon_detailed(person, drawing.tee(), "upper")
    assert crop.garments[0].hem == "crop" and tee.garments[0].hem == "hip"
    T = body.torso_length
    assert _lowest(crop) < 0.72 * T  # above the navel
    assert _lowest(tee) > 0.95 * T  # a regular tee reaches the hips


def test_long_sleeves_reach_the_wrists(person):
    rendering = render_tryon_detailed(person, drawing.blouse(), "upper")
    body = rendering.body
    assert rendering.garments[0].sleeve == "long"
    for side in ("left", "right"):
        assert rendering.placed[0].sleeve_targets[side] > 0
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for side in ("left", "right"):
        top = body.shoulder_top(side)
        wrist = body.point(side, "wrist")
        direction = (wrist - top) / np.linalg.norm(wrist - top)
        alpha = np.zeros((h, w), np.float32)
        for layer in rendering.placed[0].layers:
            x0, y0, x1, y1 = layer.box
            if layer.role == "sleeve" and (((x0 + x1) / 2 < body.origin[0]) == (side == "left")):
                np.maximum(alpha[y0:y1, x0:x1], layer.rgba[..., 3], out=alpha[y0:y1, x0:x1])
        along = (xs - top[0]) * direction[0] + (ys - top[1]) * direction[1]
        reach = float(np.percentile(along[alpha > 0.5], 99.5))
        assert abs(reach - np.linalg.norm(wrist - top)) < 0.04 * _height(body)


def test_a_top_worn_over_trousers_reaches_past_their_waistband(person):
    rendering = render_tryon_detailed(person, drawing.crop_top(), "upper")
    combo = render_tryon_detailed(person, drawing.tee(), "combo", lower_cloth_image=drawing.trousers())
    lower, upper = combo.placed
    assert lower.kind == "lower" and upper.kind == "upper"
    assert _lowest(combo, index=1) > lower.top_down
    # A crop top on its own stays short: the rule is only for tops worn over a lower garment.
    assert _lowest(rendering) < lower.top_down


def _grain(grey: np.ndarray, where: np.ndarray) -> float:
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 2.0)
    mean = cv2.blur(detail, (5, 5))
    local = np.sqrt(np.maximum(cv2.blur(detail * detail, (5, 5)) - mean * mean, 0.0))
    return float(np.median(local[where]))


def test_skin_bared_by_a_sleeveless_top_has_the_persons_own_grain(person):
    """The tee's sleeves give way to arms: filled skin is not a flat patch."""
    rendering = render_tryon_detailed(person, drawing.sleeveless_vest(), "upper")
    before = np.asarray(person.convert("RGB"))
    after = np.asarray(rendering.image)
    assert before.shape == after.shape
    h, w = rendering.body.shape
    covered = np.zeros((h, w), np.float32)
    for layer in rendering.placed[0].layers:
        x0, y0, x1, y1 = layer.box
        np.maximum(covered[y0:y1, x0:x1], layer.rgba[..., 3], out=covered[y0:y1, x0:x1])
    changed = np.abs(after.astype(int) - before.astype(int)).max(axis=2) > 12
    ycrcb = cv2.cvtColor(after, cv2.COLOR_RGB2YCrCb)
    skin_like = (ycrcb[..., 1] >= 135) & (ycrcb[..., 1] <= 180) & (ycrcb[..., 2] >= 80) & (ycrcb[..., 2] <= 135)
    filled = cv2.erode((changed & (covered < 0.05) & skin_like).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    real = cv2.erode((~changed & skin_like & (rendering.body.mask > 0.5)).astype(np.uint8), np.ones((7, 7))) > 0
    assert filled.sum() > 500, "the tee's sleeves should have been replaced by bare arms"
    grey_after = cv2.cvtColor(after, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_before = cv2.cvtColor(before, cv2.COLOR_RGB2GRAY).astype(np.float32)
    assert _grain(grey_after, filled) >= 0.5 * _grain(grey_before, real)
