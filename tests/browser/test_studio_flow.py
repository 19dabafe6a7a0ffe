"""A shopper in headless Chromium: photo, warning, type, garment, try-on, progress, result; staff approve."""

import base64
import time

import pytest

from tests.images import drawn_tee, fixture_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(name, data):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


# Besides the page's own 1 s polling, the page fetches the same partial every 100 ms: a try-on on
# the local engine takes about a second, so 1 s polling alone may see only "queued" and "done".
SAMPLE_PARTIAL = """() => {
    window.sampledProgress = [];
    (async () => {
        for (;;) {
            const response = await fetch(location.pathname, {headers: {"HX-Request": "true"}});
            const match = (await response.text()).match(/<progress[^>]*value="(\\d+)"/);
            if (!match) return;
            window.sampledProgress.push(Number(match[1]));
            // Often: a render takes about a third of a second now, its stages a tenth each.
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    })();
}"""


def watch_progress(page, screenshot, timeout=60):
    """Watch the task panel until the result shows; returns the bar values the page showed and those
    SAMPLE_PARTIAL sampled (started by the caller as soon as the task page is there)."""
    shown = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(
            """() => {
                const bar = document.querySelector('#task-progress');
                const done = document.querySelector('#task-panel .compare, #task-panel [role=alert]');
                return {value: bar ? bar.value : null, done: !!done};
            }"""
        )
        if state["value"] is not None and (not shown or shown[-1] != state["value"]):
            shown.append(state["value"])
            if 0 < state["value"] < 100:
                screenshot(page, "04b-progress-running")
        if state["done"]:
            return shown, page.evaluate("window.sampledProgress")
        time.sleep(0.05)
    raise AssertionError(f"the try-on did not finish in {timeout}s; progress shown: {shown}")


def test_shopper_tries_on_a_tee_and_staff_put_it_in_the_lookbook(
    new_page, screenshot, qcluster, django_user_model, live_server
):
    django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)
    page = new_page()
    page.goto("/")
    screenshot(page, "01-studio")

    # Step 1: a yoga pose is usable, with a friendly warning and the person outlined on the preview.
    page.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    warning = page.locator("#model-check .check-warning h3")
    warning.wait_for()
    assert warning.inner_text() == "This pose may not render well."
    assert page.locator("#model-preview").evaluate("img => img.naturalWidth") > 0  # local preview
    assert page.locator("#model-overlay line").count() > 0
    page.wait_for_function(
        "document.activeElement.textContent.includes('This pose may not render well.')"
    )  # focus follows
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
    # Sampled from the first moment: the render takes about a third of a second, and sampling
    # begun after the screenshot saw only its last two stages.
    page.evaluate(SAMPLE_PARTIAL)
    page.locator("#task-progress").wait_for()
    screenshot(page, "04-progress")
    shown, sampled = watch_progress(page, screenshot)
    assert shown and shown == sorted(shown) and shown[-1] < 100, shown  # the page's own polling
    # The bar advances: queued, then the worker's stages, never backwards.
    assert sampled == sorted(sampled) and len(set(sampled)) >= 3 and any(0 < v < 100 for v in sampled), sampled
    heading = page.locator("#task-heading")
    assert heading.inner_text() == "Your try-on is ready"
    page.wait_for_function("document.activeElement.id === 'task-heading'")  # focus follows, after htmx settles
    assert page.locator("#task-panel").get_attribute("hx-trigger") is None  # polling stopped
    loaded = "sel => [...document.querySelectorAll(sel)].every(img => img.complete && img.naturalWidth > 0)"
    page.wait_for_function(loaded, arg=".compare img")
    page.locator("[data-compare-range]").fill("25")  # mostly "after"
    screenshot(page, "05-result")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the result").click()
    assert download.value.suggested_filename.endswith("-result.jpg")

    # Gallery: the thumbnail, and a submission to the lookbook (htmx swaps the card).
    page.goto("/gallery/")
    page.get_by_label("The person in this photo agrees to it being shown publicly").check()
    page.get_by_role("button", name="Submit to lookbook").click()
    page.get_by_text("Submitted: staff will review it.").wait_for()
    page.wait_for_function(loaded, arg=".card img")
    assert (
        0 < page.locator(".card-image img").evaluate("img => img.naturalWidth") <= 360
    )  # the thumbnail, not the result
    screenshot(page, "06-gallery")

    # Staff: sign in, approve from the queue.
    staff = new_page()
    staff.goto("/staff/moderation/")
    assert "/accounts/login/" in staff.url
    staff.get_by_label("Username").fill("stella")
    staff.get_by_label("Password").fill("pw-stella-123")
    staff.get_by_role("button", name="Sign in").click()
    staff.get_by_role("heading", name="Waiting for a decision (1)").wait_for()
    staff.wait_for_function(loaded, arg=".mod-item img")
    screenshot(staff, "07-moderation-queue")
    staff.locator(".mod-item button", has_text="Approve").click()
    staff.get_by_text("Approved 1 result.").wait_for()
    assert "stella" in staff.locator(".decisions").inner_text()
    screenshot(staff, "08-moderation-decided")

    # Anyone: the lookbook shows it.
    visitor = new_page()
    visitor.goto("/gallery/public/")
    assert visitor.locator(".card img").count() == 1
    visitor.wait_for_function(loaded, arg=".card img")
    screenshot(visitor, "09-lookbook")


def test_a_dropped_back_view_stops_the_flow_on_a_phone(new_page, screenshot):
    page = new_page(width=375, height=740)
    page.goto("/")
    # Dropped onto the zone rather than picked: the drop fills the input and runs the check.
    page.evaluate(
        """async (b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "back.jpg", {type: "image/jpeg"}));
            const zone = document.querySelector("#id_model_image").closest("[data-dropzone]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        base64.b64encode(fixture_bytes("person_back_view_1.jpg")).decode(),
    )
    page.get_by_text("We can only dress people facing the camera.").wait_for()
    assert page.get_by_role("button", name="Try on").is_disabled()
    assert page.locator("input[name=cloth_type]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    screenshot(page, "10-phone-back-view")
