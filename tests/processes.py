"""Real fitroom processes for tests: qcluster workers against the test database."""

import atexit
import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# Every subprocess connects to PostgreSQL under this name, so a test can cut exactly
# its own processes off (pg_terminate_backend) and teardown can close what they left.
APP_NAME = f"fitroom-test-{os.getpid()}"


def process_env(**extra) -> dict:
    """Environment that points a subprocess at the database and media the test process uses."""
    env = {
        **os.environ,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "fitroom_site.settings",
        "PGAPPNAME": APP_NAME,
        "DEBUG": "false",
        # The test lanes render in-process beside these clusters: a worker in the idle class would wait
        # for them (test_worker_priority.py checks the class itself).
        "TRYON_WORKER_IDLE": "false",
        # The run's one check process (tests/conftest.py), or the socket a test pointed elsewhere.
        "TRYON_CHECKER_SOCKET": str(settings.TRYON_CHECKER_SOCKET),
        # The test's throttle on wrong keys (tests/conftest.py lifts it): every client is 127.0.0.1,
        # and with Redis the failures counted by the tests before, in the same minute, came through
        # to a server started with the default 20 and refused the first right key with a 429.
        "TRYON_AUTH_FAILURES_PER_MINUTE": str(settings.TRYON_AUTH_FAILURES_PER_MINUTE),
    }
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
        env["TRYON_RATE_LIMIT_FILE"] = str(settings.TRYON_RATE_LIMIT_FILE)  # the test's own counts
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update({key: str(value) for key, value in extra.items()})
    return env


@functools.cache
def collected_static_root() -> str:
    """A STATIC_ROOT filled by ``collectstatic`` once per test run: web processes refuse to start without one."""
    root = tempfile.mkdtemp(prefix="fitroom-static-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fitroom_site.settings", "STATIC_ROOT": root}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return root


def start_qcluster(log_path: Path, **extra_env) -> subprocess.Popen:
    """Start ``manage.py qcluster`` in its own session so the whole process group can be killed."""
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=process_env(**extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_checker(log_path: Path, socket_path: Path) -> subprocess.Popen:
    """Start ``manage.py runchecker`` answering on ``socket_path``, in its own session."""
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, "manage.py", "runchecker"],
        cwd=ROOT,
        env=process_env(TRYON_CHECKER_SOCKET=socket_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def close_subprocess_connections() -> None:
    """Close PostgreSQL sessions our stopped or killed subprocesses left behind, so the test database can be dropped."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM the main pid only (django-q2 #346 hangs on a group SIGTERM), then SIGKILL the group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)
