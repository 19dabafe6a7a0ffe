"""Issue 13 item 14 in Chromium: consent before the lookbook, withdrawing a look, share links."""

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_studio_dead_ends import DESKTOP, PHONE
from tests.browser.test_studio_layout import SMALL_TARGETS
from tests.images import drawn_tee, load, person_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_sizes(page, screenshot, name):
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        screenshot(page, f"13-14-{name}-{label}")
    page.set_viewport_size(PHONE)
    small = page.evaluate(SMALL_TARGETS)
    page.set_viewport_size(DESKTOP)
    assert small == [], small


def test_consent_withdraw_and_a_revocable_share_link(new_page, screenshot, django_user_model):
    from tryon import services

    user = django_user_model.objects.create_user("sasha", password="pw-sasha-123")
    staff = django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)
    task = services.create_task(
        services.Owner(user=user), model_image=load(person_photo()), cloth_image=load(drawn_tee()), cloth_type="upper"
    )
    page = new_page(**DESKTOP)
    sign_in(page, "sasha", "pw-sasha-123")

    page.goto("/gallery/")
    page.get_by_role("button", name="Submit to lookbook").click()
    assert page.locator("input[name=person_agrees]").evaluate("el => !el.validity.valid")  # the browser asks first
    both_sizes(page, screenshot, "01-consent")
    page.get_by_label("The person in this photo agrees to it being shown publicly").check()
    page.get_by_role("button", name="Submit to lookbook").click()
    page.get_by_text("Submitted: staff will review it.").wait_for()
    services.moderate(staff, [task.public_id], "approve")

    page.goto(f"/tries/{task.public_id}/")
    assert page.get_by_text("Lookbook: Approved").is_visible()
    page.get_by_role("button", name="Withdraw from lookbook").click()
    page.get_by_text("Withdrawn: it is no longer in the lookbook.").wait_for()
    visitor = new_page(**DESKTOP)
    visitor.goto("/gallery/public/")
    assert visitor.get_by_text("Nothing in the lookbook yet.").is_visible()

    page.get_by_role("button", name="Create a share link").click()
    link = page.get_by_label("Share link").input_value()
    assert "/shared/" in link
    both_sizes(page, screenshot, "02-shared")
    visitor.goto(link)
    visitor.wait_for_function("document.querySelector('.shared-result').naturalWidth > 0")
    both_sizes(visitor, screenshot, "03-shared-page")
    page.get_by_role("button", name="Stop sharing").click()
    page.get_by_text("The share link no longer works.").wait_for()
    assert visitor.goto(link).status == 404
