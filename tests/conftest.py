"""The cast: API keys for alice, bob (another tenant) and broke (no credits), clients and images."""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are
# in another thread, so this only silences Django's check for the test thread itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ENGINE_TESTS = Path(__file__).parent / "engine"


@dataclass
class KeyHolder:
    key: object  # tryon.models.ApiKey
    raw: str

    @property
    def headers(self) -> dict:
        return {"X-API-KEY": self.raw}

    def refresh(self):
        self.key.refresh_from_db()
        return self.key


@pytest.fixture(scope="session", autouse=True)
def _no_stray_postgres_sessions(request):
    """At the end, cut off any session still on the PostgreSQL test database, so it can be dropped.

    A stopped gunicorn or qcluster may still be closing its connection when the run ends; without
    this, pytest-django warns that the test database "is being accessed by other users" and leaves
    it behind. Set up after the test database, so torn down before it is dropped.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def check_process(tmp_path_factory):
    """One ``manage.py runchecker`` for the whole run: the test client's photo checks go to it, as a web
    process's do. Its socket is the path to point TRYON_CHECKER_SOCKET at."""
    from tests.processes import start_checker, stop

    directory = tmp_path_factory.mktemp("checker")
    socket_path = directory / "checker.sock"
    process = start_checker(directory / "checker.log", socket_path)
    deadline = time.monotonic() + 60
    while not socket_path.exists():  # listening; checks sent while it builds the models wait their turn
        assert process.poll() is None and time.monotonic() < deadline, (directory / "checker.log").read_text()
        time.sleep(0.05)
    yield socket_path
    stop(process)


@pytest.fixture(autouse=True)
def _test_settings(request, tmp_path):
    """Plain static storage (no collectstatic needed), media in a temp dir, queue in-process, checks
    in the run's check process.

    The engine's tests need none of it and also run without Django (``pytest tests/engine -p no:django``).
    """
    if request.path.is_relative_to(ENGINE_TESTS):
        yield
        return
    from django_q.conf import Conf

    settings = request.getfixturevalue("settings")
    settings.TRYON_CHECKER_SOCKET = str(request.getfixturevalue("check_process"))
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    if settings.TRYON_RATE_LIMIT_FILE:
        # SQLite's rate-limit counts are a file beside the database, which a test's rollback does not
        # undo: each test counts afresh, as each did when they were rows of the database.
        settings.TRYON_RATE_LIMIT_FILE = str(tmp_path / "ratelimit.sqlite3")
    # Every test client is 127.0.0.1, and the Redis counters outlive a test: the wrong-key tests of a
    # whole run would add up. Tests of that throttle set their own limit and address.
    settings.TRYON_AUTH_FAILURES_PER_MINUTE = 10_000
    original_sync = Conf.SYNC
    Conf.SYNC = True  # django-q2 runs each task inside on_commit; tests marked "cluster" start real workers
    yield
    Conf.SYNC = original_sync


@pytest.fixture
def fresh_window(settings):
    """Rate limits count in fixed windows: a test that fills one starts with time to spare, not in the
    last seconds of a window, whose end would count its last requests afresh."""
    left = settings.TRYON_RATE_LIMIT_WINDOW - time.time() % settings.TRYON_RATE_LIMIT_WINDOW
    if left < 10:
        time.sleep(left)


@pytest.fixture
def make_key(db):
    from tryon.keys import create_api_key

    def make(name="alice", credits=10, rate_limit=None):
        api_key, raw = create_api_key(name, credits)
        if rate_limit is not None:
            api_key.rate_limit_per_minute = rate_limit
            api_key.save()
        return KeyHolder(api_key, raw)

    return make


@pytest.fixture
def alice(make_key):
    return make_key("alice", credits=10)


@pytest.fixture
def bob(make_key):
    return make_key("bob", credits=10)


@pytest.fixture
def broke(make_key):
    return make_key("broke", credits=0)


@pytest.fixture
def staff_client(client, django_user_model):
    staff = django_user_model.objects.create_user("stella", password="pw-stella-123", is_staff=True)
    client.force_login(staff)
    return client


@pytest.fixture
def qcluster(transactional_db, tmp_path):
    """A real ``manage.py qcluster`` on the test database: tasks go through the broker to it, not in-process."""
    from django_q.conf import Conf

    from tests.processes import close_subprocess_connections, start_qcluster, stop

    Conf.SYNC = False  # the autouse settings fixture restores it
    process = start_qcluster(tmp_path / "qcluster.log", TRYON_WORKERS=1)
    yield process
    stop(process)
    close_subprocess_connections()
