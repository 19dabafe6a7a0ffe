"""The backend contract's tests run against the local engine and the example plug-in backend (tests/example_backend.py).

A test runs on both only if its answer can depend on the backend: it renders a task (lifecycle,
result, failure and refund), asks a photo check, or lets ``cloth_type=auto`` ask one. Everything
the server answers before or without calling the backend runs once, on the local engine:

- test_errors: authentication, validation, limits, maintenance, 404s; its one backend error sets
  its own (remote) backend, so the parameter never reached it.
- test_idempotency and test_cancel: bookkeeping on tasks that are never rendered, or whose render
  only provides a finished task (cancelling it is 409 whatever drew it). A cancel reaches the
  backend only through ``abandon``, which the example backend does not have.
- The tests in ``ONE_BACKEND`` below, from the modules that otherwise run on both.

Webhooks, fuzzing and deployment never depended on it, and tests with a real qcluster render in a
subprocess that reads TRYON_BACKEND from its environment.
"""

import pytest

BACKENDS = ["local", "tests.example_backend.ExampleBackend"]
BACKEND_SUITE = {"test_tasks", "test_checks", "test_auto_type"}
ONE_BACKEND = {
    # test_tasks: created but never run, or run only to have a finished task whose link, owner or
    # stored upload is what is checked (signing, scoping and decoding are ours).
    "test_new_task_is_created_and_charged",
    "test_full_is_an_alias_of_full_set",
    "test_other_keys_task_is_404",
    "test_tampered_download_url_is_403",
    "test_expired_download_url_is_403",
    "test_download_links_survive_a_secret_key_rotation_through_the_fallbacks",
    "test_other_encodings_are_accepted_and_stored_clean",
    # test_checks: refused before the backend, or only the credits are checked.
    "test_missing_input_image_is_400",
    "test_get_on_a_check_is_405_json",
    "test_checks_are_free",
    # test_auto_type: a chosen type never asks the backend.
    "test_tasks_with_a_chosen_type_keep_fitrooms_shape",
}


def pytest_generate_tests(metafunc):
    in_suite = metafunc.module.__name__.rsplit(".", 1)[-1] in BACKEND_SUITE
    if (
        in_suite
        and metafunc.function.__name__ not in ONE_BACKEND
        and not metafunc.definition.get_closest_marker("cluster")
    ):
        metafunc.parametrize("tryon_backend", BACKENDS, indirect=True, ids=["local", "example-backend"])


@pytest.fixture(autouse=True)
def tryon_backend(request, settings):
    settings.TRYON_BACKEND = getattr(request, "param", "local")
    return settings.TRYON_BACKEND
