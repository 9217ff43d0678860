"""Body widths from frames (tryon/bodymeasure.py): the shared vectors, and accuracy on drawn bodies.

The same vectors (tests/vectors/bodymeasure, written by tools/make_sizing_vectors.py) are checked
against the browser twin by tests/js/bodymeasure_vectors.test.mjs.
"""

from __future__ import annotations

import base64
import json
import math
import random
import sys
import zlib

import numpy as np
import pytest

from tests import ROOT
from tests.approx import assert_close
from tests.bodies import draw_body, draw_side_body
from tryon import bodymeasure, sizing

sys.path.insert(0, str(ROOT / "tools"))
from make_sizing_vectors import landmarks_of  # noqa: E402

VECTORS = ROOT / "tests" / "vectors" / "bodymeasure"
FRAMES = sorted(VECTORS.glob("frame_*.json"))
SESSIONS = sorted(VECTORS.glob("session_*.json"))
SIDES = sorted(VECTORS.glob("side_*.json"))
MODEL = sizing.load_model()


def _mask(doc) -> list:
    w, h = doc["frame"]
    raw = np.frombuffer(zlib.decompress(base64.b64decode(doc["mask"])), np.uint8).reshape(h, w)
    return (raw / 255.0).tolist()


def _read(mask, landmarks, frame, height_cm=170.0, sex="female"):
    return bodymeasure.read_frame(landmarks, mask, frame[0], frame[1], height_cm, MODEL["levels"][sex], MODEL["width_range"][sex])


def test_vectors_cover_every_instruction():
    statuses = {json.loads(p.read_text())["expected"]["status"] for p in FRAMES}
    assert statuses == {"ok", "arms_away", "face_camera", "come_closer", "step_back", "stand_straight"}
    steps = {s["status"] for p in SESSIONS for s in json.loads(p.read_text())["expected"]}
    assert {"measuring", "hold_still", "step_back", "done", "turn_side"} <= steps
    sides = {json.loads(p.read_text())["expected"]["status"] for p in SIDES}
    assert sides == {"ok", "turn_side", "side_arms", "stand_straight", "come_closer"}


@pytest.mark.parametrize("path", FRAMES, ids=lambda p: p.stem)
def test_frame_vector(path):
    doc = json.loads(path.read_text())
    got = _read(_mask(doc), [tuple(lm) for lm in doc["landmarks"]], doc["frame"], doc["height_cm"], doc["sex"])
    assert_close(got, doc["expected"])


@pytest.mark.parametrize("path", SIDES, ids=lambda p: p.stem)
def test_side_vector(path):
    doc = json.loads(path.read_text())
    got = bodymeasure.read_side([tuple(lm) for lm in doc["landmarks"]], _mask(doc), *doc["frame"], doc["height_cm"],
                                MODEL["levels"][doc["sex"]], MODEL["depth_range"][doc["sex"]])
    assert_close(got, doc["expected"])


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.stem)
def test_session_vector(path):
    doc = json.loads(path.read_text())
    session = bodymeasure.MeasureSession(name=doc["measure"])
    w, h = doc["frame"]
    for step, expected in zip(doc["steps"], doc["expected"], strict=True):
        assert_close(session.add(step["reading"], landmarks_of(step["torso"]), step["t"], w, h), expected)
    assert_close(session.observed, doc["observed"])


def test_drawn_widths_are_read_back_within_one_and_a_half_percent():
    rng = random.Random(7)
    worst = 0.0
    for _ in range(25):
        widths = (rng.uniform(0.15, 0.19), rng.uniform(0.15, 0.22), rng.uniform(0.19, 0.24))
        body_px = rng.uniform(320, 440)
        frame = (300, 480)
        mask, landmarks, truth = draw_body(frame, body_px=body_px, floor=470.0 - rng.uniform(0, 460 - body_px),
                                           cx=rng.uniform(130, 170), widths=widths, arm_angle=rng.uniform(32, 45))
        reading = _read(mask / 255.0, landmarks, frame)
        assert reading["status"] == "ok", reading
        scale = 170.0 / truth["body_px"]
        for zone in bodymeasure.ZONES:
            error = abs(reading["widths"][zone] - truth[zone] * scale) / (truth[zone] * scale)
            worst = max(worst, error)
    assert worst < 0.015, worst


def test_a_numpy_mask_reads_as_the_list_does():
    mask, landmarks, _ = draw_body((280, 480), cx=140.0)
    as_list = _read((mask / 255.0).tolist(), landmarks, (280, 480))
    as_array = _read((mask / 255.0).astype(np.float32), landmarks, (280, 480))
    assert as_list["status"] == as_array["status"] == "ok"
    for zone in bodymeasure.ZONES:
        assert as_array["widths"][zone] == pytest.approx(as_list["widths"][zone], rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"arm_angle": 3.0}, "arms_away"),
        ({"turned": 0.75}, "face_camera"),
        ({"body_px": 160.0, "floor": 300.0}, "come_closer"),
        ({"floor": 479.0}, "step_back"),
        ({"knee_bend": 30.0}, "stand_straight"),
        ({"stance": 15.0}, "stand_straight"),
        ({"lean": 12.0}, "stand_straight"),
    ],
)
def test_each_instruction_comes_from_what_is_seen(kwargs, status):
    mask, landmarks, _ = draw_body((280, 480), cx=140.0, **kwargs)
    assert _read(mask / 255.0, landmarks, (280, 480))["status"] == status


def test_nobody_asks_to_step_into_view_and_a_partial_view_to_step_back():
    mask, landmarks, _ = draw_body((280, 480), cx=140.0)
    assert _read(None, None, (280, 480))["status"] == "no_person"
    no_shoulders = [lm if i not in (11, 12) else (lm[0], lm[1], 0.0, 0.1) for i, lm in enumerate(landmarks)]
    assert _read(mask / 255.0, no_shoulders, (280, 480))["status"] == "no_person"
    head_and_chest = [lm if i < 23 else (lm[0], lm[1], 0.0, 0.1) for i, lm in enumerate(landmarks)]
    assert _read(mask / 255.0, head_and_chest, (280, 480))["status"] == "step_back"


def test_a_still_capture_gives_widths_a_sizing_estimate_uses():
    session = bodymeasure.MeasureSession()
    mask, landmarks, truth = draw_body((280, 480), cx=140.0)
    reading = _read(mask / 255.0, landmarks, (280, 480))
    statuses = [session.add(reading, landmarks, t * 33.3, 280, 480)["status"] for t in range(62)]
    assert statuses[0] == "measuring" and statuses[-1] == "done"
    observed = session.observed
    assert set(observed) == {"chest", "waist", "hips"}
    assert all(0.7 < o["width_sd"] < 1.5 for o in observed.values())
    estimate = sizing.estimate(170.0, 62.0, "female", observed)
    assert estimate["waist"]["camera"] == "used" and estimate["hips"]["camera"] == "used"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({}, None),
        ({"knee_bend": 18.0}, None),
        ({"knee_bend": 28.0}, "knees_bent"),
        ({"stance": 9.0}, None),
        ({"stance": 14.0}, "legs_apart"),
        ({"lean": 6.0}, None),
        ({"lean": -6.0}, None),
        ({"lean": 10.0}, "leaning"),
        ({"lean": -10.0}, "leaning"),
    ],
)
def test_posture_limits_come_from_the_stature_budget(kwargs, reason):
    """Bent knees (< 156.6 degrees), a leg out of plumb (> 11.7) or a lean (> 8.1) is not standing straight."""
    _, landmarks, _ = draw_body((280, 480), cx=140.0, **kwargs)
    px = [(lm[0] * 280, lm[1] * 480) for lm in landmarks]
    assert bodymeasure.posture(px) == reason


def test_posture_limits_cost_the_budget_they_are_derived_from():
    budget, leg = bodymeasure.POSTURE_BUDGET, bodymeasure.LEG_LENGTH
    tilt = math.radians(bodymeasure.MAX_LEG_TILT_DEG)
    assert leg * (1 - math.cos(tilt)) == pytest.approx(budget)  # the hip joint drops by 1% of stature
    assert bodymeasure.MIN_KNEE_DEG == pytest.approx(180 - 2 * bodymeasure.MAX_LEG_TILT_DEG)
    assert 1 / math.cos(math.radians(bodymeasure.MAX_LEAN_DEG)) == pytest.approx(1 + budget)  # a row 1% too wide
    assert budget <= bodymeasure.SCALE_SD / 2


def test_a_nearly_straight_body_is_read_within_one_and_a_half_percent():
    mask, landmarks, truth = draw_body((280, 480), cx=140.0, knee_bend=12.0, stance=6.0, lean=4.0)
    reading = _read(mask / 255.0, landmarks, (280, 480))
    assert reading["status"] == "ok"
    scale = 170.0 / truth["body_px"]
    for zone in bodymeasure.ZONES:
        assert reading["widths"][zone] == pytest.approx(truth[zone] * scale, rel=0.015)


def _side(mask, landmarks, frame, height_cm=170.0, sex="female"):
    return bodymeasure.read_side(landmarks, mask, frame[0], frame[1], height_cm, MODEL["levels"][sex], MODEL["depth_range"][sex])


def test_drawn_depths_are_read_back_within_one_and_a_half_percent():
    rng = random.Random(11)
    worst = 0.0
    for _ in range(25):
        depths = (rng.uniform(0.11, 0.15), rng.uniform(0.10, 0.15), rng.uniform(0.12, 0.16))
        body_px = rng.uniform(320, 440)
        frame = (300, 480)
        mask, landmarks, truth = draw_side_body(frame, body_px=body_px, floor=470.0 - rng.uniform(0, 460 - body_px),
                                                cx=rng.uniform(110, 190), depths=depths, facing=rng.choice((1, -1)))
        reading = _side(mask / 255.0, landmarks, frame)
        assert reading["status"] == "ok", reading
        scale = 170.0 / truth["body_px"]
        for zone in bodymeasure.ZONES:
            worst = max(worst, abs(reading["depths"][zone] - truth[zone] * scale) / (truth[zone] * scale))
    assert worst < 0.015, worst


@pytest.mark.parametrize(("turn", "status"), [(0.0, "ok"), (6.0, "ok"), (10.0, "turn_side"), (45.0, "turn_side")])
def test_the_side_view_must_be_side_on_to_within_the_turn_that_costs_one_percent(turn, status):
    """Side-on within 7.8 degrees: there the hips' depth reads at most 1% too deep."""
    mask, landmarks, _ = draw_side_body((280, 480), cx=140.0, turn=turn)
    assert _side(mask / 255.0, landmarks, (280, 480))["status"] == status
    k = bodymeasure.SIDE_WIDTH_OVER_DEPTH
    sin = bodymeasure.MAX_SIDE_TURN_SIN
    assert math.sqrt(1 + (k * k - 1) * sin * sin) == pytest.approx(1 + bodymeasure.POSTURE_BUDGET)


def test_a_frontal_person_is_asked_to_turn_and_nobody_to_step_in():
    mask, landmarks, _ = draw_body((280, 480), cx=140.0)
    assert _side(mask / 255.0, landmarks, (280, 480))["status"] == "turn_side"
    assert _side(None, None, (280, 480))["status"] == "no_person"


def test_an_arm_hanging_over_the_torso_leaves_the_depths_an_arm_swung_forward_blocks_them():
    mask, landmarks, truth = draw_side_body((280, 480), cx=140.0, arm_swing=0.0)
    assert _side(mask / 255.0, landmarks, (280, 480))["status"] == "ok"
    mask, landmarks, _ = draw_side_body((280, 480), cx=140.0, arm_swing=40.0)
    reading = _side(mask / 255.0, landmarks, (280, 480))
    assert reading["status"] == "side_arms" and reading["blocked"]["waist"] == "arms"


def test_a_side_capture_adds_depths_and_tightens_every_girth():
    mask, landmarks, _ = draw_body((280, 480), cx=140.0)
    front, side = bodymeasure.MeasureSession(), bodymeasure.MeasureSession(name="depth")
    reading = _read(mask / 255.0, landmarks, (280, 480))
    for t in range(62):
        front.add(reading, landmarks, t * 33.3, 280, 480)
    mask, side_landmarks, _ = draw_side_body((280, 480), cx=140.0)
    side_reading = _side(mask / 255.0, side_landmarks, (280, 480))
    statuses = [side.add(side_reading, side_landmarks, t * 33.3, 280, 480)["status"] for t in range(62)]
    assert statuses[-1] == "done" and set(side.observed) == {"chest", "waist", "hips"}
    assert all("depth" in o and "width" not in o for o in side.observed.values())
    combined = bodymeasure.with_depths(front.observed, side.observed)
    assert set(combined["waist"]) == {"width", "width_sd", "depth", "depth_sd"}
    front_only = sizing.estimate(170.0, 62.0, "female", front.observed)
    both = sizing.estimate(170.0, 62.0, "female", combined)
    for zone in ("chest", "waist", "hips"):
        assert "depth" in both[zone]["inputs"], zone
        assert both[zone]["sd"] < front_only[zone]["sd"], zone
    # Skipping the side view leaves the front's advice as it was.
    assert bodymeasure.with_depths(front.observed, None) == front.observed
