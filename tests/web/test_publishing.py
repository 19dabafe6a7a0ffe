"""Issue 13 item 14: consent before the lookbook, withdrawing a look, revocable share links."""

import pytest
from django.test import Client

from tests.web.conftest import finish

pytestmark = pytest.mark.django_db


def test_the_lookbook_asks_that_the_person_pictured_agrees(client, start_tryon):
    task = finish(start_tryon(client))
    card = client.get("/gallery/").content.decode()
    assert "The person in this photo agrees to it being shown publicly" in card
    html = client.post(f"/tries/{task.public_id}/submit/", HTTP_HX_REQUEST="true").content.decode()
    assert "confirm that the person in the photo agrees" in html
    task.refresh_from_db()
    assert task.moderation == "private" and task.publish_consent_at is None
    client.post(f"/tries/{task.public_id}/submit/", {"person_agrees": "yes"})
    task.refresh_from_db()
    assert task.moderation == "submitted" and task.publish_consent_at is not None


def test_the_owner_can_withdraw_an_approved_look(client, start_tryon, staff_client):
    task = finish(start_tryon(client))
    client.post(f"/tries/{task.public_id}/submit/", {"person_agrees": "yes"})
    staff_client.post("/staff/moderation/", {"action": f"approve:{task.public_id}"})
    public = Client()
    assert public.get(f"/tries/{task.public_id}/result.jpg").status_code == 200
    html = client.post(f"/tries/{task.public_id}/withdraw/", HTTP_HX_REQUEST="true").content.decode()
    assert "Withdrawn: it is no longer in the lookbook." in html
    assert task.public_id not in public.get("/gallery/public/").content.decode()
    assert public.get(f"/tries/{task.public_id}/result.jpg").status_code == 404
    # Staff cannot put a withdrawn look back; only a new submission, with consent, can.
    staff_client.post("/staff/moderation/", {"action": f"approve:{task.public_id}"})
    task.refresh_from_db()
    assert task.moderation == "private"
    assert Client().post(f"/tries/{task.public_id}/withdraw/").status_code == 404  # only the owner


def test_a_share_link_is_unguessable_and_revocable(client, start_tryon):
    task = finish(start_tryon(client))
    html = client.post(f"/tries/{task.public_id}/share/", HTTP_HX_REQUEST="true").content.decode()
    task.refresh_from_db()
    assert len(task.share_token) >= 40 and task.public_id not in task.share_token
    assert f"/shared/{task.share_token}/" in html
    stranger = Client()
    page = stranger.get(f"/shared/{task.share_token}/")
    assert page.status_code == 200 and "noindex" in page.content.decode()
    image = stranger.get(f"/shared/{task.share_token}/result.jpg")
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\xff\xd8")
    assert stranger.get(f"/tries/{task.public_id}/model.jpg").status_code == 404  # the inputs stay private
    assert stranger.post(f"/tries/{task.public_id}/unshare/").status_code == 404
    token = task.share_token
    client.post(f"/tries/{task.public_id}/unshare/")
    assert stranger.get(f"/shared/{token}/").status_code == 404
    assert stranger.get(f"/shared/{token}/result.jpg").status_code == 404
    assert stranger.get("/shared/x/").status_code == 404
