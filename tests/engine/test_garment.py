"""The clothes check and garment cut-out on drawn product photos and a real person photo."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.engine import drawing
from tryon.engine.garment import ClothesCheck, _pale_pieces_at_the_shoulders, check_clothes_image, extract_garment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("make", "clothes_type"),
    [
        (drawing.tee, "upper"),
        (drawing.trousers, "lower"),
        (drawing.dress, "full"),
        # Alike in outline, told apart by waistband, legs, armholes, neckline and length:
        (drawing.mini_skirt, "lower"),
        (drawing.maxi_skirt, "lower"),
        (drawing.shorts, "lower"),
        (drawing.sleeveless_vest, "upper"),
        (drawing.crop_top, "upper"),
        (drawing.blouse, "upper"),
        (drawing.knee_dress, "full"),
    ],
)
def test_drawn_garments_are_clothes_of_their_type(make, clothes_type):
    assert check_clothes_image(make()) == ClothesCheck(clothes_type=clothes_type, is_clothes=True)


@pytest.mark.parametrize("degrees", [-3, 3])
def test_a_mini_skirt_laid_a_little_askew_is_still_a_bottom(degrees):
    """Its waistband row, just below the top, then crosses only one corner."""
    photo = drawing.mini_skirt().rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=drawing.BACKDROP)
    assert check_clothes_image(photo) == ClothesCheck(clothes_type="lower", is_clothes=True)


def test_a_garment_on_a_dark_backdrop_is_still_clothes():
    light = drawing.tee(colour=(240, 200, 60), print_colour=(40, 40, 40))
    pixels = np.asarray(light).copy()
    backdrop = np.all(np.abs(pixels.astype(int) - drawing.BACKDROP) < 4, axis=2)
    pixels[backdrop] = (35, 35, 40)
    check = check_clothes_image(Image.fromarray(pixels))
    assert check.is_clothes
    assert check.clothes_type == "upper"


def test_a_person_wearing_clothes_is_not_a_clothes_image():
    person = Image.open(FIXTURES / "person_business_upper.jpg").convert("RGB")
    assert check_clothes_image(person).is_clothes is False


@pytest.mark.parametrize("name", ["garment_polo_navy.jpg", "garment_jacket_puffer_red.jpg"])
def test_a_ghost_mannequin_render_is_clothes_not_a_person(name):
    """Pose finds a body in the mannequin's shape, but no skin at its face or hands."""
    photo = Image.open(FIXTURES / name).convert("RGB")
    assert check_clothes_image(photo) == ClothesCheck(clothes_type="upper", is_clothes=True)


def test_noise_is_not_clothes():
    assert check_clothes_image(drawing.noise()).is_clothes is False


def test_two_garments_side_by_side_are_not_one_clothes_image():
    assert check_clothes_image(drawing.two_tees()).is_clothes is False


def test_an_empty_backdrop_is_not_clothes():
    assert check_clothes_image(Image.new("RGB", (600, 800), drawing.BACKDROP)).is_clothes is False


def test_a_tee_cut_out_has_its_sleeves_and_leaves_the_backdrop():
    garment = extract_garment(drawing.tee())
    for name in ("shoulder_left", "shoulder_right", "armpit_left", "armpit_right", "hem_left", "sleeve_left"):
        assert name in garment.keypoints
    left, right = garment.keypoints["shoulder_left"], garment.keypoints["shoulder_right"]
    assert left[0] < right[0]
    assert garment.keypoints["hem_left"][1] > garment.keypoints["armpit_left"][1] > left[1]
    # Corners are backdrop, the centre of the chest is garment.
    assert garment.mask[:20, :20].max() < 0.1
    h, w = garment.mask.shape
    assert garment.mask[h // 2, w // 2] > 0.9
    assert set(np.unique(garment.parts)) == {0, 1, 2, 3}


def test_trousers_cut_out_has_a_crotch_between_two_legs():
    garment = extract_garment(drawing.trousers())
    crotch = garment.keypoints["crotch"]
    assert garment.keypoints["waist_left"][1] < crotch[1] < garment.keypoints["leg_left_outer"][1]
    assert garment.keypoints["leg_left_inner"][0] < crotch[0] < garment.keypoints["leg_right_inner"][0]


def test_a_tee_laid_flat_opens_its_neckline_down_to_the_front():
    """The flat lay shows the inside of the back collar; worn, the neck stands there."""
    kp = extract_garment(drawing.tee()).keypoints
    left, right, front, back = kp["collar_left"], kp["collar_right"], kp["neck_front"], kp["neck"]
    assert left[0] < front[0] < right[0]
    assert left[1] < back[1] < front[1] < kp["armpit_left"][1]


def test_a_v_neck_laid_flat_opens_down_to_the_tip_of_its_v():
    """Through a V neck the flat lay shows the inside of the back, another colour, down to the V's
    tip; worn, the chest shows there. A crew neck's opening is cut a third as deep."""
    w, h = drawing.SIZE
    garment = extract_garment(drawing.v_neck_top())
    kp = garment.keypoints
    assert garment.neckline == "v"
    assert kp["neck_front"][1] == pytest.approx(0.36 * h, abs=0.02 * h)
    # The edges lie on the V drawn from the corners at 0.4 and 0.6 of the width to the tip.
    for name in ("neck_v_left_1", "neck_v_right_1"):
        x, y = kp[name]
        on_the_v = w / 2 + (0.1 * w) * (0.36 * h - y) / (0.21 * h) * (1 if "right" in name else -1)
        assert x == pytest.approx(on_the_v, abs=0.02 * w)


def test_a_neck_opening_the_colour_of_the_front_is_cut_as_a_crew_neck():
    """With no other colour inside it, nothing says how deep the front goes."""
    kp = extract_garment(drawing.v_neck_top(back_colour=(205, 35, 45))).keypoints
    assert not any(name.startswith("neck_v_") for name in kp)
    assert kp["neck_front"][1] < 0.28 * drawing.SIZE[1]


def test_a_straight_topped_garment_has_no_neck_opening():
    """An off-shoulder band has no collar corners to open between."""
    band = drawing._shoot([(120, 300), (480, 300), (500, 520), (100, 520)], (60, 90, 170), (240, 240, 240))
    assert "neck_front" not in extract_garment(band, clothes_type="upper").keypoints


def test_sleeves_lying_against_the_body_are_still_sleeves():
    """Joined to the body in the silhouette, they show only where the cuffs hang below the hem."""
    garment = extract_garment(drawing.blouse(), clothes_type="upper")
    kp = garment.keypoints
    assert {"sleeve_left", "sleeve_right"} <= kp.keys()
    hem = (kp["hem_left"][1] + kp["hem_right"][1]) / 2
    assert kp["sleeve_left"][1] > hem and kp["sleeve_right"][1] > hem
    # The body piece is the middle: the sleeves own the outer columns all the way up to the shoulders.
    rows = garment.parts[int(0.3 * garment.parts.shape[0]) : int(0.7 * garment.parts.shape[0])]
    assert (rows == 2).any(axis=0).sum() > 0.1 * rows.shape[1]
    assert (rows == 3).any(axis=0).sum() > 0.1 * rows.shape[1]


def test_a_tee_has_a_crew_neck_short_sleeves_and_a_hip_length_hem():
    garment = extract_garment(drawing.tee())
    assert (garment.neckline, garment.sleeve, garment.hem) == ("crew", "short", "hip")
    assert 0 < garment.neckline_depth < 0.5
    assert 0.3 < garment.sleeve_length < 1.0
    assert {"sleeve_left", "sleeve_right"} <= garment.keypoints.keys()
    assert garment.skirt is False


def test_sleeves_laid_down_the_body_are_long():
    garment = extract_garment(drawing.blouse(), clothes_type="upper")
    assert garment.sleeve == "long"
    assert garment.sleeve_length > 1.0


def test_sleeves_whose_cuffs_touch_the_body_above_the_hem_end_at_the_cuffs():
    photo = drawing.long_sleeve_tee()
    garment = extract_garment(photo)
    assert check_clothes_image(photo).clothes_type == "upper"
    assert garment.sleeve == "long"
    kp = garment.keypoints
    height = photo.height
    for side in ("left", "right"):
        # The cuffs end at 72% of the photo's height, the body's hem at 86%.
        assert 0.6 * height < kp[f"sleeve_{side}"][1] < 0.76 * height
    assert kp["sleeve_left"][0] < kp["hem_left"][0] and kp["sleeve_right"][0] > kp["hem_right"][0]


def test_sleeves_that_part_from_the_body_low_down_start_at_the_shoulders():
    """Where the forearms part from the body is not the armpit: taken for it, the whole upper
    sleeves went with the body and the forearms stood out from its sides as flaps."""
    photo = drawing.shirt_with_parted_sleeves()
    garment = extract_garment(photo, clothes_type="upper")
    kp = garment.keypoints
    height = photo.height
    assert garment.sleeve == "long"
    assert kp["armpit_left"][1] < 0.45 * height and kp["armpit_right"][1] < 0.45 * height
    for side in ("left", "right"):
        assert kp[f"sleeve_{side}"][1] > 0.75 * height  # at the cuffs (84-86% of the height)
    # Halfway down, beside the body, the columns are the sleeves'.
    rows = garment.parts[int(0.35 * height) : int(0.55 * height)]
    assert (rows == 2).any(axis=0).sum() > 0.08 * rows.shape[1]
    assert (rows == 3).any(axis=0).sum() > 0.08 * rows.shape[1]


def test_an_open_jackets_fronts_are_not_two_cuffs():
    """Below its button a jacket's fronts part in an inverted V. Read as two cuffs below a
    shorter body, the jacket's body became the gap between them and its sides two huge sleeves,
    drawn on the person as wings."""
    garment = extract_garment(drawing.open_jacket(), clothes_type="upper")
    rows = garment.parts[int(0.3 * garment.parts.shape[0]) : int(0.6 * garment.parts.shape[0])]
    body_columns = (rows == 1).any(axis=0).sum()
    garment_columns = (rows > 0).any(axis=0).sum()
    assert body_columns > 0.6 * garment_columns


def test_sleeves_inside_a_jackets_outline_are_found_by_their_seams():
    """On a ghost mannequin a jacket's sleeves may hang inside its outline; the seam lines down
    its sides part them from the body, so they are not drawn as part of a sleeveless body."""
    photo = drawing.jacket_with_sleeves_inside()
    garment = extract_garment(photo, clothes_type="upper")
    assert garment.sleeve == "long"
    width = photo.width
    for side, label, outside in (("left", 2, lambda x: x < 0.25 * width), ("right", 3, lambda x: x > 0.75 * width)):
        assert f"sleeve_{side}" in garment.keypoints
        columns = np.nonzero((garment.parts == label).any(axis=0))[0]
        assert outside(np.median(columns)), f"the {side} sleeve is not beside the body"


@pytest.mark.parametrize("length", [0.3, 0.04])
def test_a_sliver_of_backdrop_between_sleeve_and_body_is_not_cloth(length):
    """A sleeve laid against the body encloses a thin gap of backdrop; filled as if it were a
    print, it was drawn as a pale wedge between sleeve and body. A short one too (a 25th of the
    photo's height), which a larger least area let through: a long-sleeve tee's white wedge."""
    photo = drawing.long_sleeve_tee(gap=length)
    garment = extract_garment(photo, clothes_type="upper")
    w, h = photo.size
    for sign in (-1, 1):  # the middle of each sliver, a little above its widest
        x, y = int(w / 2 + sign * 0.232 * w), int((0.36 + length / 3) * h)
        assert garment.mask[y, x] < 0.5, f"the gap at x={x} is cloth"
    # The print (pale dots like the backdrop, inside the body) stays cloth.
    assert garment.mask[int(0.5 * h), int(w / 2)] > 0.5


def test_the_black_shadow_at_the_top_of_a_gap_beside_a_coloured_sleeve_is_not_cloth():
    """Where a sleeve laid against the body meets it, its fold shades the top of the gap between
    them to black. No longer the backdrop's colour, it stayed when the gap went, and it was worn
    as black specks at the armpits of a red tee."""
    photo = drawing.long_sleeve_tee(print_colour=(250, 220, 60), gap=0.2, armpit_shadow=True)
    garment = extract_garment(photo, clothes_type="upper")
    w, h = photo.size
    for sign in (-1, 1):
        x, y = int(w / 2 + sign * 0.235 * w), int(0.345 * h)
        assert garment.mask[y, x] < 0.5, f"the shadow at x={x} is cloth"
        # The red sleeve and body on either side stay.
        assert garment.mask[y, int(w / 2 + sign * 0.28 * w)] > 0.5
        assert garment.mask[y, int(w / 2 + sign * 0.19 * w)] > 0.5


def test_the_shaded_gap_beside_a_puffed_sleeve_is_not_cloth():
    """A vest laid with its shirt's puffed sleeves down its sides: the gap between each sleeve and
    the vest is in the sleeve's shade, and the sleeve bulges past the armhole line (drawn down
    from the cuff), so the gap lies inside the body's piece. Filled as a print, it was a white
    wedge between the worn sleeve and the vest."""
    photo = drawing.top_with_puffed_sleeves()
    garment = extract_garment(photo, clothes_type="upper")
    w, h = photo.size
    for sign in (-1, 1):  # the middle of each gap, at its widest
        x, y = int(w / 2 + sign * 0.195 * w), int(0.46 * h)
        assert garment.mask[y, x] < 0.5, f"the gap at x={x} is cloth"
        # The sleeve and the vest beside it stay.
        assert garment.mask[y, int(w / 2 + sign * 0.24 * w)] > 0.5
        assert garment.mask[y, int(w / 2 + sign * 0.15 * w)] > 0.5
    assert garment.sleeve == "long"


def test_a_shadow_cast_down_the_side_is_not_cloth():
    """A studio light from one side casts a narrow, deeper shadow down the other; cut out with
    the trousers, it was worn as a pale strip down one leg."""
    photo = drawing.trousers(colour=(25, 25, 30), side_shadow=True)
    garment = extract_garment(photo, clothes_type="lower")
    w, h = photo.size
    edge = int(w / 2 - 0.24 * w)  # the left leg's outer edge at the hem (it leans out a little)
    for y in (int(0.55 * h), int(0.8 * h)):
        shadow = garment.mask[y, edge - int(0.04 * w) : edge - int(0.01 * w)]
        assert shadow.max() < 0.5, f"the shadow at y={y} is cloth"
        assert garment.mask[y, edge + int(0.01 * w)] > 0.5, "the leg's edge was cut off"


def test_a_black_garments_narrow_shadow_is_not_cloth():
    """A narrow shadow beside a black garment ramps steeply from its edge to the backdrop: at both
    sides the ramp read as grain, the shadow as a pale trim, and it was worn as a pale line down
    a black tank's side. The ramp here is the dev set's black tank's, measured beside its strap."""
    rng = np.random.default_rng(3)
    pixels = np.full((800, 640, 3), 236.0)
    pixels[120:700, 160:480] = 22
    ramp = (99, 151, 160, 173, 190, 204, 215, 226)  # two pixels each, from the garment's edge out
    for step, level in enumerate(ramp):
        pixels[128:708, 480 + 2 * step : 482 + 2 * step] = level
    pixels += rng.normal(0, 2.0, pixels.shape)  # the knit and the backdrop's noise
    photo = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    garment = extract_garment(photo, clothes_type="upper")
    for y in (300, 500):
        # Past the ramp's darkest step (as dark as a dark grey cloth) to the backdrop: 0.49 before, 0.08 now.
        shadow = garment.mask[y, 484:496]
        assert shadow.mean() < 0.4, f"the shadow at y={y} is cloth ({np.round(shadow, 2)})"
        assert garment.mask[y, 478] > 0.5, "the garment's edge was cut off"


def test_a_shadow_down_the_side_joined_to_pale_checks_is_not_cloth():
    """A checked shirt's grey shadow down its sleeve joins the pale checks at its edge: judged as
    one, their texture passed for the shadow's grain, and it was worn as a broad grey band down
    the sleeve's outer side. The shadow's band, smooth on its own, goes."""
    photo = drawing.checked_panel_with_side_shadow()
    garment = extract_garment(photo, clothes_type="upper")
    for y in (240, 380, 560):
        shadow = garment.mask[y, 146:158]
        assert shadow.max() < 0.5, f"the shadow at y={y} is cloth ({np.round(shadow, 2)})"
    # The panel's edge between the checks stays.
    assert garment.mask[y, 162:170].min() > 0.5, "the panel's edge was cut off"


def test_the_backdrop_between_trouser_legs_laid_close_is_not_cloth():
    """Legs laid a few pixels apart: the cut bridged them and the strip between was filled as a
    print, worn as a white wedge between the legs."""
    photo = drawing.trousers(colour=(25, 25, 30), print_colour=(25, 25, 30), gap=0.025)
    garment = extract_garment(photo, clothes_type="lower")
    w, h = photo.size
    assert garment.mask[int(0.88 * h), w // 2] < 0.5, "the gap between the legs is cloth"
    assert garment.mask[int(0.88 * h), int(0.4 * w)] > 0.5


@pytest.mark.parametrize(
    ("make", "sleeve", "hem"), [(drawing.sleeveless_vest, "none", "hip"), (drawing.crop_top, "short", "crop")]
)
def test_tops_of_other_cuts_get_their_sleeve_and_hem(make, sleeve, hem):
    garment = extract_garment(make())
    assert (garment.sleeve, garment.hem) == (sleeve, hem)
    assert (garment.sleeve_length > 0) == (sleeve != "none")


def test_a_dress_with_its_sleeves_down_the_bodice_has_long_sleeves_ending_at_the_cuffs():
    photo = drawing.long_sleeve_dress()
    assert check_clothes_image(photo).clothes_type == "full"
    garment = extract_garment(photo)
    assert garment.sleeve == "long"
    for side in ("left", "right"):
        # The cuffs end at 44% of the photo's height.
        assert 0.32 * photo.height < garment.keypoints[f"sleeve_{side}"][1] < 0.48 * photo.height


def test_an_off_shoulder_band_is_a_strapless_neckline():
    photo = drawing.off_shoulder_top()
    assert check_clothes_image(photo).clothes_type == "upper"
    assert extract_garment(photo).neckline == "strapless"


def test_trousers_reach_the_ankles_on_two_legs():
    garment = extract_garment(drawing.trousers())
    assert (garment.skirt, garment.hem, garment.neckline, garment.sleeve) == (False, "ankle", "none", "none")
    assert garment.length > 2.45
    for name in ("waist_left", "waist_right", "crotch", "leg_left_outer", "leg_left_inner", "leg_right_inner"):
        assert name in garment.keypoints


def test_a_mini_skirt_is_a_short_skirt_with_a_waistband_and_a_hem():
    garment = extract_garment(drawing.mini_skirt())
    assert (garment.skirt, garment.hem) == (True, "shorts")
    kp = garment.keypoints
    assert "crotch" not in kp
    assert kp["waist_left"][1] < kp["hem_left"][1]
    assert kp["hem_right"][0] - kp["hem_left"][0] > kp["waist_right"][0] - kp["waist_left"][0]


def test_a_skirt_s_hem_corners_are_its_own_not_its_lining_s():
    """A lining (or a skort's shorts) hanging below the middle of the hem is not the hem: its
    corners are the skirt's, at its full width (a fifth of it before, and the skirt was worn
    narrowing to the lining's width at its hem, a puffed ball)."""
    photo = drawing.mini_skirt(lining=True)
    garment = extract_garment(photo, clothes_type="lower")
    left, right = garment.keypoints["hem_left"], garment.keypoints["hem_right"]
    assert right[0] - left[0] > 0.6 * photo.width
    assert abs((left[1] + right[1]) / 2 - 0.68 * photo.height) < 0.02 * photo.height
    assert (garment.skirt, garment.hem) == (True, "shorts")


def test_shorts_laid_with_their_legs_touching_are_still_shorts():
    """Knee shorts laid flat often touch down to their hems, the backdrop showing between the legs
    only in a thin strip near them, which the cut closes: they have two legs, parting at a crotch
    above that strip, not a skirt's one hem."""
    photo = drawing.shorts(touching=0.6)
    garment = extract_garment(photo, clothes_type="lower")
    assert (garment.skirt, garment.hem) == (False, "shorts")
    assert garment.keypoints["crotch"][1] < 0.6 * photo.height


def test_shorts_are_short_trousers():
    garment = extract_garment(drawing.shorts())
    assert (garment.skirt, garment.hem) == (False, "shorts")
    assert "crotch" in garment.keypoints


def test_the_chosen_type_decides_the_classes():
    """A tee worn as a dress (the user's choice wins) gets a dress's hem class."""
    garment = extract_garment(drawing.tee(), clothes_type="full")
    assert garment.clothes_type == "upper"
    assert garment.hem in ("mini", "knee", "midi", "maxi")
    dress = extract_garment(drawing.knee_dress())
    assert dress.sleeve == "short"
    assert dress.hem in ("mini", "knee", "midi", "maxi")
    assert dress.length > garment.length


def test_a_cap_sleeve_squared_off_at_the_shoulder_ends_at_its_cuff():
    """A short sleeve laid level with the shoulder line reaches as far out along its top edge as
    at its cuff. Its end was taken at the top corner, above the armhole: worn, the sleeve hung
    from it upside down and stood off the shoulder as a square tab."""
    photo = drawing.fitted_cap_sleeve_top()
    garment = extract_garment(photo, clothes_type="upper")
    assert garment.sleeve == "cap"
    w, h = photo.size
    for side in ("left", "right"):
        kp = garment.keypoints
        armhole = (kp[f"shoulder_{side}"] + kp[f"armpit_{side}"]) / 2
        end = kp[f"sleeve_{side}"]
        assert end[1] > armhole[1], f"the {side} sleeve ends above its armhole, at {end / (w, h)}"
        # On the cuff: the edge from the top corner (0.40 w out, 0.25 h) to (0.34 w out, 0.38 h).
        out = abs(end[0] - w / 2) / w
        assert 0.33 < out < 0.41 and 0.25 < end[1] / h < 0.39, f"the {side} sleeve's end is not on its cuff"


def _polo_at_analysis_size(with_flap: bool = True):
    """The drawn polo at the cut's size, the mask the cut found on a shop photo of it (the body and
    the collar's crisp half, not the soft flap), that mask's keypoints, and where the flap lies.

    ``with_flap`` False: no flap, and the backdrop shades darker round the neck instead, as round a
    ghost mannequin's shoulders.
    """
    photo = drawing.polo_with_white_collar()
    w, h = photo.size
    size = np.array([240, 320])
    pixels = np.asarray(photo.resize(tuple(size), Image.Resampling.LANCZOS)).astype(np.float32)

    def drawn(outline) -> np.ndarray:
        canvas = Image.new("L", tuple(size), 0)
        ImageDraw.Draw(canvas).polygon([(x * size[0] / w, y * size[1] / h) for x, y in outline], fill=255)
        return np.asarray(canvas) > 0

    def collar(half):
        return [(w / 2 + x * w, y * h) for x, y in half]

    body = drawn(drawing._tee_outline((w, h), [(-0.07, 0.16), (-0.04, 0.19), (0.04, 0.19), (0.07, 0.16)]))
    mask = (body | drawn(collar(drawing.POLO_COLLAR_RIGHT))) & ~drawn(collar(drawing.POLO_COLLAR_LEFT))
    flap = drawn(collar(drawing.POLO_COLLAR_LEFT)) & ~mask
    if not with_flap:
        ys, xs = np.mgrid[0 : size[1], 0 : size[0]]
        shade = 12.0 * np.exp(-(((xs - 0.42 * size[0]) / 30.0) ** 2 + ((ys - 0.17 * size[1]) / 22.0) ** 2))
        pixels = np.where(mask[..., None], pixels, 232.0 - shade[..., None])
    points = {
        name: np.array(share) * size
        for name, share in {
            "shoulder_left": (0.28, 0.19),
            "shoulder_right": (0.72, 0.19),
            "armpit_left": (0.26, 0.37),
            "armpit_right": (0.74, 0.37),
        }.items()
    }
    return np.clip(pixels, 0, 255).astype(np.uint8), mask, points, flap


def test_a_white_collar_flap_the_cut_lost_on_a_pale_backdrop_comes_back():
    """White on pale grey with no edge along it, the flap went with the backdrop in a shop photo's
    cut, and worn, the polo had a notch of bare skin beside its collar. The backdrop is even; the
    flap differs from it."""
    small, mask, points, flap = _polo_at_analysis_size()
    restored = _pale_pieces_at_the_shoulders(small, mask, points)
    # All but its soft rim, which is half backdrop.
    core = cv2.erode(flap.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert restored[core].mean() > 0.95
    assert (restored & ~flap).sum() < 0.1 * flap.sum()


def test_backdrop_shading_by_the_shoulders_is_not_taken_for_a_lost_collar():
    """Compared with the backdrop around it, the shading round a ghost mannequin's neck is backdrop."""
    small, mask, points, flap = _polo_at_analysis_size(with_flap=False)
    assert not _pale_pieces_at_the_shoulders(small, mask, points).any()


def test_a_body_panel_running_past_the_armhole_line_stays_with_the_body():
    """The line from shoulder to armpit is not the seam: a colour-block tee's white band runs a
    little past it. Cut with the sleeve, it turned with the sleeve onto the top of the shoulder."""
    photo = drawing.colour_block_tee()
    garment = extract_garment(photo)
    pixels = np.asarray(photo.resize(garment.rgb.shape[1::-1])).astype(int)
    band = (pixels.min(axis=2) > 235) & (garment.mask > 0.9)
    assert band.sum() > 0.05 * (garment.mask > 0.5).sum()
    assert np.isin(garment.parts[band], [2, 3]).sum() < 0.01 * band.sum()
    # The sleeves are still sleeves.
    assert garment.sleeve == "short"
    assert (garment.parts == 2).sum() > 0.03 * (garment.mask > 0.5).sum()


def test_a_soft_shadow_inside_a_black_tanks_neckline_is_not_cloth():
    """Inside a flat-laid tank's scoop neckline the backdrop darkens softly towards the front's
    edge. The cut, made small, took the shadow's darker part in, and it was worn as a pale line
    along the neckline. The shadow ramps; the cloth's own edge is a step."""
    rng = np.random.default_rng(5)
    h, w = 800, 640
    pixels = np.full((h, w, 3), 236.0)
    pixels[120:700, 140:500] = 22
    centre_y, centre_x, radius = 160, 320, 110
    ys, xs = np.mgrid[:h, :w]
    inwards = radius - np.hypot(ys - centre_y, xs - centre_x)  # into the opening from the cloth's edge
    opening = (inwards > 0) & (ys >= 120)
    pixels[opening] = (236 - 130 * np.exp(-inwards / 5.0))[opening][:, None]
    pixels += rng.normal(0, 2.0, pixels.shape)
    garment = extract_garment(Image.fromarray(pixels.clip(0, 255).astype(np.uint8)), clothes_type="upper")
    edge = centre_y + radius
    shadow = garment.mask[edge - 6 : edge - 1, centre_x]
    # 0.29 before.
    assert shadow.mean() < 0.05, f"the shadow is cloth ({np.round(shadow, 2)})"
    assert garment.mask[edge : edge + 4, centre_x].min() > 0.9, "the neckline's edge was cut off"


def test_a_floating_jackets_shadow_on_the_floor_is_no_garment():
    """On an invisible mannequin, a jacket floats over its own soft shadow. Taken in, the shadow
    was a grey band along the worn hem, and the backdrop it enclosed between the sleeves and the
    body was filled in as jacket, so the sleeves were never found on such photos."""
    photo = drawing.floating_jacket()
    garment = extract_garment(photo)
    h, w = garment.mask.shape
    under_the_body = garment.mask[int(0.94 * h) :, int(0.3 * w) : int(0.7 * w)]
    assert (under_the_body > 0.5).mean() < 0.02
    between_sleeve_and_body = garment.mask[int(0.6 * h) : int(0.85 * h), int(0.24 * w) : int(0.26 * w)]
    assert (between_sleeve_and_body > 0.5).mean() < 0.3
    assert (garment.sleeve, garment.hem) == ("long", "hip")
    assert check_clothes_image(photo) == ClothesCheck("upper", True)


def test_the_ghost_mannequin_puffers_sleeves_are_found_once_its_floor_shadow_goes():
    """The licence-clean catalogue puffer floats over its shadow: with the shadow taken in, the gap
    between its left sleeve and body was filled and that sleeve was never found (one short sleeve)."""
    garment = extract_garment(Image.open(FIXTURES / "garment_jacket_puffer_red.jpg").convert("RGB"))
    assert garment.sleeve == "long"
    assert {"sleeve_left", "sleeve_right"} <= garment.keypoints.keys()


def test_a_black_hem_is_not_taken_for_a_shadow():
    """A black band at the bottom is as dark as a shadow's core, but never lightens to the backdrop."""
    photo = drawing.floating_jacket(colour=(20, 20, 22), print_colour=(30, 30, 32))
    garment = extract_garment(photo)
    h, w = garment.mask.shape
    body = garment.mask[int(0.80 * h) : int(0.89 * h), int(0.3 * w) : int(0.7 * w)]
    assert (body > 0.5).mean() > 0.98


def test_the_backdrop_inside_a_looped_strap_is_not_cloth():
    """A cami's straps laid as loops (front and back apart, meeting at the top) enclose the
    backdrop; hole filling took it for a print, and worn, each strap had a white stripe down it.
    A print's pale spot near the garment's edge stays cloth (the garment's body lies beside it)."""
    image = drawing.cami_with_looped_straps()
    w, h = image.size
    garment = extract_garment(image)
    scale = garment.mask.shape[1] / w
    for sign in (-1, 1):
        inside = (round((w / 2 + sign * 0.16 * w) * scale), round(0.25 * h * scale))  # within the loop
        strap = (round((w / 2 + sign * 0.10 * w) * scale), round(0.31 * h * scale))  # the front's foot
        assert garment.mask[inside[1], inside[0]] < 0.5, "the loop's backdrop is cloth"
        assert garment.mask[strap[1], strap[0]] > 0.5, "the strap is gone"
    # The plain cami's white dots (the backdrop's colour) along its edges stay cloth.
    dotted = extract_garment(drawing.cami())
    cloth = (dotted.mask > 0.5).astype(np.uint8)
    outside = np.pad(cloth, 1)
    cv2.floodFill(outside, None, (0, 0), 1)
    assert (outside[1:-1, 1:-1] == 0).sum() == 0, "holes in the dotted cami"
