"""Decoding and normalising untrusted image bytes.

Every image that enters fitroom goes through :func:`load_image`: the format is
taken from the decoded content (never the file name), the pixel count is capped
before decoding (Pillow only *warns* between 1x and 2x its own limit), the whole
image is decoded so truncated files fail here, EXIF orientation is applied and
the result is plain RGB with no metadata attached.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we claim to accept. AVIF decoding is in Pillow's wheels since 11.3.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # about 8000 x 5000
MIN_SIDE = 64


class ImageError(ValueError):
    """The bytes are not an image we can use; the message is safe to show to users."""


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    min_side: int = MIN_SIDE


def load_image(data: bytes, limits: ImageLimits = ImageLimits()) -> Image.Image:
    """Decode ``data`` into an RGB image with EXIF orientation applied.

    Raises :class:`ImageError` with a user-facing message for empty, oversized,
    unreadable, truncated or unsupported input.
    """
    if not data:
        raise ImageError("the file is empty")
    if len(data) > limits.max_bytes:
        raise ImageError(f"the file is larger than {describe_bytes(limits.max_bytes)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > limits.max_pixels:
                raise ImageError(
                    f"the image has {width}x{height} pixels; at most "
                    f"{limits.max_pixels // 1_000_000} megapixels are accepted"
                )
            image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("the image has too many pixels") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("the file is not a JPEG, PNG, WebP or AVIF image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # Truncated or corrupt data only shows up when the pixels are decoded.
        raise ImageError("the image file is damaged or truncated") from exc
    if min(image.size) < limits.min_side:
        raise ImageError(f"the image is smaller than {limits.min_side} pixels on a side")
    image = ImageOps.exif_transpose(image)
    return _to_rgb(image)


def describe_bytes(count: int) -> str:
    """A byte limit in words: "15 MB", "97 kB"."""
    if count >= 1024 * 1024:
        return f"{count // (1024 * 1024)} MB"
    return f"{count // 1024} kB"


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten to RGB; transparent areas become white, as on a product page."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    rgb = image.convert("RGB")  # also turns CMYK, L, I;16 and palette images into RGB
    rgb.info.clear()
    return rgb


def encode_image(image: Image.Image, fmt: str = "JPEG", quality: int = 92) -> bytes:
    """Re-encode without EXIF or ICC data, so nothing from the upload leaks into stored files."""
    buffer = io.BytesIO()
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
