"""Clients pointed at the live server, and a second fitroom instance in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.processes import collected_static_root
from tryon.client import FitRoomClient

BASE_DIR = Path(__file__).resolve().parents[2]


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that remembers every response's status and headers, to count retries."""

    def __init__(self):
        super().__init__()
        self.responses: list[httpx.Response] = []

    def handle_request(self, request):
        response = super().handle_request(request)
        self.responses.append(response)
        return response

    @property
    def statuses(self) -> list[int]:
        return [response.status_code for response in self.responses]


@pytest.fixture
def connect(live_server):
    """``connect(key_holder_or_raw_key, **client_options)`` -> a FitRoomClient on the live server.

    The client's transport is on ``client.recorded``.
    """
    clients = []

    def make(key, url=None, **options):
        transport = RecordingTransport()
        client = FitRoomClient(url or live_server.url, getattr(key, "raw", key), transport=transport, **options)
        client.recorded = transport
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@dataclass
class Instance:
    url: str
    env: dict
    process: subprocess.Popen

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def make_key(self, credits: int) -> str:
        return self.manage("createapikey", "shop", "--credits", str(credits)).split()[-1]  # the key is printed last


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_instance(var_dir: Path, check_process: Path, **settings_env: str) -> Instance:
    """Migrate a fresh SQLite database in ``var_dir`` and serve it with runserver on a free port.

    Its web side sends photo checks to ``check_process``, the run's one check process: a check
    process answers any instance on its machine, it keeps no data of its own."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TRYON_", "DATABASE_URL", "REDIS_URL", "PYTEST", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fitroom_site.settings",
        FITROOM_VAR_DIR=str(var_dir),
        TRYON_BACKEND="local",
        STATIC_ROOT=collected_static_root(),
        TRYON_CHECKER_SOCKET=str(check_process),
        **settings_env,
    )
    port = _free_port()
    instance = Instance(f"http://127.0.0.1:{port}", env, None)
    instance.manage("migrate", "--noinput")
    log = open(var_dir / "server.log", "wb")  # noqa: SIM115 - closed with the process
    instance.process = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{instance.url}/api/tryon/v2/tasks/ping", timeout=2)
            return instance
        except httpx.TransportError:
            if instance.process.poll() is not None or time.monotonic() > deadline:
                instance.process.kill()
                raise RuntimeError(f"second instance did not start:\n{(var_dir / 'server.log').read_text()}") from None
            time.sleep(0.2)


def stop_instance(instance: Instance) -> None:
    instance.process.terminate()
    try:
        instance.process.wait(10)
    except subprocess.TimeoutExpired:
        instance.process.kill()
        instance.process.wait()


@pytest.fixture(scope="module")
def second_instance(tmp_path_factory, check_process):
    """Another fitroom in its own process and database, running the local engine; tasks run in the request."""
    instance = start_instance(tmp_path_factory.mktemp("second"), check_process, TRYON_QUEUE_SYNC="true")
    yield instance
    stop_instance(instance)


@pytest.fixture(scope="module")
def stalled_instance(tmp_path_factory, check_process):
    """A fitroom whose queue has no worker and no patience: every task FAILS as stale on its first poll."""
    instance = start_instance(
        tmp_path_factory.mktemp("stalled"), check_process, TRYON_QUEUE_SYNC="false", TRYON_QUEUE_TIMEOUT="0"
    )
    yield instance
    stop_instance(instance)


@pytest.fixture(scope="module")
def picky_instance(tmp_path_factory, check_process):
    """A fitroom that refuses any upload over 20 kB: it answers our re-encoded photos with a 400."""
    instance = start_instance(
        tmp_path_factory.mktemp("picky"), check_process, TRYON_QUEUE_SYNC="true", TRYON_MAX_UPLOAD_BYTES="20000"
    )
    yield instance
    stop_instance(instance)
