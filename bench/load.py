"""Load test on loopback: many keys creating and polling try-ons at the rate limit while workers run.

    .venv/bin/python bench/load.py --keys 10 --seconds 60
    .venv/bin/python bench/load.py --keys 10 --seconds 60 --scaleout   # PostgreSQL + Redis on 127.0.0.1

It sets up its own database (SQLite in a temp dir, or a fresh PostgreSQL database and a Redis
database with --scaleout), starts gunicorn and a qcluster, and drives them with one thread per key:
each key keeps one try-on going (create, poll about once a second, download the result, repeat)
and now and then runs a model or clothes check, paced just under the key's 60 requests a minute.
After --seconds it stops creating, waits for the open tasks, and checks the books: every task
terminal and run once, failed ones refunded, credits balanced to the credit. The report (stdout
and bench/out/load-*.json) has requests/s, p50/p95/p99 per endpoint, tasks per minute and every
non-429 error. The exit status is 1 if any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402 - the same person photo and drawn tee the tests use

TERMINAL = ("COMPLETED", "FAILED")
CREDITS_PER_KEY = 10_000


# --- the deployment under load ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (children, their children, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's ``field`` from /proc (VmRSS, or VmHWM: its peak), in kB; OSError once it has ended."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@dataclass
class Deployment:
    workdir: Path
    env: dict
    processes: list = field(default_factory=list)
    base_url: str = ""
    drop_database: str = ""

    def run(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            # SIGTERM to the main pid only (django-q2 #346), then SIGKILL to the whole group.
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def wait_until_up(self, web_log: str) -> Deployment:
        """Return once the web process answers /healthz; stop everything if it doesn't within 60 s."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the web process did not come up; see {self.workdir / web_log}")


def deploy(args) -> Deployment:
    workdir = Path(tempfile.mkdtemp(prefix="fitroom-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fitroom_site.settings",
        "FITROOM_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "DEBUG": "false",
        "TRYON_WORKERS": str(args.workers),
        "LOG_LEVEL": "INFO",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    deployment = Deployment(workdir, env)
    if args.scaleout:
        import psycopg
        import redis

        name = f"fitroom_load_{os.getpid()}"
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        deployment.drop_database = name
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}"
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    # The build step of a deploy (README): with DEBUG off, the web process refuses to start without it.
    deployment.run("collectstatic", "--noinput", "-v0")
    deployment.run("migrate", "--noinput")
    deployment.run("createcachetable")
    # This process reads and writes the same database (keys, the books) through Django.
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "REDIS_URL", "FITROOM_VAR_DIR")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "fitroom_site.settings"
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per request

    port = free_port()
    deployment.base_url = f"http://127.0.0.1:{port}"
    deployment.start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "fitroom_site.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(args.web_workers), "--timeout", "60"],
    )
    deployment.start("qcluster", [sys.executable, "manage.py", "qcluster"])
    deployment.start("checker", [sys.executable, "manage.py", "runchecker"])
    return deployment.wait_until_up("gunicorn.log")


def teardown(deployment: Deployment, keep: bool) -> None:
    deployment.stop()
    if deployment.drop_database:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{deployment.drop_database}" WITH (FORCE)')
    if not keep:
        shutil.rmtree(deployment.workdir, ignore_errors=True)


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Sample:
    endpoint: str
    status: int
    seconds: float


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[Sample] = []
        self.errors: list[str] = []

    def add(self, endpoint: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.samples.append(Sample(endpoint, status, seconds))
            if status >= 400 and status != 429:
                self.errors.append(f"{endpoint} {status} {detail[:200]}")


class Shopper(threading.Thread):
    """One API key: one try-on at a time, polled about once a second, checks now and then."""

    def __init__(self, base_url, raw_key, limit, until, drain_until, recorder, check_ratio, seed):
        super().__init__(daemon=True)
        self.api = httpx.Client(base_url=base_url, headers={"X-API-KEY": raw_key}, timeout=60)
        self.interval = 60 / (limit * 0.95)  # just under the limit, so a fixed window never sees more
        self.until, self.drain_until = until, drain_until
        self.recorder = recorder
        self.check_ratio = check_ratio
        self.random = random.Random(seed)
        self.tasks: dict[str, list[str]] = {}  # task id -> statuses seen
        self.current: str | None = None
        self.model, self.cloth = images.person_photo(), images.drawn_tee()

    def request(self, endpoint, method, url, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = self.api.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.recorder.add(endpoint, 599, time.perf_counter() - started, repr(exc))
            return None
        self.recorder.add(endpoint, response.status_code, time.perf_counter() - started, response.text)
        if response.status_code == 429:
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def run(self) -> None:
        next_at = time.monotonic()
        while True:
            now = time.monotonic()
            creating = now < self.until
            if not creating and (self.current is None or now > self.drain_until):
                return
            time.sleep(max(0.0, next_at - now))
            next_at = max(next_at + self.interval, time.monotonic())
            if self.current is None:
                if self.random.random() < self.check_ratio:
                    self.check()
                else:
                    self.create()
            else:
                self.poll()

    def check(self) -> None:
        if self.random.random() < 0.5:
            self.request("check model", "POST", "/api/tryon/input_check/v1/model", files={"input_image": self.model})
        else:
            self.request(
                "check clothes", "POST", "/api/tryon/input_check/v1/clothes", files={"input_image": self.cloth}
            )

    def create(self) -> None:
        files = {"model_image": ("model.jpg", self.model), "cloth_image": ("cloth.jpg", self.cloth)}
        response = self.request("create task", "POST", "/api/tryon/v2/tasks", files=files, data={"cloth_type": "upper"})
        if response is not None and response.status_code == 200:
            self.current = response.json()["task_id"]
            self.tasks[self.current] = ["CREATED"]

    def poll(self) -> None:
        response = self.request("get task", "GET", f"/api/tryon/v2/tasks/{self.current}")
        if response is None or response.status_code != 200:
            return
        body = response.json()
        self.tasks[self.current].append(body["status"])
        if body["status"] == "COMPLETED":
            started = time.perf_counter()
            result = httpx.get(body["download_signed_url"], timeout=60)
            self.recorder.add("download result", result.status_code, time.perf_counter() - started, result.text[:80])
        if body["status"] in TERMINAL:
            self.current = None


# --- the books ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def audit(shoppers, keys, deployment) -> tuple[dict, list[str]]:
    from django.conf import settings

    from tryon.models import TryOnTask

    problems = []
    log = (deployment.workdir / "qcluster.log").read_text(errors="replace")
    runs = Counter(re.findall(r"processing tryon-([0-9a-f]{32})", log))
    counts = Counter()
    for shopper, key in zip(shoppers, keys, strict=True):
        key.refresh_from_db()
        tasks = {task.public_id: task for task in TryOnTask.objects.filter(api_key=key)}
        if set(tasks) != set(shopper.tasks):
            problems.append(f"{key.name}: the database and the client disagree about which tasks exist")
        completed = 0
        for public_id, task in tasks.items():
            counts[task.status] += 1
            seen = shopper.tasks.get(public_id, [])
            if task.status not in TERMINAL:
                problems.append(f"task {public_id} ended the run {task.status}")
                continue
            if seen and seen[-1] != task.status:
                problems.append(f"task {public_id}: the client last saw {seen[-1]}, the database says {task.status}")
            if runs[public_id] != 1 or task.attempts != 1:
                problems.append(f"task {public_id} ran {runs[public_id]} times ({task.attempts} attempts)")
            if task.refunded != (task.status == "FAILED"):
                problems.append(f"task {public_id} is {task.status} with refunded={task.refunded}")
            completed += task.status == "COMPLETED"
        spent = CREDITS_PER_KEY - key.credits
        if spent != completed * settings.TRYON_TASK_CREDITS:
            problems.append(f"{key.name}: {spent} credits spent for {completed} completed try-ons")
    return dict(counts), problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=10, help="API keys, one client thread each")
    parser.add_argument("--seconds", type=float, default=60, help="how long tasks are created")
    parser.add_argument("--drain", type=float, default=180, help="seconds to wait for open tasks afterwards")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--workers", type=int, default=2, help="qcluster workers")
    parser.add_argument("--check-ratio", type=float, default=0.1, help="share of idle turns spent on a check")
    parser.add_argument("--scaleout", action="store_true", help="PostgreSQL + Redis on 127.0.0.1")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir with the logs")
    args = parser.parse_args()

    deployment = deploy(args)
    try:
        from django.conf import settings

        from tryon.keys import create_api_key

        created = [create_api_key(f"load-{n}", CREDITS_PER_KEY) for n in range(args.keys)]
        keys = [key for key, _ in created]
        recorder = Recorder()
        started = time.monotonic()
        until, drain_until = started + args.seconds, started + args.seconds + args.drain
        shoppers = [
            Shopper(
                deployment.base_url,
                raw,
                settings.TRYON_RATE_LIMIT_PER_MINUTE,
                until,
                drain_until,
                recorder,
                args.check_ratio,
                seed=n,
            )
            for n, (_, raw) in enumerate(created)
        ]
        for shopper in shoppers:
            shopper.start()
        for shopper in shoppers:
            shopper.join()
        elapsed = time.monotonic() - started
        statuses, problems = audit(shoppers, keys, deployment)
    finally:
        teardown(deployment, args.keep)

    by_endpoint = defaultdict(list)
    for sample in recorder.samples:
        by_endpoint[sample.endpoint].append(sample)
    endpoints = {}
    for endpoint, samples in sorted(by_endpoint.items()):
        latencies = [s.seconds * 1000 for s in samples]
        endpoints[endpoint] = {
            "requests": len(samples),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "statuses": dict(Counter(s.status for s in samples)),
        }
    api_requests = sum(1 for s in recorder.samples if s.endpoint != "download result")
    too_many = sum(1 for s in recorder.samples if s.status == 429)
    finished = statuses.get("COMPLETED", 0) + statuses.get("FAILED", 0)
    if recorder.errors:
        problems.append(f"{len(recorder.errors)} non-429 errors, e.g. {recorder.errors[:3]}")
    report = {
        "configuration": "PostgreSQL + Redis" if args.scaleout else "SQLite + ORM broker",
        "keys": args.keys,
        "web_workers": args.web_workers,
        "queue_workers": args.workers,
        "seconds_creating": args.seconds,
        "seconds_total": round(elapsed, 1),
        "api_requests": api_requests,
        "requests_per_second": round(api_requests / elapsed, 2),
        "endpoints": endpoints,
        "tasks": statuses,
        "tasks_per_minute": round(finished / elapsed * 60, 1),
        "responses_429": too_many,
        "errors_non_429": len(recorder.errors),
        "problems": problems,
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))

    print(
        f"\nfitroom load test: {report['configuration']}, {args.keys} keys, {args.web_workers} web workers, "
        f"{args.workers} queue workers, {args.seconds:.0f} s creating ({elapsed:.0f} s in all)"
    )
    print(
        f"{api_requests} API requests, {report['requests_per_second']} requests/s, "
        f"{too_many} answered 429, {len(recorder.errors)} other errors"
    )
    print(f"{'endpoint':<16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for endpoint, row in endpoints.items():
        print(
            f"{endpoint:<16} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}  "
            f"{row['statuses']}"
        )
    print(f"tasks: {statuses}, {report['tasks_per_minute']} finished per minute")
    print(
        "books: "
        + (
            "every task terminal and run once, failed ones refunded, credits balanced"
            if not problems
            else "PROBLEMS\n  " + "\n  ".join(problems)
        )
    )
    print(f"report: {path.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
