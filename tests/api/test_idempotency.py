"""Idempotency-Key on POST /api/tryon/v2/tasks: one task and one charge per key and request, for a day."""

import threading
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tryon.models import IdempotencyKey, TryOnTask


def create(client, key, idempotency_key, **form):
    return client.post(TASKS, task_form(**form), headers={**key.headers, "Idempotency-Key": idempotency_key})


def test_same_key_and_request_answer_the_same_task_and_charge_once(client, alice):
    first = create(client, alice, "order-1001")
    again = create(client, alice, "order-1001")

    assert first.status_code == again.status_code == 200
    assert again.json()["task_id"] == first.json()["task_id"]
    assert TryOnTask.objects.filter(api_key=alice.key).count() == 1
    assert alice.refresh().credits == 9


def test_same_key_with_a_different_request_is_422(client, alice):
    assert create(client, alice, "order-1002").status_code == 200

    for change in ({"cloth_type": "full_set"}, {"cloth_image": upload(images.drawn_tee(colour=(20, 40, 160)))}):
        response = create(client, alice, "order-1002", **change)
        assert response.status_code == 422, change
        assert response.json()["error"]["code"] == 422
    assert alice.refresh().credits == 9


def test_keys_are_scoped_to_the_api_key(client, alice, bob):
    mine = create(client, alice, "shared-name").json()["task_id"]
    theirs = create(client, bob, "shared-name").json()["task_id"]

    assert mine != theirs
    assert (alice.refresh().credits, bob.refresh().credits) == (9, 9)


def test_a_key_older_than_a_day_makes_a_new_task(client, alice):
    first = create(client, alice, "order-1003").json()["task_id"]
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    second = create(client, alice, "order-1003").json()["task_id"]

    assert second != first
    assert alice.refresh().credits == 8


def test_a_refused_request_does_not_use_up_the_key(client, broke):
    assert create(client, broke, "order-1004").status_code == 402
    broke.key.credits = 1
    broke.key.save()

    assert create(client, broke, "order-1004").status_code == 200
    assert broke.refresh().credits == 0


def test_a_repeat_while_the_first_is_being_created_is_409(client, alice):
    assert create(client, alice, "order-1005").status_code == 200
    # Back to how the reservation stands between reserving the key and committing the task.
    IdempotencyKey.objects.update(task=None)

    response = create(client, alice, "order-1005")

    assert response.status_code == 409
    assert "still being processed" in response.json()["error"]["message"]
    assert alice.refresh().credits == 9


def test_any_key_works_but_an_empty_one_is_400(client, alice):
    long_key = "k" * 1000
    assert create(client, alice, long_key).json()["task_id"] == create(client, alice, long_key).json()["task_id"]
    response = create(client, alice, "")
    assert response.status_code == 400 and response.json()["error"]["message"] == "Idempotency-Key is empty"
    assert alice.refresh().credits == 9


@pytest.mark.django_db(transaction=True)
def test_an_idempotent_retry_racing_the_original_creates_one_task(live_server, make_key):
    from django_q.conf import Conf

    Conf.SYNC = False  # tasks wait in the broker: the race is about creating, not rendering
    key = make_key("racer", credits=5)
    files = {
        "model_image": ("model.jpg", images.person_photo(), "image/jpeg"),
        "cloth_image": ("cloth.jpg", images.drawn_tee(), "image/jpeg"),
    }
    headers = {**key.headers, "Idempotency-Key": "checkout-42"}
    start = threading.Barrier(4)
    answers = []

    def post():
        start.wait()
        answers.append(
            httpx.post(
                f"{live_server.url}{TASKS}", headers=headers, files=files, data={"cloth_type": "upper"}, timeout=60
            )
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {200, 409} and 200 in statuses, [a.text for a in answers]
    task_ids = {answer.json()["task_id"] for answer in answers if answer.status_code == 200}
    assert len(task_ids) == 1
    assert TryOnTask.objects.filter(api_key=key.key).count() == 1
    assert key.refresh().credits == 4
    # The retry after the race gets the same task, still without a second charge.
    retry = httpx.post(f"{live_server.url}{TASKS}", headers=headers, files=files, data={"cloth_type": "upper"})
    assert retry.status_code == 200 and retry.json()["task_id"] in task_ids
    assert key.refresh().credits == 4
