"""Web-process memory with six large PNG uploads in flight (issue 16, item 13), and queue-worker
memory over hundreds of try-ons (issue 15). A benchmark, not a test.

    .venv/bin/python bench/memory.py                 # six 6000x6000 PNGs at once, target < 400 MB
    .venv/bin/python bench/memory.py --uploads 12 --side 7000
    .venv/bin/python bench/memory.py --tryons 500    # the queue worker: target <= 600 MB, no growth

With --tryons, see worker_soak() below: the web process is not measured.

It migrates a SQLite database in a temp dir, starts one gunicorn worker with as many threads as
uploads (so they really are in flight together in one process), creates a key, then posts the
uploads to /api/tryon/v2/tasks at once while sampling the worker's resident memory from /proc.
No qcluster runs: the tasks stay queued, so what is measured is what the web process itself does
(decode, shrink, re-encode, charge). It prints the worker's RSS before, its peak (VmHWM) and the
request latencies, and exits 1 when the peak is over --target-mb.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import load  # noqa: E402 - bench/load.py: free ports, process trees, RSS from /proc

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


def app_env(workdir: Path, **settings: str) -> dict[str, str]:
    """The environment the app runs in here: this one without the project's own settings (a
    developer's TRYON_*, DATABASE_URL, REDIS_URL), on SQLite in ``workdir``, plus ``settings``."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TRYON_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="fitroom_site.settings", FITROOM_VAR_DIR=str(workdir), DEBUG="false", **settings)
    return env


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
    parser.add_argument(
        "--target-mb", type=float, help="peak RSS allowed: 400 for the web process, 600 for a queue worker (--tryons)"
    )
    parser.add_argument(
        "--with-engine", action="store_true", help="run a check first, so the engine (mediapipe) is loaded too"
    )
    parser.add_argument("--tryons", type=int, default=0, help="measure the queue worker over this many try-ons instead")
    parser.add_argument("--in-flight", type=int, default=4, help="with --tryons: tasks kept queued or running")
    parser.add_argument("--growth-mb", type=float, default=10, help="with --tryons: allowed growth after warm-up")
    args = parser.parse_args()
    if args.tryons:
        return worker_soak(args)
    if args.target_mb is None:
        args.target_mb = 400

    workdir = Path(tempfile.mkdtemp(prefix="fitroom-memory-"))
    env = app_env(workdir, STATIC_ROOT=str(workdir / "static"), TRYON_RATE_LIMIT_PER_MINUTE="1000")
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True)
        # The key is the last token the command prints (its webhook secret comes first).
        key = subprocess.run(
            manage + ["createapikey", "bench", "--credits", str(args.uploads + 1)],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]  # fmt: skip
        port = load.free_port()
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
        before = load.rss_kb(pid)

        png = large_png(args.side)
        print(f"upload: {args.side}x{args.side} PNG, {len(png) / 1024:.0f} kB, x{args.uploads} at once")
        results: list[tuple[int, float]] = []
        peak_sampled = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak_sampled[0] = max(peak_sampled[0], load.rss_kb(pid))
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
        peak = max(load.rss_kb(pid, "VmHWM"), peak_sampled[0])
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


# --- the queue worker over many try-ons -----------------------------------------------------------

# The photos the soak cycles through: (person fixture, its size, garments, cloth_type, hd_mode). Sizes from
# bench/speed.py's 768x1024 up to the 2048 px long side the web shrinks every upload to, every cloth type and
# hd, so the worker sees a mix of array sizes, as a shop's traffic would (one steady size hides fragmentation).
SOAK_MIX = [
    ("person_business_upper.jpg", (768, 1024), ("tee",), "upper", False),
    ("person_business_upper.jpg", (1536, 2048), ("tee",), "upper", False),
    ("person_man_fullbody_trousers.jpg", (1238, 1536), ("trousers",), "lower", False),
    ("person_woman_fullbody_leggings.jpg", (1650, 2048), ("dress",), "full_set", False),
    ("person_man_fullbody_tank.jpg", (1650, 2048), ("tee", "trousers"), "combo", False),
    ("person_man_upper_tee.jpg", (1152, 1728), ("tee",), "upper", True),
]


def soak_photos() -> list[dict]:
    from tests.engine import drawing

    garments = {"tee": drawing.tee, "trousers": drawing.trousers, "dress": drawing.dress}
    photos = []
    for name, size, cloths, cloth_type, hd in SOAK_MIX:
        person = Image.open(images.FIXTURES / name).convert("RGB").resize(size, Image.Resampling.BICUBIC)
        side = max(size) * 3 // 4
        made = [garments[cloth](size=(side * 3 // 4, side)) for cloth in cloths]
        photos.append(
            {
                "model_image": person,
                "cloth_image": made[0],
                "lower_cloth_image": made[1] if len(made) > 1 else None,
                "cloth_type": cloth_type,
                "hd_mode": hd,
            }
        )
    return photos


def proc_rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        return load.rss_kb(pid, field)
    except OSError:  # ended
        return 0


def worker_soak(args) -> int:
    """Run the Procfile's worker line (one qcluster, as `bin/run` and a deploy start it) and feed it try-ons.

    Tasks are created in this process with the same service the API calls (on a SQLite database in a
    temp dir), keeping --in-flight of them queued or running so every queue worker stays busy. A
    sampler reads each cluster process's RSS from /proc every 50 ms. Per queue worker and per tenth
    of the try-ons it prints the floor (the least RSS sampled: what the worker holds between two
    try-ons, where a leak or fragmentation shows) and the most (a render's working set on top of
    it); then the peak (VmHWM, which the sampler cannot miss), the plateau (the floor over the
    second half) and the growth (the floor of the last tenth against the second's, the first being
    warm-up). Exits 1 when a worker's peak is over --target-mb (600 here unless given) or its floor
    grew more than --growth-mb.
    """
    target_mb = 600 if args.target_mb is None else args.target_mb
    workdir = Path(tempfile.mkdtemp(prefix="fitroom-worker-memory-"))
    env = app_env(
        workdir,
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="INFO",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    for key in [key for key in os.environ if key.startswith(("TRYON_", "DATABASE_URL", "REDIS_URL"))]:
        del os.environ[key]
    os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "FITROOM_VAR_DIR", "MEDIA_ROOT")})
    import django

    django.setup()
    logging.getLogger("django-q").setLevel(logging.WARNING)  # this process only enqueues
    from tryon import services
    from tryon.keys import create_api_key
    from tryon.models import TryOnTask

    photos = soak_photos()
    key, _ = create_api_key("memory-soak", args.tryons * 10)
    owner = services.Owner(api_key=key)
    log_path = workdir / "worker.log"
    cluster = subprocess.Popen(
        ["sh", "-c", "exec " + procfile["worker"].strip()],
        cwd=ROOT, env=env, stdout=log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    samples: dict[int, list[tuple[float, int]]] = {}  # pid -> (monotonic time, RSS kB), every 50 ms
    lock = threading.Lock()
    done = threading.Event()

    def sample():
        while not done.is_set():
            now = time.monotonic()
            for pid in [cluster.pid, *load.descendants(cluster.pid)]:
                rss = proc_rss_kb(pid)
                if rss:
                    with lock:
                        samples.setdefault(pid, []).append((now, rss))
            time.sleep(0.05)

    def worker_pids() -> list[int]:
        return [int(pid) for pid in re.findall(r"ready for work at (\d+)", log_path.read_text(errors="replace"))]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        deadline = time.monotonic() + 120
        while len(worker_pids()) < settings_workers() or not ready(log_path):
            if time.monotonic() > deadline or cluster.poll() is not None:
                raise SystemExit(f"the queue cluster did not come up; see {log_path}")
            time.sleep(0.2)
        time.sleep(0.5)
        started = time.monotonic()
        loaded = {pid: proc_rss_kb(pid) for pid in worker_pids()}
        open_ids: list[str] = []
        created = finished = failed = 0
        boundaries = [started]  # when each tenth of the try-ons had finished
        while finished < args.tryons:
            while created < args.tryons and len(open_ids) < args.in_flight:
                task = services.create_task(owner, **photos[created % len(photos)])
                open_ids.append(task.public_id)
                created += 1
            time.sleep(0.1)
            ended = TryOnTask.objects.filter(
                public_id__in=open_ids, status__in=(TryOnTask.Status.COMPLETED, TryOnTask.Status.FAILED)
            ).values_list("public_id", "status")
            for public_id, status in ended:
                open_ids.remove(public_id)
                finished += 1
                failed += status == TryOnTask.Status.FAILED
                if finished >= args.tryons * len(boundaries) / 10:
                    boundaries.append(time.monotonic())
        elapsed = time.monotonic() - started
        pids = worker_pids()
        peaks = {pid: proc_rss_kb(pid, "VmHWM") for pid in pids}
        others = {pid: (process_title(pid), max(rss for _, rss in values)) for pid, values in samples.items()}
    finally:
        done.set()
        sampler.join()
        if cluster.poll() is None:
            cluster.send_signal(signal.SIGTERM)  # the main pid only (django-q2 #346), then the group
            with contextlib.suppress(subprocess.TimeoutExpired):
                cluster.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()

    mix = ", ".join(f"{kind}{' hd' if hd else ''} {w}x{h}" for _, (w, h), _, kind, hd in SOAK_MIX)
    print(f"{args.tryons} try-ons ({failed} failed) in {elapsed:.0f} s through `{procfile['worker'].strip()}`,")
    print(f"{args.in_flight} in flight, cycling {mix}")
    if len(pids) != settings_workers():
        print(f"note: {len(pids) - settings_workers()} queue worker(s) replaced during the run (recycled or died)")
    print("queue worker RSS, MB: after start; then floor-most in each tenth of the try-ons")
    ok = failed < args.tryons
    for pid in pids:
        tenths = [
            [rss / 1024 for t, rss in samples.get(pid, []) if begin <= t < end]
            for begin, end in zip(boundaries, boundaries[1:], strict=False)
        ]
        tenths = [values for values in tenths if values]
        if not tenths:
            continue
        floors = [min(values) for values in tenths]
        peak = peaks.get(pid, 0) / 1024
        growth = floors[-1] - floors[min(1, len(floors) - 1)]
        plateau = statistics.median_high(floors[len(floors) // 2 :])
        print(
            f"  worker {pid}: {loaded.get(pid, 0) / 1024:.0f}; "
            + " / ".join(f"{min(values):.0f}-{max(values):.0f}" for values in tenths)
        )
        print(f"    peak {peak:.0f} MB, plateau {plateau:.0f} MB, growth {growth:+.0f} MB")
        ok = ok and 0 < peak <= target_mb and growth <= args.growth_mb
    for pid, (title, rss) in sorted(others.items()):
        if pid not in pids and rss > 10 * 1024:  # not the short-lived helpers (sh, a resource tracker)
            print(f"  other cluster process {pid} ({title}): max {rss / 1024:.0f} MB")
    verdict = "OK" if ok else "OVER TARGET OR FAILED"
    print(f"target: peak <= {target_mb:.0f} MB, growth <= {args.growth_mb:.0f} MB: {verdict}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


def settings_workers() -> int:
    from django.conf import settings

    return settings.Q_CLUSTER["workers"]


def ready(log_path: Path) -> bool:
    """Each worker logs "renders ..." once it has built the engine's models (tryon/worker.py)."""
    return log_path.read_text(errors="replace").count(" renders ") >= settings_workers()


def process_title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()[:60]
    except OSError:
        return "ended"


if __name__ == "__main__":
    sys.exit(main())
