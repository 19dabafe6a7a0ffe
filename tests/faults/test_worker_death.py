"""A qcluster killed in the middle of a try-on: the task still ends, once, with the credits straight."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.processes import start_qcluster
from tests.stack import (
    SlowFitRoom,
    create_task,
    kill_group,
    poll_task,
    progress_never_decreased,
    tail,
    worker_pids,
)

pytestmark = pytest.mark.cluster


def wait_for_processing(base_url, headers, task_id, timeout=60):
    seen = []
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
        while time.monotonic() < deadline:
            seen.append(api.get(f"/api/tryon/v2/tasks/{task_id}").json())
            if seen[-1]["status"] != "CREATED":
                break
            time.sleep(0.1)
    return seen


def assert_ended_once(live_server, key, task_id, seen, credits_before):
    from tryon.models import TryOnTask

    final = seen[-1]
    assert final["status"] in ("COMPLETED", "FAILED"), seen[-5:]
    assert progress_never_decreased(seen), [body.get("progress") for body in seen]
    # Terminal means terminal: later polls show the same outcome and the same completed_at.
    time.sleep(1)
    again = poll_task(live_server.url, key.headers, task_id, timeout=1)[-1]
    assert (again["status"], again["completed_at"]) == (final["status"], final["completed_at"])
    task = TryOnTask.objects.get(public_id=task_id)
    # One result and its thumbnail for a completed task, nothing for a failed one: no orphan of the killed run.
    stored = list((Path(settings.MEDIA_ROOT) / "results").rglob(f"{task_id}-*"))
    assert len(stored) == (2 if final["status"] == "COMPLETED" else 0), stored
    if final["status"] == "COMPLETED":
        assert key.refresh().credits == credits_before - 1  # charged once, never twice
        assert not task.refunded and task.result_image
    else:
        assert key.refresh().credits == credits_before  # charged once, refunded once
        assert task.refunded
        assert final["error"]
    return final


@pytest.mark.parametrize(
    "how",
    [
        # Lost work found by the status poll: the task stops making progress and fails with a refund.
        pytest.param({"TRYON_TASK_TIMEOUT": 20, "TRYON_STALE_AFTER": 8, "duration": 6}, id="ends-by-stale-check"),
        # Lost work delivered again: the broker's retry comes before the stale check. The default retry
        # (2 x timeout + 30 s) would be 42 s; 12 s still exceeds the timeout and this one task's wait.
        pytest.param(
            {"TRYON_TASK_TIMEOUT": 6, "TRYON_QUEUE_RETRY": 12, "TRYON_STALE_AFTER": 120, "duration": 2},
            id="ends-by-redelivery",
        ),
    ],
)
def test_cluster_sigkilled_mid_task_then_restarted(
    live_server, real_queue, processes, make_key, settings, tmp_path, how, request
):
    if "redelivery" in request.node.callspec.id and settings.REDIS_URL:
        pytest.skip("django-q2's Redis broker has no delivery receipts: a killed task is never delivered again")
    env = {key: value for key, value in how.items() if key.startswith("TRYON_")}
    settings.TRYON_TASK_TIMEOUT = env["TRYON_TASK_TIMEOUT"]
    settings.TRYON_STALE_AFTER = env["TRYON_STALE_AFTER"]
    key = make_key("killed", credits=3, rate_limit=10_000)
    with SlowFitRoom(duration=how["duration"]) as slow:
        env.update(slow.backend_env(), TRYON_WORKERS=1)
        cluster = start_qcluster(tmp_path / "qcluster-1.log", **env)
        processes.append(cluster)
        created = create_task(live_server.url, key.headers)
        assert created.status_code == 200, created.text
        task_id = created.json()["task_id"]
        assert key.refresh().credits == 2

        seen = wait_for_processing(live_server.url, key.headers, task_id)
        assert seen[-1]["status"] == "PROCESSING", (seen[-1], tail(tmp_path / "qcluster-1.log"))
        kill_group(cluster)  # main process, sentinel, pusher, monitor and the busy worker, all at once

        restarted = start_qcluster(tmp_path / "qcluster-2.log", **env)
        processes.append(restarted)
        # Bounded: the stale check, or the broker's redelivery plus the run itself.
        retry = env.get("TRYON_QUEUE_RETRY", env["TRYON_TASK_TIMEOUT"] * 2 + 30)  # as in settings
        bound = min(env["TRYON_STALE_AFTER"], retry + how["duration"]) + 30
        seen += poll_task(live_server.url, key.headers, task_id, timeout=bound)

    final = assert_ended_once(live_server, key, task_id, seen, credits_before=3)
    logs = tail(tmp_path / "qcluster-2.log")
    if how["TRYON_STALE_AFTER"] < retry:
        assert final["status"] == "FAILED" and "timed out" in final["error"], (final, logs)
    else:
        assert final["status"] == "COMPLETED", (final, logs)


def test_only_the_worker_child_killed(live_server, real_queue, processes, make_key, settings, tmp_path):
    """django-q2 #327: a dead worker is never reported, so our stale check must end its task."""
    env = {"TRYON_TASK_TIMEOUT": 20, "TRYON_STALE_AFTER": 8, "TRYON_WORKERS": 1}
    settings.TRYON_STALE_AFTER = env["TRYON_STALE_AFTER"]
    key = make_key("orphaned", credits=3, rate_limit=10_000)
    log = tmp_path / "qcluster.log"
    with SlowFitRoom(duration=6) as slow:
        cluster = start_qcluster(log, **env, **slow.backend_env())
        processes.append(cluster)
        created = create_task(live_server.url, key.headers)
        task_id = created.json()["task_id"]
        seen = wait_for_processing(live_server.url, key.headers, task_id)
        assert seen[-1]["status"] == "PROCESSING", tail(log)
        (worker,) = worker_pids(log)
        os.kill(worker, signal.SIGKILL)  # like the OOM killer: only the child that runs the try-on

        seen += poll_task(live_server.url, key.headers, task_id, timeout=env["TRYON_STALE_AFTER"] + 30)
        final = assert_ended_once(live_server, key, task_id, seen, credits_before=3)
        assert final["status"] == "FAILED" and "timed out" in final["error"], (final, tail(log))

        # The cluster replaced its worker and goes on working.
        assert cluster.poll() is None
        slow.duration = 1
        second = create_task(live_server.url, key.headers).json()["task_id"]
        after = poll_task(live_server.url, key.headers, second, timeout=60)
        assert after[-1]["status"] == "COMPLETED", (after[-1], tail(log))
        assert len(worker_pids(log)) == 2, tail(log)
    assert key.refresh().credits == 2
