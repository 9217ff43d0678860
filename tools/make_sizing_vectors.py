#!/usr/bin/env python3
"""Write the shared size-advice vectors, tests/vectors/sizing/*.json, from the Python reference.

tryon/sizing.py and its JavaScript twin static/tryon/js/sizing.js must agree on every one;
tests/unit/test_sizing.py and tests/js/sizing_vectors.test.mjs both load these files:

* ``parse.json``: ``{"name", "cases": [{"field", "input", "value" | "error"}]}``
* ``estimate_*.json``: ``{"name", "height", "weight", "sex", "observed", "expected": estimate(...)}``
* ``recommend_*.json``: ``{"name", "measurements", "chart", "kind", "offered", "expected": recommend(...)}``

and the body-measurement vectors, tests/vectors/bodymeasure/*.json, for tryon/bodymeasure.py and
static/tryon/js/bodymeasure.js (tests/unit/test_bodymeasure.py, tests/js/bodymeasure_vectors.test.mjs),
from synthetic silhouettes (tests/bodies.py) whose true widths are known:

* ``frame_*.json``: ``{"name", "frame": [w, h], "height_cm", "sex", "landmarks", "mask": base64 of
  zlib of the uint8 mask (0..255, value / 255), "truth", "expected": read_frame(...)}``
* ``side_*.json``: as ``frame_*`` with ``"view": "side"``, for read_side on drawn side views whose
  true depths are in ``truth`` (and one frontal body, which must be told to turn)
* ``session_*.json``: ``{"name", "frame", "measure", "steps": [{"reading", "torso", "t"}], "expected":
  [add(...) per step], "observed"}``; ``torso`` holds the only landmarks a session reads
  (shoulders 11, 12 and hips 23, 24); the others are zeros; ``measure`` is "width" or "depth"
  (a side view's session)

Run after changing the advice or refitting the model on purpose, and review the diff:

    .venv/bin/python tools/make_sizing_vectors.py
"""

from __future__ import annotations

import base64
import json
import random
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bodies import draw_body, draw_side_body  # noqa: E402
from tryon import bodymeasure, sizing  # noqa: E402

OUT = ROOT / "tests" / "vectors" / "sizing"
BODY_OUT = ROOT / "tests" / "vectors" / "bodymeasure"

PARSE = [
    ("height", "172"), ("height", "172 cm"), ("height", " 1.72 m "), ("height", "5'8\""), ("height", "5' 8''"),
    ("height", "5 ft 8 in"), ("height", "5ft"), ("height", "68 in"), ("height", "6’1”"), ("height", "0"),
    ("height", "300"), ("height", "300 cm"), ("height", "-170"), ("height", "tall"), ("height", ""),
    ("height", "175 kg"), ("height", "1e3"), ("height", "NaN"), ("height", "١٧٠"),
    ("weight", ""), ("weight", "68"), ("weight", "68.5 kg"), ("weight", "150 lb"), ("weight", "150lbs"),
    ("weight", "-60"), ("weight", "0"), ("weight", "heavy"), ("weight", "900"), ("weight", "68 cm"),
    ("sex", ""), ("sex", "female"), ("sex", "Male"), ("sex", "any"), ("sex", "other value"),
]
PARSERS = {"height": sizing.parse_height, "weight": sizing.parse_weight, "sex": sizing.parse_sex}

# A women's and a unisex chart as stores publish them (body measurements, cm).
WOMEN = [
    {"size": s, "chest": c, "waist": w, "hips": h, "length": None}
    for s, c, w, h in [("XS", 80, 62, 86), ("S", 86, 68, 92), ("M", 92, 74, 98), ("L", 98, 80, 104), ("XL", 106, 88, 112)]
]
UNISEX = [
    {"size": s, "chest": c, "waist": w, "hips": None, "length": None}
    for s, c, w in [("S", 90, 76), ("M", 98, 84), ("L", 106, 92), ("XL", 114, 100), ("XXL", 122, 108)]
]
TROUSERS = [
    {"size": s, "chest": None, "waist": w, "hips": h, "length": l}
    for s, w, h, l in [("S", 74, 94, 80), ("M", 80, 100, 81), ("L", 86, 106, 82), ("XL", 94, 112, 83)]
]

ESTIMATES = {
    "height_only": (172.0, None, None, {}),
    "height_weight_female": (164.0, 61.0, "female", {}),
    "height_weight_male": (181.0, 84.0, "male", {}),
    "camera_front": (170.0, 66.0, "female", {"chest": {"width": 28.0, "width_sd": 1.0}, "waist": {"width": 26.5, "width_sd": 1.2},
                                            "hips": {"width": 34.0, "width_sd": 1.0}}),
    "camera_front_and_side": (178.0, 80.0, "male", {"chest": {"width": 32.0, "width_sd": 1.0, "depth": 25.0, "depth_sd": 1.0},
                                                    "waist": {"width": 30.0, "width_sd": 1.0, "depth": 22.0, "depth_sd": 1.5},
                                                    "hips": {"width": 35.0, "width_sd": 0.8, "depth": 25.0, "depth_sd": 1.2}}),
    "camera_too_noisy_adds_nothing": (170.0, 66.0, None, {"chest": {"width": 29.0, "width_sd": 6.0},
                                                          "hips": {"width": 35.0, "width_sd": 5.0}}),
    "camera_without_weight": (158.0, None, "female", {"waist": {"width": 25.0, "width_sd": 1.0}}),
}


def recommend_cases() -> dict:
    m = lambda *args: sizing.estimate(*args)  # noqa: E731
    return {
        "women_tshirt": (m(166.0, 60.0, "female"), WOMEN, "tshirt", None),
        "women_dress_camera": (m(*ESTIMATES["camera_front"]), WOMEN, "dress", None),
        "unisex_between_sizes": (m(176.0, 74.0, "male"), UNISEX, "tshirt", None),
        "unisex_confident": (m(*ESTIMATES["camera_front_and_side"]), UNISEX, "jacket", None),
        "trousers_with_length": (m(183.0, 78.0, "male"), TROUSERS, "trousers", None),
        "above_the_chart": (m(190.0, 140.0, "male"), WOMEN, "tshirt", None),
        "below_the_chart": (m(150.0, 38.0, "female"), UNISEX, "tshirt", None),
        "no_chart": (m(170.0, 65.0, None), [], "tshirt", None),
        "size_sold_but_not_on_chart": (m(170.0, 65.0, None), WOMEN[:2] + WOMEN[3:], "tshirt", ["XS", "S", "M", "L", "XL"]),
        "zone_missing_for_one_size": (m(166.0, 60.0, "female"),
                                      [dict(r, waist=None) if r["size"] == "L" else r for r in WOMEN], "dress", None),
        "chart_not_growing": (m(166.0, 60.0, "female"), [dict(r, chest=90) if r["size"] == "L" else r for r in WOMEN], "tshirt", None),
        "size_listed_twice": (m(166.0, 60.0, "female"), WOMEN + [WOMEN[0]], "tshirt", None),
        "single_size": (m(166.0, 60.0, "female"), [WOMEN[2]], "tshirt", None),
        "chart_without_kind_zones": (m(166.0, 60.0, "female"),
                                     [{"size": r["size"], "chest": None, "waist": None, "hips": r["hips"], "length": None} for r in WOMEN],
                                     "tshirt", None),
    }


FRAMES = {
    "facing_arms_out": {},
    "arms_half_out_chest_hidden": {"arm_angle": 18.0},
    "arms_down": {"arm_angle": 4.0},
    "arms_raised_chest_not_read": {"arm_angle": 100.0},
    "turned_away": {"turned": 0.7},
    "too_small": {"body_px": 170.0, "floor": 300.0},
    "feet_cut_off": {"floor": 478.0},
    "head_cut_off": {"body_px": 470.0, "floor": 470.0},
    "broad_body": {"widths": (0.2, 0.21, 0.24)},
    "slim_body_off_centre": {"widths": (0.15, 0.14, 0.185), "cx": 100.0},
    "low_visibility_feet": {"visibility": 0.3},
    "knees_bent": {"knee_bend": 35.0},
    "feet_wide": {"stance": 18.0},
    "leaning": {"lean": 14.0},
    "nearly_straight": {"knee_bend": 12.0, "stance": 6.0, "lean": 4.0},
}


SIDES = {
    "profile_facing_right": {},
    "profile_facing_left": {"facing": -1},
    "slightly_turned": {"turn": 5.0},
    "not_side_on": {"turn": 20.0},
    "facing_the_camera": None,  # a frontal body (draw_body)
    "arms_swung_forward": {"arm_swing": 40.0},
    "leaning_forward": {"lean": 15.0},
    "too_small": {"body_px": 170.0, "floor": 300.0},
    "deep_body": {"depths": (0.15, 0.145, 0.15), "widths": (0.2, 0.21, 0.22)},
}


def mask_payload(mask) -> str:
    return base64.b64encode(zlib.compress(mask.tobytes(), 9)).decode("ascii")


def frame_vectors() -> dict:
    model = sizing.load_model()
    out = {}
    for name, kwargs in FRAMES.items():
        frame = (280, 480)
        mask, landmarks, truth = draw_body(frame, cx=kwargs.pop("cx", 140.0), **kwargs)
        if name == "low_visibility_feet":
            landmarks = [lm if i < 25 else (lm[0], lm[1], lm[2], 0.3) for i, lm in enumerate(landmarks)]
            landmarks = [lm if i >= 25 else (lm[0], lm[1], lm[2], 0.99) for i, lm in enumerate(landmarks)]
        values = (mask / 255.0).tolist()
        sex = "male" if "broad" in name else "female"
        reading = bodymeasure.read_frame(landmarks, values, frame[0], frame[1], 170.0, model["levels"][sex], model["width_range"][sex])
        out[name] = {"name": name, "frame": list(frame), "height_cm": 170.0, "sex": sex,
                     "landmarks": [list(lm) for lm in landmarks], "mask": mask_payload(mask), "truth": truth,
                     "expected": reading}
    return out


def side_vectors() -> dict:
    model = sizing.load_model()
    out = {}
    for name, kwargs in SIDES.items():
        frame = (280, 480)
        if kwargs is None:
            mask, landmarks, truth = draw_body(frame, cx=140.0)
        else:
            mask, landmarks, truth = draw_side_body(frame, cx=140.0, **kwargs)
        values = (mask / 255.0).tolist()
        sex = "male" if "deep" in name else "female"
        reading = bodymeasure.read_side(landmarks, values, frame[0], frame[1], 170.0, model["levels"][sex], model["depth_range"][sex])
        out[name] = {"name": name, "view": "side", "frame": list(frame), "height_cm": 170.0, "sex": sex,
                     "landmarks": [list(lm) for lm in landmarks], "mask": mask_payload(mask), "truth": truth,
                     "expected": reading}
    return out


def _reading(widths: dict, height_px: float = 400.0, status: str = "ok", measure: str = "width") -> dict:
    if status != "ok":
        reading = bodymeasure._coaching(status)
        if measure == "depth":
            reading["depths"] = reading.pop("widths")
        return reading
    return {"status": "ok", "message": bodymeasure.MESSAGES["ok"], f"{measure}s": widths, "rows": {}, "blocked": {},
            "height_px": height_px, "cm_per_px": 170.0 / height_px}


TORSO = (11, 12, 23, 24)


def landmarks_of(torso: dict | None) -> list | None:
    """The 33 landmarks of a session step: the torso's, zeros elsewhere (tests do the same)."""
    if torso is None:
        return None
    return [list(torso[str(i)]) if str(i) in torso else [0.0, 0.0, 0.0, 0.0] for i in range(33)]


def session_vectors() -> dict:
    rng = random.Random(13)
    _, base, _ = draw_body((280, 480), cx=140.0)
    frame = [280, 480]

    def still(n, t0, dt=33.3, drift=0.0, measure="width", status="ok"):
        steps = []
        sizes = (("chest", 28.0), ("waist", 29.0), ("hips", 35.0)) if measure == "width" else \
            (("chest", 22.0), ("waist", 20.5), ("hips", 24.0))
        for k in range(n):
            jitter = [(round(lm[0] + rng.gauss(0, 0.5) / frame[0] + drift * k / frame[0], 6),
                       round(lm[1] + rng.gauss(0, 0.5) / frame[1], 6), 0.0, lm[3]) for lm in base]
            widths = {z: round(w + rng.gauss(0, 0.4), 4) for z, w in sizes}
            steps.append({"reading": _reading(widths, measure=measure, status=status), "landmarks": jitter, "t": round(t0 + k * dt, 3)})
        return steps

    sequences = {
        "still_until_done": still(70, 0.0),
        "step_back_interrupts": still(30, 0.0) + [{"reading": _reading({}, status="step_back"), "landmarks": None, "t": 1000.0}]
        + still(70, 1033.3),
        "moving_resets": still(20, 0.0) + still(10, 666.0, drift=6.0) + still(70, 1000.0),
        "gap_resets": still(30, 0.0) + still(70, 2000.0),
        "chest_sometimes_hidden": [dict(s, reading=dict(s["reading"], widths={k: v for k, v in s["reading"]["widths"].items()
                                                                            if k != "chest" or i % 3})) for i, s in enumerate(still(70, 0.0))],
        "side_turn_then_still": still(10, 0.0, measure="depth", status="turn_side") + still(70, 333.0, measure="depth"),
    }
    out = {}
    for name, steps in sequences.items():
        for step in steps:
            lms = step.pop("landmarks")
            step["torso"] = None if lms is None else {str(i): list(lms[i]) for i in TORSO}
        measure = "depth" if name.startswith("side_") else "width"
        session = bodymeasure.MeasureSession(name=measure)
        expected = [session.add(s["reading"], landmarks_of(s["torso"]), s["t"], frame[0], frame[1]) for s in steps]
        out[name] = {"name": name, "frame": frame, "measure": measure, "steps": steps, "expected": expected,
                     "observed": session.observed}
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    cases = []
    for field, text in PARSE:
        try:
            cases.append({"field": field, "input": text, "value": PARSERS[field](text)})
        except sizing.BodyInputError as error:
            cases.append({"field": field, "input": text, "error": error.message})
    (OUT / "parse.json").write_text(json.dumps({"name": "parse", "cases": cases}, indent=1, ensure_ascii=False) + "\n")
    for name, (height, weight, sex, observed) in ESTIMATES.items():
        doc = {"name": name, "height": height, "weight": weight, "sex": sex, "observed": observed,
               "expected": sizing.estimate(height, weight, sex, observed)}
        (OUT / f"estimate_{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    for name, (measurements, chart, kind, offered) in recommend_cases().items():
        doc = {"name": name, "measurements": measurements, "chart": chart, "kind": kind, "offered": offered,
               "expected": sizing.recommend(measurements, chart, kind, offered)}
        (OUT / f"recommend_{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(list(OUT.glob('*.json')))} files to {OUT.relative_to(ROOT)}")
    BODY_OUT.mkdir(parents=True, exist_ok=True)
    for old in BODY_OUT.glob("*.json"):
        old.unlink()
    for name, doc in frame_vectors().items():
        (BODY_OUT / f"frame_{name}.json").write_text(json.dumps(doc) + "\n")
    for name, doc in side_vectors().items():
        (BODY_OUT / f"side_{name}.json").write_text(json.dumps(doc) + "\n")
    for name, doc in session_vectors().items():
        (BODY_OUT / f"session_{name}.json").write_text(json.dumps(doc) + "\n")
    print(f"wrote {len(list(BODY_OUT.glob('*.json')))} files to {BODY_OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
