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


def adobe_rgb_icc() -> bytes:
    """A minimal ICC v2 display profile with Adobe RGB (1998)'s primaries and gamma, built byte by byte.

    Enough for littlecms to convert with; made here so no third-party profile file is shipped.
    """
    import struct

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    def text(value: str) -> bytes:
        return b"text" + b"\0" * 4 + value.encode() + b"\0"

    def desc(value: str) -> bytes:
        ascii_ = value.encode() + b"\0"
        return b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8 + b"\0\0\0" + b"\0" * 67

    gamma = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 563)  # u8Fixed8 2.19921875, Adobe RGB's gamma
    tags = [
        (b"desc", desc("Adobe RGB compatible (test)")),
        (b"cprt", text("No copyright, test data")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)),
        (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)),
        (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size) + b"\0" * 4 + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
        + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249)
        + b"\0" * 4 + b"\0" * 16 + b"\0" * 28
    )  # fmt: skip
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def png_16bit_rgb(rgb16) -> bytes:
    """A 16-bit-per-channel RGB PNG from a (h, w, 3) uint16 array (Pillow cannot write one)."""
    import struct
    import zlib

    import numpy as np

    height, width, _ = rgb16.shape
    rows = rgb16.astype(">u2")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + rows[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    assert np.asarray(rows).dtype.itemsize == 2
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def heic_photo() -> bytes:
    """The person photo as an iPhone would store it (HEIC, through pillow-heif's encoder)."""
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(person_photo())).convert("RGB")).save(buffer, quality=90)
    return buffer.getvalue()


def phone_photo_48mp() -> bytes:
    """The person photo blown up to a 48 MP phone photo's 6000 x 8000 pixels."""
    return encode(Image.open(io.BytesIO(person_photo())).resize((6000, 8000)), "JPEG", quality=75)


def empty_room() -> bytes:
    """A drawn room with a table, a window and a lamp, and nobody in it."""
    from PIL import ImageDraw

    room = Image.new("RGB", (768, 1024), (214, 206, 190))  # wall
    draw = ImageDraw.Draw(room)
    draw.rectangle((0, 700, 768, 1024), fill=(140, 100, 70))  # wooden floor
    for x in range(0, 768, 96):
        draw.line((x, 700, x - 60, 1024), fill=(120, 85, 60), width=3)
    draw.rectangle((460, 150, 700, 450), fill=(180, 210, 235), outline=(250, 250, 250), width=14)  # window
    draw.line((580, 150, 580, 450), fill=(250, 250, 250), width=10)
    draw.rectangle((120, 600, 520, 630), fill=(95, 60, 35))  # table top
    for x in (140, 490):
        draw.rectangle((x, 630, x + 16, 860), fill=(80, 50, 30))  # legs
    draw.ellipse((260, 540, 330, 600), fill=(60, 120, 90))  # a bowl on the table
    draw.rectangle((60, 300, 76, 700), fill=(50, 50, 50))  # lamp stand
    draw.polygon([(20, 300), (116, 300), (90, 220), (46, 220)], fill=(240, 225, 170))  # lampshade
    return encode(room, "JPEG", quality=90)
