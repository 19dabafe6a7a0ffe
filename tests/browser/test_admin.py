"""Staff in the Django admin: a new API key is shown once; tasks list with thumbnails."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_a_key_and_lists_tasks_with_thumbnails(new_page, screenshot, django_user_model):
    from tests.images import drawn_tee, person_photo
    from tests.web.conftest import finish
    from tryon import engine, services

    django_user_model.objects.create_superuser("ada", password="pw-ada-12345")
    task = services.create_task(
        services.Owner(session_key="x" * 32),
        model_image=engine.load_image(person_photo()),
        cloth_image=engine.load_image(drawn_tee()),
        cloth_type="upper",
    )
    finish(task)  # as a worker leaves it (the queue is not what this test is about)

    page = new_page()
    page.goto("/admin/login/?next=/admin/tryon/apikey/add/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-ada-12345")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Name").fill("shop front")
    page.get_by_label("Credits").fill("50")
    page.get_by_role("button", name="Save", exact=True).click()
    message = page.locator(".messagelist").inner_text()
    assert re.search(r"fr_[0-9a-f]{8}_\S+", message) and "will not be shown again" in message
    screenshot(page, "11-admin-key-created")
    page.reload()
    assert "fr_" not in page.locator("#content").inner_text()

    page.goto("/admin/tryon/tryontask/")
    page.wait_for_function(
        "[...document.querySelectorAll('#result_list .field-thumbnail img')].every(i => i.naturalWidth > 0)"
    )
    assert page.locator("#result_list .field-thumbnail img").count() == 1
    screenshot(page, "12-admin-tasks")
