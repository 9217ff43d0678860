"""Fit-quality measures: how much of the torso the garment covers and how much spills off the body.

No Django import. Masks are uint8/bool HxW arrays at the frame size.
"""

from __future__ import annotations

import cv2
import numpy as np

from tryon.garments import LANDMARK_INDEX, LOWER_KINDS

_VISIBLE = 0.5


def _pt(landmarks, name: str, width: int, height: int) -> tuple[float, float, float]:
    x, y, _z, v = landmarks[LANDMARK_INDEX[name]]
    return x * width, y * height, v


def shoulder_width_px(landmarks, width: int, height: int) -> float:
    """Return the distance between the shoulders in pixels."""
    lx, ly, _ = _pt(landmarks, "left_shoulder", width, height)
    rx, ry, _ = _pt(landmarks, "right_shoulder", width, height)
    return float(np.hypot(lx - rx, ly - ry))


def torso_polygon(landmarks, width: int, height: int) -> np.ndarray:
    """Return the shoulder-hip polygon in pixels, or down to the frame's bottom when hips are out of frame."""
    ls = _pt(landmarks, "left_shoulder", width, height)
    rs = _pt(landmarks, "right_shoulder", width, height)
    lh = _pt(landmarks, "left_hip", width, height)
    rh = _pt(landmarks, "right_hip", width, height)
    hips_seen = all(v >= _VISIBLE and 0 <= y < height for _x, y, v in (lh, rh))
    if hips_seen:
        pts = [ls[:2], rs[:2], rh[:2], lh[:2]]
    else:
        pts = [ls[:2], rs[:2], (rs[0], height - 1), (ls[0], height - 1)]
    return np.array(pts, dtype=np.float32)


def torso_mask(person_mask: np.ndarray, landmarks) -> np.ndarray:
    """Return the person's torso: the person mask inside the torso polygon (bool HxW)."""
    height, width = person_mask.shape[:2]
    poly = np.zeros((height, width), np.uint8)
    cv2.fillPoly(poly, [np.round(torso_polygon(landmarks, width, height)).astype(np.int32)], 1)
    return (person_mask > 0.5) & (poly > 0)


def coverage_and_spill(garment: np.ndarray, person_mask: np.ndarray, landmarks) -> tuple[float, float]:
    """Return ``(coverage, spill)`` for a garment mask on a person.

    coverage: share of the torso covered by garment pixels.
    spill: share of garment pixels outside the person mask dilated by 8% of the shoulder width.
    """
    height, width = person_mask.shape[:2]
    worn = garment > 0
    torso = torso_mask(person_mask, landmarks)
    coverage = float((torso & worn).sum() / max(1, torso.sum()))
    radius = max(1, int(round(0.08 * shoulder_width_px(landmarks, width, height))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    body = cv2.dilate((person_mask > 0.5).astype(np.uint8), kernel) > 0
    spill = float((worn & ~body).sum() / max(1, worn.sum()))
    return coverage, spill


def legs_polygon(landmarks, width: int, height: int) -> np.ndarray | None:
    """Return the hips-to-ankles polygon in pixels, or None when a hip or ankle is not seen in the frame."""
    pts = [_pt(landmarks, name, width, height) for name in ("left_hip", "right_hip", "right_ankle", "left_ankle")]
    if not all(v >= _VISIBLE and 0 <= y < height for _x, y, v in pts):
        return None
    return np.array([p[:2] for p in pts], dtype=np.float32)


def legs_coverage_and_spill(garment: np.ndarray, person_mask: np.ndarray, landmarks) -> tuple[float, float] | None:
    """Return ``(coverage, spill)`` of a lower garment: the legs (hips to ankles) as the torso is for a top.

    None when the legs are not in the frame.
    """
    height, width = person_mask.shape[:2]
    poly_pts = legs_polygon(landmarks, width, height)
    if poly_pts is None:
        return None
    poly = np.zeros((height, width), np.uint8)
    cv2.fillPoly(poly, [np.round(poly_pts).astype(np.int32)], 1)
    legs = (person_mask > 0.5) & (poly > 0)
    worn = garment > 0
    coverage = float((legs & worn).sum() / max(1, legs.sum()))
    _, spill = coverage_and_spill(garment, person_mask, landmarks)
    return coverage, spill


def measure_fit(rgb: np.ndarray, overlay: np.ndarray, garment: dict, pose) -> tuple[np.ndarray, float | None, float | None]:
    """Put ``garment`` on ``rgb`` for ``pose`` and measure it; return ``(composite, coverage, spill)``.

    ``rgb`` is a uint8 HxWx3 RGB photo (not modified), ``overlay`` the RGBA
    overlay pixels, ``garment`` the fit description
    (``GarmentOverlay.as_garment()``), ``pose`` a :class:`tryon.pose.PoseResult`
    with a segmentation mask, or ``None``. Coverage and spill are ``None``
    when no garment could be placed. Lower garments (trousers, skirts) are
    measured over the legs, hips to ankles (None when the legs are not in the
    frame). This is what ``bench/fit_quality.py``
    prints and what the fit-quality test asserts.
    """
    from tryon.pipeline import fit_and_composite
    from tryon.render import garment_mask

    out = rgb.copy()
    if pose is None:
        return out, None, None
    fitted = fit_and_composite(out, overlay, garment, pose)
    if fitted.mesh is None or pose.mask is None:
        return out, None, None
    worn = garment_mask(rgb.shape[:2], overlay, fitted.mesh)
    if garment["kind"] in LOWER_KINDS:
        legs = legs_coverage_and_spill(worn, pose.mask, pose.landmarks)
        return (out, None, None) if legs is None else (out, *legs)
    coverage, spill = coverage_and_spill(worn, pose.mask, pose.landmarks)
    return out, coverage, spill
