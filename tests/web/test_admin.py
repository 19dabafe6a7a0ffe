"""The Django admin: API keys shown once, tasks with thumbnails and filters."""

import re
from html.parser import HTMLParser

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


class _FormFields(HTMLParser):
    """The fields of the admin's change form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def open_change_form(admin_client, key) -> dict:
    parser = _FormFields()
    parser.feed(admin_client.get(f"/admin/tryon/apikey/{key.pk}/change/").content.decode())
    return parser.fields


def spend_one_credit(client, holder):
    from tests.api.helpers import TASKS, task_form

    assert client.post(TASKS, task_form(), headers=holder.headers).status_code == 200


def test_saving_a_key_keeps_the_charges_made_since_the_page_opened(admin_client, client, alice):
    fields = open_change_form(admin_client, alice.key)  # the page shows 10 credits
    spend_one_credit(client, alice)
    spend_one_credit(client, alice)
    fields.update(name="alice (renamed)", rate_limit_per_minute="30")
    response = admin_client.post(f"/admin/tryon/apikey/{alice.key.pk}/change/", fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    key = alice.refresh()
    assert (key.name, key.rate_limit_per_minute, key.credits) == ("alice (renamed)", 30, 8)

    fields = open_change_form(admin_client, alice.key)
    spend_one_credit(client, alice)
    fields.pop("is_active")  # untick: revoke
    admin_client.post(f"/admin/tryon/apikey/{alice.key.pk}/change/", fields)
    key = alice.refresh()
    assert (key.is_active, key.credits) == (False, 7)


def test_the_balance_is_not_editable_in_the_list_or_the_form(admin_client, alice):
    assert 'name="form-0-credits"' not in admin_client.get("/admin/tryon/apikey/").content.decode()
    fields = open_change_form(admin_client, alice.key)
    assert "credits" not in fields
    fields["credits"] = "999"  # a forged field is ignored
    admin_client.post(f"/admin/tryon/apikey/{alice.key.pk}/change/", fields)
    assert alice.refresh().credits == 10


def test_added_credits_go_on_the_balance_at_save_time_and_into_the_ledger(admin_client, client, alice):
    from tryon.models import CreditEntry

    fields = open_change_form(admin_client, alice.key)
    spend_one_credit(client, alice)  # after the page opened
    fields.update(add_credits="5", credits_reason="goodwill after an outage")
    response = admin_client.post(f"/admin/tryon/apikey/{alice.key.pk}/change/", fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert alice.refresh().credits == 14

    entry = CreditEntry.objects.filter(api_key=alice.key).first()  # newest first
    assert (entry.change, entry.kind, entry.reason, entry.changed_by.username) == (
        5,
        "admin",
        "goodwill after an outage",
        "ada",
    )
    page = admin_client.get(f"/admin/tryon/apikey/{alice.key.pk}/change/").content.decode()
    assert "goodwill after an outage" in page and "Try-on task charged" in page
    ledger = admin_client.get("/admin/tryon/creditentry/").content.decode()
    assert "goodwill after an outage" in ledger
    entries = list(CreditEntry.objects.filter(api_key=alice.key).values_list("change", flat=True))
    assert sum(entries) == alice.refresh().credits  # initial 10, charge -1, added 5


def test_credits_need_a_reason_and_cannot_go_below_zero(admin_client, alice):
    fields = open_change_form(admin_client, alice.key)
    response = admin_client.post(f"/admin/tryon/apikey/{alice.key.pk}/change/", {**fields, "add_credits": "5"})
    assert response.status_code == 200 and "Say why the credits change." in response.content.decode()
    admin_client.post(
        f"/admin/tryon/apikey/{alice.key.pk}/change/", {**fields, "add_credits": "-11", "credits_reason": "refund"}
    )
    assert alice.refresh().credits == 10


def test_revoke_action_deactivates(admin_client, alice):
    key = alice.key
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
