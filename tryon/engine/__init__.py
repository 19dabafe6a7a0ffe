"""fitroom's try-on engine: plain image code, importable without Django.

Public interface (used by tryon.services and the bench/quality commands):

- load_image / encode_image / fit_within / plain_jpeg / ImageError / ImageLimits  (images.py)
- check_model_image(image) -> ModelCheck, load_models()               (person.py)
- check_clothes_image(image) -> ClothesCheck                          (garment.py)
- render_tryon(model_image, cloth_image, cloth_type, ...) -> Image    (render.py)
"""

import importlib

from .images import (
    WORKING_MAX_SIDE,
    ImageError,
    ImageLimits,
    describe_bytes,
    encode_image,
    fit_within,
    load_image,
    plain_jpeg,
)

# The rest loads on first use: a web process that only decodes uploads and queues tasks never pays
# for OpenCV, SciPy and mediapipe (about 40 MB before a model is even loaded).
_LAZY = {
    "ClothesCheck": "garment",
    "GarmentAnalysis": "garment",
    "check_clothes_image": "garment",
    "extract_garment": "garment",
    "ModelCheck": "person",
    "PersonAnalysis": "person",
    "analyse_person": "person",
    "check_model_image": "person",
    "load_models": "person",
    "TryOnError": "render",
    "render_tryon": "render",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "WORKING_MAX_SIDE",
    "ClothesCheck",
    "GarmentAnalysis",
    "ImageError",
    "ImageLimits",
    "describe_bytes",
    "ModelCheck",
    "PersonAnalysis",
    "analyse_person",
    "TryOnError",
    "check_clothes_image",
    "check_model_image",
    "extract_garment",
    "encode_image",
    "fit_within",
    "load_image",
    "load_models",
    "plain_jpeg",
    "render_tryon",
]
