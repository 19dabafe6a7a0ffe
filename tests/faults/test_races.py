"""Races between the stale-task sweep and a worker, played out on real database connections."""

import threading
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from tests.faults.test_housekeeping import make_task
from tryon import services
from tryon.models import TryOnTask


def test_the_sweep_leaves_a_task_a_worker_claims_meanwhile(transactional_db, make_key, settings):
    """The sweep reads a long-queued task as stale; before its UPDATE lands, a worker claims the task."""
    settings.TRYON_QUEUE_TIMEOUT = 60
    alice = make_key("alice", credits=9)
    task = make_task(alice, "CREATED", timedelta(minutes=5))
    claim_held = threading.Event()
    sweep_waiting = threading.Event()

    def worker_claims():
        # The claim run_task makes, held open until the sweep has read the task and queued behind the lock.
        try:
            with transaction.atomic():
                now = timezone.now()
                TryOnTask.objects.filter(pk=task.pk, status="CREATED").update(
                    status="PROCESSING", attempts=1, started_at=now, progress_updated_at=now, progress=1
                )
                claim_held.set()
                sweep_waiting.wait(10)
                time.sleep(1.0)  # the sweep's UPDATE is now blocked on this row (or SQLite's write lock)
        finally:
            connection.close()

    worker = threading.Thread(target=worker_claims)
    worker.start()
    assert claim_held.wait(10)
    swept = []

    def sweep():
        try:
            sweep_waiting.set()
            swept.append(services.fail_stale_tasks())
        finally:
            connection.close()

    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    worker.join(20)
    sweeper.join(30)

    task.refresh_from_db()
    assert swept == [0]
    assert task.status == "PROCESSING", task.error
    assert not task.refunded
    assert alice.refresh().credits == 9
