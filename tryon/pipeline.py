"""One try-on step shared by the photo view, the live server path, tools and benchmarks.

Pose → fit geometry → occlusion → composite, on a frame whose channel order
matches the overlay's (RGB frame with an RGBA overlay, or BGR with BGRA).
No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tryon.geometry import fit_garment
from tryon.pose import PoseResult
from tryon.render import arm_occlusion_mask, composite


@dataclass
class Fitted:
    """What one try-on step produced: the mesh drawn (or ``None``) and the pose it came from."""

    mesh: dict | None
    pose: PoseResult | None


def landmarks_to_px(landmarks, width: int, height: int) -> list[tuple[float, float, float]]:
    """Return landmarks as ``(x_px, y_px, visibility)`` for a ``width`` x ``height`` frame."""
    return [(x * width, y * height, v) for x, y, _z, v in landmarks]


def fit_and_composite(frame: np.ndarray, overlay: np.ndarray, garment: dict, pose: PoseResult | None,
                      *, shading: bool = True) -> Fitted:
    """Draw ``garment`` on ``frame`` in place for ``pose``; return what was drawn.

    ``shading`` carries the frame's folds and shadows onto the garment (see :mod:`tryon.render`).
    """
    if pose is None:
        return Fitted(None, None)
    height, width = frame.shape[:2]
    mesh = fit_garment([list(p) for p in pose.landmarks], width, height, garment)
    if mesh is None:
        return Fitted(None, pose)
    occluders = arm_occlusion_mask(
        frame.shape[:2],
        landmarks_to_px(pose.landmarks, width, height),
        pose.mask,
        garment_kind=garment["kind"],
        scale=mesh["scale"],
    )
    composite(frame, overlay, mesh, occluders=occluders, shading=shading)
    return Fitted(mesh, pose)
