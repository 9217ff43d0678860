"""Videos for Chromium's fake camera, made with ffmpeg from the test photos."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import MEDIA_DIR, ROOT

CLIPS = ROOT / "artifacts" / "fakecam"


def _clip(out: Path, source: list[str]) -> Path:
    """Return ``out``, a 30 fps .mjpeg that ffmpeg makes once from ``source`` (input and filter options)."""
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.mjpeg")
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", *source, "-r", "30", "-q:v", "3", "-f", "mjpeg", str(tmp)],
        check=True,
    )
    tmp.rename(out)
    return out


def photo_clip(photo: str = "astronaut.png", *, width: int = 640, height: int = 480, seconds: int = 4) -> Path:
    """Return a looping .mjpeg of ``photo`` with a gentle side-to-side pan, made once."""
    pan = 24
    vf = (
        f"scale={width + 2 * pan}:-2,"
        f"crop={width}:{height}:{pan}+{pan}*sin(2*PI*t/{seconds}):(ih-{height})/2,"
        "format=yuvj420p"
    )
    return _clip(CLIPS / f"{Path(photo).stem}-{width}x{height}.mjpeg",
                 ["-loop", "1", "-i", str(MEDIA_DIR / photo), "-vf", vf, "-t", str(seconds)])


def video_clip(video: str = "moving_person_540x960.mp4") -> Path:
    """Return ``video`` from the test media as .mjpeg for the fake camera (its own size and 30 fps), made once."""
    return _clip(CLIPS / f"{Path(video).stem}.mjpeg", ["-i", str(MEDIA_DIR / video), "-vf", "format=yuvj420p"])


def standing_clip(*, width: int = 640, height: int = 480, seconds: int = 4) -> Path:
    """Return a still 640x480 clip of a whole person standing, facing the camera, arms out (frame 84
    of the moving clip, cropped around the person and its sides padded to 4:3), for measuring a body."""
    from tests.images import STANDING_FILTER

    vf = f"{STANDING_FILTER},scale={width}:{height},loop={30 * seconds - 1}:1:0,format=yuvj420p"
    return _clip(CLIPS / f"standing-{width}x{height}.mjpeg",
                 ["-i", str(MEDIA_DIR / "moving_person_540x960.mp4"), "-vf", vf, "-frames:v", str(30 * seconds)])


def blank_clip(*, width: int = 640, height: int = 480) -> Path:
    """Return a clip of an empty grey room (nobody in view)."""
    return _clip(CLIPS / f"empty-{width}x{height}.mjpeg",
                 ["-f", "lavfi", "-i", f"color=c=0x807870:s={width}x{height}:r=30", "-t", "2"])
