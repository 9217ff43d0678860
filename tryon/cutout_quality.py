"""Cut-out quality: an onboarding proposal against a hand-traced mask and hand-placed anchors. No Django import.

The hand data lives in ``tests/data/garment_masks/<stem>.json`` (polygons, holes, anchors; see its
README) with the rasterised ``<stem>.png``; ``bench/onboarding.py --truth`` and the unit tests use this.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image


def load_truth(folder: Path, stem: str) -> tuple[np.ndarray, dict] | None:
    """Return ``(mask, anchors)`` traced by hand for a photo's stem, or None when there is none."""
    meta_path, mask_path = folder / f"{stem}.json", folder / f"{stem}.png"
    if not (meta_path.exists() and mask_path.exists()):
        return None
    meta = json.loads(meta_path.read_text())
    mask = np.asarray(Image.open(mask_path).convert("L")) >= 128
    return mask, meta.get("anchors", {})


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Return the intersection over union of two bool masks."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def anchor_errors(found: dict, truth: dict, mask: np.ndarray) -> dict[str, float]:
    """Return each anchor's distance from the hand-placed one, as a share of the garment's width."""
    xs = np.nonzero(mask.any(axis=0))[0]
    width = float(xs.max() - xs.min() + 1) if len(xs) else 1.0
    out = {}
    for name, (tx, ty) in truth.items():
        if name in found:
            fx, fy = found[name]
            out[name] = math.sqrt((fx - tx) ** 2 + (fy - ty) ** 2) / width
    return out
