"""Photo try-on as plain functions: decode an upload, fit the garment, encode the result.

No Django import: the view passes limits from settings, the benchmark passes its own.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from catalog.images import ImageRejected, inspect_image
from tryon.pipeline import Fitted, fit_and_composite

# Photos are processed at most this large (long side): plenty for a phone screen, and bounded cost.
WORK_SIDE = 1600
JPEG_QUALITY = 88
ORIENTATION = 0x0112  # EXIF tag


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int
    max_side: int


class NoPersonFound(Exception):
    """No usable person in the photo; the message is fit for the shopper."""


def decode_photo(data: bytes, limits: PhotoLimits) -> np.ndarray:
    """Validate an uploaded photo and return it as upright RGB pixels, at most WORK_SIDE long.

    The header is checked against ``limits`` before any pixel is decoded; EXIF
    orientation is applied and all metadata is dropped.
    """
    inspect_image(
        io.BytesIO(data),
        max_bytes=limits.max_bytes,
        max_pixels=limits.max_pixels,
        max_side=limits.max_side,
        formats=("JPEG", "PNG", "WEBP"),
        decode=False,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.draft("RGB", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at a reduced scale when large
            img.load()
            if img.getexif().get(ORIENTATION, 1) != 1:
                img = ImageOps.exif_transpose(img)
            if img.mode != "RGB":
                img = img.convert("RGB")
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("The file is not a readable image (it may be truncated or corrupt).") from exc
    if max(img.size) > WORK_SIDE:
        img.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.LANCZOS)
    return np.array(img)  # one copy: a writable frame the garment is drawn on


def encode_jpeg(rgb: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """Encode RGB pixels as a JPEG with no metadata."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def tryon_photo(data: bytes, *, detect, overlay_rgba: np.ndarray, garment: dict, limits: PhotoLimits) -> tuple[bytes, Fitted]:
    """Fit ``garment`` on the most prominent person in photo ``data``; return the JPEG and the fit.

    ``detect`` maps RGB pixels to a pose (or ``None``). Raise :class:`ImageRejected`
    for bad images and :class:`NoPersonFound` when nobody usable is in view.
    """
    rgb = decode_photo(data, limits)
    pose = detect(rgb)
    if pose is None:
        raise NoPersonFound("We couldn't find a person in this photo. Try one where you face the camera, shoulders in view.")
    fitted = fit_and_composite(rgb, overlay_rgba, garment, pose)
    if fitted.mesh is None:
        raise NoPersonFound("We couldn't see your shoulders. Step back so your upper body is in the photo.")
    return encode_jpeg(rgb), fitted
