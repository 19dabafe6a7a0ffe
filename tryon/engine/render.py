"""Try-on rendering: put a garment photo onto a model photo.

The pipeline (see ``shared/notes/engine-feasibility.md``, "Recommended
pipeline"):

1. analyse the person (pose landmarks and mask) and the garment (cut-out,
   type, keypoints);
2. map the garment's keypoints onto the body (``placement.py``) and warp each
   piece with a thin-plate spline: the body of the garment on the torso, each
   sleeve along its arm, trouser legs along the legs;
3. cover what the old clothes showed where the new garment doesn't reach
   (skin on arms, legs and necklines, background beside narrower trousers);
4. composite in layers (lower garment, upper body, arms, sleeves, then hands
   and head back on top) with the person's shading and feathered edges.

Pixels away from the garment's region are copied from the model image
unchanged.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from tryon import cloth_types

from .body import Body, body_from
from .composite import compose
from .garment import GarmentAnalysis, extract_garment
from .images import HD_SIDE, NORMAL_SIDE, fit_within
from .person import PersonAnalysis, analyse_person
from .placement import PlacedGarment, old_sleeve_ends, old_top_end_down, place_garment
from .skin import lab_of, skin_colour

STAGES = ("load", "analyse_person", "analyse_garment", "warp", "composite", "encode")

# Person analysis runs at this size at most; landmarks and mask are scaled up.
PERSON_SIDE = 1024
# Garment photos are cut out at this size (HD: larger, for a sharper print).
GARMENT_SIDE = 1024
GARMENT_SIDE_HD = 1600
# Garment analyses kept per process, for the next try-on of the same product photo (6 MB each, 15 in HD).
GARMENTS_KEPT = 2


class TryOnError(Exception):
    """The inputs can't be rendered; the message is safe to show to users."""


class _Progress:
    """Calls the caller's callback with stage names in order and rising fractions."""

    def __init__(self, callback: Callable[[str, float], None] | None):
        self.callback = callback
        self.last = -1.0

    def __call__(self, stage: str, fraction: float) -> None:
        fraction = max(fraction, self.last + 1e-6)
        fraction = min(fraction, 1.0)
        if fraction <= self.last:
            return
        self.last = fraction
        if self.callback is not None:
            self.callback(stage, fraction)


def working_photo(model_image: Image.Image, hd: bool = False) -> Image.Image:
    """The model photo at the size the render works at (its result's size).

    A caller that looks for the person itself (a try-on's model check) passes this as ``model_image``
    and ``analyse_person(fit_within(photo, PERSON_SIDE))`` as ``person``, so the render does neither again.
    """
    return fit_within(model_image.convert("RGB"), HD_SIDE if hd else NORMAL_SIDE)


def _analyse_body(model: Image.Image, person: PersonAnalysis | None) -> Body:
    if person is None:
        person = analyse_person(fit_within(model, PERSON_SIDE))
    if person is None:
        raise TryOnError("no person found in the model image")
    return body_from(person, model.size)


_garments: OrderedDict[tuple, GarmentAnalysis] = OrderedDict()
_garments_lock = threading.Lock()


def _analysed(image: Image.Image, max_side: int, kind: str) -> GarmentAnalysis:
    """:func:`extract_garment` of ``image``, kept for the next try-on of the same photo.

    A shop's product photo is tried on again and again, and its analysis (the cut-out's edges,
    keypoints and parts, 100 ms of a core) is a function of its pixels, the size and the type
    alone: it is kept under their digest, its arrays read-only (the render only reads them).
    """
    photo = np.asarray(image.convert("RGB"), dtype=np.uint8)
    key = photo.shape, max_side, kind, hashlib.blake2b(photo.tobytes(), digest_size=16).digest()
    with _garments_lock:
        garment = _garments.get(key)
        if garment is not None:
            _garments.move_to_end(key)
            return garment
    garment = extract_garment(image, max_side=max_side, clothes_type=kind)
    for array in (garment.rgb, garment.mask, garment.parts):
        if array is not None:
            array.flags.writeable = False
    with _garments_lock:
        _garments[key] = garment
        while len(_garments) > GARMENTS_KEPT:
            _garments.popitem(last=False)
    return garment


def _garment(image: Image.Image, kind: str, hd: bool, what: str):
    garment = _analysed(image, GARMENT_SIDE_HD if hd else GARMENT_SIDE, kind)
    if garment.items == 0 or garment.mask.max() < 0.5:
        raise TryOnError(f"no garment found in the {what}")
    return garment


@dataclass
class Rendering:
    """A try-on with what went into it, for measuring placement (bench/quality.py)."""

    image: Image.Image
    body: Body
    placed: list[PlacedGarment]
    garments: list[GarmentAnalysis]

    def coverage(self) -> np.ndarray:
        """(H, W) float: how opaque the new garments are over each output pixel."""
        alphas = [garment.alpha(self.body.shape) for garment in self.placed]
        return np.maximum.reduce(alphas) if alphas else np.zeros(self.body.shape, np.float32)


def render_tryon(
    model_image: Image.Image,
    cloth_image: Image.Image,
    cloth_type: str,
    lower_cloth_image: Image.Image | None = None,
    hd: bool = False,
    progress: Callable[[str, float], None] | None = None,
    person: PersonAnalysis | None = None,
) -> Image.Image:
    """The try-on picture; see :func:`render_tryon_detailed`."""
    return render_tryon_detailed(model_image, cloth_image, cloth_type, lower_cloth_image, hd, progress, person).image


def render_tryon_detailed(
    model_image: Image.Image,
    cloth_image: Image.Image,
    cloth_type: str,
    lower_cloth_image: Image.Image | None = None,
    hd: bool = False,
    progress: Callable[[str, float], None] | None = None,
    person: PersonAnalysis | None = None,
) -> Rendering:
    """Render ``cloth_image`` (and for "combo" ``lower_cloth_image``) onto the person.

    ``cloth_type`` is "upper", "lower", "full" (or "full_set") or "combo"; in a
    combo ``cloth_image`` is the upper garment. The result has the model
    image's size, shrunk to 1024 px on the long side (2048 with ``hd``).
    ``progress(stage, fraction)`` is called with the STAGES in order and
    strictly increasing fractions. ``person`` is the person analysis of
    :func:`working_photo`, when the caller made it already. Raises
    :class:`TryOnError` when there is no person or no garment to work with.
    """
    report = _Progress(progress)
    report("load", 0.01)
    # The garments to put on, as the checks name them: "full_set" (or "full") is "full", combo two of them.
    kinds = cloth_types.garments(cloth_type)
    if not kinds:
        raise TryOnError(f"unknown cloth type {cloth_type!r}")
    combo = len(kinds) > 1
    if combo and lower_cloth_image is None:
        raise TryOnError("a combo try-on needs a lower clothes image")
    model = working_photo(model_image, hd)
    base = np.asarray(model, dtype=np.uint8)

    report("analyse_person", 0.05)
    body = _analyse_body(model, person)

    report("analyse_garment", 0.25)
    if combo:
        garments = [
            ("lower", _garment(lower_cloth_image, "lower", hd, "lower clothes image")),
            ("upper", _garment(cloth_image, "upper", hd, "clothes image")),
        ]
    else:
        garments = [(kinds[0], _garment(cloth_image, kinds[0], hd, "clothes image"))]

    report("warp", 0.5)
    grid_step = 4 if hd else 8
    placed = []
    # The photo's colours, the person's skin and where the old top ends: read once, for the
    # placement (a new bottom covers the old waistband) and the compositing (the midriff).
    lab = lab_of(base)
    skin = skin_colour(base, body, lab)
    old_top_end = old_top_end_down(lab, body, skin)
    old_sleeves = old_sleeve_ends(lab, body, skin)
    for kind, garment in garments:
        # In a combo the lower garment comes first, and the top is worn over it.
        over = placed[0] if placed and placed[0].kind == "lower" else None
        placed.append(
            place_garment(body, garment, kind, grid_step, over=over, old_top_end=old_top_end, old_sleeves=old_sleeves)
        )

    report("composite", 0.75)
    result = compose(base, lab, skin, body, placed, old_top_end, hd=hd)

    report("encode", 0.95)
    image = Image.fromarray(result)
    report("encode", 1.0)
    return Rendering(image=image, body=body, placed=placed, garments=[garment for _, garment in garments])
