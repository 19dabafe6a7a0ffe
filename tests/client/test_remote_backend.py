"""Our app with TRYON_BACKEND="remote" in front of a second fitroom: its own process, database and engine.

A shop's client talks to our live server; our worker sends the work to the second instance
through tryon.client, and what comes back (image, progress, failure) becomes our task's.
"""

import io

import pytest
from PIL import Image

from tests.images import drawn_tee, fixture_bytes, person_photo
from tryon import client as fitroom
from tryon.backends import RemoteBackend, RenderJob
from tryon.engine import load_image
from tryon.models import TryOnTask

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def remote_backend(settings):
    """``use(instance, raw_key)``: our worker's backend becomes that instance."""

    def use(instance, raw_key):
        settings.TRYON_BACKEND = "remote"
        settings.TRYON_REMOTE_URL = instance.url
        settings.TRYON_REMOTE_API_KEY = raw_key

    return use


def test_task_is_rendered_by_the_second_instance_and_completes_here(alice, connect, remote_backend, second_instance):
    shop_key = second_instance.make_key(credits=1)
    remote_backend(second_instance, shop_key)

    result = connect(alice).try_on(person_photo(), drawn_tee(), "upper")

    assert result.task.status == "COMPLETED" and result.task.progress == 100
    image = Image.open(io.BytesIO(result.image))
    assert image.format == "JPEG" and max(image.size) <= 2048
    assert alice.refresh().credits == 9
    # The second instance did the work on its own account: its one credit is spent.
    with fitroom.FitRoomClient(second_instance.url, shop_key) as shop, pytest.raises(fitroom.PaymentRequired):
        shop.create_task(person_photo(), drawn_tee(), "upper")


def test_checks_are_answered_by_the_second_instance(alice, connect, remote_backend, second_instance):
    remote_backend(second_instance, second_instance.make_key(credits=0))  # checks are free
    client = connect(alice)

    assert client.check_clothes(drawn_tee()) == fitroom.ClothesCheckResult("upper", True)
    model = client.check_model(person_photo())
    assert model.is_good and "upper" in model.good_clothes_types


def test_remote_progress_is_mirrored_without_going_backwards(second_instance):
    backend = RemoteBackend(second_instance.url, second_instance.make_key(credits=1), poll_timeout=60)
    reports = []

    job = RenderJob("our-task", load_image(person_photo()), load_image(drawn_tee()), "upper")

    result = backend.render(job, lambda stage, fraction: reports.append((fraction, stage)))

    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {stage for _, stage in reports} == {"remote"}
    assert Image.open(io.BytesIO(result)).format == "JPEG"


def test_remote_failure_fails_our_task_with_the_remote_error_and_refunds(
    alice, connect, remote_backend, stalled_instance
):
    remote_backend(stalled_instance, stalled_instance.make_key(credits=5))

    with pytest.raises(fitroom.TaskFailed) as caught:
        connect(alice).try_on(person_photo(), drawn_tee(), "upper")

    remote_error = "The try-on task waited too long in the queue and was cancelled"
    assert caught.value.message == remote_error
    task = TryOnTask.objects.get(public_id=caught.value.task.task_id)
    assert task.status == TryOnTask.Status.FAILED and task.error == remote_error
    assert task.refunded and alice.refresh().credits == 10


def test_remote_refusing_our_key_fails_our_task_and_refunds(alice, connect, remote_backend, second_instance):
    remote_backend(second_instance, second_instance.make_key(credits=0))

    with pytest.raises(fitroom.TaskFailed) as caught:
        connect(alice).try_on(person_photo(), drawn_tee(), "upper")

    assert caught.value.message == "Failed to process try-on task"
    assert alice.refresh().credits == 10


def test_remote_refusing_an_image_in_a_check_is_our_bad_request(alice, connect, remote_backend, picky_instance):
    remote_backend(picky_instance, picky_instance.make_key(credits=0))

    with pytest.raises(fitroom.BadRequest) as caught:
        connect(alice, max_retries=0).check_model(person_photo())

    assert "input_image" in caught.value.message


def test_a_photo_our_check_refuses_is_never_sent_to_the_remote_engine(alice, connect, remote_backend, second_instance):
    """Our worker checks a task's photos before the work goes out: a remote engine bills its own
    account as soon as it is asked, so a photo we refuse must never reach it."""
    shop_key = second_instance.make_key(credits=1)
    remote_backend(second_instance, shop_key)
    count = "from tryon.models import TryOnTask; print(TryOnTask.objects.count())"
    tasks_there = int(second_instance.manage("shell", "-c", count).split()[-1])

    client = connect(alice)
    with pytest.raises(fitroom.TaskFailed) as failed:
        client.try_on(fixture_bytes("person_back_view_1.jpg"), drawn_tee(), "upper")

    assert "400003" in (failed.value.task.error or "")
    assert alice.refresh().credits == 10  # refunded here
    # ... and the second instance never heard of it.
    assert int(second_instance.manage("shell", "-c", count).split()[-1]) == tasks_there
