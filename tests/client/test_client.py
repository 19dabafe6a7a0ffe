"""tryon.client against our own live server over real HTTP: the calls, the errors and the retries."""

import io
import subprocess
import sys
import threading
import time

import pytest
from PIL import Image

from tests.client.conftest import BASE_DIR
from tests.images import drawn_tee, person_photo, text_named_jpg
from tryon import client as fitroom
from tryon.models import TryOnTask

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


WINDOW = 4  # seconds: a short rate-limit window keeps the back-off tests quick


def wait_for_a_fresh_window_if_needed(margin: float = 1.5) -> None:
    """Rate-limit windows are wall-clock aligned: don't start a count that a boundary would split."""
    left = WINDOW - time.time() % WINDOW
    if left < margin:
        time.sleep(left + 0.1)


# --- The four calls -----------------------------------------------------------------------


def test_check_model_says_a_frontal_person_suits_upper_clothes(alice, connect):
    result = connect(alice).check_model(person_photo())

    assert result.is_good
    assert "upper" in result.good_clothes_types
    assert result.error_code is None or result.error_code.startswith("410")


def test_check_clothes_recognises_a_drawn_tee(alice, connect):
    result = connect(alice).check_clothes(drawn_tee())

    assert result == fitroom.ClothesCheckResult(clothes_type="upper", is_clothes=True)


def test_images_can_be_bytes_a_path_or_an_open_file(alice, connect, tmp_path):
    path = tmp_path / "tee.jpg"
    path.write_bytes(drawn_tee())
    client = connect(alice)

    with open(path, "rb") as file:
        results = {client.check_clothes(image) for image in (path.read_bytes(), path, str(path), file)}

    assert results == {fitroom.ClothesCheckResult(clothes_type="upper", is_clothes=True)}


def test_try_on_creates_polls_and_downloads_a_real_image(alice, connect):
    seen = []

    result = connect(alice).try_on(person_photo(), drawn_tee(), "upper", on_progress=seen.append)

    task = result.task
    assert task.status == "COMPLETED" and task.progress == 100
    assert task.created_at <= task.started_at <= task.completed_at
    assert seen[0].status == "CREATED" and seen[-1] == task
    progress = [t.progress for t in seen if t.progress is not None]
    assert progress == sorted(progress)
    image = decoded(result.image)
    assert image.format == "JPEG" and max(image.size) <= 2048
    assert alice.refresh().credits == 9


def test_get_task_reads_back_what_create_task_started(alice, connect):
    client = connect(alice)
    created = client.create_task(person_photo(), drawn_tee(), "upper")

    task = client.get_task(created.task_id)

    assert created.status == "CREATED"
    assert task.task_id == created.task_id
    assert task.status in ("CREATED", "PROCESSING", "COMPLETED")


# --- Errors that asking again cannot fix ------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.check_model(person_photo()),
        lambda c: c.check_clothes(drawn_tee()),
        lambda c: c.create_task(person_photo(), drawn_tee(), "upper"),
        lambda c: c.get_task("0" * 32),
    ],
    ids=["check_model", "check_clothes", "create_task", "get_task"],
)
def test_wrong_key_is_unauthorized_and_not_retried(db, connect, call):
    client = connect("fr_12345678_not-the-right-secret")

    with pytest.raises(fitroom.Unauthorized) as caught:
        call(client)

    assert caught.value.status == 401 and "API key" in caught.value.message
    assert client.recorded.statuses == [401]


def test_key_without_credits_gets_payment_required_and_no_task(broke, connect):
    client = connect(broke)

    with pytest.raises(fitroom.PaymentRequired) as caught:
        client.try_on(person_photo(), drawn_tee(), "upper")

    assert caught.value.status == 402 and "credit" in caught.value.message.lower()
    assert client.recorded.statuses == [402]
    assert not TryOnTask.objects.filter(api_key=broke.key).exists()


def test_unknown_task_is_not_found(alice, connect):
    client = connect(alice)

    with pytest.raises(fitroom.NotFound):
        client.get_task("no-such-task")

    assert client.recorded.statuses == [404]


def test_other_keys_task_is_not_found(alice, bob, connect):
    task = connect(alice).create_task(person_photo(), drawn_tee(), "upper")

    with pytest.raises(fitroom.NotFound):
        connect(bob).get_task(task.task_id)


def test_unreadable_image_is_a_bad_request_naming_the_field(alice, connect):
    client = connect(alice)

    with pytest.raises(fitroom.BadRequest) as caught:
        client.create_task(text_named_jpg(), drawn_tee(), "upper")

    assert caught.value.message.startswith("model_image")
    assert client.recorded.statuses == [400]
    assert alice.refresh().credits == 10


# --- Errors worth waiting out ------------------------------------------------------------------


def test_rate_limited_client_waits_for_retry_after_then_succeeds(alice, make_key, connect, settings):
    settings.TRYON_RATE_LIMIT_WINDOW = WINDOW
    connect(alice).check_clothes(drawn_tee())  # warm the server up, so the timing below is the limiter's
    limited = make_key("limited", credits=10, rate_limit=1)
    client = connect(limited)
    wait_for_a_fresh_window_if_needed()
    with pytest.raises(fitroom.NotFound):
        client.get_task("uses-up-the-one-request")  # counted, then 404

    started = time.monotonic()
    result = client.check_clothes(drawn_tee())
    waited = time.monotonic() - started

    assert result.is_clothes
    assert client.recorded.statuses == [404, 429, 200], client.recorded.statuses
    retry_after = int(client.recorded.responses[1].headers["Retry-After"])
    assert waited >= retry_after - 1


def test_rate_limit_longer_than_the_client_will_wait_raises_rate_limited(make_key, connect, settings):
    settings.TRYON_RATE_LIMIT_WINDOW = WINDOW
    limited = make_key("limited", credits=10, rate_limit=1)
    client = connect(limited, max_retry_wait=0)
    wait_for_a_fresh_window_if_needed()
    with pytest.raises(fitroom.NotFound):
        client.get_task("uses-up-the-one-request")

    with pytest.raises(fitroom.RateLimited) as caught:
        client.check_clothes(drawn_tee())

    assert caught.value.status == 429 and 0 < caught.value.retry_after <= WINDOW
    assert client.recorded.statuses == [404, 429]


# The maintenance 503 says Retry-After: 30 by default; these tests have the server say 1 s, so the
# client's waits are the server's advice (not its own backoff) without half a minute per retry.


def test_maintenance_503_is_retried_until_the_server_is_back(alice, connect, settings):
    settings.TRYON_MAINTENANCE_MODE = True
    settings.TRYON_MAINTENANCE_RETRY_AFTER = 1
    back_online = threading.Timer(1.0, lambda: setattr(settings, "TRYON_MAINTENANCE_MODE", False))
    back_online.start()
    client = connect(alice, backoff_initial=0.01)
    started = time.monotonic()
    try:
        result = client.check_clothes(drawn_tee())
    finally:
        back_online.cancel()

    assert result.is_clothes
    assert client.recorded.statuses[0] == 503 and client.recorded.statuses[-1] == 200
    assert set(client.recorded.statuses[:-1]) == {503}
    assert client.recorded.responses[0].headers["Retry-After"] == "1"
    assert time.monotonic() - started >= 1  # it waited as told, not its own 0.01 s backoff


def test_maintenance_that_outlasts_the_retries_raises_service_unavailable(alice, connect, settings):
    settings.TRYON_MAINTENANCE_MODE = True
    settings.TRYON_MAINTENANCE_RETRY_AFTER = 1
    client = connect(alice, max_retries=2, backoff_initial=0.01)
    started = time.monotonic()

    with pytest.raises(fitroom.ServiceUnavailable) as caught:
        client.check_model(person_photo())

    assert "maintenance" in caught.value.message
    assert client.recorded.statuses == [503, 503, 503]
    assert time.monotonic() - started >= 2  # two waits of the server's Retry-After


def test_unreachable_server_raises_connection_failed_after_bounded_retries(db):
    client = fitroom.FitRoomClient("http://127.0.0.1:9", "fr_x_y", max_retries=2, backoff_initial=0.01)

    with pytest.raises(fitroom.ConnectionFailed), client:
        client.check_model(person_photo())


def test_task_that_never_finishes_raises_poll_timeout(alice, connect, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker that this test never starts
    client = connect(alice, backoff_initial=0.2)
    task = client.create_task(person_photo(), drawn_tee(), "upper")

    started = time.monotonic()
    with pytest.raises(fitroom.PollTimeout) as caught:
        client.wait_for_task(task.task_id, poll_timeout=1.5)

    assert 1.4 <= time.monotonic() - started < 5
    assert caught.value.task.task_id == task.task_id and caught.value.task.status == "CREATED"


# --- No Django in the client ----------------------------------------------------------------------


def test_client_imports_without_django():
    code = "import sys, tryon.client; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "False"


def test_credits_cancel_and_auto_through_the_client(alice, connect, settings):
    from django_q.conf import Conf

    client = connect(alice)
    Conf.SYNC = False  # the live server only queues: the task stays CREATED until cancelled
    task = client.create_task(person_photo(), drawn_tee(), "auto")
    assert task.cloth_type == "upper" and client.credits() == 9

    cancelled = client.cancel_task(task.task_id)

    assert (cancelled.status, cancelled.error) == ("FAILED", "cancelled")
    assert client.credits() == 10
    with pytest.raises(fitroom.Conflict):
        client.cancel_task(task.task_id)


def test_verify_webhook_returns_the_task_and_refuses_forgeries(alice):
    from tryon import webhooks

    body = '{"task_id":"abc","status":"COMPLETED","progress":100,"download_signed_url":"https://x/r"}'
    headers = webhooks.sign(alice.key.webhook_secret, "msg_1", body)

    task = fitroom.verify_webhook(alice.key.webhook_secret, body.encode(), headers)

    assert (task.task_id, task.status, task.download_signed_url) == ("abc", "COMPLETED", "https://x/r")
    with pytest.raises(fitroom.WebhookVerificationError):
        fitroom.verify_webhook(alice.key.webhook_secret, body.replace("abc", "abd"), headers)
    with pytest.raises(fitroom.WebhookVerificationError):
        fitroom.verify_webhook("whsec_" + "A" * 43 + "=", body, headers)
    with pytest.raises(fitroom.WebhookVerificationError):
        fitroom.verify_webhook(alice.key.webhook_secret, body, {})
