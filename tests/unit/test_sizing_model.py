"""The size-advice body model, measured on the fifth of ANSUR II it was never fitted on.

The girth estimates a camera can feed (a zone's front width, and its side depth) must beat the
height-and-weight baseline in every zone, and each stated 80% interval must hold 75-85% of the
true values of people the model has not seen.
"""

from __future__ import annotations

import json
import sys
from statistics import mean

import pytest

from tests import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import fit_sizing_model as fitting  # noqa: E402

from tryon import sizing  # noqa: E402

ROWS = fitting.load()
HELD_BACK = [r for r in ROWS if fitting.held_back(r["subjectid"])]
MODEL = sizing.load_model()


def _errors(sex: str, measure: str, inputs: tuple[str, ...]):
    """Absolute errors and interval hits of one fitted model on the held-back people of ``sex``."""
    fitted = next(m for m in MODEL["models"][sex][measure] if tuple(m["inputs"]) == inputs)
    people = [r for r in HELD_BACK if sex == "any" or r["sex"] == sex]
    errors = []
    for r in people:
        values = {"height": r["height"], "weight": r["weight"],
                  "width": r.get(f"{measure}_width"), "depth": r.get(f"{measure}_depth")}
        predicted = fitted["coef"][0] + sum(c * values[i] for c, i in zip(fitted["coef"][1:], fitted["inputs"]))
        errors.append(abs(predicted - r[measure]))
    return errors, fitted["half80"]


def _numbers(doc):
    if isinstance(doc, dict):
        return [x for k in sorted(doc) for x in _numbers(doc[k])]
    if isinstance(doc, list):
        return [x for item in doc for x in _numbers(item)]
    return [doc]


def test_the_committed_model_is_what_the_data_fits():
    committed, refitted = json.loads(fitting.OUT.read_text()), fitting.fit(ROWS)
    # The same structure; the numbers to their last stored digit (another BLAS may round differently).
    assert set(committed) == set(refitted) and set(committed["models"]) == set(refitted["models"])
    got, want = _numbers(refitted), _numbers(committed)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, float):
            assert g == pytest.approx(w, abs=2e-6), (g, w)
        else:
            assert g == w


def test_a_fifth_is_held_back_from_fitting():
    assert len(ROWS) == 6068
    assert 0.19 < len(HELD_BACK) / len(ROWS) < 0.21
    train = len(ROWS) - len(HELD_BACK)
    assert MODEL["models"]["any"]["chest"][0]["n"] == train


@pytest.mark.parametrize("sex", ["female", "male", "any"])
@pytest.mark.parametrize("zone", sizing.GIRTHS)
def test_camera_widths_beat_height_and_weight_in_every_zone(sex, zone):
    baseline = mean(_errors(sex, zone, ("height", "weight"))[0])
    front = mean(_errors(sex, zone, ("height", "weight", "width"))[0])
    front_side = mean(_errors(sex, zone, ("height", "weight", "width", "depth"))[0])
    assert front < baseline, (front, baseline)
    assert front_side < front, (front_side, front)
    # Better by a margin worth a camera: at least 5% (front) and 20% (front and side).
    assert front < 0.95 * baseline and front_side < 0.80 * baseline, (baseline, front, front_side)


def _coverage(sex: str, measure: str) -> dict:
    out = {}
    for fitted in MODEL["models"][sex][measure]:
        errors, half80 = _errors(sex, measure, tuple(fitted["inputs"]))
        out["+".join(fitted["inputs"])] = sum(e <= half80 for e in errors) / len(errors)
    return out


@pytest.mark.parametrize("sex", ["female", "male", "any"])
@pytest.mark.parametrize("zone", sizing.GIRTHS)
def test_stated_80_percent_girth_intervals_hold_75_to_85_percent_of_unseen_people(sex, zone):
    coverage = _coverage(sex, zone)
    assert all(0.75 <= inside <= 0.85 for inside in coverage.values()), coverage


@pytest.mark.parametrize("sex", ["female", "male", "any"])
@pytest.mark.parametrize("measure", ["inseam", "shoulder_breadth"])
def test_length_intervals_are_never_overconfident(sex, measure):
    # Women's inseam holds 85-87% (conservative on these 391 people); none holds fewer than 75%.
    coverage = _coverage(sex, measure)
    assert all(0.75 <= inside <= 0.90 for inside in coverage.values()), coverage


def test_height_and_weight_baseline_matches_what_was_measured_on_the_survey():
    # ../shared/notes/packaged-models-and-data.md: men / women chest 2.6 / 3.4 cm, waist 3.5 / 3.8,
    # hips 2.1 / 2.3 mean absolute error from height and weight alone.
    expected = {"male": {"chest": 2.6, "waist": 3.5, "hips": 2.1}, "female": {"chest": 3.4, "waist": 3.8, "hips": 2.3}}
    for sex, zones in expected.items():
        for zone, mae in zones.items():
            assert mean(_errors(sex, zone, ("height", "weight"))[0]) == pytest.approx(mae, abs=0.25)
