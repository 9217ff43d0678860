"""Builders for test images, including hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw



def camera_jpeg(photo, *, quality: int, width: int = 640, height: int = 480) -> bytes:
    """Return ``photo`` framed as a ``width`` x ``height`` camera shows it, as a JPEG.

    Scaled to ``width`` wide (aspect kept) and the middle ``height`` rows kept. Not squeezed into
    the frame's shape: on a stretched frame MediaPipe's video tracking drifts, within a few frames,
    to hips barely below the shoulders, a pose the tracking guard rejects.
    """
    img = Image.open(photo).convert("RGB")
    scaled = round(img.height * width / img.width)
    img = img.resize((width, scaled), Image.Resampling.LANCZOS)
    top = (scaled - height) // 2
    out = io.BytesIO()
    img.crop((0, top, width, top + height)).save(out, "JPEG", quality=quality)
    return out.getvalue()


# Frame 84 of the moving clip: a whole person standing, facing the camera, arms out; cropped around
# them and the sides padded to 4:3 (the fake camera's standing clip is made the same way).
STANDING_FILTER = "select=eq(n\\,84),crop=540:460:0:180,pad=614:460:37:0:color=0xd8d4cc"


def standing_jpeg(*, width: int = 640, height: int = 480, crop: tuple[int, int, int, int] | None = None) -> bytes:
    """Return the standing person (see STANDING_FILTER) as a JPEG of ``width`` x ``height``,
    after an optional ``crop`` (x, y, w, h, in the padded 614x460 frame)."""
    import subprocess

    from tests import MEDIA_DIR

    vf = STANDING_FILTER + (f",crop={crop[2]}:{crop[3]}:{crop[0]}:{crop[1]}" if crop else "") + f",scale={width}:{height}"
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(MEDIA_DIR / "moving_person_540x960.mp4"), "-vf", vf, "-frames:v", "1",
         "-q:v", "2", "-f", "image2pipe", "-vcodec", "mjpeg", "-"],
        check=True, capture_output=True,
    ).stdout


def rgba_png(width=300, height=360, *, colour=(40, 90, 160, 255)) -> bytes:
    """Return a PNG with a real alpha channel: an opaque garment-ish shape on transparency."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rectangle([width // 5, height // 6, width * 4 // 5, height * 5 // 6], fill=colour)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def rgb_png(width=300, height=360) -> bytes:
    """Return a PNG without an alpha channel."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 50, 50)).save(out, "PNG")
    return out.getvalue()


def jpeg(width=400, height=500, *, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (width, height), (120, 140, 160))
    if exif is not None:
        img.save(out, "JPEG", quality=90, exif=exif)
    else:
        img.save(out, "JPEG", quality=90)
    return out.getvalue()


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_bomb(width=20000, height=20000) -> bytes:
    """Return a tiny PNG whose header claims ``width`` x ``height`` RGBA pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    row = b"\x00" + b"\x00" * (width * 4)
    idat = zlib.compress(row * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: max(16, int(len(data) * keep))]


def corrupted(data: bytes) -> bytes:
    """Return ``data`` with its middle third overwritten (headers intact, pixel data garbage)."""
    n = len(data)
    return data[: n // 3] + bytes((b ^ 0x5A) for b in data[n // 3 : 2 * n // 3]) + data[2 * n // 3 :]
