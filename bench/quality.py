"""Quality of the local engine on a labelled photo set, with contact sheets to look at.

    .venv/bin/python bench/quality.py --samples /work/shared/samples --out bench/out/

Expects ``models/`` (with a MANIFEST.md table whose "expected" column holds the
model check's answer, as in the dev set) and ``garments/<type>_*`` images.
Writes contact sheets (model with its detected landmarks, garment(s), result)
and ``quality.txt`` to --out, and prints:

- clothes check accuracy against the file-name labels, as a per-type
  confusion matrix (and every model photo must come out ``is_clothes``
  false); sleeve / hem / neckline class accuracy against
  ``bench/garment_labels.csv`` with the mismatches listed; garment sheets
  ``garments_NN.png`` (each garment with its classes, keypoints and sleeve
  ends; ``--only-garments`` stops there);
- model check accuracy against MANIFEST;
- per render: coverage (share of the target body region the garment changed),
  colour difference (ΔE of mean Lab, garment photo vs rendered garment) and
  the share of pixels away from the person that stayed identical.
"""

from __future__ import annotations

import argparse
import csv
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
from tryon.engine.render import TryOnError, render_tryon_detailed  # noqa: E402
from tryon.engine.warp import polyline_point  # noqa: E402

THUMB = (180, 240)
LABELS = Path(__file__).resolve().parent / "garment_labels.csv"
PART_CLASSES = ("sleeve", "hem", "neckline")
# Garment sheet tiles: bigger, so the keypoints can be seen.
GARMENT_TILE = (300, 360)
GARMENTS_PER_SHEET = 12
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


def score(
    model: Image.Image, result: Image.Image, cloths: list[Image.Image], kind: str, alpha: np.ndarray | None = None
) -> dict:
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
    # The garment's colour where the garment is (bared skin or backdrop beside a crop top is not it).
    rendered = out[(alpha > 0.9) & region] if alpha is not None else out[changed & region]
    delta_e = float(np.linalg.norm(mean_lab(rendered) - garment_colour)) if len(rendered) else float("nan")
    x0, y0, x1, y1 = person.box
    margin_x, margin_y = int(0.1 * (x1 - x0)), int(0.05 * (y1 - y0))
    away = np.ones(base.shape[:2], bool)
    away[max(0, y0 - margin_y) : y1 + margin_y, max(0, x0 - margin_x) : x1 + margin_x] = False
    unchanged = float(np.all(out[away] == base[away], axis=1).mean()) if away.any() else 1.0
    return {"coverage": coverage, "delta_e": delta_e, "unchanged": unchanged, "person": person}


def _skin_like(rgb: np.ndarray) -> np.ndarray:
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    return (cr >= 135) & (cr <= 180) & (cb >= 80) & (cb <= 135) & (y > 45)


def _local_std(grey: np.ndarray) -> np.ndarray:
    """Standard deviation of the fine detail in a 5x5 window (grain, not shape)."""
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 2.0)
    mean = cv2.blur(detail, (5, 5))
    return np.sqrt(np.maximum(cv2.blur(detail * detail, (5, 5)) - mean * mean, 0.0))


def garment_alpha(rendering) -> np.ndarray:
    """Where the new garments cover the output (max of their layers' alpha)."""
    return rendering.coverage()


def skin_texture_ratio(base: np.ndarray, out: np.ndarray, alpha: np.ndarray, person: np.ndarray) -> float:
    """Grain of the skin the engine filled in over the grain of the person's own visible skin (nan: no fill)."""
    changed = np.abs(out.astype(int) - base.astype(int)).max(axis=2) > CHANGED
    inner = cv2.erode(np.ones(base.shape[:2], np.uint8), np.ones((9, 9), np.uint8)) > 0
    filled = changed & (alpha < 0.05) & _skin_like(out) & person
    filled = cv2.erode(filled.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    real = ~changed & _skin_like(base) & person
    real = cv2.erode(real.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    if filled.sum() < 200 or real.sum() < 200:
        return float("nan")
    grey_out = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_base = cv2.cvtColor(base, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.median(_local_std(grey_out)[filled & inner]) / max(np.median(_local_std(grey_base)[real]), 1e-3))


def old_clothes_residue(base: np.ndarray, out: np.ndarray, alpha: np.ndarray, person: np.ndarray) -> float:
    """Edges of the old clothes' silhouette that survive inside the new opaque garment.

    The old silhouette is where the person's clothes met skin or backdrop in
    the photo (necklines, sleeve ends, hems, the outline). Inside the new
    garment (well away from its own edge) those lines should be gone: the
    share of them that still shows as an edge in the result, less the share
    of edges anywhere else inside the garment (its own print and folds).
    """
    covered = cv2.erode((alpha > 0.98).astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    clothes = person & ~_skin_like(base)
    clothes = cv2.morphologyEx(clothes.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    silhouette = cv2.morphologyEx(clothes, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    old = silhouette & covered
    if old.sum() < 50:
        return 0.0
    edges = cv2.Canny(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), 40, 100) > 0
    edges = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return max(0.0, float(edges[old].mean() - edges[covered & ~silhouette].mean()))


def placement_errors(rendering) -> list[float]:
    """Distance of each placed hem and sleeve end from the body landmark its class asks for,
    as a share of the body's height (shoulders to ankles, times 1.25 for the head)."""
    body = rendering.body
    ankles = [body.limb(side, ("hip", "knee", "ankle"))[-1] for side in ("left", "right")]
    height = 1.25 * max(abs(float(np.dot(ankle - body.origin, body.v))) for ankle in ankles)
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    down = (xs - body.origin[0]) * body.v[0] + (ys - body.origin[1]) * body.v[1]
    errors = []
    for placed in rendering.placed:
        if placed.hem_target is not None:
            alpha = placed.alpha((h, w), ("body",))
            solid = down[alpha > 0.5]
            if len(solid):
                errors.append(abs(float(np.percentile(solid, 99.5)) - placed.hem_target) / height)
        for side, target in placed.sleeve_targets.items():
            top = body.shoulder_top(side)
            alpha = placed.alpha((h, w), ("sleeve", "sleeve_root"))
            arm = [top] + body.limb(side, ("shoulder", "elbow", "wrist"))[1:]
            goal = polyline_point(arm, target)[0]
            # The sleeve's end: its pixels farthest along the line from the shoulder to the goal.
            direction = (goal - top) / max(float(np.linalg.norm(goal - top)), 1.0)
            along = (xs - top[0]) * direction[0] + (ys - top[1]) * direction[1]
            sleeve = alpha > 0.5
            if sleeve.any():
                reach = float(np.percentile(along[sleeve], 99.5))
                errors.append(abs(reach - float(np.linalg.norm(goal - top))) / height)
    return errors


def read_verdicts(path: Path) -> dict[str, tuple[str, str]]:
    """pair caption -> (verdict, reason) from the hand-filled CSV beside this script."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        return {row["pair"]: (row["verdict"].strip(), row.get("reason", "").strip()) for row in csv.DictReader(handle)}


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


def read_labels(path: Path = LABELS) -> dict[str, dict[str, str]]:
    """file name -> {type, sleeve, hem, neckline} from bench/garment_labels.csv (read off the photos)."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def garment_tile(garment, caption: str) -> Image.Image:
    """The garment photo with its cut-out outline, keypoints and sleeve ends, captioned with its classes."""
    image = Image.fromarray(garment.rgb).convert("RGB")
    scale = min((GARMENT_TILE[0] - 4) / image.width, (GARMENT_TILE[1] - 40) / image.height)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    small_mask = cv2.resize((garment.mask > 0.5).astype(np.uint8), image.size, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(small_mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    pixels = np.asarray(image).copy()
    cv2.drawContours(pixels, contours, -1, (0, 200, 255), 1)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    for name, point in garment.keypoints.items():
        if name.endswith("_width"):
            continue
        x, y = (float(v) * scale for v in point)
        sleeve_end = name.startswith("sleeve_")
        r = 5 if sleeve_end else 3
        colour = (255, 0, 255) if sleeve_end else (255, 0, 0) if name.startswith(("neck", "collar")) else (0, 160, 0)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=2)
    tile = Image.new("RGB", GARMENT_TILE, (255, 255, 255))
    tile.paste(image, ((GARMENT_TILE[0] - image.width) // 2, 36))
    tile_draw = ImageDraw.Draw(tile)
    for i, line in enumerate(caption.split("\n")[:3]):
        tile_draw.text((2, 2 + 11 * i), line, fill=(0, 0, 0))
    return tile


def write_garment_sheets(tiles: list[Image.Image], out: Path) -> list[Path]:
    paths = []
    columns = 4
    for start in range(0, len(tiles), GARMENTS_PER_SHEET):
        chunk = tiles[start : start + GARMENTS_PER_SHEET]
        rows = (len(chunk) + columns - 1) // columns
        sheet = Image.new("RGB", (GARMENT_TILE[0] * columns, GARMENT_TILE[1] * rows), (255, 255, 255))
        for i, tile in enumerate(chunk):
            sheet.paste(tile, ((i % columns) * GARMENT_TILE[0], (i // columns) * GARMENT_TILE[1]))
        path = out / f"garments_{start // GARMENTS_PER_SHEET + 1:02d}.png"
        sheet.save(path)
        paths.append(path)
    return paths


def clothes_section(garments: dict[str, Image.Image], model_paths: list[Path], say, out: Path) -> None:
    """The clothes check on every garment and model photo; garment parts against the labels CSV; garment sheets."""
    say("== clothes check ==")
    types = ("upper", "lower", "full")
    columns = (*types, "not clothes")
    confusion = {(label, got): 0 for label in types for got in columns}
    labels = read_labels()
    part_right = dict.fromkeys(PART_CLASSES, 0)
    part_wrong: dict[str, list[str]] = {part: [] for part in PART_CLASSES}
    part_total = 0
    right = 0
    tiles = []
    for name, image in garments.items():
        label = name.split("_", 1)[0]
        check = check_clothes_image(image)
        got = check.clothes_type if check.is_clothes else "not clothes"
        confusion[(label, got)] = confusion.get((label, got), 0) + 1
        ok = got == label
        right += ok
        if not ok:
            say(f"  wrong: {name}: {check}")
        # Parts for the labelled type: the one a user would pick when trying it on.
        garment = extract_garment(image, clothes_type=label)
        expected = labels.get(name)
        if expected:
            part_total += 1
            for part in PART_CLASSES:
                found = getattr(garment, part)
                if found == expected[part]:
                    part_right[part] += 1
                else:
                    part_wrong[part].append(f"{name}: {found} (label {expected[part]})")
        caption = (
            f"{name[:-4][:44]}\ntype {got} | sleeve {garment.sleeve} {garment.sleeve_length:.2f} | "
            f"hem {garment.hem} {garment.length:.2f}\nneck {garment.neckline} {garment.neckline_depth:.2f}"
            + (" | skirt" if garment.skirt else "")
        )
        tiles.append(garment_tile(garment, caption))
    say("confusion (rows: label, columns: detected):")
    say("  " + " " * 8 + "".join(f"{got:>12}" for got in columns))
    for label in types:
        say(f"  {label:8}" + "".join(f"{confusion[(label, got)]:>12}" for got in columns))
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
    if part_total:
        say(f"garment parts against {LABELS.name} ({part_total} labelled):")
        for part in PART_CLASSES:
            say(f"  {part}: {part_right[part]}/{part_total} ({part_right[part] / part_total:.0%})")
            for line in part_wrong[part]:
                say(f"    {line}")
    for sheet in write_garment_sheets(tiles, out):
        say(f"garment sheet: {sheet}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=Path, required=True, help="folder with models/ and garments/")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--hd", action="store_true", help="render in HD mode")
    parser.add_argument("--only-garments", action="store_true", help="stop after the clothes check section")
    parser.add_argument("--only-checks", action="store_true", help="stop after the clothes and model checks")
    parser.add_argument(
        "--pairs", type=re.compile, help="render only the pairs this regular expression finds (numbers are kept)"
    )
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

    clothes_section(garments, model_paths, say, args.out)
    if args.only_garments:
        (args.out / "quality.txt").write_text("\n".join(lines) + "\n")
        return

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
    verdicts_path = Path(__file__).with_name("verdicts.csv")
    verdicts = read_verdicts(verdicts_path)
    # Each type's garments in turn, so the pairs cover the whole garment set.
    turns = {"upper": 0, "lower": 0, "full": 0}
    number = 0

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
        # A half-body photo takes tops only: two of them, so every person counts alike.
        if kinds == ["upper"]:
            kinds.append("upper")
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
            number += 1
            pair = f"{path.stem} x {label} [{kind}]"
            if args.pairs and not args.pairs.search(pair):
                continue
            start = time.perf_counter()
            try:
                rendering = render_tryon_detailed(
                    model, cloths[0], kind, lower_cloth_image=cloths[1] if len(cloths) > 1 else None, hd=args.hd
                )
            except TryOnError as exc:
                say(f"  {path.name} x {label}: TryOnError {exc}")
                continue
            seconds = time.perf_counter() - start
            result = rendering.image
            alpha = garment_alpha(rendering)
            numbers = score(model, result, cloths, kind, alpha)
            base, out = np.asarray(fit_within(model, 1024)), np.asarray(result)
            person_mask = rendering.body.mask > 0.5
            numbers["texture"] = skin_texture_ratio(base, out, alpha, person_mask)
            numbers["residue"] = old_clothes_residue(base, out, alpha, person_mask)
            numbers["placement"] = placement_errors(rendering)
            verdict, reason = verdicts.get(pair, ("unjudged", ""))
            numbers["verdict"] = verdict
            scores.append(numbers)
            parts = " ".join(f"{g.clothes_type}/{g.sleeve}/{g.hem}" for g in rendering.garments)
            caption = (
                f"{pair} cover {numbers['coverage']:.0%} dE {numbers['delta_e']:.0f} "
                f"same {numbers['unchanged']:.1%} skin {numbers['texture']:.2f} residue {numbers['residue']:.2f} "
                f"{parts} {seconds:.2f}s | {verdict}"
            )
            say("  " + caption + (f" ({reason})" if reason else ""))
            # Each result at full size too, to judge by eye (the sheets' thumbnails are small).
            results_dir = args.out / "results"
            results_dir.mkdir(exist_ok=True)
            result.save(results_dir / f"{number:03d}.jpg", quality=90)
            with (results_dir / "index.csv").open("a" if len(scores) > 1 else "w", newline="") as handle:
                csv.writer(handle).writerow([f"{number:03d}", pair])
            rows.append(
                [landmarks_thumb(model, numbers["person"]), cloths[0], cloths[1] if len(cloths) > 1 else None, result]
            )
            captions.append(caption)
    if scores:

        def median(key):
            values = [s[key] for s in scores if s[key] == s[key]]
            return statistics.median(values) if values else float("nan")

        placement = [e for s in scores for e in s["placement"]]
        say(f"\nresults: {len(scores)}")
        say(f"median coverage of the target region: {median('coverage'):.0%} (target >= 85%)")
        say(f"median unchanged away from the person: {median('unchanged'):.2%} (target >= 97%)")
        say(f"median colour difference dE: {median('delta_e'):.1f} (target <= 5)")
        say(f"median filled-skin grain / real skin grain: {median('texture'):.2f} (target >= 0.5)")
        mean_residue = statistics.mean(s["residue"] for s in scores)
        say(f"median old-clothes residue: {median('residue'):.3f}; mean {mean_residue:.3f} (target ~0)")
        if placement:
            say(
                f"hem and sleeve ends vs their landmark: median {statistics.median(placement):.1%} of body height, "
                f"p90 {float(np.percentile(placement, 90)):.1%} over {len(placement)} ends (target median <= 3%)"
            )
        counts = {v: sum(s["verdict"] == v for s in scores) for v in ("believable", "flawed", "broken", "unjudged")}
        judged = max(1, len(scores) - counts["unjudged"])
        say(
            f"verdicts ({verdicts_path.name}, by eye): believable {counts['believable']} "
            f"({counts['believable'] / judged:.0%}), flawed {counts['flawed']} ({counts['flawed'] / judged:.0%}), "
            f"broken {counts['broken']} ({counts['broken'] / judged:.0%}), unjudged {counts['unjudged']} "
            "(target >= 70% believable, <= 10% broken)"
        )
    for sheet in write_sheets(rows, captions, args.out):
        say(f"contact sheet: {sheet}")
    (args.out / "quality.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
