"""Decoding and normalising untrusted image bytes.

Every image that enters fitroom goes through :func:`load_image`: the format is
taken from the decoded content (never the file name), the pixel count is capped
before decoding (Pillow only *warns* between 1x and 2x its own limit), the whole
image is decoded so truncated files fail here, EXIF orientation is applied and
the result is plain sRGB with no metadata attached.

Large photos (a 48 MP phone photo) are shrunk to the working size the caller asks
for, JPEGs already while decoding (draft mode: the decoder skips detail at 1/2,
1/4 or 1/8 scale), and at most ``DECODE_SLOTS`` decodes or encodes run at once in
a process, so a burst of big uploads cannot multiply the memory a decode takes.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass

import numpy as np
import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError

pillow_heif.register_heif_opener()  # iPhones' default format (HEIC)

# Formats we claim to accept. AVIF decoding is in Pillow's wheels since 11.3; HEIF through pillow-heif.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "HEIF")
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
# Past this the image is absurd or a decompression bomb (Pillow itself warns from about 89 MP).
DEFAULT_MAX_PIXELS = 80_000_000  # about 10000 x 8000
MIN_SIDE = 64
# A result's long side: normal mode and hd mode (never more than the model image). Here, not in
# render.py, so the web processes can size results without loading the renderer (OpenCV, SciPy).
NORMAL_SIDE = 1024
HD_SIDE = 2048
# The largest side the engine ever works at (an HD result's): uploads are shrunk to it.
WORKING_MAX_SIDE = HD_SIDE
# Decodes (and encodes) at once per process: a 36 MP PNG takes about 200 MB while it is decoded and
# shrunk, a 2048 px JPEG encode about 30 MB; six uploads at once must not take six times that.
DECODE_SLOTS = 1
_decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageError(ValueError):
    """The bytes are not an image we can use; the message is safe to show to users."""


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    min_side: int = MIN_SIDE
    max_side: int | None = None  # shrink (never refuse) a larger image to this long side


def load_image(data: bytes, limits: ImageLimits = ImageLimits()) -> Image.Image:
    """Decode ``data`` into an sRGB image with EXIF orientation applied.

    With ``limits.max_side`` a larger image is shrunk to it. Raises :class:`ImageError`
    with a user-facing message for empty, oversized, unreadable, truncated or
    unsupported input.
    """
    if not data:
        raise ImageError("the file is empty")
    if len(data) > limits.max_bytes:
        raise ImageError(f"the file is larger than {describe_bytes(limits.max_bytes)}")
    with _decode_slots:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
                width, height = image.size
                plain = _is_plain_jpeg(image, data)
                if width * height > limits.max_pixels:
                    raise ImageError(
                        f"the image has {width}x{height} pixels; at most "
                        f"{limits.max_pixels // 1_000_000} megapixels are accepted"
                    )
                if limits.max_side and image.format == "JPEG":
                    # The decoder itself skips detail: a 48 MP JPEG decodes at 1/4 scale, not in full.
                    image.draft(image.mode, _draft_size(image.size, limits.max_side))
                image.load()
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError("the image has too many pixels") from exc
        except UnidentifiedImageError as exc:
            raise ImageError("the file is not a JPEG, PNG, WebP, AVIF or HEIC image") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            # Truncated or corrupt data only shows up when the pixels are decoded.
            raise ImageError("the image file is damaged or truncated") from exc
        if min(width, height) < limits.min_side:
            raise ImageError(f"the image is smaller than {limits.min_side} pixels on a side")
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
        image = _to_srgb(image)
        if limits.max_side:
            factor = max(image.size) // limits.max_side
            if factor >= 2:
                # Box-reduce by a whole factor first and let go of the full-size pixels before the fine
                # resize: the peak is the decoded image plus a quarter of it, not plus the resize's buffers.
                image = image.reduce(factor)
            image = fit_within(image, limits.max_side)
    image = _apply_orientation(image, orientation)
    image = _flatten(image)
    if plain and orientation == 1 and image.size == (width, height):
        setattr(image, _PLAIN_JPEG, data)  # on this object only: a resized or converted copy has none
    return image


def plain_jpeg(image: Image.Image) -> bytes | None:
    """The bytes :func:`load_image` decoded ``image`` from, when they can be kept as they are.

    That is a colour JPEG with nothing in it but its pixels (no EXIF, XMP, ICC profile, comment or
    maker data, nothing after its end), upright and decoded at full size: re-encoding it would only
    cost time and a little quality.
    """
    return getattr(image, _PLAIN_JPEG, None)


_PLAIN_JPEG = "_fitroom_plain_jpeg"
JPEG_END = b"\xff\xd9"


def _is_plain_jpeg(image: Image.Image, data: bytes) -> bool:
    # Pillow lists every APPn and COM segment it met; the only one allowed is a bare JFIF header
    # (14 bytes: no thumbnail). One end marker, at the very end: no second image or trailer after it.
    return (
        image.format == "JPEG"
        and image.mode == "RGB"
        and all(
            marker == "APP0" and payload[:5] == b"JFIF\x00" and len(payload) == 14 for marker, payload in image.applist
        )
        and data.endswith(JPEG_END)
        and data.count(JPEG_END) == 1
    )


ORIENTATION_TAG = 0x0112
# EXIF orientation -> the transposes that make the image upright (ImageOps.exif_transpose's table).
_ORIENTATION_FIXES = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    # draft() keeps the image at least this large, so the shrink after it still has full detail.
    scale = min(1.0, max_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    for transpose in _ORIENTATION_FIXES.get(orientation, []):
        image = image.transpose(transpose)
    return image


def describe_bytes(count: int) -> str:
    """A byte limit in words: "15 MB", "97 kB"."""
    if count >= 1024 * 1024:
        return f"{count // (1024 * 1024)} MB"
    return f"{count // 1024} kB"


def _to_srgb(image: Image.Image) -> Image.Image:
    """Any mode Pillow opens as 8-bit RGB or RGBA in sRGB, its embedded ICC profile applied."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        image = _high_depth_to_grey(image)
    elif image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    icc = image.info.get("icc_profile")
    if icc:
        converted = _apply_icc(image, icc)
        if converted is not None:
            return converted
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "La", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")  # CMYK, L, 1, YCbCr...


def _high_depth_to_grey(image: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) greyscale as 8-bit grey: Pillow's own convert clips everything over 255 to white."""
    values = np.asarray(image).astype(np.float64)
    if image.mode == "F":
        scale = 255.0 if values.max(initial=0) <= 1.0 else 1.0
    elif image.mode.startswith("I;16") or values.max(initial=0) > 255:
        scale = 255.0 / 65535.0
    else:
        scale = 1.0  # an "I" image that only holds 8-bit values
    grey = Image.fromarray(np.clip(np.rint(values * scale), 0, 255).astype(np.uint8), "L")
    grey.info.update(image.info)
    return grey


def _apply_icc(image: Image.Image, icc: bytes) -> Image.Image | None:
    """The image converted from its embedded profile (Display P3, Adobe RGB, a CMYK press profile) to sRGB."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        modes = {"RGB": ("RGB", "RGBA"), "CMYK": ("CMYK",), "GRAY": ("L", "LA")}.get(space, ())
        if image.mode not in modes:
            return None  # a profile that does not fit the pixels: ignore it rather than guess
        alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
        source = image.convert({"RGBA": "RGB", "LA": "L"}.get(image.mode, image.mode))
        converted = ImageCms.profileToProfile(source, profile, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # a broken profile: the pixels as they are are better than no image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _flatten(image: Image.Image) -> Image.Image:
    """Plain RGB without metadata; transparent areas become white, as on a product page."""
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    rgb.info.clear()  # our own decoded copy: nothing of the upload's metadata goes further
    return rgb


def encode_image(image: Image.Image, fmt: str = "JPEG", quality: int = 92) -> bytes:
    """Re-encode without EXIF or ICC data, so nothing from the upload leaks into stored files."""
    buffer = io.BytesIO()
    with _decode_slots:
        if fmt == "JPEG":
            image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
        else:
            image.save(buffer, fmt)
    return buffer.getvalue()


def fit_within(image: Image.Image, max_side: int) -> Image.Image:
    """Shrink (never enlarge) so the long side is at most ``max_side``."""
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)
