"""Old clothes cleared to the backdrop leave no rim of themselves behind."""

import numpy as np

from tryon.engine.composite import _old_rim


def test_the_rim_of_old_clothes_beyond_the_outline_is_found_and_a_textured_wall_is_not():
    """The person outline often stops a few pixels short of wide old jeans: their soft edge,
    half jeans and half wall, stayed beside the new, narrower jeans as a grey line down the wall
    (the man with crossed arms in the dev set). That rim differs from the wall continued over the
    cleared jeans, towards the jeans' colour; a rough wall differs from its smooth continuation
    too, but in every direction."""
    h, w = 120, 200
    wall = np.zeros((h, w, 3), np.float32)
    wall[...] = np.linspace(0.80, 0.88, w)[None, :, None] * np.array([1.0, 0.98, 1.0], np.float32)
    jeans = np.array([0.55, 0.56, 0.60], np.float32)
    photo = wall.copy()
    photo[:, 100:140] = jeans  # the old jeans, inside the outline and cleared
    for i, share in enumerate((0.8, 0.55, 0.3)):  # their soft edge beyond it, on the left
        photo[:, 97 + i] = share * jeans + (1 - share) * wall[:, 97 + i]
    rough = np.random.default_rng(5).normal(0.0, 0.06, (h, 40, 3)).astype(np.float32)
    photo[:, 150:190] = np.clip(wall[:, 150:190] + rough, 0.0, 1.0)  # a rough wall on the right
    beside = np.zeros((h, w), bool)
    beside[:, 90:100] = True
    beside[:, 150:190] = True

    rim = _old_rim(np.round(photo * 255).astype(np.uint8), wall, beside, jeans)

    assert rim[:, 97:100].all(), "the jeans' soft edge stays on the wall"
    # (Judged over a few pixels around each, the rim reaches two pixels into the wall: harmless,
    # the wall is continued there.)
    assert not rim[:, 90:95].any(), "the plain wall beyond it is taken for the rim"
    assert rim[:, 150:190].mean() < 0.03, "the rough wall is taken for the jeans' rim"
