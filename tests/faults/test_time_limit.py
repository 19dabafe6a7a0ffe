"""A try-on that runs past TRYON_TASK_TIMEOUT ends FAILED with a timeout error and a refund."""

import time

import pytest

from tests.processes import start_qcluster
from tests.stack import SlowFitRoom, create_task, poll_task, tail

pytestmark = pytest.mark.cluster


@pytest.mark.parametrize(
    "remote",
    [
        pytest.param({"hang": 60}, id="render-blocks"),  # django-q2's own time limit interrupts the worker
        pytest.param({"duration": 60}, id="render-slow"),  # the remote backend stops waiting in time
    ],
)
def test_task_over_its_time_limit_fails_with_refund(live_server, real_queue, processes, make_key, tmp_path, remote):
    key = make_key("patient", credits=2, rate_limit=10_000)
    log = tmp_path / "qcluster.log"
    with SlowFitRoom(**remote) as slow:
        processes.append(start_qcluster(log, TRYON_TASK_TIMEOUT=3, TRYON_WORKERS=1, **slow.backend_env()))
        started = time.monotonic()
        task_id = create_task(live_server.url, key.headers).json()["task_id"]
        assert key.refresh().credits == 1
        seen = poll_task(live_server.url, key.headers, task_id, timeout=40)
        took = time.monotonic() - started

    final = seen[-1]
    assert final["status"] == "FAILED", (final, tail(log))
    assert final["error"] == "The try-on task timed out", tail(log)
    assert took < 30, tail(log)
    assert key.refresh().credits == 2
    from tryon.models import TryOnTask

    assert TryOnTask.objects.get(public_id=task_id).refunded
