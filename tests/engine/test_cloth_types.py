"""The one table of cloth types, as the engine, forms, backends and studio read it (no Django)."""

import numpy as np
import pytest
from PIL import Image

from tryon import cloth_types
from tryon.engine.person import REQUIRED_LANDMARKS
from tryon.engine.render import TryOnError, render_tryon


def test_full_and_full_set_name_the_same_garment_both_ways():
    assert cloth_types.task_type("full") == "full_set"
    assert cloth_types.task_type("full_set") == "full_set"
    assert cloth_types.check_type("full_set") == "full"
    assert cloth_types.check_type("full") == "full"
    assert cloth_types.task_type("dress") is None
    assert cloth_types.check_type("combo") is None


def test_every_accepted_word_is_a_task_type_or_an_alias():
    assert cloth_types.TASK_TYPES == ("upper", "lower", "full_set", "combo")
    assert set(cloth_types.ACCEPTED) == {"upper", "lower", "full_set", "full", "combo"}
    assert cloth_types.CHECK_TYPES == ("upper", "lower", "full")


def test_combo_puts_on_the_lower_garment_then_the_upper():
    assert cloth_types.garments("combo") == ("lower", "upper")
    assert cloth_types.garments("full") == cloth_types.garments("full_set") == ("full",)


def test_a_photo_allows_combo_only_when_top_and_bottom_both_fit():
    assert cloth_types.wearable(["upper"]) == ["upper"]
    assert cloth_types.wearable(["upper", "lower"]) == ["upper", "lower", "combo"]
    assert cloth_types.wearable(["upper", "lower", "full"]) == ["upper", "lower", "full_set", "combo"]
    assert cloth_types.wearable([]) == []


def test_the_engines_model_check_reads_its_landmarks_from_the_table():
    assert REQUIRED_LANDMARKS is cloth_types.REQUIRED_LANDMARKS
    upper, full = REQUIRED_LANDMARKS["upper"], REQUIRED_LANDMARKS["full"]
    assert set(upper) < set(full) and set(REQUIRED_LANDMARKS["lower"]) < set(full)


def test_the_renderer_refuses_a_word_the_table_does_not_know():
    blank = Image.fromarray(np.full((64, 48, 3), 200, np.uint8))
    with pytest.raises(TryOnError, match="unknown cloth type"):  # auto is a request to the server, not a type
        render_tryon(blank, blank, "auto")
