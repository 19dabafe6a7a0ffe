"""Issue 13 item 12 in Chromium: tick try-ons, compare them side by side, make an outfit from them."""

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_studio_dead_ends import DESKTOP, PHONE
from tests.browser.test_studio_layout import SMALL_TARGETS
from tests.engine import drawing
from tests.images import drawn_tee, fixture_bytes, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compare_board_and_an_outfit_from_garments_already_used(new_page, screenshot, django_user_model):
    from tryon import services

    user = django_user_model.objects.create_user("sasha", password="pw-sasha-123")
    person = load(fixture_bytes("person_yoga_fullbody.jpg"))
    for garment, cloth_type in ((load(drawn_tee()), "upper"), (drawing.trousers().convert("RGB"), "lower")):
        services.create_task(services.Owner(user=user), model_image=person, cloth_image=garment, cloth_type=cloth_type)
    page = new_page(**DESKTOP)
    sign_in(page, "sasha", "pw-sasha-123")
    page.goto("/gallery/")
    for box in page.locator(".compare-pick input").all():
        box.check()
    page.get_by_role("button", name="Compare ticked").click()
    page.wait_for_url("**/compare/?t=*")
    page.wait_for_function("[...document.querySelectorAll('.board img')].every(i => i.complete && i.naturalWidth)")
    assert page.locator(".board-item").count() == 2
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        screenshot(page, f"13-12-compare-board-{label}")
    assert page.evaluate(SMALL_TARGETS) == []
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Try on the outfit").click()
    page.wait_for_url("**/tries/*/")
    page.locator(".compare").wait_for()  # the in-process queue finished it
    assert "Top and bottom" in page.locator(".lede").inner_text()
    screenshot(page, "13-12-outfit-result-desktop")
