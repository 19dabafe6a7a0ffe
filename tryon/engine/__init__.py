"""fitroom's try-on engine: plain image code, importable without Django.

Public interface (used by tryon.services and the bench/quality commands):

- load_image / encode_image / fit_within / ImageError / ImageLimits  (images.py)
- check_model_image(image) -> ModelCheck, load_models()               (person.py)
- check_clothes_image(image) -> ClothesCheck                          (garment.py)
- render_tryon(model_image, cloth_image, cloth_type, ...) -> Image    (render.py)
"""

from .garment import ClothesCheck, GarmentAnalysis, check_clothes_image, extract_garment
from .images import ImageError, ImageLimits, describe_bytes, encode_image, fit_within, load_image
from .person import ModelCheck, PersonAnalysis, analyse_person, check_model_image, load_models
from .render import TryOnError, render_tryon

__all__ = [
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
    "render_tryon",
]
