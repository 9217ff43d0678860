#!/usr/bin/env python3
"""Rasterise the hand-traced garment outlines in tests/data/garment_masks/*.json into PNG masks.

Each JSON holds the outline as polygons (garment) and holes (background enclosed by garment),
in pixel coordinates of the photo on the continuous image plane: x right, y down, pixel
(column j, row i) covers [j, j+1) x [i, i+1). The mask is filled at 4x supersampling
(cv2.fillPoly, no anti-aliasing), holes cleared, averaged down to the photo's size and
thresholded at 0.5: 255 garment, 0 background, 8-bit single channel.
Deterministic: the same JSON always gives the same PNG bytes (no metadata written).

    .venv/bin/python tools/rasterise_masks.py [--check] [STEM ...]

--check writes nothing and exits 1 when a PNG is missing or differs from its JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "tests" / "data" / "garment_masks"
SS = 4  # supersampling factor


def rasterise(spec: dict) -> np.ndarray:
    w, h = spec["size"]
    big = np.zeros((h * SS, w * SS), np.uint8)

    def pts(poly):
        # Vertex (x, y) on the continuous plane -> supersampled pixel centre grid.
        a = np.asarray(poly, np.float64) * SS - 0.5
        return np.round(a * 16).astype(np.int32)  # 4 fractional bits (shift=4)

    polys = [pts(p) for p in spec.get("polygons", []) if len(p) >= 3]
    holes = [pts(p) for p in spec.get("holes", []) if len(p) >= 3]
    for p in polys:  # one call each: overlapping garment polygons stay filled
        cv2.fillPoly(big, [p], 1, lineType=cv2.LINE_8, shift=4)
    for p in holes:
        cv2.fillPoly(big, [p], 0, lineType=cv2.LINE_8, shift=4)
    frac = big.reshape(h, SS, w, SS).mean(axis=(1, 3))
    return np.where(frac >= 0.5, 255, 0).astype(np.uint8)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stems = [a for a in argv if not a.startswith("--")]
    files = [DIR / f"{s}.json" for s in stems] if stems else sorted(DIR.glob("*.json"))
    bad = 0
    for f in files:
        spec = json.loads(f.read_text())
        mask = rasterise(spec)
        ok, buf = cv2.imencode(".png", mask, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        assert ok
        out = f.with_suffix(".png")
        data = buf.tobytes()
        if check:
            if not out.exists() or out.read_bytes() != data:
                print(f"{out.name}: missing or out of date")
                bad += 1
        else:
            out.write_bytes(data)
            print(f"{out.name}: {int((mask > 0).sum())} garment pixels")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
