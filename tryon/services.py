"""Try-on services: the per-process photo landmarker, the photo try-on and the photo size advice."""

from __future__ import annotations

import atexit
import threading

import numpy as np
from django.conf import settings

from tryon.advice import advise_from_photo
from tryon.photo import PhotoLimits, tryon_photo
from tryon.pose import PoseEstimator, model_path_for

_photo_lock = threading.Lock()
_photo_estimator: PoseEstimator | None = None


def _detect(rgb: np.ndarray):
    """Run the process's IMAGE-mode landmarker (created on first use; one call at a time)."""
    global _photo_estimator
    with _photo_lock:
        if _photo_estimator is None or _photo_estimator.closed:
            cfg = settings.FITTINGROOM
            _photo_estimator = PoseEstimator(
                model_path_for(cfg["MODELS_DIR"], cfg["POSE_MODEL"]), mode="image", segmentation=True, num_poses=2
            )
        return _photo_estimator.detect(rgb)


@atexit.register
def _close_estimator() -> None:
    if _photo_estimator is not None:
        _photo_estimator.close()


def photo_limits() -> PhotoLimits:
    cfg = settings.FITTINGROOM
    return PhotoLimits(cfg["PHOTO_MAX_BYTES"], cfg["PHOTO_MAX_PIXELS"], cfg["PHOTO_MAX_SIDE"])


def photo_tryon(*, data: bytes, overlay_rgba: np.ndarray, garment: dict) -> bytes:
    """Return the shopper's photo with ``garment`` fitted, as a metadata-free JPEG."""
    jpeg, _fitted = tryon_photo(data, detect=_detect, overlay_rgba=overlay_rgba, garment=garment, limits=photo_limits())
    return jpeg


def photo_size_advice(*, data: bytes, height_cm: float, weight_kg: float | None, sex: str | None,
                      chart: list[dict], kind: str, sizes: list[str]) -> dict:
    """Return the size advice for the person in photo ``data`` (see :func:`tryon.advice.advise_from_photo`)."""
    return advise_from_photo(data, detect=_detect, limits=photo_limits(), height_cm=height_cm, weight_kg=weight_kg,
                             sex=sex, chart=chart, kind=kind, sizes=sizes)
