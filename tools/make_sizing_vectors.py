#!/usr/bin/env python3
"""Write the shared size-advice vectors, tests/vectors/sizing/*.json, from the Python reference.

tryon/sizing.py and its JavaScript twin static/tryon/js/sizing.js must agree on every one;
tests/unit/test_sizing.py and tests/js/sizing_vectors.test.mjs both load these files:

* ``parse.json``: ``{"name", "cases": [{"field", "input", "value" | "error"}]}``
* ``estimate_*.json``: ``{"name", "height", "weight", "sex", "observed", "expected": estimate(...)}``
* ``recommend_*.json``: ``{"name", "measurements", "chart", "kind", "offered", "expected": recommend(...)}``

Run after changing the advice or refitting the model on purpose, and review the diff:

    .venv/bin/python tools/make_sizing_vectors.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tryon import sizing  # noqa: E402

OUT = ROOT / "tests" / "vectors" / "sizing"

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
