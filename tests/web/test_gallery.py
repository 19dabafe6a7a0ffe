"""The shopper's gallery, the public lookbook and staff moderation."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from tests.web.conftest import finish

pytestmark = pytest.mark.django_db


def card_ids(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="card-([0-9a-f]+)"', html)


def test_gallery_lists_own_results_newest_first_with_pages(client, start_tryon):
    task = start_tryon(client)
    finish(task)
    from tryon.models import TryOnTask

    # Copies of the same row stand in for a busy shopper (the gallery reads rows, not files).
    copies = []
    for i in range(13):
        copy = TryOnTask.objects.get(pk=task.pk)
        copy.pk = None
        copy.public_id = uuid.uuid4().hex  # fresh, so no copy can collide with the original
        copy.created_at = task.created_at.replace(microsecond=0) - timedelta(minutes=i + 1)
        copy.save()
        copies.append(copy.public_id)

    first = client.get("/gallery/").content.decode()
    assert card_ids(first) == [task.public_id, *copies[:11]]
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert f"/tries/{task.public_id}/thumbnail.jpg" in first  # thumbnails, not the full result
    second = client.get("/gallery/?page=2").content.decode()
    assert card_ids(second) == copies[11:]

    assert card_ids(Client().get("/gallery/").content.decode()) == []  # another browser sees none


def test_delete_removes_the_task_and_its_files(client, start_tryon):
    task = finish(start_tryon(client))
    paths = [task.model_image.path, task.cloth_image.path, task.result_image.path, task.result_thumbnail.path]
    response = client.post(f"/tries/{task.public_id}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert client.get(f"/tries/{task.public_id}/").status_code == 404

    assert not any(os.path.exists(p) for p in paths)


def test_a_running_task_cannot_be_deleted(client, start_tryon):
    task = start_tryon(client)
    response = client.post(f"/tries/{task.public_id}/delete/", follow=True)
    assert "still running" in response.content.decode()
    assert client.get(f"/tries/{task.public_id}/").status_code == 200


def test_submit_to_lookbook_then_staff_approve_makes_it_public(client, start_tryon, staff_client):
    task = finish(start_tryon(client))
    public = Client()
    assert task.public_id not in public.get("/gallery/public/").content.decode()

    data = {"person_agrees": "yes"}
    html = client.post(f"/tries/{task.public_id}/submit/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "Submitted: staff will review it." in html and "Submitted for the lookbook" in html
    assert task.public_id not in public.get("/gallery/public/").content.decode()  # not before approval

    queue = staff_client.get("/staff/moderation/").content.decode()
    assert f'value="{task.public_id}"' in queue
    response = staff_client.post("/staff/moderation/", {"action": f"approve:{task.public_id}"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Approved 1 result." in html and "stella" in html  # who decided, and when
    assert "<html" not in html

    lookbook = public.get("/gallery/public/").content.decode()
    assert f"/tries/{task.public_id}/thumbnail.jpg" in lookbook
    assert public.get(f"/tries/{task.public_id}/result.jpg").status_code == 200
    assert public.get(f"/tries/{task.public_id}/model.jpg").status_code == 404  # inputs stay private


def test_bulk_moderation(client, start_tryon, staff_client):
    tasks = [finish(start_tryon(client)) for _ in range(3)]
    for task in tasks:
        client.post(f"/tries/{task.public_id}/submit/", {"person_agrees": "yes"})
    ids = [t.public_id for t in tasks]
    response = staff_client.post("/staff/moderation/", {"action": "reject", "public_ids": ids[:2]})
    assert response.status_code == 302
    from tryon.models import TryOnTask

    states = dict(TryOnTask.objects.filter(public_id__in=ids).values_list("public_id", "moderation"))
    assert states == {ids[0]: "rejected", ids[1]: "rejected", ids[2]: "submitted"}
    assert TryOnTask.objects.get(public_id=ids[0]).moderated_by.username == "stella"
    # A rejected result is not back in the queue, and hiding it is not a valid move.
    staff_client.post("/staff/moderation/", {"action": f"hide:{ids[0]}"})
    assert TryOnTask.objects.get(public_id=ids[0]).moderation == "rejected"


def test_moderation_is_for_staff_only(client, django_user_model):
    response = client.get("/staff/moderation/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/staff/moderation/", {"action": "approve"}).status_code == 302

    django_user_model.objects.create_user("nina", password="pw-nina-12345")
    client.login(username="nina", password="pw-nina-12345")
    forbidden = client.get("/staff/moderation/")
    assert forbidden.status_code == 403 and "This page is for staff" in forbidden.content.decode()
    assert client.post("/staff/moderation/", {"action": "approve"}).status_code == 403


def test_staff_sees_the_queue(staff_client):
    response = staff_client.get("/staff/moderation/")
    assert response.status_code == 200
    assert "Nothing is waiting." in response.content.decode()


def test_only_a_completed_private_result_can_be_submitted(client, start_tryon):
    task = start_tryon(client)
    response = client.post(f"/tries/{task.public_id}/submit/", {"person_agrees": "yes"}, follow=True)
    assert "only a private, finished result" in response.content.decode()
    assert Client().post(f"/tries/{task.public_id}/submit/").status_code == 404
