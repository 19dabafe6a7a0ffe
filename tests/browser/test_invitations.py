"""Issue 13 item 15 in Chromium: staff invite a stylist, who makes their own account."""

import pytest

from tests.browser.test_studio_dead_ends import DESKTOP, PHONE
from tests.browser.test_studio_layout import SMALL_TARGETS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_invite_a_stylist_who_signs_up(new_page, screenshot, django_user_model):
    django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)
    staff = new_page(**DESKTOP)
    staff.goto("/accounts/login/")
    staff.get_by_label("Username").fill("stella")
    staff.get_by_label("Password").fill("pw-stella-123")
    staff.get_by_role("button", name="Sign in").click()
    staff.get_by_role("link", name="Invite stylists").click()
    staff.get_by_label("Who it is for (optional)").fill("Ana")
    staff.get_by_role("button", name="Create an invitation link").click()
    link = staff.get_by_label("Invitation link (shown only now)").input_value()
    screenshot(staff, "13-15-invitation-desktop")

    stylist = new_page(**PHONE)
    stylist.goto(link)
    screenshot(stylist, "13-15-join-phone")
    assert stylist.evaluate(SMALL_TARGETS) == []
    stylist.get_by_label("Username").fill("ana")
    stylist.get_by_label("Password", exact=True).fill("a-long-pass-phrase-9")
    stylist.get_by_label("The password again").fill("a-long-pass-phrase-9")
    stylist.get_by_role("button", name="Create my account").click()
    stylist.get_by_text("Welcome, ana").wait_for()
    assert stylist.get_by_role("button", name="Sign out ana").is_visible()
    screenshot(stylist, "13-15-welcome-phone")
    staff.reload()
    assert staff.get_by_text("Used by ana").is_visible()
