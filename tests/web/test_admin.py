"""The Django admin: API keys shown once, tasks with thumbnails and filters."""

import re

import pytest

from tests.web.conftest import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("ada", password="pw-ada-12345")
    client.force_login(admin)
    return client


def test_adding_a_key_shows_the_raw_key_once_and_stores_only_its_hash(admin_client):
    from tryon.keys import authenticate, hash_key
    from tryon.models import ApiKey

    response = admin_client.post(
        "/admin/tryon/apikey/add/", {"name": "shop", "credits": "25", "rate_limit_per_minute": ""}, follow=True
    )
    html = response.content.decode()
    raw = re.search(r"(fr_[0-9a-f]{8}_[A-Za-z0-9_-]+)", html).group(1)
    key = ApiKey.objects.get(name="shop")
    assert key.credits == 25 and key.hashed_key == hash_key(raw)
    assert authenticate(raw) == key
    assert not ApiKey.objects.filter(hashed_key=raw).exists()

    again = admin_client.get(f"/admin/tryon/apikey/{key.pk}/change/").content.decode()
    assert raw not in again and key.hashed_key not in again
    assert raw not in admin_client.get("/admin/tryon/apikey/").content.decode()


def test_credits_are_editable_and_revoke_deactivates(admin_client, alice):
    key = alice.key
    admin_client.post(
        f"/admin/tryon/apikey/{key.pk}/change/",
        {"name": key.name, "credits": "99", "rate_limit_per_minute": "", "is_active": "on"},
    )
    key.refresh_from_db()
    assert key.credits == 99
    admin_client.post("/admin/tryon/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert not key.is_active


def test_tasks_have_thumbnails_filters_and_search(admin_client, start_tryon):
    task = finish(start_tryon(admin_client))
    html = admin_client.get("/admin/tryon/tryontask/").content.decode()
    assert f"/tries/{task.public_id}/thumbnail.jpg" in html
    for filter_param in (
        "status__exact=COMPLETED",
        "cloth_type__exact=upper",
        "hd_mode__exact=0",
        "moderation__exact=private",
    ):
        assert task.public_id in admin_client.get(f"/admin/tryon/tryontask/?{filter_param}").content.decode()
    assert task.public_id in admin_client.get(f"/admin/tryon/tryontask/?q={task.public_id}").content.decode()
    assert task.public_id not in admin_client.get("/admin/tryon/tryontask/?status__exact=FAILED").content.decode()

    detail = admin_client.get(f"/admin/tryon/tryontask/{task.pk}/change/").content.decode()
    assert "Run time" in detail and "Progress updated at" in detail
    assert 'name="status"' not in detail  # read-only
    assert admin_client.get(f"/tries/{task.public_id}/thumbnail.jpg").status_code == 200
