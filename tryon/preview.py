"""The admin's onboarding preview: a garment fitted on sample bodies by the server renderer. No Django import."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tryon.pipeline import fit_and_composite


def preview_jpegs(overlay: np.ndarray, garment: dict, bodies, *, quality: int = 80) -> list[tuple[str, bytes]]:
    """Return ``garment`` fitted on each ``(name, rgb, pose)`` body as ``(name, JPEG bytes)``.

    The same step as a photo try-on (pose given, so only the fit and the composite run).
    """
    out = []
    for name, rgb, pose in bodies:
        frame = rgb.copy()
        fit_and_composite(frame, overlay, garment, pose)
        buf = io.BytesIO()
        Image.fromarray(frame).save(buf, "JPEG", quality=quality)
        out.append((name, buf.getvalue()))
    return out
