"""Webhooks: finished tasks POSTed to the client, signed per Standard Webhooks, retried, logged, resent."""

import io
import time

import pytest
from django.core.management import call_command
from django_q.models import Schedule
from standardwebhooks import Webhook

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tests.api.test_tasks import download, poll, run_queue  # noqa: F401 - run_queue is a fixture
from tests.processes import close_subprocess_connections, start_qcluster, stop
from tests.stack import create_task, tail
from tests.webhook_receiver import Receiver
from tryon import webhooks
from tryon.models import TryOnTask, WebhookDelivery


@pytest.fixture
def allow_private(settings):
    settings.TRYON_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback


def without_link(body: dict) -> dict:
    return {name: value for name, value in body.items() if name != "download_signed_url"}


def test_completed_task_is_posted_signed_with_the_keys_secret(client, alice, run_queue, allow_private):  # noqa: F811
    with Receiver(alice.key.webhook_secret) as receiver:
        created = run_queue(client, alice, task_form(webhook_url=receiver.url))
        received = receiver.wait_for(1, timeout=10)

    assert len(received) == 1 and received[0].error == "", received
    status = poll(client, alice, created["task_id"])
    assert status["status"] == "COMPLETED"
    assert without_link(received[0].payload) == without_link(status)  # the GET answer, as JSON
    assert download(client, received[0].payload["download_signed_url"]).status_code == 200
    headers = {name.lower(): value for name, value in received[0].headers.items()}
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith("v1,")
    assert headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get(task__public_id=created["task_id"])
    assert (delivery.status, delivery.attempts, delivery.message_id) == ("delivered", 1, headers["webhook-id"])
    assert [(a.number, a.status_code, a.error) for a in delivery.attempt_log.all()] == [(1, 200, "")]


def test_a_forged_body_does_not_verify(alice):
    payload = '{"task_id":"x","status":"COMPLETED"}'
    headers = webhooks.sign(alice.key.webhook_secret, "msg_1", payload)
    Webhook(alice.key.webhook_secret).verify(payload, headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(alice.key.webhook_secret).verify(payload.replace("COMPLETED", "FAILED"), headers)


def test_failed_task_goes_to_the_keys_default_url(client, alice, run_queue, allow_private):  # noqa: F811
    with Receiver(alice.key.webhook_secret) as receiver:
        alice.key.webhook_url = receiver.url
        alice.key.save(update_fields=["webhook_url"])
        created = run_queue(client, alice, task_form(model_image=upload(images.drawn_tee())))
        received = receiver.wait_for(1, timeout=10)

    assert received[0].payload["task_id"] == created["task_id"]
    assert received[0].payload["status"] == "FAILED" and "person" in received[0].payload["error"]


def test_cancelled_task_is_reported(client, alice, allow_private, django_capture_on_commit_callbacks):
    with Receiver(alice.key.webhook_secret) as receiver:
        task_id = client.post(TASKS, task_form(webhook_url=receiver.url), headers=alice.headers).json()["task_id"]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"{TASKS}/{task_id}/cancel", headers=alice.headers)
        received = receiver.wait_for(1, timeout=10)

    assert (received[0].payload["status"], received[0].payload["error"]) == ("FAILED", "cancelled")


def test_no_webhook_url_means_no_delivery(client, alice, run_queue):  # noqa: F811
    run_queue(client, alice, task_form())
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_or_odd_webhook_urls_are_refused(client, alice, url):
    response = client.post(TASKS, task_form(webhook_url=url), headers=alice.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("webhook_url")
    assert alice.refresh().credits == 10


def test_private_urls_are_refused_at_delivery_time_too(client, alice, settings, django_capture_on_commit_callbacks):
    settings.TRYON_WEBHOOK_ALLOW_PRIVATE = True
    form = task_form(webhook_url="http://127.0.0.1:9/hook")
    task_id = client.post(TASKS, form, headers=alice.headers).json()["task_id"]
    settings.TRYON_WEBHOOK_ALLOW_PRIVATE = False  # the operator turned it off since, or the name now points inside

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{TASKS}/{task_id}/cancel", headers=alice.headers)

    delivery = WebhookDelivery.objects.get(task__public_id=task_id)
    assert delivery.status == "failed" and delivery.attempts == 1  # refused: no retries
    assert "private" in delivery.attempt_log.get().error


def test_redirects_are_not_followed_and_timeouts_are_failures(client, alice, run_queue, allow_private, settings):  # noqa: F811
    settings.TRYON_WEBHOOK_TIMEOUT = 0.5
    with Receiver(alice.key.webhook_secret) as target, Receiver(alice.key.webhook_secret) as receiver:
        receiver.answers = [302]
        receiver.redirect_to = target.url
        created = run_queue(client, alice, task_form(webhook_url=receiver.url))
        delivery = WebhookDelivery.objects.get(task__public_id=created["task_id"])
        first = delivery.attempt_log.get()
        assert (first.status_code, first.error) == (302, "HTTP 302 Found")
        assert target.received == []  # never followed

        receiver.delay = 2
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status="pending")
        webhooks.deliver(delivery.pk)  # the scheduled retry
        second = delivery.attempt_log.get(number=2)
        assert second.status_code is None and "Timeout" in second.error

    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


def test_backoff_grows_and_stops_after_a_day():
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    delays, now, made = [], start, 1
    while (when := webhooks.next_attempt_at(start, made, now)) is not None:
        delays.append((when - now).total_seconds())
        now, made = when, made + 1
    assert delays[:4] == [5, 20, 80, 320]
    assert delays == sorted(delays) and max(delays) == 6 * 3600
    assert now <= start + timedelta(hours=24) < now + timedelta(hours=6)


def test_createapikey_prints_the_secret_before_the_key(db):
    out = io.StringIO()
    call_command("createapikey", "shop", "--credits", "5", stdout=out, stderr=io.StringIO())

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("webhook secret: whsec_")
    assert out.getvalue().split()[-1].startswith("fr_")
    from tryon.models import ApiKey

    assert ApiKey.objects.get(name="shop").webhook_secret == lines[0].split()[-1]


def test_admin_shows_deliveries_and_resends_one(client, admin_client, alice, run_queue, allow_private):  # noqa: F811
    staff_client = admin_client
    with Receiver(alice.key.webhook_secret) as receiver:
        created = run_queue(client, alice, task_form(webhook_url=receiver.url))
        receiver.wait_for(1, timeout=10)
        delivery = WebhookDelivery.objects.get(task__public_id=created["task_id"])

        page = staff_client.get("/admin/tryon/webhookdelivery/")
        assert page.status_code == 200 and delivery.message_id in page.content.decode()
        detail = staff_client.get(f"/admin/tryon/webhookdelivery/{delivery.pk}/change/").content.decode()
        assert "Webhook attempts" in detail and receiver.url.split("?")[0] in detail
        key_page = staff_client.get(f"/admin/tryon/apikey/{alice.key.pk}/change/").content.decode()
        assert alice.key.webhook_secret in key_page

        response = staff_client.post(
            "/admin/tryon/webhookdelivery/", {"action": "resend", "_selected_action": [delivery.pk]}
        )
        assert response.status_code == 302
        received = receiver.wait_for(2, timeout=10)

    assert len(received) == 2
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]  # the same message again
    assert delivery.attempt_log.count() == 2


@pytest.mark.cluster
def test_a_delivery_that_fails_twice_then_succeeds(live_server, make_key, tmp_path, allow_private, transactional_db):
    """Retries are django-q2 schedules, run by a real qcluster.

    The qcluster's sentinel looks for due schedules only every 30 s, which would make this test wait
    a minute for two retries. So while waiting, the test runs django-q2's own ``scheduler()`` (what the
    sentinel calls) every 0.2 s: the retries are still our Schedule rows, queued only once due, and
    delivered by the cluster's workers. That the sentinel itself runs the scheduler is what
    tests/faults/test_housekeeping.py proves. The first retry waits 1 s here instead of 5.
    """
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.scheduler import scheduler

    Conf.SYNC = False
    key = make_key("hooked", credits=2)
    log = tmp_path / "qcluster.log"
    process = start_qcluster(
        log, TRYON_WORKERS=1, TRYON_WEBHOOK_ALLOW_PRIVATE="true", TRYON_WEBHOOK_FIRST_RETRY_DELAY=1
    )
    try:
        with Receiver(key.key.webhook_secret, answers=[500, 503]) as receiver:
            response = create_task(live_server.url, key.headers, webhook_url=receiver.url)
            assert response.status_code == 200, response.text
            broker = get_broker()
            deadline = time.monotonic() + 60
            while len(receiver.received) < 3 and time.monotonic() < deadline:
                scheduler(broker=broker)
                time.sleep(0.2)
            received = receiver.received
            assert len(received) == 3, tail(log)
    finally:
        stop(process)
        close_subprocess_connections()

    assert all(r.error == "" for r in received)
    assert len({r.headers["webhook-id"] for r in received}) == 1
    delivery = WebhookDelivery.objects.get(task__public_id=response.json()["task_id"])
    deadline = time.monotonic() + 5
    while delivery.status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.1)
        delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    attempts = list(delivery.attempt_log.all())
    # Not before each retry was due: 1 s, then four times that.
    assert (attempts[1].started_at - attempts[0].started_at).total_seconds() >= 1
    assert (attempts[2].started_at - attempts[1].started_at).total_seconds() >= 4
    assert not Schedule.objects.filter(name__startswith=f"webhook {delivery.message_id}").exists()  # all used up


def test_a_deleted_keys_delivery_gives_up_quietly(client, alice, allow_private):
    task_id = client.post(TASKS, task_form(), headers=alice.headers).json()["task_id"]
    delivery = WebhookDelivery.objects.create(task=TryOnTask.objects.get(public_id=task_id), url="http://127.0.0.1:9/")
    alice.key.delete()

    webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 0)
