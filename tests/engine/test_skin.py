"""Skin filled where old clothes were bared meets the person's real skin without a seam."""

import numpy as np

from tryon.engine.skin import _meet_the_real_skin


def _strip_above_a_fill(strip_rows: int):
    """A fill (L 60) below a strip of real skin (L 74) along an old neckline, and beside the fill on
    the right a wide stretch of real skin as dark as the fill: a chest bared under an old tank."""
    h, w = 200, 240
    lab = np.zeros((h, w, 3), np.float32)
    lab[..., 0], lab[..., 1], lab[..., 2] = 74.0, 12.0, 20.0
    lab[:, 180:, 0] = 60.0
    region = np.zeros((h, w), bool)
    region[60:180, 40:180] = True
    ring = np.zeros((h, w), bool)
    ring[60 - strip_rows : 60, 40:180] = True  # the real chest above the old neckline
    ring[60:180, 180:183] = True  # the real arm beside it
    fill = np.zeros_like(lab)
    fill[...] = (60.0, 12.0, 20.0)  # the fill's own tone, also where it meets the real skin
    return _meet_the_real_skin(fill, lab, region, ring, scale=300.0), region


def test_a_fill_meets_a_thin_strip_of_real_skin_without_a_step():
    """Between two old straps only a thin strip of real chest shows above the old neckline. The
    correction was spread as a blur normalised by how much border lay near, then faded by that
    density: along a thin strip it applied a fraction of the step, and the old neckline stayed
    drawn on the skin, a lighter band above a darker fill."""
    for rows in (3, 12):
        out, _ = _strip_above_a_fill(rows)
        step = 74.0 - float(np.median(out[61, 60:160, 0]))
        assert step < 2.0, f"a step of {step:.1f} L below a strip {rows} rows high"


def test_a_fill_eases_between_borders_of_different_tone():
    """Lit like the chest at the top and like the arm at the side, and in between neither jumps."""
    out, region = _strip_above_a_fill(3)
    column = out[61:180, 110, 0]
    assert column[0] > 71.0 and np.all(np.abs(np.diff(column)) < 1.0), "the fill jumps down the chest"
    row = out[120, 40:180, 0]
    assert abs(float(row[-1]) - 60.0) < 3.0, "the fill does not meet the arm beside it"
    assert np.all(np.abs(np.diff(row)) < 1.0), "the fill jumps across the chest"


def test_an_old_strap_lends_no_light_to_the_skin_bared_under_it():
    """The old clothes' own light rounds bared skin (a tee is lit like the chest under it), but a
    strap is too narrow to show the body's form, only its own edges and sheen: bared, a pale
    halter strap on a lighter top stayed drawn down the skin, a lighter streak (11% here)."""
    from tryon.engine.composite import _form_light

    h, w, scale = 400, 400, 400.0
    grey = np.full((h // 2, w // 2), 200, np.uint8)  # the photo at half size, as _print_free_grey gives it
    grey[:, 97:103] = 240  # a strap 3% of the torso wide
    region = np.zeros((h, w), bool)
    region[:, 192:208] = True  # the strap and its edges, bared
    form = _form_light(grey, region, scale)
    assert np.abs(np.log(form[region])).max() < 0.04, "the strap is drawn on the bared skin"


def test_an_old_hems_shadow_draws_no_line_across_a_bared_thigh():
    """The fill reaches over an old hem onto the real knee below it, and the old shorts' shadow
    darkening towards their hem was taken for the body's form right up to it: cut off there, a dark
    line across the bared thigh like a stocking's top (dev set). The form is the old clothes' own,
    fading in from their edge, the hem included."""
    from tryon.engine.composite import _form_light

    h, w, scale = 400, 400, 400.0
    grey = np.full((h // 2, w // 2), 150, np.uint8)  # old shorts, at half size
    grey[85:100] = np.linspace(150, 105, 15).astype(np.uint8)[:, None]  # in shadow towards the hem
    grey[100:] = 190  # the real knee below it
    region = np.zeros((h, w), bool)
    region[:230, 100:300] = True  # the thigh bared, reaching a little over the knee
    clothes = np.zeros((h, w), bool)
    clothes[:200] = True
    form = _form_light(grey, region, scale, clothes)
    at_the_hem = form[196:204, 200]
    assert np.abs(np.log(at_the_hem)).max() < 0.04, "the shorts' shadow is drawn up to their hem"


def test_the_light_of_two_body_parts_meeting_in_a_fill_blends_without_a_stripe():
    """An arm's fill darkens towards its inner edge; the chest beside it faces the light. Side by
    side, each lit as its own part, they met in a hard dark stripe down the side of a bared chest
    (a deep-V dress on a man whose long sleeves were bared). Far from the meeting, each keeps its light."""
    from tryon.engine.skin import _blend_owners

    h, w, scale = 200, 200, 400.0
    ys, xs = np.nonzero(np.ones((h, w), bool))
    tone = np.tile(np.array([[70.0, 15.0, 20.0]]), (len(ys), 1))
    colour = tone.copy()
    arm = xs < 100
    colour[arm, 0] = 70.0 * 0.72  # the arm's inner edge, turned away from the light
    blended = _blend_owners(colour, tone, ys, xs, scale).reshape(h, w, 3)
    row = blended[100, :, 0]
    assert np.abs(np.diff(row)).max() < 3.0, "a stripe where arm meets chest"
    assert abs(row[10] - 70.0 * 0.72) < 0.5 and abs(row[-10] - 70.0) < 0.5


def test_a_limb_is_measured_across_its_own_skin_not_about_its_bone():
    """The pose's bone often lies off the middle of a bared arm (inside the deltoid), and an arm
    bared as wide as the old sleeve is wider than expected. Rounded about the bone at the expected
    width, every pixel beyond it took the limb's darkest edge: a flat dark slab down the arm. The
    skin's own extent on each side of the bone is where its edges are."""
    from tryon.engine.skin import LIMB_HALF_AT_OUTLINE, _limb_extent

    h, w = 300, 200
    solid = np.zeros((h, w), bool)
    solid[:, 60:140] = True  # an arm 80 px wide, standing upright
    start, end = np.array([85.0, 20.0]), np.array([85.0, 280.0])  # its bone 15 px left of the middle
    stations, low, high = _limb_extent(solid, start, end, 30.0, 30.0)
    # Across is signed towards the image's right: the skin reaches 25 px to the left, 55 to the right.
    assert np.allclose(low, -25.0, atol=1.0) and np.allclose(high, min(55.0, LIMB_HALF_AT_OUTLINE[1] * 30.0), atol=1.0)
    # Where the bone lies off the skin, the expected width stands in, centred on the bone.
    stations, low, high = _limb_extent(solid, np.array([20.0, 20.0]), np.array([20.0, 280.0]), 30.0, 30.0)
    assert np.allclose(-low, high) and np.all(high > 0)


def test_strands_of_hair_over_the_skin_do_not_tile_into_dark_strokes():
    """The fill's grain is tiled from patches of the person's real skin, the busiest tenth left
    out. Long hair across a face (the only skin a woman with her hands in her pockets shows) put
    dark strands into far more than a tenth of them, and her bared shins were streaked with them as
    if hairy. Patches busier than three times the typical one are left out too. Here skin with a grain
    of 2 L, a third of it crossed by thin dark strands every 6 px, running down to the left."""
    from tryon.engine.skin import _skin_texture

    rng = np.random.default_rng(1)
    h, w = 240, 480
    lightness = (70.0 + rng.normal(0.0, 2.0, (h, w))).astype(np.float32)
    ys, xs = np.mgrid[0:h, 0:w]
    lightness[((xs + ys) % 6 == 0) & (xs < 80)] -= 25.0  # the strands
    skin = np.zeros((h, w), bool)
    skin[:, :240] = True
    region = np.zeros((h, w), bool)
    region[20:220, 260:460] = True
    texture = _skin_texture(lightness, skin, region, scale=400.0)[20:220, 260:460]
    # A strand is a line of dark pixels: each is like its neighbour down to the left.
    along = float(np.corrcoef(texture[:-1, 1:].ravel(), texture[1:, :-1].ravel())[0, 1])
    # 0.37 before, about nought now.
    assert along < 0.15, f"the fill's grain runs in strokes (correlation {along:.2f} along them)"
    # Still grained: the skin's own grain comes through.
    assert np.std(texture) > 1.0
