"""Many threads against several web processes and two qclusters on PostgreSQL + Redis."""

import io
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from PIL import Image

from tests.stack import create_task, poll_task, progress_never_decreased, tail

pytestmark = [pytest.mark.scaleout, pytest.mark.cluster]

UNKNOWN_TASK = "/api/tryon/v2/tasks/0123456789abcdef0123456789abcdef"


def wait_for_a_fresh_window(needed: float = 20) -> None:
    """The limit counts fixed one-minute windows; start a burst with at least ``needed`` seconds left."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.2)


def test_rate_limit_is_exact_across_processes(deployment, make_key):
    keys = [make_key(f"shop-{n}", credits=0) for n in range(3)]
    per_key = 90

    def request(job):
        n, key = job
        response = httpx.get(deployment.url(n) + UNKNOWN_TASK, headers=key.headers, timeout=30)
        return key.raw, response.status_code, response.headers.get("X-RateLimit-Reset")

    jobs = [(n, key) for n in range(per_key) for key in keys]
    wait_for_a_fresh_window()
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(request, jobs))

    assert {status for _, status, _ in results} == {404, 429}
    answered = defaultdict(Counter)  # key -> window -> non-429 answers
    sent = defaultdict(Counter)
    for raw, status, window in results:
        sent[raw][window] += 1
        answered[raw][window] += status != 429
    for key in keys:
        # Exactly the limit in each window, however the requests were spread over processes.
        for window, count in sent[key.raw].items():
            assert answered[key.raw][window] == min(60, count), (window, count, answered[key.raw])
        assert sum(answered[key.raw].values()) == 60  # the whole burst fitted in one window


def test_credits_never_overspent_and_every_task_completes(deployment, make_key):
    from tryon.models import TryOnTask

    credits, attempts = 4, 12
    key = make_key("launch-day", credits=credits, rate_limit=10_000)
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        responses = list(pool.map(lambda n: create_task(deployment.url(n), key.headers), range(attempts)))

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: credits, 402: attempts - credits}, [r.text for r in responses]
    assert all(r.json()["error"]["code"] == 402 for r in responses if r.status_code == 402)
    assert key.refresh().credits == 0
    task_ids = [r.json()["task_id"] for r in responses if r.status_code == 200]
    assert TryOnTask.objects.filter(api_key=key.key).count() == credits

    def follow(n_task):
        n, task_id = n_task
        return poll_task(deployment.url(n), key.headers, task_id, timeout=240, interval=0.5)

    with ThreadPoolExecutor(max_workers=credits) as pool:
        journeys = list(pool.map(follow, enumerate(task_ids)))
    logs = "".join(tail(log, 100_000) for log in deployment.cluster_logs)
    for task_id, seen in zip(task_ids, journeys, strict=True):
        assert seen[-1]["status"] == "COMPLETED", (seen[-1], logs[-3000:])
        assert progress_never_decreased(seen)
        assert logs.count(f"processing tryon-{task_id}") == 1  # one run, on one of the clusters
        image = httpx.get(seen[-1]["download_signed_url"], timeout=30)
        assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).format == "JPEG"
    assert key.refresh().credits == 0
    assert not TryOnTask.objects.filter(api_key=key.key, refunded=True).exists()
