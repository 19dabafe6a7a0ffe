"""Queue workers render at a lower CPU priority than the web processes, so polls never wait behind renders,
and build the engine's graphs as they start, so no shopper's try-on waits for them."""

import os
import time
from pathlib import Path

import pytest

from tests.processes import start_qcluster
from tests.stack import tail

pytestmark = pytest.mark.cluster


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_queue_workers_start_niced_with_the_engine_loaded_and_the_rest_of_the_cluster_does_not(processes, tmp_path):
    log = tmp_path / "qcluster.log"
    cluster = start_qcluster(log, TRYON_WORKERS=2, TRYON_WORKER_NICE=7)
    processes.append(cluster)
    deadline = time.monotonic() + 60
    while log.read_text(errors="replace").count("renders at nice 7") < 2:
        assert time.monotonic() < deadline and cluster.poll() is None, tail(log)
        time.sleep(0.2)

    ours = os.nice(0)
    descendants, todo = [], [cluster.pid]
    while todo:
        found = children(todo.pop())
        descendants += found
        todo += found
    nice_values = sorted(niceness(pid) for pid in descendants)
    assert nice_values.count(7) == 2, nice_values  # the two workers
    assert niceness(cluster.pid) == ours  # the cluster's own process, and the pusher and monitor below:
    assert nice_values.count(ours) == len(nice_values) - 2, nice_values
    # No try-on has run, yet each worker has mediapipe's graphs built (its library mapped in).
    workers = [pid for pid in descendants if niceness(pid) == 7]
    for pid in workers:
        assert "mediapipe" in Path(f"/proc/{pid}/maps").read_text(), pid
