"""Decoded garment overlays, cached per process and keyed by the overlay's last change."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from PIL import Image

_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_LOCK = threading.Lock()
_MAX_ENTRIES = 32


def overlay_pixels(overlay, *, order: str = "RGBA") -> np.ndarray:
    """Return ``overlay``'s image as a uint8 HxWx4 array in ``order`` (``"RGBA"`` or ``"BGRA"``)."""
    key = (overlay.pk, overlay.image.name, overlay.updated_at, order)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    with overlay.image.open("rb") as fh, Image.open(fh) as img:
        rgba = np.asarray(img.convert("RGBA")).copy()
    if order == "BGRA":
        rgba = np.ascontiguousarray(rgba[:, :, [2, 1, 0, 3]])
    rgba.setflags(write=False)
    with _LOCK:
        _CACHE[key] = rgba
        while len(_CACHE) > _MAX_ENTRIES:
            _CACHE.popitem(last=False)
    return rgba
