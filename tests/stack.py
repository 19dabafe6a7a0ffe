"""A real fitroom deployment in miniature for scale-out and fault tests.

gunicorn web processes and qcluster workers as subprocesses against the test database,
a redis-server of our own that a test may stop and start, and ``SlowFitRoom``: a
FitRoom-compatible server on loopback that takes as long as a test says. Pointing
``TRYON_BACKEND=remote`` at it makes a try-on slow (or hang) for real, without touching
our code, so a test can kill a worker in the middle of one.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
from django.db import connection

from tests import images
from tests.processes import ROOT, collected_static_root, process_env

logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll would drown the logs that matter

TERMINAL = ("COMPLETED", "FAILED")


def scaleout_problem() -> str | None:
    """Why this run cannot test the scale-out configuration (PostgreSQL + Redis), or None."""
    from django.conf import settings

    if connection.vendor != "postgresql":
        return (
            "scale-out tests need PostgreSQL: run them with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/fitroom_ci REDIS_URL=redis://127.0.0.1:6379/0 "
            "(bin/test does); this run uses " + connection.vendor
        )
    if not settings.REDIS_URL:
        return "scale-out tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/0 (bin/test does)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {settings.REDIS_URL} is not reachable: {exc}"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(log_path: Path, port: int, workers: int = 2, **extra_env) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fitroom_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=process_env(STATIC_ROOT=collected_static_root(), **extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log_path)
    return process


def kill_group(process: subprocess.Popen) -> None:
    """A power cut for one process tree: SIGKILL to the whole group, nothing gets to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def worker_pids(log_path: Path) -> list[int]:
    """Pids of the qcluster worker processes, from django-q2's "ready for work at <pid>" lines."""
    return [int(pid) for pid in re.findall(r"ready for work at (\d+)", log_path.read_text(errors="replace"))]


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{tail(log_path)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {timeout}s:\n{tail(log_path)}")


def tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"


def poll_task(base_url: str, headers: dict, task_id: str, timeout: float, interval: float = 0.2):
    """Poll a task through the API until it is finished; return every body seen (the last is final)."""
    seen = []
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
        while time.monotonic() < deadline:
            response = api.get(f"/api/tryon/v2/tasks/{task_id}")
            assert response.status_code == 200, response.text
            seen.append(response.json())
            if seen[-1]["status"] in TERMINAL:
                return seen
            time.sleep(interval)
    return seen


def progress_never_decreased(seen: list[dict]) -> bool:
    values = [body["progress"] for body in seen if "progress" in body]
    return values == sorted(values)


def create_task(base_url: str, headers: dict, **form) -> httpx.Response:
    files = {
        "model_image": ("model.jpg", images.person_photo(), "image/jpeg"),
        "cloth_image": ("cloth.jpg", images.drawn_tee(), "image/jpeg"),
    }
    return httpx.post(
        f"{base_url}/api/tryon/v2/tasks",
        headers=headers,
        files=files,
        data={"cloth_type": "upper", **form},
        timeout=60,
    )


class RedisServer:
    """A redis-server of our own on a free port, which a test may stop and start again."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class SlowFitRoom:
    """A FitRoom-compatible try-on server that takes ``duration`` seconds per task.

    ``hang`` seconds of silence before answering the task creation make a request that
    blocks (as a stuck GPU box would); the result is a real JPEG. It honours Idempotency-Key
    and cancel like fitroom; ``created`` lists every task it made (each one paid for) and
    ``cancelled`` the ones cancelled. ``bad_gateway_creates`` creates are answered 502 after
    the task was made, as a proxy that lost the answer would.
    """

    def __init__(self, duration: float = 5.0, hang: float = 0.0):
        self.duration = duration
        self.hang = hang
        self.tasks: dict[str, float] = {}
        self.created: list[str] = []
        self.cancelled: set[str] = set()
        self.idempotency_keys: dict[str, str] = {}
        self.bad_gateway_creates = 0
        self.result = images.drawn_tee(colour=(30, 90, 200))
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/api/tryon/v2/tasks":
                    time.sleep(server.hang)
                    key = self.headers.get("Idempotency-Key")
                    if key in server.idempotency_keys:
                        return self._json({"task_id": server.idempotency_keys[key], "status": "CREATED"})
                    task_id = uuid.uuid4().hex
                    server.tasks[task_id] = time.monotonic()
                    server.created.append(task_id)
                    if key:
                        server.idempotency_keys[key] = task_id
                    if server.bad_gateway_creates > 0:
                        server.bad_gateway_creates -= 1
                        return self._json({"error": {"code": 502, "message": "Bad Gateway"}}, 502)
                    return self._json({"task_id": task_id, "status": "CREATED"})
                # A task first runs the checks on its photos; this server passes every photo.
                if self.path == "/api/tryon/input_check/v1/model":
                    return self._json({"is_good": True, "good_clothes_types": ["upper", "lower", "full"]})
                if self.path == "/api/tryon/input_check/v1/clothes":
                    return self._json({"clothes_type": "upper", "is_clothes": True})
                if self.path.endswith("/cancel"):
                    task_id = self.path.split("/")[-2]
                    if task_id not in server.tasks:
                        return self._json({"error": {"code": 404, "message": "Not Found"}}, 404)
                    server.cancelled.add(task_id)
                    return self._json({"task_id": task_id, "status": "FAILED", "error": "cancelled"})
                return self._json({"error": {"code": 404, "message": "Not Found"}}, 404)

            def do_GET(self):
                if self.path.startswith("/api/tryon/v2/tasks/"):
                    task_id = self.path.rsplit("/", 1)[1]
                    if task_id not in server.tasks:
                        return self._json({"error": {"code": 404, "message": "Not Found"}}, 404)
                    elapsed = time.monotonic() - server.tasks[task_id]
                    if task_id in server.cancelled:
                        return self._json({"task_id": task_id, "status": "FAILED", "error": "cancelled"})
                    if elapsed < server.duration:
                        progress = max(1, min(99, int(100 * elapsed / server.duration)))
                        return self._json({"task_id": task_id, "status": "PROCESSING", "progress": progress})
                    url = f"http://127.0.0.1:{server.port}/results/{task_id}.jpg"
                    return self._json(
                        {"task_id": task_id, "status": "COMPLETED", "progress": 100, "download_signed_url": url}
                    )
                if self.path.startswith("/results/"):
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(server.result)))
                    self.end_headers()
                    self.wfile.write(server.result)
                    return None
                return self._json({"error": {"code": 404, "message": "Not Found"}}, 404)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SlowFitRoom:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def backend_env(self) -> dict:
        """Environment that makes a qcluster render through this server."""
        return {"TRYON_BACKEND": "remote", "TRYON_REMOTE_URL": self.url, "TRYON_REMOTE_API_KEY": "fr_slow_server"}
