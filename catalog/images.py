"""Image inspection and thumbnails with Pillow (no Django models here).

Every uploaded image goes through :func:`inspect_image` before anything is
written: the content is sniffed (never the file name), byte and pixel limits
are checked from the header *before* decoding, and the image is fully decoded
once so a truncated file is refused rather than stored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

# The hard ceiling for anything Pillow decodes in this process; per-use limits
# (overlay, photo) are lower and checked from the header first.
PILLOW_MAX_PIXELS = 50_000_000


def configure_pillow() -> None:
    """Cap what Pillow will decode in this process (a decompression-bomb guard)."""
    Image.MAX_IMAGE_PIXELS = PILLOW_MAX_PIXELS


class ImageRejected(ValueError):
    """An uploaded image failed validation; ``str(exc)`` is safe to show to the user.

    ``code`` names the failure for API clients and ``status`` is the HTTP status it maps to.
    """

    STATUS = {"too_large": 413, "too_many_pixels": 413, "unsupported_type": 415, "unreadable": 400, "empty": 400}

    def __init__(self, message: str, code: str = "unreadable"):
        super().__init__(message)
        self.code = code
        self.status = self.STATUS.get(code, 400)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    mode: str
    has_alpha: bool


def _read_all(fileobj, max_bytes: int) -> bytes:
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected(f"The file is larger than {max_bytes / (1024 * 1024):.0f} MB.", "too_large")
    if not data:
        raise ImageRejected("The file is empty.", "empty")
    return data


def inspect_image(
    fileobj,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int = 8192,
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP"),
    decode: bool = True,
) -> tuple[ImageInfo, bytes]:
    """Validate an uploaded image and return its facts and raw bytes.

    With ``decode=False`` only the header is checked; the caller must then decode
    the image itself and treat a decoding error as an unreadable image.
    Raise :class:`ImageRejected` with a message fit for a shopper or store admin.
    """
    data = _read_all(fileobj, max_bytes)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            width, height = img.size
            if fmt not in formats:
                names = ", ".join(formats)
                raise ImageRejected(f"This is a {fmt or 'unrecognised'} file; upload one of: {names}.", "unsupported_type")
            if width <= 0 or height <= 0 or width > max_side or height > max_side:
                raise ImageRejected(
                    f"The image is {width}x{height} pixels; each side must be at most {max_side}.",
                    "too_many_pixels",
                )
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image has {width * height / 1e6:.1f} megapixels; the limit is {max_pixels / 1e6:.1f}.",
                    "too_many_pixels",
                )
            mode = img.mode
            has_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info)
            if decode:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    img.load()  # full decode: truncated or corrupt data fails here
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("The image's dimensions are too large to process.", "too_many_pixels") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("The file is not a readable image (it may be truncated or corrupt).") from exc
    return ImageInfo(fmt, width, height, mode, has_alpha), data


def open_oriented(data: bytes) -> Image.Image:
    """Decode ``data`` and apply its EXIF orientation (metadata is not kept)."""
    img = Image.open(io.BytesIO(data))
    img = ImageOps.exif_transpose(img)
    return img


def cover_thumbnail(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Return an RGB thumbnail of exactly ``size``, cropped to fill (like CSS object-fit: cover)."""
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, (245, 243, 240))
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    return ImageOps.fit(img.convert("RGB"), size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def encode_jpeg(img: Image.Image, quality: int = 85) -> bytes:
    """Encode ``img`` as a progressive JPEG without any metadata."""
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
