"""Image makers for tests: real photos from tests/fixtures and hostile files made in code."""

import io
from pathlib import Path

from PIL import Image

from tests.engine import drawing

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def person_photo() -> bytes:
    """A frontal person, head to hips, on white (Apache-2.0, see fixtures/ATTRIBUTION.md)."""
    return fixture_bytes("person_business_upper.jpg")


def encode(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def drawn_tee(colour=(200, 30, 40), size=(768, 1024)) -> bytes:
    """A flat-lay T-shirt product photo as JPEG bytes (drawn by the engine tests' garment maker)."""
    return encode(drawing.tee(colour=colour, size=size), quality=92)


def text_named_jpg() -> bytes:
    return b"this is a text file pretending to be a JPEG\n" * 20


def truncated_jpeg() -> bytes:
    data = person_photo()
    return data[: len(data) // 2]


def decompression_bomb_png() -> bytes:
    """A tiny PNG whose header claims 20000 x 20000 pixels."""
    return encode(Image.new("1", (20000, 20000)), "PNG", optimize=True)


def cmyk_jpeg() -> bytes:
    return encode(Image.open(io.BytesIO(person_photo())).convert("CMYK"), "JPEG", quality=90)


def png_with_alpha() -> bytes:
    image = Image.open(io.BytesIO(drawn_tee())).convert("RGBA")
    image.putalpha(Image.new("L", image.size, 255))
    return encode(image, "PNG")


def webp_photo() -> bytes:
    return encode(Image.open(io.BytesIO(person_photo())), "WEBP", quality=90)


def exif_rotated_jpeg() -> bytes:
    """The person photo stored sideways with EXIF Orientation=6 (display rotated 90° clockwise)."""
    image = Image.open(io.BytesIO(person_photo())).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "TestCam"  # Make: must not survive into stored files
    return encode(image, "JPEG", quality=92, exif=exif.tobytes())


def load(data: bytes) -> Image.Image:
    """Bytes as the RGB image the forms hand to services."""
    return Image.open(io.BytesIO(data)).convert("RGB")
