"""The broker goes away between the charge and the enqueue: the answer tells the truth and the money is right."""

import pytest
import redis

from tests.api.helpers import TASKS, task_form
from tests.stack import RedisServer
from tryon.models import CreditEntry, TryOnTask


@pytest.fixture
def redis_broker(transactional_db, tmp_path, settings, monkeypatch):
    """django-q2's Redis broker on a redis-server of our own (free port); the rate limit stays in the database."""
    from django_q.conf import Conf

    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = ""  # only the broker uses Redis in this test, so only the enqueue meets the outage
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", server.url)
    monkeypatch.setattr(Conf, "SYNC", False)
    yield server
    server.stop()


def queued(server) -> int:
    client = redis.Redis.from_url(server.url)
    return sum(client.llen(key) for key in client.keys("*"))


def test_a_broker_outage_at_enqueue_refunds_and_says_so(client, make_key, redis_broker):
    alice = make_key("alice", credits=5)
    accepted = client.post(TASKS, task_form(), headers=alice.headers)
    assert accepted.status_code == 200, accepted.content
    assert queued(redis_broker) == 1
    assert alice.refresh().credits == 4

    redis_broker.stop()  # Redis goes away after the charge, at the enqueue
    response = client.post(TASKS, task_form(), headers=alice.headers)
    assert response.status_code == 503, response.content
    message = response.json()["error"]["message"]
    assert "not started" in message and "refunded" in message
    assert alice.refresh().credits == 4  # charged, then refunded: the 503 cost nothing

    task = TryOnTask.objects.exclude(public_id=accepted.json()["task_id"]).get()
    assert (task.status, task.refunded) == ("FAILED", True)  # not left CREATED until the queue timeout
    kinds = list(CreditEntry.objects.filter(task=task).order_by("pk").values_list("kind", "change"))
    assert kinds == [("charge", -1), ("refund", 1)]
