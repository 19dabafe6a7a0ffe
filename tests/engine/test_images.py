"""Decoding: every mode Pillow opens shows what it shows, colour profiles are honoured, big photos are shrunk."""

import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from tests import images
from tryon.engine.images import ImageError, ImageLimits, load_image, plain_jpeg


def person_rgb() -> Image.Image:
    return Image.open(io.BytesIO(images.person_photo())).convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).mean())


def test_a_16_bit_greyscale_png_decodes_as_its_greys_not_white():
    grey = person_rgb().convert("L")
    wide = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257)  # 0..255 spread over 0..65535
    assert wide.mode == "I;16"
    decoded = load_image(images.encode(wide, "PNG"))
    assert decoded.mode == "RGB"
    assert mean_difference(decoded, grey.convert("RGB")) < 1.0
    assert np.asarray(decoded).mean() < 200  # the old decoding: nearly everything clipped to white


def test_a_16_bit_rgb_png_decodes_as_its_colours():
    rgb = person_rgb()
    decoded = load_image(images.png_16bit_rgb(np.asarray(rgb).astype(np.uint16) * 257))
    assert mean_difference(decoded, rgb) < 1.0


@pytest.mark.parametrize("transparent", [False, True])
def test_a_palette_png_decodes_as_its_colours(transparent):
    palette = person_rgb().quantize(64)
    params = {"transparency": 0} if transparent else {}
    decoded = load_image(images.encode(palette, "PNG", **params))
    expected = palette.convert("RGB")
    if transparent:
        where = np.asarray(palette) == 0
        expected = np.asarray(expected).copy()
        expected[where] = 255  # the transparent index becomes white, as on a product page
        expected = Image.fromarray(expected)
    assert mean_difference(decoded, expected) < 0.5


def test_grey_with_alpha_is_grey_on_white():
    grey = person_rgb().convert("L")
    alpha = Image.new("L", grey.size, 255)
    alpha.paste(0, (0, 0, grey.width // 2, grey.height))  # left half transparent
    decoded = np.asarray(load_image(images.encode(Image.merge("LA", (grey, alpha)), "PNG")))
    assert (decoded[:, : grey.width // 2 - 1] == 255).all()
    right = np.asarray(grey)[:, grey.width // 2 + 1 :]
    assert np.abs(decoded[:, grey.width // 2 + 1 :, 0].astype(int) - right).mean() < 0.5


def test_a_cmyk_jpeg_decodes_close_to_its_rgb_original():
    decoded = load_image(images.cmyk_jpeg())
    assert decoded.mode == "RGB"
    assert mean_difference(decoded, person_rgb()) < 6


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_an_adobe_rgb_photo_is_converted_to_srgb(fmt):
    """Adobe RGB's green and red are more saturated than sRGB's: the same numbers must come out more saturated."""
    patches = Image.new("RGB", (200, 100), (60, 160, 60))
    patches.paste((200, 60, 60), (100, 0, 200, 100))
    decoded = load_image(images.encode(patches, fmt, icc_profile=images.adobe_rgb_icc(), quality=95))
    green, red = decoded.getpixel((50, 50)), decoded.getpixel((150, 50))
    assert green[0] < 20 and 150 <= green[1] <= 170 and green[2] < 55, green
    assert red[0] > 220 and red[1] < 65, red
    assert "icc_profile" not in decoded.info


def test_a_broken_profile_keeps_the_pixels():
    decoded = load_image(images.encode(Image.new("RGB", (100, 100), (60, 160, 60)), "PNG", icc_profile=b"nonsense"))
    assert decoded.getpixel((50, 50)) == (60, 160, 60)


def test_a_48_megapixel_photo_is_shrunk_to_the_working_size_not_refused():
    photo = person_rgb().resize((6000, 8000))
    decoded = load_image(images.encode(photo, "JPEG", quality=80), ImageLimits(max_side=2048))
    assert decoded.size == (1536, 2048)
    assert mean_difference(decoded, person_rgb().resize((1536, 2048))) < 6


def test_the_orientation_is_applied_after_the_shrink():
    decoded = load_image(images.exif_rotated_jpeg(), ImageLimits(max_side=512))
    assert decoded.size == (361, 512)  # upright portrait, like the un-rotated original
    assert mean_difference(decoded, person_rgb().resize((361, 512))) < 8


def test_absurd_sizes_are_still_refused():
    with pytest.raises(ImageError, match="too many pixels|megapixels"):
        load_image(images.decompression_bomb_png(), ImageLimits(max_side=2048))


def test_a_heic_photo_decodes():
    buffer = io.BytesIO()
    pillow_heif.from_pillow(person_rgb()).save(buffer, quality=90)
    decoded = load_image(buffer.getvalue())
    assert decoded.size == person_rgb().size
    assert mean_difference(decoded, person_rgb()) < 6


def test_a_clean_jpeg_keeps_its_own_bytes():
    data = images.person_photo()
    decoded = load_image(data)
    assert plain_jpeg(decoded) == data
    assert plain_jpeg(decoded.resize((361, 512))) is None  # a changed copy is not those bytes


@pytest.mark.parametrize(
    "made",
    [
        pytest.param(
            lambda photo: images.encode(photo, "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"), id="exif"
        ),
        pytest.param(lambda photo: images.encode(photo, "JPEG", comment=b"taken at home"), id="comment"),
        pytest.param(lambda photo: images.encode(photo, "JPEG", icc_profile=images.adobe_rgb_icc()), id="icc"),
        pytest.param(lambda photo: images.encode(photo, "JPEG") + b"trailer", id="trailer"),
        pytest.param(lambda photo: images.encode(photo, "JPEG") + images.encode(photo, "JPEG"), id="two images"),
        pytest.param(lambda photo: images.encode(photo.convert("CMYK"), "JPEG"), id="cmyk"),
        pytest.param(lambda photo: images.encode(photo.convert("L"), "JPEG"), id="grey"),
    ],
)
def test_a_jpeg_with_more_than_its_pixels_is_not_kept(made):
    assert plain_jpeg(load_image(made(person_rgb()))) is None


def test_a_jpeg_shrunk_while_decoding_is_not_kept():
    data = images.encode(person_rgb().resize((1444, 2048)), "JPEG")
    assert plain_jpeg(load_image(data)) is not None
    assert plain_jpeg(load_image(data, ImageLimits(max_side=1024))) is None
