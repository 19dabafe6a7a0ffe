"""The model check on real photos and on images made from them.

Every photo comes from tests/fixtures (licence-clean, see ATTRIBUTION.md) and
goes through the real mediapipe models; the rest is drawn or composed here.
"""

import dataclasses
import io
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from tryon.engine.images import encode_image, fit_within, load_image
from tryon.engine.person import (
    LEFT_ELBOW,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    RIGHT_ELBOW,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    RIGHT_WRIST,
    ModelCheck,
    analyse_person,
    check_model_image,
    good_clothes_types,
    model_check_code,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = Path(__file__).resolve().parents[2]


def photo(name: str) -> Image.Image:
    return load_image((FIXTURES / name).read_bytes())


@pytest.fixture(scope="module")
def business() -> Image.Image:
    """The one fixture a correct check accepts: frontal, head to hips, plain background."""
    return photo("person_business_upper.jpg")


def on_canvas(person: Image.Image, scale: float, size=(1024, 1024)) -> Image.Image:
    """``person`` shrunk by ``scale`` and pasted in the middle of a white canvas."""
    small = person.resize((round(person.width * scale), round(person.height * scale)))
    canvas = Image.new("RGB", size, "white")
    canvas.paste(small, ((size[0] - small.width) // 2, (size[1] - small.height) // 2))
    return canvas


def black_and_white(image: Image.Image) -> Image.Image:
    """``image`` as a black-and-white JPEG upload (one channel), decoded as the API decodes it."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=90)
    return load_image(buffer.getvalue())


def stored_copy(image: Image.Image) -> Image.Image:
    """``image`` as services store an upload (re-encoded JPEG q95, at most 4096 px) and read it back.

    (The numbers are tryon.services' STORED_INPUT_MAX_SIDE and quality; engine tests import no Django.)
    """
    return load_image(encode_image(fit_within(image, 4096), quality=95))


def answer(check: ModelCheck):
    return check.is_good, check.error_code, check.good_clothes_types


def assert_error(check: ModelCheck, code: str) -> None:
    assert check.error_code == code
    assert check.is_good is False
    assert check.good_clothes_types == []


# --- the licence-clean photos, with the answers judged by eye ----------------------


def test_frontal_upper_body_photo_is_good_for_tops(business):
    check = check_model_image(business)

    assert check.is_good is True
    assert check.error_code is None
    assert check.good_clothes_types == ["upper"]


@pytest.mark.parametrize(
    "name",
    ["people_three.jpg", "people_couple_dog.jpg", "people_two_walking.jpg"],
)
def test_photo_with_several_people_is_refused(name):
    assert_error(check_model_image(photo(name)), "400002")


@pytest.mark.parametrize("name", ["person_back_view_1.jpg", "person_back_view_2.jpg"])
def test_person_seen_from_behind_is_refused(name):
    assert_error(check_model_image(photo(name)), "400003")


def test_arms_spread_yoga_pose_is_a_warning_with_all_clothes_types():
    check = check_model_image(photo("person_yoga_fullbody.jpg"))

    assert check.is_good is True
    assert check.error_code == "410003"
    assert check.good_clothes_types == ["upper", "lower", "full"]


def test_sitting_person_is_warned_as_not_standing_straight():
    check = check_model_image(photo("person_sitting_street.jpg"))

    assert check.is_good is True
    assert check.error_code == "410003"


def test_chest_up_portrait_gets_a_warning_and_at_most_tops():
    check = check_model_image(photo("person_astronaut_bust.jpg"))

    assert check.is_good is True
    assert check.error_code is not None and check.error_code.startswith("410")
    assert set(check.good_clothes_types) <= {"upper"}


@pytest.mark.parametrize("name", ["person_man_seated.jpg", "person_sitting_street.jpg"])
def test_seated_person_is_a_pose_warning_with_clothes_types(name):
    check = check_model_image(photo(name))

    assert (check.is_good, check.error_code) == (True, "410003")
    assert check.good_clothes_types == ["upper", "lower", "full"]


@pytest.mark.parametrize(
    "name, types",
    [
        ("person_man_fullbody_trousers.jpg", ["upper", "lower", "full"]),  # hands in pockets: fine
        ("person_man_fullbody_tank.jpg", ["upper", "lower", "full"]),
        ("person_woman_fullbody_leggings.jpg", ["upper", "lower", "full"]),
        ("person_man_upper_tee.jpg", ["upper"]),
    ],
)
def test_standing_catalogue_photo_is_good(name, types):
    assert answer(check_model_image(photo(name))) == (True, None, types)


# --- black-and-white photos --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "person_business_upper.jpg",
        "person_man_fullbody_trousers.jpg",
        "person_woman_fullbody_leggings.jpg",
        "person_man_upper_tee.jpg",
        "person_yoga_fullbody.jpg",
        "person_man_seated.jpg",
    ],
)
def test_black_and_white_photo_gets_the_colour_photos_answer(name):
    """The person is found on luminance alone: a black-and-white upload is judged like the colour one."""
    colour = photo(name)

    assert answer(check_model_image(black_and_white(colour))) == answer(check_model_image(colour))


@pytest.mark.parametrize(
    "name, code",
    [
        ("people_three.jpg", "400002"),
        ("people_couple_dog.jpg", "400002"),
        ("people_two_walking.jpg", "400002"),
        ("person_back_view_1.jpg", "400003"),
        ("person_back_view_2.jpg", "400003"),
    ],
)
def test_black_and_white_photo_is_still_refused(name, code):
    assert_error(check_model_image(black_and_white(photo(name))), code)


def drawn_room() -> Image.Image:
    """An empty room: wall, floor, window, a table with a lamp; no one in it."""
    image = Image.new("RGB", (1024, 768), (214, 206, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1024, 768), fill=(120, 86, 60))
    draw.rectangle((120, 120, 380, 400), fill=(190, 215, 235), outline=(250, 250, 250), width=12)
    draw.line((250, 120, 250, 400), fill=(250, 250, 250), width=8)
    draw.rectangle((560, 400, 900, 430), fill=(90, 60, 40))
    for x in (580, 860):
        draw.rectangle((x, 430, x + 20, 600), fill=(80, 54, 36))
    draw.polygon([(700, 300), (760, 300), (780, 360), (680, 360)], fill=(240, 230, 200))
    draw.rectangle((725, 360, 735, 400), fill=(60, 60, 60))
    return image


@pytest.mark.parametrize("make_image", [drawn_room, lambda: drawn_tee()], ids=["empty room", "garment product photo"])
def test_black_and_white_image_without_a_person_is_refused(make_image):
    assert_error(check_model_image(black_and_white(make_image())), "400001")


# --- poses the renderer can't dress: 410003 ------------------------------------------


@pytest.fixture(scope="module")
def standing():
    """A real detection of a frontal standing man, arms down, hands in pockets."""
    return analyse_person(photo("person_man_fullbody_trousers.jpg"))


def moved(person, points: dict):
    """``person`` with landmarks moved to (x, y), as fractions of the torso from the shoulder centre."""
    landmarks = person.landmarks.copy()
    centre, torso = person.shoulder_centre, person.torso_length
    for index, (dx, dy) in points.items():
        landmarks[index, :2] = centre + np.array([dx, dy]) * torso
        landmarks[index, 3] = 0.99
    return dataclasses.replace(person, landmarks=landmarks)


def test_standing_with_arms_down_needs_no_warning(standing):
    assert model_check_code(standing) is None


@pytest.mark.parametrize(
    "points",
    [
        # Both hands above the head.
        {
            LEFT_ELBOW: (0.45, -0.3),
            LEFT_WRIST: (0.3, -0.6),
            RIGHT_ELBOW: (-0.45, -0.3),
            RIGHT_WRIST: (-0.3, -0.6),
        },
        # One arm raised, its hand out of the frame: the elbow tells.
        {LEFT_ELBOW: (0.5, -0.4), LEFT_WRIST: (0.6, -5.0)},
        # Arms crossed over the chest: each wrist in front of the other side.
        {
            LEFT_ELBOW: (0.45, 0.55),
            LEFT_WRIST: (-0.2, 0.4),
            RIGHT_ELBOW: (-0.45, 0.55),
            RIGHT_WRIST: (0.2, 0.45),
        },
    ],
    ids=["arms raised", "arm raised, hand cut off", "arms crossed"],
)
def test_arms_raised_or_crossed_are_a_pose_warning(standing, points):
    person = moved(standing, points)

    assert model_check_code(person) == "410003"
    assert good_clothes_types(person) == ["upper", "lower", "full"]


@pytest.mark.parametrize("degrees", [20, -20])
def test_strong_lean_is_a_pose_warning(degrees):
    """The standing man tilted by 20 degrees: still upright enough to dress, but not standing straight."""
    leaning = photo("person_man_fullbody_trousers.jpg").rotate(degrees, expand=True, fillcolor="white")

    assert answer(check_model_image(leaning)) == (True, "410003", ["upper", "lower", "full"])


def test_one_hand_at_the_chest_is_not_arms_crossed(standing):
    """As in person_business_upper.jpg: a hand holding glasses at the chest, the other arm at the hip."""
    person = moved(standing, {RIGHT_WRIST: (0.1, 0.25), LEFT_WRIST: (-0.3, 0.85)})

    assert model_check_code(person) is None


# --- how much of the legs a photo must show ------------------------------------------


@pytest.fixture(scope="module")
def leggings() -> Image.Image:
    return photo("person_woman_fullbody_leggings.jpg")


def cut_below(image: Image.Image, person, knees_to_ankles: float) -> Image.Image:
    """``image`` cut off that far from the knees towards the ankles (0 = at the knees)."""
    knee = float(person.landmarks[[LEFT_KNEE, RIGHT_KNEE], 1].max())
    ankle = float(person.landmarks[[27, 28], 1].min())
    return image.crop((0, 0, image.width, round(knee + knees_to_ankles * (ankle - knee))))


def test_feet_cut_off_at_mid_shin_still_take_lower_and_full_clothes(leggings):
    shin_up = cut_below(leggings, analyse_person(leggings), 0.5)

    check = check_model_image(shin_up)
    assert (check.is_good, check.good_clothes_types) == (True, ["upper", "lower", "full"])


def test_photo_cut_at_the_knees_takes_tops_only(leggings):
    knee_up = cut_below(leggings, analyse_person(leggings), -0.05)

    assert check_model_image(knee_up).good_clothes_types == ["upper"]


# --- one verdict per photo -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.jpg")))
def test_stored_copy_gets_the_uploads_answer(name):
    """The task judges the stored re-encoded copy; it must agree with the check on the upload."""
    upload = photo(name)

    assert answer(check_model_image(stored_copy(upload))) == answer(check_model_image(upload))


# --- no person ------------------------------------------------------------------


def drawn_tee() -> Image.Image:
    """A flat-lay T-shirt on white, as on a product page."""
    image = Image.new("RGB", (768, 1024), "white")
    draw = ImageDraw.Draw(image)
    outline = [(234, 200), (334, 170), (434, 170), (534, 200), (650, 330), (580, 390)]
    outline += [(520, 330), (520, 820), (248, 820), (248, 330), (188, 390), (118, 330)]
    draw.polygon(outline, fill=(40, 90, 170))
    draw.ellipse((334, 400, 434, 500), fill=(240, 200, 40))
    return image


@pytest.mark.parametrize(
    "make_image",
    [
        lambda: Image.new("RGB", (768, 1024), (200, 180, 160)),
        lambda: Image.fromarray(np.random.default_rng(7).integers(0, 256, (1024, 768, 3), dtype=np.uint8)),
        drawn_tee,
    ],
    ids=["plain colour", "noise", "garment product photo"],
)
def test_image_without_a_person_is_refused(make_image):
    image = make_image()

    assert analyse_person(image) is None
    check = check_model_image(image)
    assert_error(check, "400001")
    assert check.person_box is None
    assert check.pose_outline == []


# --- synthetic variations of the accepted photo ---------------------------------


def test_tiny_person_on_a_big_canvas_is_refused(business):
    assert_error(check_model_image(on_canvas(business, 0.2)), "400004")


def test_smallish_person_on_a_big_canvas_is_a_size_warning(business):
    check = check_model_image(on_canvas(business, 0.4))

    assert check.is_good is True
    assert check.error_code == "410001"
    assert check.good_clothes_types == ["upper"]


def test_mirrored_photo_still_faces_forward(business):
    mirrored = ImageOps.mirror(business)

    assert analyse_person(mirrored).facing == "front"
    check = check_model_image(mirrored)
    assert check.is_good is True
    assert check.error_code is None


def test_mirrored_back_view_is_still_a_back_view():
    assert_error(check_model_image(ImageOps.mirror(photo("person_back_view_1.jpg"))), "400003")


def test_two_copies_side_by_side_are_two_people(business):
    pair = Image.new("RGB", (business.width * 2, business.height), "white")
    pair.paste(business, (0, 0))
    pair.paste(ImageOps.mirror(business), (business.width, 0))

    analysis = analyse_person(pair)
    assert analysis.people_count == 2
    assert_error(check_model_image(pair), "400002")


@pytest.mark.parametrize("angle", [90, 180])
def test_rotated_photo_is_never_plainly_good(business, angle):
    check = check_model_image(business.rotate(angle, expand=True))

    assert not (check.is_good and check.error_code is None)
    if angle == 180:
        # Upside down the shoulders swap sides in the image: that must not read as a back view.
        assert check.error_code == "410002"
        assert analyse_person(business.rotate(angle)).facing == "front"


# --- what render and the web UI get ---------------------------------------------


def test_analysis_is_in_the_callers_pixels(business):
    """Landmarks, mask and box of an image above the working size match the original."""
    analysis = analyse_person(business)
    doubled = analyse_person(business.resize((business.width * 2, business.height * 2)))

    assert (analysis.width, analysis.height) == business.size
    assert analysis.landmarks.shape == (33, 4) and analysis.landmarks.dtype == np.float32
    assert analysis.person_mask.shape == (business.height, business.width)
    assert analysis.person_mask.dtype == np.float32
    assert analysis.person_mask.min() >= 0.0 and analysis.person_mask.max() <= 1.0
    assert analysis.people_count == 1

    x0, y0, x1, y1 = analysis.box
    assert 0 <= x0 < x1 <= business.width and 0 <= y0 < y1 <= business.height
    for index in (LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP):
        x, y = analysis.landmarks[index, :2]
        assert x0 <= x <= x1 and y0 <= y <= y1
        assert analysis.person_mask[int(y), int(x)] > 0.5

    assert doubled.person_mask.shape == (business.height * 2, business.width * 2)
    core = [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP]
    shift = np.abs(doubled.landmarks[core, :2] / 2 - analysis.landmarks[core, :2])
    assert shift.max() < 0.02 * business.height


def test_large_upload_gets_the_same_answer(business):
    large = business.resize((business.width * 3, business.height * 3))

    check, large_check = check_model_image(business), check_model_image(large)
    assert (large_check.is_good, large_check.error_code) == (check.is_good, check.error_code)
    assert large_check.good_clothes_types == check.good_clothes_types
    assert np.allclose(large_check.person_box, check.person_box, atol=0.02)


def test_overlay_is_normalised_and_covers_the_person(business):
    check = check_model_image(business)

    x0, y0, x1, y1 = check.person_box
    assert 0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0
    assert x1 - x0 > 0.5 and y1 - y0 > 0.8
    assert len(check.pose_outline) >= 4  # shoulders, both sides of the torso, hips
    for start, end in check.pose_outline:
        for x, y in (start, end):
            assert x0 - 0.01 <= x <= x1 + 0.01 and y0 - 0.01 <= y <= y1 + 0.01


def test_checks_from_several_threads_agree(business):
    """The mediapipe graphs are shared per process; concurrent checks must not mix up."""
    images = [business, photo("person_back_view_1.jpg")] * 2
    results: list[ModelCheck | None] = [None] * len(images)

    def run(i):
        results[i] = check_model_image(images[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(images))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.error_code for r in results] == [None, "400003", None, "400003"]


FORKED_WORKERS = """
import multiprocessing
from tryon.engine.images import load_image
from tryon.engine.person import check_model_image

image = load_image(open("tests/fixtures/person_business_upper.jpg", "rb").read())

def worker(answers):
    try:
        answers.put(("ok", check_model_image(image).error_code))
    except RuntimeError as exc:
        answers.put(("error", str(exc)))

def fork_worker():
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    process = context.Process(target=worker, args=(answers,))
    process.start()
    answer = answers.get(timeout=60)
    process.join(60)
    return answer

print(fork_worker())                      # forked before the parent used mediapipe
print(("ok", check_model_image(image).error_code))
print(fork_worker())                      # forked after
"""


def test_forked_worker_gets_the_engine_or_a_clear_error():
    """A worker forked before the first check works; one forked after is told why it can't."""
    out = subprocess.run(
        [sys.executable, "-c", FORKED_WORKERS], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    before, parent, after = out.stdout.strip().splitlines()
    assert before == "('ok', None)"
    assert parent == "('ok', None)"
    assert after.startswith("('error',") and "forked" in after


def test_engine_imports_without_django():
    code = "import sys, tryon.engine, tryon.engine.person; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
