#!/usr/bin/env python3
"""Write the shared forearm-occlusion test vectors (tests/vectors/occlusion/*.json).

The server (``tryon.occlusion.occluding_forearms``) and the browser
(``occludingForearms`` in static/tryon/js/occlusion.js) must give the same
shapes for every case; tests/unit/test_occlusion.py and
tests/js/occlusion_vectors.test.mjs load the files this script writes::

    {"name", "cases": [{"kind", "scale", "landmarks": 33 x [x, y, visibility],
                        "expected": {"radius", "segments", "hulls"}}, ...]}

Run after changing the occlusion on purpose, and review the diff::

    .venv/bin/python tools/make_occlusion_vectors.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tryon.occlusion import occluding_forearms  # noqa: E402

OUT = ROOT / "tests" / "vectors" / "occlusion"
KINDS = ["tshirt", "dress", "trousers", "skirt", "longsleeve", "jacket"]


def body(rng: random.Random, crossing: bool, hips_seen: bool) -> list[list[float]]:
    """A standing body in a 640x480 frame: shoulders, hips, knees, and forearms across or beside it."""
    cx, cy, s = rng.uniform(220, 420), rng.uniform(80, 160), rng.uniform(80, 150)
    lm = [[cx + rng.gauss(0, s), cy + rng.gauss(0, s) + s, rng.choice([0.3, 0.6, 0.85, 0.99])] for _ in range(33)]
    lm[11] = [cx + s / 2, cy, 0.99]
    lm[12] = [cx - s / 2, cy, 0.99]
    hip_vis = 0.95 if hips_seen else 0.2
    lm[23] = [cx + s / 3, cy + 1.4 * s, hip_vis]
    lm[24] = [cx - s / 3, cy + 1.4 * s, hip_vis]
    lm[25] = [cx + s / 3, cy + 2.4 * s, hip_vis]
    lm[26] = [cx - s / 3, cy + 2.4 * s, hip_vis]
    if crossing:  # the left forearm across the belly, its hand on the right hip
        lm[13] = [cx + s * 0.6, cy + 1.0 * s, 0.97]
        lm[15] = [cx - s * 0.2, cy + 1.2 * s, 0.96]
        for i, (dx, dy) in zip((17, 19, 21), ((-0.15, 0.05), (-0.2, -0.02), (-0.05, -0.1))):
            lm[i] = [lm[15][0] + dx * s, lm[15][1] + dy * s, 0.9]
    return [[round(v, 3) for v in p] for p in lm]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    groups = {
        "crossing_forearm": [(True, True)] * 6,
        "hips_not_seen": [(True, False)] * 6,
        "random_bodies": [(False, rng.random() < 0.6) for _ in range(18)],
    }
    for name, shapes in groups.items():
        cases = []
        for i, (crossing, hips) in enumerate(shapes):
            kind = KINDS[i % len(KINDS)]
            lm = body(rng, crossing, hips)
            scale = round(rng.uniform(90, 200), 2)
            cases.append({"kind": kind, "scale": scale, "landmarks": lm,
                          "expected": occluding_forearms(lm, kind, scale)})
        (OUT / f"{name}.json").write_text(json.dumps({"name": name, "cases": cases}, indent=None) + "\n")
        drawn = sum(bool(c["expected"]["segments"]) for c in cases)
        print(f"{name}: {len(cases)} cases, {drawn} with occluders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
