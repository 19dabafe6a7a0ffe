"""Queue workers render at a lower CPU priority than the web processes, so polls never wait behind renders,
and build the engine's graphs as they start, so no shopper's try-on waits for them."""

import os
import time
from pathlib import Path

import pytest

from tests.processes import start_qcluster
from tests.stack import create_task, poll_task, tail, worker_pids

pytestmark = pytest.mark.cluster

SCHED_OTHER, SCHED_IDLE = 0, 5  # Linux's scheduling policies, as /proc shows them


def thread_stats(pid: int) -> list[list[str]]:
    """Each thread's /proc stat fields from the state on (field 3 of proc(5) is index 0)."""
    stats = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        stats.append((task / "stat").read_text().rsplit(")", 1)[1].split())
    return stats


def niceness_and_policy(pid: int) -> set[tuple[int, int]]:
    """The (nice, scheduling policy) pairs of all the process's threads: one pair when they all agree."""
    return {(int(fields[16]), int(fields[38])) for fields in thread_stats(pid)}


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").iterdir():
            children = [int(child) for child in (task / "children").read_text().split()]
            found += children
            todo += children
    return found


def start_cluster(processes, log, **env):
    env = {"TRYON_WORKERS": 2, "TRYON_WORKER_NICE": 7, "TRYON_WORKER_IDLE": "true", **env}  # the default
    cluster = start_qcluster(log, **env)
    processes.append(cluster)
    deadline = time.monotonic() + 60
    while log.read_text(errors="replace").count("renders ") < 2:
        assert time.monotonic() < deadline and cluster.poll() is None, tail(log)
        time.sleep(0.2)
    return cluster


def test_queue_workers_start_idle_class_with_the_engine_loaded_and_the_rest_of_the_cluster_does_not(
    processes, tmp_path
):
    log = tmp_path / "qcluster.log"
    cluster = start_cluster(processes, log)
    assert log.read_text().count("renders in SCHED_IDLE at nice 7") == 2, tail(log)

    ours = os.nice(0)
    workers = worker_pids(log)
    assert len(workers) == 2
    for pid in workers:
        # Every thread, not just the main one: on Linux both the class and the niceness are per thread.
        assert niceness_and_policy(pid) == {(7, SCHED_IDLE)}, pid
        # No try-on has run, yet each worker has mediapipe's graphs built (its library mapped in),
        # and the render's modules loaded (SciPy's spline, with its OpenBLAS).
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "mediapipe" in maps, pid
        assert "libscipy_openblas" in maps, pid
    # The cluster's own process, and the pusher and monitor below it, keep the web's priority.
    others = [cluster.pid] + [pid for pid in descendants(cluster.pid) if pid not in workers]
    assert len(others) >= 3, others
    for pid in others:
        assert niceness_and_policy(pid) == {(ours, SCHED_OTHER)}, pid


def test_threads_a_render_starts_inherit_the_idle_class(live_server, real_queue, processes, make_key, tmp_path):
    log = tmp_path / "qcluster.log"
    start_cluster(processes, log)
    key = make_key("render", credits=3, rate_limit=10_000)
    created = create_task(live_server.url, key.headers)
    assert created.status_code == 200, created.text
    seen = poll_task(live_server.url, key.headers, created.json()["task_id"], timeout=120)
    assert seen[-1]["status"] == "COMPLETED", (seen[-1], tail(log))

    for pid in worker_pids(log):
        assert niceness_and_policy(pid) == {(7, SCHED_IDLE)}, pid


def test_with_the_idle_class_off_workers_run_niced_only(processes, tmp_path):
    log = tmp_path / "qcluster.log"
    start_cluster(processes, log, TRYON_WORKER_IDLE="false")
    assert log.read_text().count("renders at nice 7") == 2, tail(log)
    for pid in worker_pids(log):
        assert niceness_and_policy(pid) == {(7, SCHED_OTHER)}, pid
