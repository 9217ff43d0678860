"""Forearm occlusion shapes (tryon.occlusion): the shared vectors, and what the shapes mean.

The browser twin (static/tryon/js/occlusion.js) is held to the same vectors by
tests/js/occlusion_vectors.test.mjs; tryon.render.arm_occlusion_mask fills these shapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tryon.occlusion import FOREARM_RADIUS, occluding_forearms

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "occlusion"
FILES = sorted(VECTORS.glob("*.json"))


def _close(got, expected, path=""):
    if isinstance(expected, dict):
        assert set(got) == set(expected), path
        for k in expected:
            _close(got[k], expected[k], f"{path}.{k}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected)):
            _close(g, e, f"{path}[{i}]")
    else:
        assert got == pytest.approx(expected, abs=1e-9), path


def test_there_are_vectors_with_and_without_occluders():
    cases = [c for f in FILES for c in json.loads(f.read_text())["cases"]]
    assert len(FILES) >= 3 and len(cases) >= 20
    assert sum(bool(c["expected"]["segments"]) for c in cases) >= 5
    assert sum(not c["expected"]["segments"] for c in cases) >= 5


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_occlusion_vectors(path):
    for case in json.loads(path.read_text())["cases"]:
        _close(occluding_forearms(case["landmarks"], case["kind"], case["scale"]), case["expected"], case["kind"])


def _standing(crossing: bool):
    lm = [[320.0, 400.0, 0.1] for _ in range(33)]
    lm[11], lm[12] = [370.0, 100.0, 0.99], [270.0, 100.0, 0.99]
    lm[23], lm[24] = [350.0, 240.0, 0.99], [290.0, 240.0, 0.99]
    lm[13], lm[15] = ([380.0, 200.0, 0.95], [300.0, 220.0, 0.95]) if crossing else ([400.0, 180.0, 0.95], [410.0, 260.0, 0.95])
    return lm


def test_a_forearm_across_a_tee_is_in_front_and_a_long_sleeve_covers_it():
    shapes = occluding_forearms(_standing(True), "tshirt", 120.0)
    assert shapes["radius"] == pytest.approx(FOREARM_RADIUS * 120.0)
    assert shapes["segments"] == [[[380.0, 200.0], [300.0, 220.0]], [[300.0, 220.0], [300.0, 220.0]]]
    assert occluding_forearms(_standing(True), "longsleeve", 120.0)["segments"] == []
    # Beside the body it is not in front of the garment.
    assert occluding_forearms(_standing(False), "tshirt", 120.0)["segments"] == []
    # A guessed forearm (visibility under 0.8) never cuts the garment.
    guessed = _standing(True)
    guessed[13][2] = guessed[15][2] = 0.7
    assert occluding_forearms(guessed, "tshirt", 120.0)["segments"] == []
