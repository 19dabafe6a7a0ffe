"""Latency of the local engine: the two checks and the try-on renders.

    .venv/bin/python bench/engine.py                      # licence-clean fixtures + drawn garments
    .venv/bin/python bench/engine.py --samples /work/shared/samples
    .venv/bin/python bench/engine.py --images DIR         # DIR/models/* and DIR/garments/{upper,lower,full}_*

Prints p50/p95 per call for check_model_image, check_clothes_image and
render_tryon (normal, HD on the model photo doubled in size, combo), first in
this process and then spread over
two worker processes (spawned, each with its own mediapipe graphs, the way
queue workers run), plus throughput, peak RSS and each p50 against its target.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from tryon.engine.images import encode_image, load_image  # noqa: E402

# p50 targets in seconds (the engine's budget on a 2-core CPU).
TARGETS = {"check_model_image": 0.120, "render normal": 1.5, "render hd": 6.0, "render combo": 1.5}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def default_set() -> tuple[list[bytes], list[bytes], dict[str, list[bytes]]]:
    """Model-check photos, try-on models and garments by type, all licence-clean."""
    from tests.engine import drawing

    fixtures = REPO / "tests" / "fixtures"
    checks = [p.read_bytes() for p in _images_in(fixtures)]
    models = [(fixtures / "person_business_upper.jpg").read_bytes()]
    garments = {
        "upper": [encode_image(drawing.tee()), encode_image(drawing.tee(colour=(30, 90, 200)))],
        "lower": [encode_image(drawing.trousers())],
        "full": [encode_image(drawing.dress())],
    }
    return checks, models, garments


def folder_set(root: Path) -> tuple[list[bytes], list[bytes], dict[str, list[bytes]]]:
    """The dev-set layout: root/models/*, root/garments/<type>_*.

    Every model photo is model-checked; those not named ``neg_*`` are tried on.
    """
    models_dir, garments_dir = root / "models", root / "garments"
    checks = [p.read_bytes() for p in _images_in(models_dir)]
    models = [p.read_bytes() for p in _images_in(models_dir) if not p.name.startswith("neg_")]
    garments: dict[str, list[bytes]] = {"upper": [], "lower": [], "full": []}
    for path in _images_in(garments_dir):
        kind = path.name.split("_", 1)[0]
        if kind in garments:
            garments[kind].append(path.read_bytes())
    return checks, models, garments


def build_jobs(checks, models, garments, runs: int) -> list[tuple]:
    """(name, args) jobs: each check once per image, each render kind ``runs`` times over the pairs."""
    jobs = [("check_model_image", (data,)) for data in checks]
    clothes = [data for kind in ("upper", "lower", "full") for data in garments[kind]]
    jobs += [("check_clothes_image", (data,)) for data in clothes]
    uppers = garments["upper"] or clothes
    lowers = garments["lower"] or clothes
    for i in range(runs):
        model = models[i % len(models)]
        kind = ("upper", "lower", "full")[i % 3]
        pool = garments[kind] or clothes
        jobs.append(("render normal", (model, pool[i % len(pool)], kind, None, False)))
        jobs.append(("render combo", (model, uppers[i % len(uppers)], "combo", lowers[i % len(lowers)], False)))
    # HD only differs from normal above 1024 px, and the photos here are smaller:
    # the HD jobs use the model photo at twice its size (so the result is 2048 px).
    for i in range(max(2, runs // 3)):
        model = _doubled(models[i % len(models)])
        jobs.append(("render hd", (model, uppers[i % len(uppers)], "upper", None, True)))
    return jobs


def _doubled(data: bytes) -> bytes:
    image = load_image(data)
    return encode_image(image.resize((image.width * 2, image.height * 2), Image.Resampling.BICUBIC))


def run_job(job: tuple) -> tuple[str, float]:
    """Decode the inputs (not timed), run one engine call, return (name, seconds)."""
    from tryon.engine.garment import check_clothes_image
    from tryon.engine.person import check_model_image
    from tryon.engine.render import render_tryon

    name, args = job
    if name == "check_model_image":
        image = load_image(args[0])
        start = time.perf_counter()
        check_model_image(image)
    elif name == "check_clothes_image":
        image = load_image(args[0])
        start = time.perf_counter()
        check_clothes_image(image)
    else:
        model, cloth, kind, lower, hd = args
        model_image, cloth_image = load_image(model), load_image(cloth)
        lower_image = load_image(lower) if lower is not None else None
        start = time.perf_counter()
        render_tryon(model_image, cloth_image, kind, lower_cloth_image=lower_image, hd=hd)
    return name, time.perf_counter() - start


def warm_up(_: int = 0) -> None:
    """Load the models and run each path once, so timings are of warm calls."""
    from tests.engine import drawing

    person = load_image((REPO / "tests" / "fixtures" / "person_business_upper.jpg").read_bytes())
    from tryon.engine.garment import check_clothes_image
    from tryon.engine.person import check_model_image
    from tryon.engine.render import render_tryon

    check_model_image(person)
    check_clothes_image(drawing.tee())
    render_tryon(person, drawing.tee(), "combo", lower_cloth_image=drawing.trousers())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(title: str, results: list[tuple[str, float]], wall: float) -> None:
    print(f"\n{title}  ({len(results)} calls in {wall:.1f} s, {len(results) / wall:.2f} calls/s)")
    print(f"  {'call':22s} {'n':>4s} {'p50 ms':>9s} {'p95 ms':>9s} {'mean ms':>9s}   target")
    names = list(dict.fromkeys(name for name, _ in results))
    for name in names:
        times = [t for n, t in results if n == name]
        p50, p95 = percentile(times, 50), percentile(times, 95)
        target = TARGETS.get(name)
        verdict = ""
        if target:
            ratio = p50 / target
            verdict = f"p50 {ratio:.2f}x of {target * 1000:.0f} ms {'ok' if ratio <= 1 else 'OVER'}"
        print(
            f"  {name:22s} {len(times):4d} {p50 * 1000:9.0f} {p95 * 1000:9.0f} "
            f"{statistics.mean(times) * 1000:9.0f}   {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--images", type=Path, help="folder with models/ and garments/<type>_* images")
    source.add_argument("--samples", type=Path, help="the dev set (same layout as --images)")
    parser.add_argument("--runs", type=int, default=9, help="renders per kind (default 9)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the parallel pass")
    args = parser.parse_args()

    folder = args.images or args.samples
    checks, models, garments = folder_set(folder) if folder else default_set()
    if not models or not any(garments.values()):
        parser.error("need at least one model photo and one garment photo")
    jobs = build_jobs(checks, models, garments, args.runs)
    print(f"image set: {folder or 'licence-clean fixtures + drawn garments'}")
    print(
        f"{len(checks)} model-check photos, {len(models)} try-on models, "
        f"{sum(len(v) for v in garments.values())} garments; {len(jobs)} calls per pass"
    )

    start = time.perf_counter()
    warm_up()
    print(f"warm-up (model loading + first calls): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    results = [run_job(job) for job in jobs]
    report("single process", results, time.perf_counter() - start)
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Spawned, not forked: mediapipe's graphs must be built inside each worker.
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.workers) as pool:
        pool.map(warm_up, range(args.workers), chunksize=1)
        start = time.perf_counter()
        parallel = pool.map(run_job, jobs, chunksize=1)
        wall = time.perf_counter() - start
    report(f"{args.workers} worker processes", parallel, wall)
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS: this process {own_rss:.0f} MB, largest worker {worker_rss:.0f} MB")


if __name__ == "__main__":
    main()
