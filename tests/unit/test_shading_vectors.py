"""The shared scene-shading vectors, checked against the Python renderer.

The same JSON files are checked against the browser's renderer by
tests/js/shading_vectors.test.mjs, so the server and the browser shade a
garment alike. Regenerate them with tools/make_shading_vectors.py after an
intended change.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tryon.render import Shading, shade_cells, shading_params  # noqa: E402

VECTORS = sorted((REPO / "tests" / "vectors" / "shading").glob("*.json"))


def test_there_are_vectors_and_they_use_the_shared_constants():
    assert len(VECTORS) >= 5
    for path in VECTORS:
        assert json.loads(path.read_text())["params"] == dataclasses.asdict(shading_params()), path.name


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_shading_vector(path):
    doc = json.loads(path.read_text())
    params = Shading(**doc["params"])
    cells = doc["cells"]
    rgba = np.array(cells["rgba"], np.uint8).reshape(cells["height"], cells["width"], 4)
    got = shade_cells(np.ascontiguousarray(rgba[..., :3]), doc["radius"], params).reshape(-1)
    assert np.abs(got.astype(int) - doc["expected"]).max() == 0
    for scale, cell, radius in doc["grids"]:
        assert params.grid(scale) == (cell, radius), scale
