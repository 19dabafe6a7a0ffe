"""A shopper in headless Chromium: photo, warning, type, garment, try-on, progress, result; staff approve."""

import time

import pytest

from tests.images import drawn_tee, fixture_bytes
from tests.processes import start_qcluster, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(name, data):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


@pytest.fixture
def worker(tmp_path):
    """A real qcluster against the live server's database, so progress happens while the browser watches."""
    from django_q.conf import Conf

    Conf.SYNC = False  # the autouse fixture restores it
    process = start_qcluster(tmp_path / "qcluster.log", TRYON_WORKERS="1")
    yield process
    stop(process)


def watch_progress(page, timeout=60):
    """Sample the task panel until the result shows; returns the progress values seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(
            """() => {
                const bar = document.querySelector('#task-progress');
                const done = document.querySelector('#task-panel .compare, #task-panel [role=alert]');
                return {value: bar ? bar.value : null, done: !!done};
            }"""
        )
        if state["value"] is not None and (not seen or seen[-1] != state["value"]):
            seen.append(state["value"])
        if state["done"]:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the try-on did not finish in {timeout}s; progress seen: {seen}")


def test_shopper_tries_on_a_tee_and_staff_put_it_in_the_lookbook(
    new_page, screenshot, worker, django_user_model, live_server
):
    django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)
    page = new_page()
    page.goto("/")
    screenshot(page, "01-studio")

    # Step 1: a yoga pose is usable, with a friendly warning and the person outlined on the preview.
    page.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    warning = page.locator("#model-check .check-warning h3")
    warning.wait_for()
    assert warning.inner_text() == "This pose may not work well."
    assert page.locator("#model-preview").evaluate("img => img.naturalWidth") > 0  # local preview
    assert page.locator("#model-overlay line").count() > 0
    assert page.evaluate("document.activeElement.textContent") == "This pose may not work well."  # focus followed
    options = page.locator("input[name=cloth_type]").evaluate_all("els => els.map(e => e.value)")
    assert options == ["upper", "lower", "full_set", "combo"]
    screenshot(page, "02-model-warning")

    # Step 2: pick a type, upload the garment; its detected type stays selected.
    page.get_by_label("Top", exact=False).first.check()
    assert not page.locator("#lower-garment").is_visible()  # only "Top and bottom" asks for two garments
    page.get_by_label("Top and bottom", exact=False).check()
    assert page.locator("#lower-garment").is_visible()
    page.locator("#cloth-type-upper").check()
    page.set_input_files("#id_cloth_image", jpeg("tee.jpg", drawn_tee()))
    page.locator("#cloth-check .check-good").wait_for()
    assert "Looks like a top." in page.locator("#cloth-check").inner_text()
    assert page.locator("#cloth-type-upper").is_checked()
    screenshot(page, "03-garment")

    # Step 3: try on, watch the bar advance, see the result.
    page.get_by_role("button", name="Try on").click()
    page.wait_for_url("**/tries/*/")
    page.locator("#task-progress").wait_for()
    screenshot(page, "04-progress")
    seen = watch_progress(page)
    # The bar was seen at two or more values on the way up (queued at 0, then the worker's stages).
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] < 100, seen
    heading = page.locator("#task-heading")
    assert heading.inner_text() == "Your try-on is ready"
    assert page.evaluate("document.activeElement.id") == "task-heading"
    assert page.locator("#task-panel").get_attribute("hx-trigger") is None  # polling stopped
    for img in page.locator(".compare img").all():
        assert img.evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("[data-compare-range]").fill("25")  # mostly "after"
    screenshot(page, "05-result")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the result").click()
    assert download.value.suggested_filename.endswith("-result.jpg")

    # Gallery: the thumbnail, and a submission to the lookbook (htmx swaps the card).
    page.goto("/gallery/")
    page.get_by_role("button", name="Submit to lookbook").click()
    page.get_by_text("Submitted: staff will review it.").wait_for()
    assert page.locator(".card img").evaluate("img => img.naturalWidth") <= 360
    screenshot(page, "06-gallery")

    # Staff: sign in, approve from the queue.
    staff = new_page()
    staff.goto("/staff/moderation/")
    assert "/accounts/login/" in staff.url
    staff.get_by_label("Username").fill("stella")
    staff.get_by_label("Password").fill("pw-stella-123")
    staff.get_by_role("button", name="Sign in").click()
    staff.get_by_role("heading", name="Waiting for a decision (1)").wait_for()
    staff.wait_for_function("document.querySelector('.mod-item img').naturalWidth > 0")
    screenshot(staff, "07-moderation-queue")
    staff.locator(".mod-item button", has_text="Approve").click()
    staff.get_by_text("Approved 1 result.").wait_for()
    assert "stella" in staff.locator(".decisions").inner_text()
    screenshot(staff, "08-moderation-decided")

    # Anyone: the lookbook shows it.
    visitor = new_page()
    visitor.goto("/gallery/public/")
    assert visitor.locator(".card img").count() == 1
    assert visitor.locator(".card img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(visitor, "09-lookbook")


def test_a_back_view_stops_the_flow_on_a_phone(new_page, screenshot):
    page = new_page(width=375, height=740)
    page.goto("/")
    page.set_input_files("#id_model_image", jpeg("back.jpg", fixture_bytes("person_back_view_1.jpg")))
    page.get_by_text("We can only dress people facing the camera.").wait_for()
    assert page.get_by_role("button", name="Try on").is_disabled()
    assert page.locator("input[name=cloth_type]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    screenshot(page, "10-phone-back-view")
