"""POST /api/tryon/v2/tasks/<id>/cancel: the task ends FAILED "cancelled", refunded once."""

import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.api.helpers import TASKS, task_form
from tests.api.test_tasks import run_queue  # noqa: F401 - the fixture
from tests.stack import create_task, poll_task, tail
from tryon.models import TryOnTask


def cancel(client, key, task_id):
    return client.post(f"{TASKS}/{task_id}/cancel", headers=key.headers)


def test_cancelled_task_fails_with_cancelled_and_is_refunded_once(client, alice):
    task_id = client.post(TASKS, task_form(), headers=alice.headers).json()["task_id"]  # queued, not run
    assert alice.refresh().credits == 9

    response = cancel(client, alice, task_id)

    assert response.status_code == 200
    body = response.json()
    assert (body["task_id"], body["status"], body["error"]) == (task_id, "FAILED", "cancelled")
    assert client.get(f"{TASKS}/{task_id}", headers=alice.headers).json()["error"] == "cancelled"
    assert alice.refresh().credits == 10
    again = cancel(client, alice, task_id)
    assert again.status_code == 409
    assert again.json() == {"error": {"code": 409, "message": "the task has already finished"}}
    assert alice.refresh().credits == 10


def test_cancelling_a_completed_task_is_409_and_keeps_the_result(client, alice, run_queue):  # noqa: F811
    task_id = run_queue(client, alice, task_form())["task_id"]

    response = cancel(client, alice, task_id)

    assert response.status_code == 409
    assert TryOnTask.objects.get(public_id=task_id).status == "COMPLETED"
    assert alice.refresh().credits == 9


def test_other_keys_task_cannot_be_cancelled(client, alice, bob):
    task_id = client.post(TASKS, task_form(), headers=alice.headers).json()["task_id"]

    assert cancel(client, bob, task_id).status_code == 404
    assert cancel(client, alice, "0" * 32).status_code == 404
    assert TryOnTask.objects.get(public_id=task_id).status == "CREATED"


def test_cancel_needs_post(client, alice):
    task_id = client.post(TASKS, task_form(), headers=alice.headers).json()["task_id"]
    assert client.get(f"{TASKS}/{task_id}/cancel", headers=alice.headers).status_code == 405


@pytest.mark.cluster
def test_a_running_render_stops_and_never_writes_its_result(live_server, qcluster, make_key, tmp_path):
    # Polled every 50 ms to catch the render while it runs: the default 60 requests a minute ran
    # out while a slow-starting worker left the task CREATED for over 3 s, and the poll after the
    # cancel was refused 429. The rate limit has tests of its own.
    key = make_key("canceller", credits=2, rate_limit=600)
    task_id = create_task(live_server.url, key.headers).json()["task_id"]
    with httpx.Client(base_url=live_server.url, headers=key.headers, timeout=30) as api:
        deadline = time.monotonic() + 60
        while (status := api.get(f"{TASKS}/{task_id}").json())["status"] == "CREATED":
            assert time.monotonic() < deadline, tail(tmp_path / "qcluster.log")
            time.sleep(0.05)
        assert status["status"] == "PROCESSING", status

        response = api.post(f"{TASKS}/{task_id}/cancel")

    assert response.status_code == 200, response.text
    log = tmp_path / "qcluster.log"
    deadline = time.monotonic() + 60
    while "was ended while rendering" not in tail(log, 100_000):
        assert time.monotonic() < deadline, tail(log)
        time.sleep(0.1)
    final = poll_task(live_server.url, key.headers, task_id, timeout=5)[-1]
    assert (final["status"], final["error"]) == ("FAILED", "cancelled")
    assert not list((Path(settings.MEDIA_ROOT) / "results").rglob(f"{task_id}-*"))
    assert not TryOnTask.objects.get(public_id=task_id).result_image
    assert key.refresh().credits == 2
