"""tryon.photo.decode_photo turns JPEGs upright like Pillow's exif_transpose, for every EXIF orientation."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from tryon.photo import WORK_SIDE, PhotoLimits, decode_photo

LIMITS = PhotoLimits(max_bytes=50 * 1024 * 1024, max_pixels=100_000_000, max_side=10_000)


def _asymmetric(width: int, height: int) -> Image.Image:
    """Return an RGB picture whose every flip and rotation looks different."""
    yy, xx = np.mgrid[0:height, 0:width]
    pixels = np.stack([xx * 255 // width, yy * 255 // height, np.full_like(xx, 60)], axis=-1).astype(np.uint8)
    pixels[: height // 4, : width // 3] = (250, 250, 250)  # a bright block near the top left
    return Image.fromarray(pixels)


def _jpeg(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(orientation):
    data = _jpeg(_asymmetric(120, 80), orientation)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")).astype(int)
    got = decode_photo(data, LIMITS)
    assert got.shape == expected.shape
    assert np.abs(got.astype(int) - expected).mean() < 3


def test_large_jpeg_is_decoded_reduced_and_scaled_to_the_working_size():
    img = _asymmetric(4 * WORK_SIDE, 3 * WORK_SIDE // 2)
    got = decode_photo(_jpeg(img, 1), LIMITS)
    assert max(got.shape[:2]) == WORK_SIDE
    assert got.shape[:2] == (WORK_SIDE * 3 // 8, WORK_SIDE)
    expected = np.asarray(img.resize((got.shape[1], got.shape[0]), Image.Resampling.BOX)).astype(int)
    assert np.abs(got.astype(int) - expected).mean() < 4
