"""A task whose queue message was lost (a killed cluster had prefetched it) is queued again and runs."""

from datetime import timedelta

from django.utils import timezone

from tests.api.helpers import TASKS, task_form
from tryon import services, tasks
from tryon.models import TryOnTask


def lose_the_message(client, holder) -> TryOnTask:
    # In a test transaction the on_commit enqueue never runs: the row exists, no message does.
    response = client.post(TASKS, task_form(), headers=holder.headers)
    assert response.status_code == 200, response.content
    return TryOnTask.objects.get(public_id=response.json()["task_id"])


def test_a_task_no_worker_claimed_is_queued_again_and_completes(client, alice, django_capture_on_commit_callbacks):
    task = lose_the_message(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep()
    task.refresh_from_db()
    assert task.status == "CREATED"  # a fresh task may simply be waiting its turn

    TryOnTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep()  # django-q2 runs the requeued task in-process (sync mode)
    task.refresh_from_db()
    assert task.status == "COMPLETED", task.error
    assert alice.refresh().credits == 9  # charged once


def test_a_waiting_task_is_queued_again_once_per_interval(client, alice, monkeypatch):
    from django_q.conf import Conf
    from django_q.models import OrmQ

    # django-q2's ORM broker (its queue is a table in this test's transaction): count the messages.
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    task = lose_the_message(client, alice)
    TryOnTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert services.requeue_waiting_tasks() == 1
    assert services.requeue_waiting_tasks() == 0  # another sweeper, a second later
    assert OrmQ.objects.count() == 1
    TryOnTask.objects.filter(pk=task.pk).update(requeued_at=timezone.now() - timedelta(minutes=6))
    assert services.requeue_waiting_tasks() == 1
    assert OrmQ.objects.count() == 2
