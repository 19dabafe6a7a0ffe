"""Issue 13 items 11 and 13 in Chromium: the same person with another garment, and the phone camera."""

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_studio_dead_ends import DESKTOP, PHONE, jpeg
from tests.images import drawn_tee, person_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_try_another_garment_on_the_same_person(new_page, screenshot):
    page = new_page(**DESKTOP)
    page.goto("/")
    page.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    page.locator("#model-check .check-good").wait_for()
    page.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    page.locator("#cloth-check .check-good").wait_for()
    page.get_by_role("button", name="Try on").click()
    page.wait_for_url("**/tries/*/")
    first = page.url
    page.get_by_role("link", name="Try another garment on this person").click()
    page.locator("#model-check .check-good").wait_for()
    page.wait_for_function("document.querySelector('#model-preview').naturalWidth > 0")
    assert page.locator("#id_model_image").evaluate("input => input.files.length") == 0  # nothing to upload
    page.set_input_files("#id_cloth_image", jpeg("blue-tee.jpg", drawn_tee((20, 60, 200))))
    page.locator("#cloth-check .check-good").wait_for()
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        screenshot(page, f"13-11-same-person-{label}")
    page.set_viewport_size(DESKTOP)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/")) as posted:
        page.get_by_role("button", name="Try on").click()
    assert len(posted.value.post_data_buffer) < 5_000
    page.wait_for_url("**/tries/*/")
    assert page.url != first


def test_the_person_photo_can_come_from_the_phone_camera(new_page, screenshot):
    page = new_page(**PHONE)
    page.goto("/")
    camera = page.locator("input[capture=user]")
    assert camera.get_attribute("accept") == "image/*"
    assert page.get_by_text("Take a photo").is_visible()
    camera.set_input_files(jpeg("selfie.jpg", person_photo()))  # what the camera hands back
    page.locator("#model-check .check-good").wait_for()
    assert page.locator("#id_model_image").evaluate("input => input.files.length") == 1
    screenshot(page, "13-13-camera-phone")


def test_a_garment_from_a_shops_picture_address(new_page, screenshot, settings, live_server):
    settings.TRYON_IMAGE_URL_ALLOW_PRIVATE = True  # the "shop" is this live server, on loopback
    page = new_page(**DESKTOP)
    page.goto("/")
    page.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    page.locator("#model-check .check-good").wait_for()
    page.get_by_text("…or use a picture from a shop's website").first.click()
    page.get_by_label("The picture's address").first.fill(f"{live_server.url}/static/tryon/samples/tshirt.jpg")
    page.get_by_role("button", name="Use this picture").first.click()
    page.locator("#cloth-check .check-good").wait_for()
    page.wait_for_function("document.querySelector('#cloth-preview').naturalWidth > 0")
    assert page.locator("#cloth-upload").input_value()
    assert page.get_by_role("button", name="Try on").is_enabled()
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        screenshot(page, f"13-13-garment-address-{label}")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Try on").click()
    page.wait_for_url("**/tries/*/")


def test_a_stylist_saves_a_person_to_my_models_and_picks_them_again(new_page, screenshot, django_user_model):
    from tests.browser.test_studio_layout import SMALL_TARGETS

    django_user_model.objects.create_user("sasha", password="pw-sasha-123")
    page = new_page(**DESKTOP)
    sign_in(page, "sasha", "pw-sasha-123")
    page.set_input_files("#id_model_image", jpeg("person.jpg", person_photo()))
    page.locator("#model-check .check-good").wait_for()
    page.get_by_role("button", name="Save to My models").click()
    page.get_by_text("Saved to My models.").wait_for()
    page.goto("/")
    page.get_by_role("link", name="Use saved model 1").click()
    page.locator("#model-check .check-good").wait_for()
    page.wait_for_function("document.querySelector('#model-preview').naturalWidth > 0")
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        screenshot(page, f"13-11-my-models-{label}")
    assert page.evaluate(SMALL_TARGETS) == []
    page.set_viewport_size(DESKTOP)
    page.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    page.locator("#cloth-check .check-good").wait_for()
    page.get_by_role("button", name="Try on").click()
    page.wait_for_url("**/tries/*/")
