"""The shared fit, smoothing and tracking vectors, checked against the Python reference.

The same JSON files are checked against the browser twins by
tests/js/fit_vectors.test.mjs, tests/js/smoothing_vectors.test.mjs and
tests/js/tracking_vectors.test.mjs, so
the server and the browser put a garment on the body identically. Regenerate
them with tools/make_fit_vectors.py after an intended change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tryon.garments import REQUIRED_ANCHORS  # noqa: E402
from tryon.geometry import fit_garment  # noqa: E402
from tryon.smoothing import LandmarkSmoother  # noqa: E402
from tryon.tracking import TrackingGuard  # noqa: E402

VECTORS = REPO / "tests" / "vectors"
FIT = sorted((VECTORS / "fit").glob("*.json"))
SMOOTHING = sorted((VECTORS / "smoothing").glob("*.json"))
TRACKING = sorted((VECTORS / "tracking").glob("*.json"))
TOLERANCE_PX = 0.5


def test_vectors_cover_every_kind_and_the_awkward_poses():
    docs = [json.loads(p.read_text()) for p in FIT]
    assert {d["garment"]["kind"] for d in docs} == set(REQUIRED_ANCHORS)
    names = " ".join(d["name"] for d in docs)
    for needed in ("frontal", "raised", "tilted", "turned", "phone", "low_visibility", "far", "close", "mirrored"):
        assert needed in names, needed
    assert any(d["expected"]["estimated"] for d in docs)
    assert len(SMOOTHING) >= 3
    decisions = [d for p in TRACKING for d in json.loads(p.read_text())["expected"]]
    assert {"ok", "drop", "reset"} <= set(decisions)


@pytest.mark.parametrize("path", FIT, ids=lambda p: p.stem)
def test_fit_vector(path):
    doc = json.loads(path.read_text())
    expected = doc["expected"]
    got = fit_garment(doc["landmarks"], doc["frame"][0], doc["frame"][1], doc["garment"])
    assert got is not None
    assert set(got) == set(expected)
    assert got["kind"] == expected["kind"]
    assert got["triangles"] == expected["triangles"], "topology differs"
    assert got["layers"] == expected["layers"], "layers differ"
    assert got["estimated"] == expected["estimated"]
    assert got["scale"] == pytest.approx(expected["scale"], abs=TOLERANCE_PX)
    for key in ("src", "dst"):
        assert len(got[key]) == len(expected[key])
        worst = max(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(got[key], expected[key]))
        assert worst <= TOLERANCE_PX, f"{key} off by {worst:.3f} px"


@pytest.mark.parametrize("path", SMOOTHING, ids=lambda p: p.stem)
def test_smoothing_vector(path):
    doc = json.loads(path.read_text())
    smoother = LandmarkSmoother(**doc["params"])
    for frame, expected in zip(doc["frames"], doc["expected"], strict=True):
        got = smoother.apply(frame["landmarks"], frame["t"])
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g == pytest.approx(e, abs=1e-7)


@pytest.mark.parametrize("path", TRACKING, ids=lambda p: p.stem)
def test_tracking_vector(path):
    doc = json.loads(path.read_text())
    guard = TrackingGuard()
    width, height = doc["frame"]
    got = [guard.check(f["landmarks"], width, height, f["t"]) for f in doc["frames"]]
    assert got == doc["expected"]
