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
    orientation is applied and all metadata is dropped. JPEGs (nearly every
    phone photo) are decoded by OpenCV, at a reduced DCT scale when much larger
    than needed; PNG and WebP by Pillow.
    """
    info, _ = inspect_image(
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
            img = Image.open(io.BytesIO(data))  # lazy: header and EXIF only
            orientation = img.getexif().get(ORIENTATION, 1)
            if info.format == "JPEG" and img.mode in ("RGB", "L"):
                rgb = _decode_jpeg(data, max(img.size), orientation)
            else:
                rgb = _decode_with_pillow(img, orientation)
    except (OSError, SyntaxError, ValueError, cv2.error) as exc:
        raise ImageRejected("The file is not a readable image (it may be truncated or corrupt).") from exc
    if max(rgb.shape[:2]) > WORK_SIDE:
        scale = WORK_SIDE / max(rgb.shape[:2])
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return rgb


# EXIF orientation -> how to turn stored pixels upright (as PIL.ImageOps.exif_transpose does).
_UPRIGHT = {
    2: lambda a: cv2.flip(a, 1),
    3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
    4: lambda a: cv2.flip(a, 0),
    5: cv2.transpose,
    6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
    7: lambda a: cv2.flip(cv2.transpose(a), -1),
    8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE),
}
_IMREAD_RGB = getattr(cv2, "IMREAD_COLOR_RGB", cv2.IMREAD_COLOR)  # OpenCV >= 4.10
# OpenCV decodes JPEGs at 1/2, 1/4 or 1/8 scale straight from the DCT.
_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


def _decode_jpeg(data: bytes, longest: int, orientation: int) -> np.ndarray:
    """Decode JPEG ``data`` to upright RGB, at the largest DCT reduction still >= WORK_SIDE."""
    flags = _IMREAD_RGB  # straight to RGB where OpenCV can (not with DCT reduction)
    for factor, reduced in _REDUCED:
        if longest // factor >= WORK_SIDE:
            flags = reduced
            break
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags | cv2.IMREAD_IGNORE_ORIENTATION)
    if pixels is None:
        raise ValueError("undecodable JPEG")
    rgb = pixels if flags == _IMREAD_RGB != cv2.IMREAD_COLOR else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB, dst=pixels)
    turn = _UPRIGHT.get(orientation)
    return np.ascontiguousarray(turn(rgb)) if turn else rgb


def _decode_with_pillow(img: Image.Image, orientation: int) -> np.ndarray:
    """Decode a PNG or WebP (or an unusual JPEG) to upright RGB with Pillow."""
    img.draft("RGB", (WORK_SIDE, WORK_SIDE))
    img.load()
    if orientation != 1:
        img = ImageOps.exif_transpose(img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.array(img)  # one copy: a writable frame the garment is drawn on


def encode_jpeg(rgb: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """Encode RGB pixels as a JPEG with no metadata."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def tryon_photo(data: bytes, *, detect, overlay_rgba: np.ndarray, garment: dict, limits: PhotoLimits,
                shading: bool = True) -> tuple[bytes, Fitted]:
    """Fit ``garment`` on the most prominent person in photo ``data``; return the JPEG and the fit.

    ``detect`` maps RGB pixels to a pose (or ``None``); ``shading`` carries the photo's folds
    and shadows onto the garment. Raise :class:`ImageRejected` for bad images and
    :class:`NoPersonFound` when nobody usable is in view.
    """
    rgb = decode_photo(data, limits)
    pose = detect(rgb)
    if pose is None:
        raise NoPersonFound("We couldn't find a person in this photo. Try one where you face the camera, shoulders in view.")
    fitted = fit_and_composite(rgb, overlay_rgba, garment, pose, shading=shading)
    if fitted.mesh is None:
        raise NoPersonFound("We couldn't see your shoulders. Step back so your upper body is in the photo.")
    return encode_jpeg(rgb), fitted
