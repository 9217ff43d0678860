"""Size advice (tryon/sizing.py): the shared vectors, and what a shopper is told.

The same vectors (tests/vectors/sizing, written by tools/make_sizing_vectors.py) are checked
against the browser twin by tests/js/sizing_vectors.test.mjs.
"""

from __future__ import annotations

import json

import pytest

from tests import ROOT
from tests.approx import assert_close
from tryon import sizing

VECTORS = ROOT / "tests" / "vectors" / "sizing"
ESTIMATES = sorted(VECTORS.glob("estimate_*.json"))
RECOMMENDS = sorted(VECTORS.glob("recommend_*.json"))
PARSERS = {"height": sizing.parse_height, "weight": sizing.parse_weight, "sex": sizing.parse_sex}
WOMEN = [
    {"size": s, "chest": c, "waist": w, "hips": h, "length": None}
    for s, c, w, h in [("XS", 80, 62, 86), ("S", 86, 68, 92), ("M", 92, 74, 98), ("L", 98, 80, 104), ("XL", 106, 88, 112)]
]


def test_vectors_cover_every_outcome():
    statuses = {json.loads(p.read_text())["expected"]["status"] for p in RECOMMENDS}
    assert statuses == {"ok", "no_chart", "bad_chart", "out_of_chart"}
    cameras = {m["camera"] for p in ESTIMATES for m in json.loads(p.read_text())["expected"].values()}
    assert cameras == {"used", "adds nothing", "not measured"}
    docs = [json.loads(p.read_text())["expected"] for p in RECOMMENDS]
    assert any(d["alternative"] for d in docs) and any(d["status"] == "ok" and not d["alternative"] for d in docs)
    parse = json.loads((VECTORS / "parse.json").read_text())["cases"]
    assert sum("error" in c for c in parse) >= 10 and sum("value" in c for c in parse) >= 10


def test_parse_vectors():
    for case in json.loads((VECTORS / "parse.json").read_text())["cases"]:
        parse = PARSERS[case["field"]]
        if "error" in case:
            with pytest.raises(sizing.BodyInputError) as caught:
                parse(case["input"])
            assert caught.value.message == case["error"] and caught.value.field == case["field"]
        else:
            got = parse(case["input"])
            assert got == (pytest.approx(case["value"], abs=1e-9) if isinstance(case["value"], float) else case["value"])


@pytest.mark.parametrize("path", ESTIMATES, ids=lambda p: p.stem)
def test_estimate_vector(path):
    doc = json.loads(path.read_text())
    assert_close(sizing.estimate(doc["height"], doc["weight"], doc["sex"], doc["observed"]), doc["expected"])


@pytest.mark.parametrize("path", RECOMMENDS, ids=lambda p: p.stem)
def test_recommend_vector(path):
    doc = json.loads(path.read_text())
    assert_close(sizing.recommend(doc["measurements"], doc["chart"], doc["kind"], doc["offered"]), doc["expected"])


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("height", "0", "A height of 0 cm is outside 100–250 cm"),
        ("height", "300 cm", "A height of 300 cm is outside"),
        ("height", "tall", "Enter your height as a number"),
        ("height", "", "Enter your height"),
        ("weight", "-60", "Weight must be more than 0"),
        ("weight", "heavy", "Enter your weight as a number"),
    ],
)
def test_every_bad_input_gets_a_message_naming_the_fix(field, text, says):
    with pytest.raises(sizing.BodyInputError) as caught:
        PARSERS[field](text)
    assert says in str(caught.value)


def test_feet_and_inches_and_pounds_are_understood():
    assert sizing.parse_height("5'8\"") == pytest.approx(172.72)
    assert sizing.parse_height("5 ft 8") == pytest.approx(172.72)
    assert sizing.parse_weight("150 lb") == pytest.approx(68.04, abs=0.01)


def test_the_camera_is_used_only_where_it_narrows_the_interval():
    plain = sizing.estimate(170.0, 66.0, "female")
    sharp = sizing.estimate(170.0, 66.0, "female", {"waist": {"width": 26.0, "width_sd": 0.8}})
    blurry = sizing.estimate(170.0, 66.0, "female", {"waist": {"width": 26.0, "width_sd": 8.0}})
    assert sharp["waist"]["camera"] == "used" and sharp["waist"]["sd"] < plain["waist"]["sd"]
    assert blurry["waist"]["camera"] == "adds nothing" and blurry["waist"] == {**plain["waist"], "camera": "adds nothing"}
    assert sharp["chest"] == plain["chest"]  # a zone not measured is the baseline's


def test_a_bigger_body_gets_a_bigger_size_and_probabilities_sum_to_one():
    sizes = []
    for weight in (48.0, 56.0, 64.0, 72.0, 80.0):
        advice = sizing.recommend(sizing.estimate(166.0, weight, "female"), WOMEN, "dress")
        if advice["status"] == "ok":
            assert sum(advice["probabilities"].values()) <= 1.0 + 1e-9
            assert advice["confidence"] == max(advice["probabilities"].values())
            sizes.append([r["size"] for r in WOMEN].index(advice["size"]))
    assert len(sizes) >= 4 and sizes == sorted(sizes) and sizes[-1] > sizes[0]


def test_a_sharper_measurement_gives_a_surer_answer():
    observed = {z: {"width": w, "width_sd": 0.5, "depth": d, "depth_sd": 0.5}
                for z, w, d in (("chest", 27.0, 22.0), ("waist", 24.5, 18.0), ("hips", 33.0, 21.0))}
    vague = sizing.recommend(sizing.estimate(166.0, 60.0, "female"), WOMEN, "dress")
    sure = sizing.recommend(sizing.estimate(166.0, 60.0, "female", observed), WOMEN, "dress")
    assert sure["status"] == vague["status"] == "ok"
    assert sure["confidence"] > vague["confidence"] + 0.1


def test_between_two_sizes_both_are_named():
    advice = sizing.recommend({"chest": {"value": 95.0, "sd": 2.0}, "waist": {"value": 70.0, "sd": 2.0}}, WOMEN, "tshirt")
    assert advice["status"] == "ok" and {advice["size"], advice["alternative"]["size"]} == {"M", "L"}
    assert " or " in advice["message"] and "% sure" in advice["message"]


def test_a_sure_fit_in_the_middle_of_a_size():
    advice = sizing.recommend({"chest": {"value": 92.0, "sd": 1.0}, "waist": {"value": 74.0, "sd": 1.0}}, WOMEN, "tshirt")
    assert advice["size"] == "M" and advice["alternative"] is None and advice["confidence"] > 0.9
    assert advice["message"].startswith("M fits you, 9")
    assert advice["zones"] == {"chest": {"fit": "regular", "body": 92.0, "chart": 92.0},
                               "waist": {"fit": "regular", "body": 74.0, "chart": 74.0}}


def test_the_largest_zone_sets_the_size_and_the_others_read_loose():
    advice = sizing.recommend({"chest": {"value": 86.0, "sd": 1.0}, "waist": {"value": 80.0, "sd": 1.0}}, WOMEN, "tshirt")
    assert advice["size"] == "L"
    assert advice["zones"]["chest"]["fit"] == "loose" and advice["zones"]["waist"]["fit"] == "regular"


def test_never_a_size_outside_the_chart():
    big = sizing.recommend({"chest": {"value": 130.0, "sd": 2.0}, "waist": {"value": 80.0, "sd": 2.0}}, WOMEN, "tshirt")
    assert big["status"] == "out_of_chart" and big["size"] is None
    assert big["message"] == ("Your chest (about 130 cm) is above the largest size on this chart (XL: 106 cm), "
                              "so we cannot advise a size.")
    small = sizing.recommend({"chest": {"value": 70.0, "sd": 2.0}, "waist": {"value": 55.0, "sd": 2.0}}, WOMEN, "tshirt")
    assert small["status"] == "out_of_chart" and "below the smallest size on this chart (XS:" in small["message"]
