"""Redis or the database briefly away: the API answers 503 in its JSON shape, then works again."""

import time

import httpx
import pytest
from django.db import connection

from tests.processes import APP_NAME
from tests.stack import RedisServer, create_task, free_port, start_gunicorn, tail


def get_until(url, headers, status, timeout=15):
    """Requests until one answers ``status`` (a recovering service may take a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url, headers=headers, timeout=30)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def assert_unavailable(response):
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == 503 and isinstance(body["error"]["message"], str)
    assert "Traceback" not in response.text


@pytest.mark.cluster
def test_redis_outage_answers_503_then_recovers(processes, make_key, tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        port = free_port()
        log = tmp_path / "gunicorn.log"
        # Redis carries the rate-limit counters, the cache and django-q2's broker here.
        processes.append(start_gunicorn(log, port, workers=2, REDIS_URL=redis.url))
        base = f"http://127.0.0.1:{port}"
        key = make_key("steady", credits=2)
        unknown = f"{base}/api/tryon/v2/tasks/0123456789abcdef0123456789abcdef"
        assert httpx.get(unknown, headers=key.headers).status_code == 404

        redis.stop()
        for _ in range(4):  # every web worker, not just one
            assert_unavailable(httpx.get(unknown, headers=key.headers, timeout=30))
        assert_unavailable(create_task(base, key.headers))
        assert key.refresh().credits == 2  # nothing was charged for the refused request

        redis.start()  # same port: the processes reconnect by themselves
        assert get_until(unknown, key.headers, 404).status_code == 404, tail(log)
        created = create_task(base, key.headers)
        assert created.status_code == 200, (created.text, tail(log))
        assert key.refresh().credits == 1
    finally:
        redis.stop()


@pytest.mark.scaleout
@pytest.mark.cluster
def test_database_outage_answers_503_then_recovers(processes, make_key, tmp_path):
    import psycopg

    port = free_port()
    log = tmp_path / "gunicorn.log"
    processes.append(start_gunicorn(log, port, workers=2))
    base = f"http://127.0.0.1:{port}"
    key = make_key("steady", credits=2)
    unknown = f"{base}/api/tryon/v2/tasks/0123456789abcdef0123456789abcdef"
    assert httpx.get(unknown, headers=key.headers).status_code == 404

    database = connection.settings_dict["NAME"]
    admin = psycopg.connect(host="127.0.0.1", user=connection.settings_dict["USER"], dbname="postgres", autocommit=True)
    try:
        # The database goes away for the web processes: new connections refused, open ones cut.
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        for _ in range(4):
            assert_unavailable(httpx.get(unknown, headers=key.headers, timeout=30))
        assert_unavailable(create_task(base, key.headers))
        assert httpx.get(f"{base}/healthz").status_code == 503
    finally:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.close()

    assert get_until(unknown, key.headers, 404).status_code == 404, tail(log)
    created = create_task(base, key.headers)
    assert created.status_code == 200, (created.text, tail(log))
    assert key.refresh().credits == 1
