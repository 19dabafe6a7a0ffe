"""Quality of the local engine on a labelled photo set, with contact sheets to look at.

    .venv/bin/python bench/quality.py --samples /work/shared/samples --out bench/out/

Expects ``models/`` (with a MANIFEST.md table whose "expected" column holds the
model check's answer, as in the dev set) and ``garments/<type>_*`` images.
Writes contact sheets (model with its detected landmarks, garment(s), result)
and ``quality.txt`` to --out, and prints:

- clothes check accuracy against the file-name labels (and every model photo
  must come out ``is_clothes`` false), model check accuracy against MANIFEST;
- per render: coverage (share of the target body region the garment changed),
  colour difference (ΔE of mean Lab, garment photo vs rendered garment) and
  the share of pixels away from the person that stayed identical.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tryon.engine.garment import check_clothes_image, extract_garment  # noqa: E402
from tryon.engine.images import fit_within, load_image  # noqa: E402
from tryon.engine.person import OUTLINE_SEGMENTS, analyse_person, check_model_image  # noqa: E402
from tryon.engine.render import TryOnError, render_tryon  # noqa: E402

THUMB = (180, 240)
ROWS_PER_SHEET = 10
# A pixel counts as changed by the garment when any channel moved this much.
CHANGED = 12


def _load(path: Path) -> Image.Image:
    return load_image(path.read_bytes())


def black_and_white(image: Image.Image) -> Image.Image:
    """``image`` as a one-channel JPEG upload would decode."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=90)
    return load_image(buffer.getvalue())


def read_manifest(models_dir: Path) -> dict[str, str]:
    """file name -> the "expected" cell of the models table in MANIFEST.md (here or one level up)."""
    for candidate in (models_dir / "MANIFEST.md", models_dir.parent / "MANIFEST.md"):
        if candidate.is_file():
            text = candidate.read_text()
            break
    else:
        return {}
    expected = {}
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if "expected" in cells:
            header = cells
            continue
        if header and len(cells) == len(header) and cells[0].endswith((".jpg", ".png")):
            expected[cells[0]] = cells[header.index("expected")]
    return expected


def model_check_ok(check, expected: str) -> bool:
    """Whether a model check matches the MANIFEST's expectation (codes or clothes types)."""
    codes = re.findall(r"\b4[01]000\d\b", expected)
    if check.error_code and check.error_code in codes:
        return True
    if "ERROR" in expected and not check.is_good and check.error_code in codes:
        return True
    if "ERROR" in expected and not ("WARN" in expected or "upper" in expected):
        return False
    required_text, _, optional_text = expected.partition("(")
    required = set(re.findall(r"upper|lower|full", required_text))
    optional = set(re.findall(r"upper|lower|full", optional_text))
    got = set(check.good_clothes_types)
    if "at best" in expected:
        return check.is_good is not None and got <= required | optional
    return check.is_good and required <= got <= required | optional


def target_region(person, kind: str, shape) -> np.ndarray:
    """Where the garment belongs on the body, from the landmarks alone (for scoring)."""
    lm = person.landmarks
    h, w = shape
    region = np.zeros((h, w), np.uint8)
    shoulders = [lm[11, :2], lm[12, :2]]
    hips = [lm[23, :2], lm[24, :2]]

    def shrink(points, factor):
        centre = np.mean(points, axis=0)
        return [centre + (p - centre) * factor for p in points]

    if kind in ("upper", "full", "combo"):
        torso = shrink([shoulders[0], shoulders[1], hips[1], hips[0]], 0.8)
        cv2.fillPoly(region, [np.round(torso).astype(np.int32)], 1)
    if kind in ("lower", "full", "combo"):
        radius = max(2, int(0.06 * person.torso_length))
        for hip, knee in ((23, 25), (24, 26)):
            a = tuple(int(v) for v in lm[hip, :2])
            b = tuple(int(v) for v in lm[knee, :2])
            cv2.line(region, a, b, 1, 2 * radius)
    return region > 0


def mean_lab(pixels: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    return lab.reshape(-1, 3).mean(axis=0)


def score(model: Image.Image, result: Image.Image, cloths: list[Image.Image], kind: str) -> dict:
    base = np.asarray(fit_within(model, 1024))
    out = np.asarray(result)
    person = analyse_person(fit_within(model, 1024))
    changed = np.abs(out.astype(int) - base.astype(int)).max(axis=2) > CHANGED
    region = target_region(person, kind, base.shape[:2])
    coverage = float(changed[region].mean()) if region.any() else float("nan")
    garment_pixels = []
    for cloth in cloths:
        garment = extract_garment(cloth)
        garment_pixels.append(garment.rgb[garment.mask > 0.9])
    garment_colour = mean_lab(np.concatenate(garment_pixels))
    rendered = out[changed & region]
    delta_e = float(np.linalg.norm(mean_lab(rendered) - garment_colour)) if len(rendered) else float("nan")
    x0, y0, x1, y1 = person.box
    margin_x, margin_y = int(0.1 * (x1 - x0)), int(0.05 * (y1 - y0))
    away = np.ones(base.shape[:2], bool)
    away[max(0, y0 - margin_y) : y1 + margin_y, max(0, x0 - margin_x) : x1 + margin_x] = False
    unchanged = float(np.all(out[away] == base[away], axis=1).mean()) if away.any() else 1.0
    return {"coverage": coverage, "delta_e": delta_e, "unchanged": unchanged, "person": person}


def landmarks_thumb(model: Image.Image, person) -> Image.Image:
    image = fit_within(model, 1024).copy()
    draw = ImageDraw.Draw(image)
    lm = person.landmarks
    width = max(2, image.width // 150)
    for a, b in OUTLINE_SEGMENTS:
        draw.line([tuple(lm[a, :2]), tuple(lm[b, :2])], fill=(0, 255, 0), width=width)
    for x, y, _, visibility in lm:
        r = width * 1.5
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 0, 0) if visibility > 0.5 else (120, 120, 120))
    return image


def thumb(image: Image.Image | None) -> Image.Image:
    tile = Image.new("RGB", THUMB, (255, 255, 255))
    if image is not None:
        copy = image.copy()
        copy.thumbnail(THUMB)
        tile.paste(copy, ((THUMB[0] - copy.width) // 2, (THUMB[1] - copy.height) // 2))
    return tile


def write_sheets(rows: list[list[Image.Image | None]], captions: list[str], out: Path) -> list[Path]:
    paths = []
    for start in range(0, len(rows), ROWS_PER_SHEET):
        chunk = rows[start : start + ROWS_PER_SHEET]
        sheet = Image.new("RGB", (THUMB[0] * 4, (THUMB[1] + 16) * len(chunk)), (255, 255, 255))
        draw = ImageDraw.Draw(sheet)
        for i, row in enumerate(chunk):
            y = i * (THUMB[1] + 16)
            draw.text((4, y + 2), captions[start + i], fill=(0, 0, 0))
            for j, image in enumerate(row):
                sheet.paste(thumb(image), (j * THUMB[0], y + 16))
        path = out / f"contact_{start // ROWS_PER_SHEET + 1:02d}.png"
        sheet.save(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=Path, required=True, help="folder with models/ and garments/")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--hd", action="store_true", help="render in HD mode")
    parser.add_argument("--only-checks", action="store_true", help="stop after the clothes and model checks")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text)
        lines.append(text)

    models_dir, garments_dir = args.samples / "models", args.samples / "garments"
    garment_paths = sorted(p for p in garments_dir.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    model_paths = sorted(p for p in models_dir.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    garments = {p.name: _load(p) for p in garment_paths}
    by_type: dict[str, list[str]] = {"upper": [], "lower": [], "full": []}
    for name in garments:
        by_type.setdefault(name.split("_", 1)[0], []).append(name)

    say("== clothes check ==")
    right = 0
    for name, image in garments.items():
        label = name.split("_", 1)[0]
        check = check_clothes_image(image)
        ok = check.is_clothes and check.clothes_type == label
        right += ok
        if not ok:
            say(f"  wrong: {name}: {check}")
    person_right = 0
    for path in model_paths:
        check = check_clothes_image(_load(path))
        person_right += not check.is_clothes
        if check.is_clothes:
            say(f"  wrong: {path.name} (a model photo) called clothes")
    say(f"garments typed right: {right}/{len(garments)} ({right / max(1, len(garments)):.0%})")
    say(f"model photos refused as clothes: {person_right}/{len(model_paths)}")
    total = len(garments) + len(model_paths)
    say(f"clothes check overall: {(right + person_right) / max(1, total):.0%}")

    say("\n== model check ==")
    manifest = read_manifest(models_dir)
    checks = {}
    right = 0
    for path in model_paths:
        check = check_model_image(_load(path))
        checks[path.name] = check
        expected = manifest.get(path.name)
        if expected is None:
            continue
        ok = model_check_ok(check, expected)
        right += ok
        if not ok:
            say(f"  differs: {path.name}: got {check.error_code} {check.good_clothes_types}, expected {expected}")
    if manifest:
        say(f"model check as in MANIFEST: {right}/{len(manifest)}")
        # Black-and-white editorial photos are common: the same labels must hold on luminance alone.
        grey_right = 0
        for path in model_paths:
            expected = manifest.get(path.name)
            if expected is None:
                continue
            check = check_model_image(black_and_white(_load(path)))
            ok = model_check_ok(check, expected)
            grey_right += ok
            if not ok:
                say(f"  differs in black and white: {path.name}: got {check.error_code} {check.good_clothes_types}")
        say(f"model check as in MANIFEST, black-and-white copies: {grey_right}/{len(manifest)}")
    if args.only_checks:
        (args.out / "quality.txt").write_text("\n".join(lines) + "\n")
        return

    say("\n== renders ==")
    rows, captions, scores = [], [], []
    # Each type's garments in turn, so the pairs cover the whole garment set.
    turns = {"upper": 0, "lower": 0, "full": 0}

    def next_garment(kind: str) -> str:
        names = by_type[kind]
        turns[kind] += 1
        return names[(turns[kind] - 1) % len(names)]

    for path in model_paths:
        check = checks[path.name]
        if not check.is_good:
            continue
        model = _load(path)
        kinds = list(check.good_clothes_types)
        if {"upper", "lower"} <= set(kinds):
            kinds.append("combo")
        for kind in kinds:
            if kind == "combo":
                upper, lower = next_garment("upper"), next_garment("lower")
                cloths = [garments[upper], garments[lower]]
                label = f"{upper} + {lower}"
            else:
                name = next_garment(kind)
                cloths = [garments[name]]
                label = name
            start = time.perf_counter()
            try:
                result = render_tryon(
                    model, cloths[0], kind, lower_cloth_image=cloths[1] if len(cloths) > 1 else None, hd=args.hd
                )
            except TryOnError as exc:
                say(f"  {path.name} x {label}: TryOnError {exc}")
                continue
            seconds = time.perf_counter() - start
            numbers = score(model, result, cloths, kind)
            scores.append(numbers)
            caption = (
                f"{path.stem} x {label} [{kind}] cover {numbers['coverage']:.0%} "
                f"dE {numbers['delta_e']:.0f} same {numbers['unchanged']:.1%} {seconds:.2f}s"
            )
            say("  " + caption)
            rows.append(
                [landmarks_thumb(model, numbers["person"]), cloths[0], cloths[1] if len(cloths) > 1 else None, result]
            )
            captions.append(caption)
    if scores:
        say(
            f"\nmedian coverage of the target region: {statistics.median(s['coverage'] for s in scores):.0%}; "
            f"median colour difference ΔE: {statistics.median(s['delta_e'] for s in scores):.1f}; "
            f"median unchanged away from the person: {statistics.median(s['unchanged'] for s in scores):.2%}"
        )
    for sheet in write_sheets(rows, captions, args.out):
        say(f"contact sheet: {sheet}")
    (args.out / "quality.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
