"""Issue 13 items 1-9 in Chromium: dead ends, lost work, words and feedback, at desktop and phone sizes."""

import io

import pytest
from PIL import Image

from tests.images import drawn_tee, encode, fixture_bytes, person_photo, text_named_jpg
from tests.stack import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def jpeg(name, data):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


@pytest.fixture
def snap(screenshot):
    """A screenshot at desktop and phone size of the same state."""

    def take(page, name):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            screenshot(page, f"13-{name}-{label}")
        page.set_viewport_size(DESKTOP)

    return take


@pytest.fixture
def studio(new_page):
    page = new_page(**DESKTOP)
    page.goto("/")
    return page


def try_on_button(page):
    return page.locator("#try-on-action button[type=submit]")


def try_on_settles(page, disabled: bool) -> bool:
    """Whether the Try on button comes to be ``disabled`` (or enabled) within 5 s.

    The studio sets it when htmx settles a swap, 20 ms after the new check message appears: read
    straight after the message, on a busy machine it was still the old state.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    script = "disabled => document.querySelector('#try-on-action button[type=submit]').disabled === disabled"
    try:
        page.wait_for_function(script, arg=disabled, timeout=5000)
    except PlaywrightTimeoutError:
        return False
    return True


def files_chosen(page, selector):
    return page.locator(selector).evaluate("input => input.files.length")


def test_a_chest_up_photo_says_why_and_keeps_try_on_disabled(studio, snap):
    studio.set_input_files("#id_model_image", jpeg("bust.jpg", fixture_bytes("person_astronaut_bust.jpg")))
    studio.get_by_text("This photo shows too little of the person to dress.").wait_for()
    assert try_on_settles(studio, disabled=True)
    assert studio.locator("#try-on-blocked").inner_text() == "Choose another person photo to continue."
    assert studio.locator("input[name=cloth_type]").count() == 0
    assert "suits ." not in studio.locator("#model-check").inner_text()
    snap(studio, "01-chest-up")


def test_a_garment_that_is_not_a_garment_stops_the_try_on(studio, snap):
    studio.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    studio.locator("#model-check .check-good").wait_for()
    studio.set_input_files("#id_cloth_image", jpeg("person-as-garment.jpg", person_photo()))
    studio.locator("#cloth-check .check-warning").wait_for()
    assert "single garment" in studio.locator("#cloth-check").inner_text()
    assert try_on_settles(studio, disabled=True)
    assert "garment photo" in studio.locator("#try-on-blocked").inner_text()
    snap(studio, "02-not-a-garment")
    # A real garment unblocks it.
    studio.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    studio.locator("#cloth-check .check-good").wait_for()
    assert try_on_settles(studio, disabled=False)


def test_the_garment_check_shows_checking_and_keeps_a_hand_picked_type(studio, snap):
    studio.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    studio.locator("#model-check .check-warning").wait_for()
    studio.locator("label[for=cloth-type-lower]").click()  # the shopper says: a bottom
    studio.evaluate(
        """() => {
            window.sawChecking = false;
            const note = document.querySelector('#cloth-checking');
            new MutationObserver(() => {
                if (getComputedStyle(note).display !== 'none') window.sawChecking = true;
            }).observe(note, {attributes: true});
        }"""
    )
    studio.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    studio.locator("#cloth-check .check-warning").wait_for()
    assert studio.evaluate("window.sawChecking")
    assert studio.locator("#cloth-checking").inner_text() == "Checking your garment…"
    assert studio.locator("#cloth-type-lower").is_checked()  # not switched to "Top"
    assert "so we keep it" in studio.locator("#cloth-check").inner_text()
    snap(studio, "03-hand-picked-type-kept")


def test_a_refused_try_on_keeps_both_photos_and_the_page(fresh_window, studio, snap, settings):
    studio.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    studio.locator("#model-check .check-good").wait_for()
    studio.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    studio.locator("#cloth-check .check-good").wait_for()
    settings.TRYON_STUDIO_RATE_LIMIT_PER_MINUTE = 2  # the two checks used it up
    try_on_button(studio).click()
    studio.get_by_text("That's a lot of tries in one minute").wait_for()
    assert studio.url.endswith("/") and "/tries/" not in studio.url
    assert studio.locator("#studio-feedback").get_by_text("a lot of tries").is_visible()
    assert files_chosen(studio, "#id_model_image") == 1 and files_chosen(studio, "#id_cloth_image") == 1
    assert studio.locator("#model-preview").evaluate("img => img.naturalWidth") > 0
    assert try_on_settles(studio, disabled=False) and try_on_button(studio).inner_text() == "Try on"
    snap(studio, "04-rate-limited-keeps-photos")


def test_an_unreadable_person_photo_clears_what_the_last_one_offered(studio, snap):
    studio.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    studio.locator("#model-check .check-warning").wait_for()
    assert studio.locator("input[name=cloth_type]").count() == 4
    studio.set_input_files("#id_model_image", jpeg("notes.jpg", text_named_jpg()))
    studio.get_by_text("We can't open this kind of file.").wait_for()
    assert studio.locator("input[name=cloth_type]").count() == 0
    assert try_on_settles(studio, disabled=True)
    studio.wait_for_function("document.querySelector('#model-preview').closest('figure').hidden")
    assert not studio.get_by_text("Outlined: the person we found.").is_visible()
    snap(studio, "05-unreadable-person-photo")


def test_an_engine_outage_is_told_plainly_and_keeps_the_photo(studio, snap, settings):
    settings.TRYON_BACKEND = "remote"
    settings.TRYON_REMOTE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens: the engine is down
    settings.TRYON_REMOTE_API_KEY = "unused"
    studio.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    studio.get_by_text("Our try-on service is taking a break.").wait_for()
    assert files_chosen(studio, "#id_model_image") == 1
    assert try_on_settles(studio, disabled=True)
    assert "in a minute" in studio.locator("#try-on-blocked").inner_text()  # not "choose another photo"
    assert not studio.get_by_text("Outlined: the person we found.").is_visible()  # nothing is outlined
    snap(studio, "06-engine-outage")
    settings.TRYON_BACKEND = "local"  # the engine is back
    studio.get_by_role("button", name="Check again").click()
    studio.locator("#model-check .check-good").wait_for()
    assert studio.get_by_text("Outlined: the person we found.").is_visible()


def test_each_photo_is_uploaded_once_and_hd_says_what_it_does(studio, snap):
    small = Image.open(io.BytesIO(person_photo())).convert("RGB")
    studio.set_input_files("#id_model_image", jpeg("person.jpg", encode(small)))
    studio.locator("#model-check .check-good").wait_for()
    assert studio.locator("#id_hd_mode").is_disabled()  # 722x1024: HD would change nothing
    assert "same size picture" in studio.locator("#hd-help").inner_text()
    studio.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    studio.locator("#cloth-check .check-good").wait_for()
    snap(studio, "07-ready-to-try-on")
    with studio.expect_request(lambda r: r.method == "POST" and r.url.endswith("/")) as posted:
        try_on_button(studio).click()
    assert len(posted.value.post_data_buffer) < 5_000  # references, not the photos again
    studio.wait_for_url("**/tries/*/")


def test_a_pose_the_engine_may_not_render_is_a_visible_warning(studio, snap):
    studio.set_viewport_size({"width": 1280, "height": 800})
    studio.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    warning = studio.locator("#model-check .check-warning h3")
    warning.wait_for()
    assert "may not render well" in warning.inner_text()
    assert "This photo works" not in studio.locator("#model-check").inner_text()
    bottom = warning.evaluate("el => el.getBoundingClientRect().bottom + window.scrollY")
    assert bottom <= 800  # above the fold, beside a wide photo (the phone case is in test_studio_layout)
    snap(studio, "08-pose-warning")
