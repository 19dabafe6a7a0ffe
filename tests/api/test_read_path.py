"""A status poll is a read: it writes nothing to the database (its request count is Redis's, or on
SQLite a file of its own), finds every row by an index, and checks the key against this process's
recent lookup (a revoked key still fails at once)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import TASKS, task_form
from tryon.models import TryOnTask

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def task_id(client, alice):
    response = client.post(TASKS, task_form(), headers=alice.headers)
    assert response.status_code == 200, response.content
    return response.json()["task_id"]


def poll(client, holder, task_id):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{TASKS}/{task_id}", headers=holder.headers)
    assert response.status_code == 200, response.content
    return [query["sql"] for query in queries.captured_queries]


def test_a_status_poll_writes_nothing_to_the_database(client, alice, task_id):
    poll(client, alice, task_id)  # the key's first use this minute records last_used_at
    writes = [sql for sql in poll(client, alice, task_id) if WRITE.match(sql)]
    assert writes == []


def test_a_status_poll_is_still_counted_against_the_keys_limit(client, make_key, fresh_window):
    limited = make_key("limited", rate_limit=3)
    task = client.post(TASKS, task_form(), headers=limited.headers).json()["task_id"]
    answers = [client.get(f"{TASKS}/{task}", headers=limited.headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1]["X-RateLimit-Remaining"] == "0"


def test_a_status_poll_reuses_the_key_lookup(client, alice, task_id):
    poll(client, alice, task_id)
    lookups = [sql for sql in poll(client, alice, task_id) if "tryon_apikey" in sql]
    assert lookups == []


def test_every_query_of_a_status_poll_uses_an_index(client, alice, task_id):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's planner scans tiny tables whatever their indexes")
    for sql in poll(client, alice, task_id):
        if WRITE.match(sql) or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[-1] for row in cursor.fetchall()]
        assert not [step for step in plan if step.startswith("SCAN") and "INDEX" not in step], (sql, plan)


def test_a_key_revoked_in_the_admin_fails_at_once_despite_the_cached_lookup(client, admin_client, alice, task_id):
    assert client.get(f"{TASKS}/{task_id}", headers=alice.headers).status_code == 200
    response = admin_client.post(
        "/admin/tryon/apikey/", {"action": "revoke", "_selected_action": [alice.key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not alice.refresh().is_active
    assert client.get(f"{TASKS}/{task_id}", headers=alice.headers).status_code == 401


def test_last_used_at_is_kept_to_the_minute(client, alice, task_id):
    from datetime import timedelta

    from tryon import keys
    from tryon.models import ApiKey

    used = alice.refresh().last_used_at
    assert used is not None  # the create recorded it
    poll(client, alice, task_id)
    assert alice.refresh().last_used_at == used  # a poll within the minute does not write it again
    ApiKey.objects.filter(pk=alice.key.pk).update(last_used_at=used - timedelta(minutes=2))
    keys.forget(alice.key.prefix)  # as when the cached lookup expires
    poll(client, alice, task_id)
    assert alice.refresh().last_used_at > used - timedelta(seconds=1)


def test_a_poll_of_a_live_task_reads_the_task_once(client, alice, task_id):
    from django.utils import timezone

    TryOnTask.objects.filter(public_id=task_id).update(status="PROCESSING", progress_updated_at=timezone.now())
    reads = [sql for sql in poll(client, alice, task_id) if "tryon_tryontask" in sql]
    assert len(reads) == 1, reads


@pytest.mark.parametrize("status", ["PROCESSING", "CREATED"])
def test_a_poll_still_fails_a_stale_task_with_a_refund(client, alice, task_id, settings, status):
    from datetime import timedelta

    from django.utils import timezone

    settings.TRYON_STALE_AFTER, settings.TRYON_QUEUE_TIMEOUT = 60, 60
    long_ago = timezone.now() - timedelta(seconds=61)
    TryOnTask.objects.filter(public_id=task_id).update(status=status, progress_updated_at=long_ago, created_at=long_ago)
    credits = alice.refresh().credits
    body = client.get(f"{TASKS}/{task_id}", headers=alice.headers).json()
    assert body["status"] == "FAILED", body
    assert alice.refresh().credits == credits + 1


def test_a_status_polls_queries_sort_nothing(client, alice, task_id):
    # Each finds at most one row by a unique key: an ORDER BY (first()'s) would only cost its building.
    poll(client, alice, task_id)
    assert [sql for sql in poll(client, alice, task_id) if "ORDER BY" in sql.upper()] == []
