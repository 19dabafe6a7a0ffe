"""Body geometry the renderer places garments by, on the licence-clean catalogue photo of a man
standing frontal (tests/fixtures/ATTRIBUTION.md), with his outline reshaped where a case needs it."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tryon.engine.body import Body, body_from
from tryon.engine.images import fit_within
from tryon.engine.person import analyse_person

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def body() -> Body:
    image = fit_within(Image.open(FIXTURES / "person_man_fullbody_trousers.jpg").convert("RGB"), 1024)
    return body_from(analyse_person(image), image.size)


def _shoulders_rising(body: Body, rises: dict[str, float]) -> Body:
    """The same body, its outline above each shoulder joint ``rises[side]`` shoulder widths up."""
    S = body.shoulder_width
    mask = body.mask.copy()
    for side, rise in rises.items():
        x, y = body.point(side, "shoulder")
        columns = slice(int(x - 0.06 * S), int(x + 0.06 * S))
        mask[: int(y), columns] = 0.0
        mask[int(y - rise * S) : int(y) + 1, columns] = 1.0
    return dataclasses.replace(body, mask=mask)


def _rise(body: Body, side: str) -> float:
    return float(np.dot(body.point(side, "shoulder") - body.shoulder_top(side), body.v)) / body.shoulder_width


def test_a_sloping_shoulders_top_is_its_outline(body):
    """A muscular, sloping shoulder's outline is a fifth of the shoulder width above the joint.
    Taken for hair, it was put at a tenth: a top's shoulders sat low and the old straps showed
    above them."""
    sloping = _shoulders_rising(body, {"left": 0.2, "right": 0.2})
    for side in ("left", "right"):
        assert _rise(sloping, side) == pytest.approx(0.2, abs=0.01)


@pytest.mark.parametrize("hair", [0.22, 0.4])
def test_hair_on_one_shoulder_takes_the_other_shoulders_rise(body, hair):
    """Hair lying on a shoulder raises its outline (0.4: past any shoulder's reach); facing the
    camera both shoulders rise alike, so the other one's rise stands in."""
    haired = _shoulders_rising(body, {"left": hair, "right": 0.15})
    assert _rise(haired, "right") == pytest.approx(0.15, abs=0.01)
    assert _rise(haired, "left") == pytest.approx(0.15, abs=0.01)
