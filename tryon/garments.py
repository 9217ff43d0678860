"""Garment kinds and the anchor points each kind needs.

This module is the single source of truth for what an overlay must declare.
It has no Django import: the catalog validates against it, the fit geometry
reads it, and the browser receives the same table as JSON.

Conventions
-----------
* An overlay is an RGBA PNG of the garment seen from the front, as if worn by
  a person facing the viewer in a relaxed A-pose (arms ~20-30 degrees away
  from the body).
* Anchors are pixel coordinates ``(x, y)`` in the overlay image, origin at the
  top-left, y down.
* ``left_*`` / ``right_*`` are the *wearer's* left and right, as in MediaPipe's
  pose landmarks. Seen from the front the wearer's right shoulder therefore has
  the smaller x.
* An anchor marks where that body joint sits under the garment when worn. A
  short sleeve's elbow anchor may lie beyond the painted sleeve (in transparent
  pixels) but must lie inside the image.
"""

from __future__ import annotations

# MediaPipe Pose landmark indices (33-point BlazePose topology).
LANDMARK_INDEX: dict[str, int] = {
    "nose": 0,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
}

_SHOULDERS = ("left_shoulder", "right_shoulder")
_HIPS = ("left_hip", "right_hip")
_ELBOWS = ("left_elbow", "right_elbow")
_WRISTS = ("left_wrist", "right_wrist")
_KNEES = ("left_knee", "right_knee")
_ANKLES = ("left_ankle", "right_ankle")

TSHIRT = "tshirt"
LONGSLEEVE = "longsleeve"
JACKET = "jacket"
DRESS = "dress"
TROUSERS = "trousers"
SKIRT = "skirt"

KIND_LABELS: dict[str, str] = {
    TSHIRT: "T-shirt",
    LONGSLEEVE: "Long-sleeve top",
    JACKET: "Jacket",
    DRESS: "Dress",
    TROUSERS: "Trousers",
    SKIRT: "Skirt",
}

REQUIRED_ANCHORS: dict[str, tuple[str, ...]] = {
    TSHIRT: _SHOULDERS + _HIPS + _ELBOWS,
    LONGSLEEVE: _SHOULDERS + _HIPS + _ELBOWS + _WRISTS,
    JACKET: _SHOULDERS + _HIPS + _ELBOWS + _WRISTS,
    DRESS: _SHOULDERS + _HIPS + _KNEES,
    TROUSERS: _HIPS + _KNEES + _ANKLES,
    SKIRT: _HIPS + _KNEES,
}

TOP_KINDS = frozenset({TSHIRT, LONGSLEEVE, JACKET, DRESS})
LOWER_KINDS = frozenset({TROUSERS, SKIRT})

KIND_CHOICES: list[tuple[str, str]] = list(KIND_LABELS.items())


def required_anchors(kind: str) -> tuple[str, ...]:
    """Return the anchor names a garment of ``kind`` must declare."""
    try:
        return REQUIRED_ANCHORS[kind]
    except KeyError:
        raise ValueError(f"unknown garment kind {kind!r}") from None


def missing_anchors(kind: str, anchors: dict) -> list[str]:
    """Return the required anchor names absent from ``anchors``, in order."""
    return [name for name in required_anchors(kind) if name not in anchors]


def anchors_outside(anchors: dict, width: int, height: int) -> list[str]:
    """Return the anchor names whose point lies outside a ``width`` x ``height`` image."""
    bad = []
    for name, point in anchors.items():
        x, y = point
        if not (0 <= x <= width - 1 and 0 <= y <= height - 1):
            bad.append(name)
    return bad
