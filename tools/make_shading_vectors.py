#!/usr/bin/env python3
"""Write the shared scene-shading test vectors (tests/vectors/shading/*.json).

The server renderer (``tryon.render.shade_cells`` and ``Shading.grid``) and the
browser's (``shadeCells`` and ``shadingGrid`` in static/tryon/js/draw.js) must
agree on every vector; tests/unit/test_shading_vectors.py and
tests/js/shading_vectors.test.mjs load the files this script writes::

    {"name", "params": shading.json's constants,
     "cells": {"width", "height", "rgba": [...]},   # cell means, 4 bytes a cell
     "radius": int, "expected": [255 * S per cell],
     "grids": [[scale, cell, radius], ...]}

Run after changing the shading on purpose, and review the diff::

    .venv/bin/python tools/make_shading_vectors.py
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tryon.render import shade_cells, shading_params  # noqa: E402

OUT = ROOT / "tests" / "vectors" / "shading"
SCALES = [3.0, 20.0, 45.2, 64.0, 90.5, 120.0, 181.0, 200.0, 300.0, 362.0, 700.0, 1500.0]


def cells_case(name: str) -> np.ndarray:
    """Return one grid of cell means (uint8 h x w x 3)."""
    rng = np.random.default_rng(len(name))  # reproducible per case
    if name == "flat":
        return np.full((9, 12, 3), 117, np.uint8)
    if name == "fold":
        cells = np.full((15, 20, 3), (160, 150, 140), np.uint8)
        cells[:, 9:11] = (70, 64, 60)
        return cells
    if name == "gradient_and_noise":
        yy, xx = np.mgrid[0:18, 0:25]
        base = 40 + 6 * xx + 3 * yy
        noise = rng.integers(-25, 26, (18, 25, 3))
        return np.clip(base[..., None] + noise, 0, 255).astype(np.uint8)
    if name == "dark_room":
        return rng.integers(0, 30, (11, 7, 3)).astype(np.uint8)
    if name == "one_cell":
        return np.array([[[200, 10, 90]]], np.uint8)
    raise ValueError(name)


def main() -> int:
    params = shading_params()
    OUT.mkdir(parents=True, exist_ok=True)
    grids = [[s, *params.grid(s)] for s in SCALES]
    for name, radius in (("flat", 3), ("fold", 4), ("gradient_and_noise", 5), ("dark_room", 2), ("one_cell", 1)):
        cells = cells_case(name)
        h, w = cells.shape[:2]
        rgba = np.dstack([cells, np.full((h, w), 255, np.uint8)])
        doc = {
            "name": name,
            "params": dataclasses.asdict(params),
            "cells": {"width": w, "height": h, "rgba": rgba.reshape(-1).tolist()},
            "radius": radius,
            "expected": shade_cells(cells, radius, params).reshape(-1).tolist(),
            "grids": grids,
        }
        (OUT / f"{name}.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {len(list(OUT.glob('*.json')))} vectors to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
