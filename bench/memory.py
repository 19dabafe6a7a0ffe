"""Web-process memory with six large PNG uploads in flight (issue 16, item 13). A benchmark, not a test.

    .venv/bin/python bench/memory.py                 # six 6000x6000 PNGs at once, target < 400 MB
    .venv/bin/python bench/memory.py --uploads 12 --side 7000

It migrates a SQLite database in a temp dir, starts one gunicorn worker with as many threads as
uploads (so they really are in flight together in one process), creates a key, then posts the
uploads to /api/tryon/v2/tasks at once while sampling the worker's resident memory from /proc.
No qcluster runs: the tasks stay queued, so what is measured is what the web process itself does
(decode, shrink, re-encode, charge). It prints the worker's RSS before, its peak (VmHWM) and the
request latencies, and exits 1 when the peak is over --target-mb.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402 - the drawn tee the tests use


def large_png(side: int) -> bytes:
    """A flat-coloured RGB PNG that compresses to about 100 kB but decodes to side*side*3 bytes."""
    image = Image.new("RGB", (side, side), (225, 228, 232))
    draw = ImageDraw.Draw(image)
    draw.ellipse((side * 0.35, side * 0.05, side * 0.65, side * 0.3), fill=(200, 160, 140))
    draw.rectangle((side * 0.3, side * 0.3, side * 0.7, side * 0.95), fill=(40, 60, 120))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def worker_pid(master: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=6)
    parser.add_argument("--side", type=int, default=6000)
    parser.add_argument("--target-mb", type=float, default=400)
    parser.add_argument(
        "--with-engine", action="store_true", help="run a check first, so the engine (mediapipe) is loaded too"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fitroom-memory-"))
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TRYON_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fitroom_site.settings",
        FITROOM_VAR_DIR=str(workdir),
        STATIC_ROOT=str(workdir / "static"),
        DEBUG="false",
        TRYON_RATE_LIMIT_PER_MINUTE="1000",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True)
        key = subprocess.run(
            manage + ["createapikey", "bench", "--credits", str(args.uploads + 1)],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fitroom_site.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", str(args.uploads), "--timeout", "300"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not come up")
            time.sleep(0.2)
        pid = worker_pid(server.pid)
        tee = images.drawn_tee()
        # Warm up (imports, the first request's allocations) with a small task, or a check (loads the engine).
        if args.with_engine:
            warm = httpx.post(
                f"{url}/api/tryon/input_check/v1/clothes", headers={"X-API-KEY": key},
                files={"input_image": ("tee.jpg", images.drawn_tee())}, timeout=120,
            )  # fmt: skip
        else:
            warm = httpx.post(
                f"{url}/api/tryon/v2/tasks", headers={"X-API-KEY": key},
                files={"model_image": ("model.jpg", images.person_photo()), "cloth_image": ("tee.jpg", tee)},
                data={"cloth_type": "upper"}, timeout=120,
            )  # fmt: skip
        assert warm.status_code == 200, warm.text
        before = rss_kb(pid)

        png = large_png(args.side)
        print(f"upload: {args.side}x{args.side} PNG, {len(png) / 1024:.0f} kB, x{args.uploads} at once")
        results: list[tuple[int, float]] = []
        peak_sampled = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak_sampled[0] = max(peak_sampled[0], rss_kb(pid))
                time.sleep(0.02)

        def post():
            start = time.monotonic()
            response = httpx.post(
                f"{url}/api/tryon/v2/tasks", headers={"X-API-KEY": key},
                files={"model_image": ("model.png", png), "cloth_image": ("tee.jpg", tee)},
                data={"cloth_type": "upper"}, timeout=300,
            )  # fmt: skip
            results.append((response.status_code, time.monotonic() - start))

        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=post) for _ in range(args.uploads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        sampler.join()
        peak = max(rss_kb(pid, "VmHWM"), peak_sampled[0])
        latencies = sorted(seconds for _, seconds in results)
        print(f"statuses: {sorted(status for status, _ in results)}")
        print(f"latency: min {latencies[0]:.2f} s, max {latencies[-1]:.2f} s")
        print(f"web worker RSS: {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB", end=" ")
        print(f"(target < {args.target_mb:.0f})")
        ok = peak / 1024 < args.target_mb and all(status == 200 for status, _ in results)
        print("OK" if ok else "OVER TARGET OR FAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
