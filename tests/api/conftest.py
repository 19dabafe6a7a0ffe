"""The API suite runs against the local engine and against the example plug-in backend (tests/example_backend.py)."""

import pytest

BACKENDS = ["local", "tests.example_backend.ExampleBackend"]
# Modules whose answers depend on the backend; webhooks, fuzzing and deployment do not, and
# tests with a real qcluster render in a subprocess that reads TRYON_BACKEND from its environment.
BACKEND_SUITE = {"test_tasks", "test_checks", "test_errors", "test_auto_type", "test_cancel", "test_idempotency"}


def pytest_generate_tests(metafunc):
    in_suite = metafunc.module.__name__.rsplit(".", 1)[-1] in BACKEND_SUITE
    if in_suite and not metafunc.definition.get_closest_marker("cluster"):
        metafunc.parametrize("tryon_backend", BACKENDS, indirect=True, ids=["local", "example-backend"])


@pytest.fixture(autouse=True)
def tryon_backend(request, settings):
    settings.TRYON_BACKEND = getattr(request, "param", "local")
    return settings.TRYON_BACKEND
