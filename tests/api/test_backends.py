"""TRYON_BACKEND by dotted path, and what the API makes of a plug-in's progress and errors."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests import images
from tests.api.helpers import task_form, upload
from tests.api.test_tasks import poll, run_queue  # noqa: F401 - run_queue is a fixture
from tests.example_backend import ExampleBackend
from tryon.backends import LocalBackend, RemoteBackend, RenderJob, get_backend
from tryon.engine import load_image

MODEL_CHECK = "/api/tryon/input_check/v1/model"


def test_short_names_and_dotted_paths_pick_the_backend(settings):
    settings.TRYON_BACKEND = "local"
    assert type(get_backend()) is LocalBackend
    settings.TRYON_BACKEND, settings.TRYON_REMOTE_URL = "remote", "http://gpu.example:8000"
    assert type(get_backend()) is RemoteBackend
    settings.TRYON_BACKEND = "tests.example_backend.ExampleBackend"
    assert type(get_backend()) is ExampleBackend


def test_a_backend_that_cannot_be_imported_is_a_configuration_error(settings):
    settings.TRYON_BACKEND = "tests.example_backend.NoSuchBackend"
    with pytest.raises(ImproperlyConfigured, match="TRYON_BACKEND 'tests.example_backend.NoSuchBackend'"):
        get_backend()


def test_progress_is_stage_then_a_rising_fraction():
    reports = []
    job = RenderJob("t1", load_image(images.person_photo()), load_image(images.drawn_tee()), "upper")

    ExampleBackend().render(job, lambda stage, fraction: reports.append((stage, fraction)))

    assert reports[0] == ("queued on the model server", 0.0)
    fractions = [fraction for _, fraction in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert reports[-1][0] == "server: encode"


def test_an_unavailable_backend_is_503_for_a_check(client, alice, settings):
    settings.TRYON_BACKEND = "tests.example_backend.UnavailableBackend"
    response = client.post(MODEL_CHECK, {"input_image": upload(images.person_photo())}, headers=alice.headers)

    assert response.status_code == 503
    assert response.json()["error"]["message"] == "The try-on engine is unavailable. Please try again later."


def test_an_unavailable_backend_fails_the_task_plainly_and_refunds(client, alice, run_queue, settings):  # noqa: F811
    settings.TRYON_BACKEND = "tests.example_backend.UnavailableBackend"
    created = run_queue(client, alice, task_form())

    status = poll(client, alice, created["task_id"])
    # The worker first runs the checks on the stored photos (one verdict per photo), through the same
    # unavailable backend: the task says so in the check endpoints' own words.
    assert (status["status"], status["error"]) == (
        "FAILED",
        "The try-on engine is unavailable. Please try again later.",
    )
    assert alice.refresh().credits == 10
