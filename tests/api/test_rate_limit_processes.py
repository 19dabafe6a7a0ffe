"""A key's limit is exact across web processes, and counting it writes nothing to the database:
the counts are Redis's, or on SQLite a file of their own that every web process shares."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.processes import close_subprocess_connections, stop
from tests.stack import free_port, start_gunicorn, tail

UNKNOWN_TASK = "/api/tryon/v2/tasks/0123456789abcdef0123456789abcdef"


@pytest.fixture
def web(transactional_db, tmp_path):
    """Three gunicorn web processes on the test database, as the Procfile runs them (more workers)."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    process = start_gunicorn(log, port, workers=3)
    yield f"http://127.0.0.1:{port}", log
    stop(process)
    close_subprocess_connections()


def test_a_keys_limit_is_exact_across_web_processes_without_a_database_write(web, make_key, fresh_window):
    from tryon.models import RateLimitWindow

    base, log = web
    shop = make_key("shop", credits=0, rate_limit=12)

    def poll(_):
        # A connection of its own each: gunicorn's processes take turns accepting them.
        with httpx.Client(timeout=30) as client:
            return client.get(base + UNKNOWN_TASK, headers=shop.headers).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(poll, range(20)))

    assert sorted(statuses) == [404] * 12 + [429] * 8, tail(log)
    assert not RateLimitWindow.objects.exists()
