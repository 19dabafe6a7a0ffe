"""The remote engine pays once per task: no blind create retries, a stored remote id, cancel on abandon."""

import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tests.images import drawn_tee, person_photo
from tests.processes import close_subprocess_connections, start_qcluster, stop
from tests.stack import SlowFitRoom, create_task, kill_group, poll_task, tail
from tryon import client as fitroom
from tryon import services
from tryon.backends import RemoteBackend, RenderJob, RenderTimedOut
from tryon.engine import load_image
from tryon.models import TryOnTask

pytestmark = pytest.mark.django_db(transaction=True)


def job(task_id="ours-1", **overrides):
    return RenderJob(task_id, load_image(person_photo()), load_image(drawn_tee()), "upper", **overrides)


def test_a_create_answered_502_is_not_sent_again_without_an_idempotency_key():
    with SlowFitRoom(duration=1) as remote, fitroom.FitRoomClient(remote.url, "k", backoff_initial=0.01) as api:
        remote.bad_gateway_creates = 1
        with pytest.raises(fitroom.ServerError):
            api.create_task(person_photo(), drawn_tee(), "upper")
        assert len(remote.created) == 1  # before: five tasks, each one paid for


def test_a_create_with_an_idempotency_key_is_retried_and_makes_one_task():
    with SlowFitRoom(duration=1) as remote, fitroom.FitRoomClient(remote.url, "k", backoff_initial=0.01) as api:
        remote.bad_gateway_creates = 2
        task = api.create_task(person_photo(), drawn_tee(), "upper", idempotency_key="order-7")
        assert remote.created == [task.task_id]


def test_a_render_delivered_twice_makes_one_task_on_a_real_second_instance(second_instance):
    """The worker died after the remote accepted the work but before its id was stored: the same key finds it."""
    shop_key = second_instance.make_key(credits=3)
    backend = RemoteBackend(second_instance.url, shop_key, poll_timeout=60)

    first = backend.render(job("ours-2"), lambda stage, fraction: None)
    again = backend.render(job("ours-2"), lambda stage, fraction: None)

    assert first == again
    with fitroom.FitRoomClient(second_instance.url, shop_key) as shop:
        assert shop.credits() == 2  # one remote task paid for, not two


def test_poll_timeout_cancels_the_remote_task():
    with SlowFitRoom(duration=60) as remote:
        remembered = []
        backend = RemoteBackend(remote.url, "k", poll_timeout=1)
        with pytest.raises(RenderTimedOut):
            backend.render(job(remember_remote_task=remembered.append), lambda stage, fraction: None)
        assert remote.created == remembered and remote.cancelled == set(remembered)


@pytest.mark.cluster
def test_a_redelivery_resumes_the_stored_remote_task(live_server, make_key, settings, tmp_path):
    from django_q.conf import Conf

    Conf.SYNC = False
    key = make_key("redelivered", credits=2)
    log = tmp_path / "qcluster.log"
    with SlowFitRoom(duration=8) as remote:
        cluster = start_qcluster(log, TRYON_WORKERS=1, **remote.backend_env())
        try:
            task_id = create_task(live_server.url, key.headers).json()["task_id"]
            deadline = time.monotonic() + 60
            while not TryOnTask.objects.get(public_id=task_id).remote_task_id:
                assert time.monotonic() < deadline, tail(log)
                time.sleep(0.1)
        finally:
            kill_group(cluster)  # the worker dies while the remote renders
            close_subprocess_connections()
        task = TryOnTask.objects.get(public_id=task_id)
        assert task.status == "PROCESSING" and remote.created == [task.remote_task_id]

        # The broker delivers it again once the attempt looks dead.
        settings.TRYON_BACKEND, settings.TRYON_REMOTE_URL = "remote", remote.url
        settings.TRYON_REMOTE_API_KEY = "fr_slow_server"
        TryOnTask.objects.filter(pk=task.pk).update(
            progress_updated_at=timezone.now() - timedelta(seconds=settings.TRYON_TASK_TIMEOUT + 1)
        )
        services.run_task(task_id)

        assert remote.created == [task.remote_task_id]  # exactly one remote task
    final = poll_task(live_server.url, key.headers, task_id, timeout=5)[-1]
    assert final["status"] == "COMPLETED", final
    assert key.refresh().credits == 1


@pytest.mark.cluster
def test_cancelling_our_task_cancels_the_remote_one(live_server, make_key, tmp_path):
    from django_q.conf import Conf

    Conf.SYNC = False
    key = make_key("changed-mind", credits=2)
    log = tmp_path / "qcluster.log"
    with SlowFitRoom(duration=30) as remote:
        cluster = start_qcluster(log, TRYON_WORKERS=1, **remote.backend_env())
        try:
            task_id = create_task(live_server.url, key.headers).json()["task_id"]
            deadline = time.monotonic() + 60
            while not TryOnTask.objects.get(public_id=task_id).remote_task_id:
                assert time.monotonic() < deadline, tail(log)
                time.sleep(0.1)

            answer = httpx.post(f"{live_server.url}/api/tryon/v2/tasks/{task_id}/cancel", headers=key.headers)
            assert answer.status_code == 200, answer.text

            deadline = time.monotonic() + 30
            while not remote.cancelled:
                assert time.monotonic() < deadline, tail(log)
                time.sleep(0.1)
        finally:
            stop(cluster)
            close_subprocess_connections()
        assert remote.cancelled == set(remote.created)
    assert key.refresh().credits == 2


def test_a_worker_killed_at_the_time_limit_leaves_no_remote_task_running(alice, settings):
    """django-q2 kills a worker at its timeout; its hook fails our task and cancels the remote one."""
    from django_q.conf import Conf
    from django_q.models import Task as QueueTask

    from tests.api.helpers import TASKS, task_form
    from tryon import tasks

    Conf.SYNC = False  # queued, not run here: the test plays the worker that got killed
    with SlowFitRoom(duration=60) as remote:
        settings.TRYON_BACKEND, settings.TRYON_REMOTE_URL = "remote", remote.url
        settings.TRYON_REMOTE_API_KEY = "fr_slow_server"
        from django.test import Client

        task_id = Client().post(TASKS, task_form(), headers=alice.headers).json()["task_id"]
        remote_task_id = (
            fitroom.FitRoomClient(remote.url, "k").create_task(person_photo(), drawn_tee(), "upper").task_id
        )
        TryOnTask.objects.filter(public_id=task_id).update(status="PROCESSING", remote_task_id=remote_task_id)

        tasks.tryon_task_finished(QueueTask(args=(task_id,), success=False, result="Task exceeded timeout"))

        assert remote.cancelled == {remote_task_id}
    task = TryOnTask.objects.get(public_id=task_id)
    assert (task.status, task.error) == ("FAILED", "The try-on task timed out")
    assert alice.refresh().credits == 10
