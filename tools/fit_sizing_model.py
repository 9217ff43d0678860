#!/usr/bin/env python3
"""Fit the size-advice body model on ANSUR II and write static/tryon/sizing-model.json.

The model predicts each body measurement a size chart uses (chest, waist and hip girth, inseam,
shoulder breadth) from what the shopper states (height, optionally weight and sex) and, for the
girths, from what the camera measures (the zone's front width, optionally its side depth). It is
a set of ordinary least-squares fits, one per sex ("female", "male", and "any" for a shopper who
does not say) x measurement x available inputs, each with the half-width of its 80% interval:
the 80th percentile of the absolute residual on the people it was fitted on.

Fitted on tests/data/ansur2/sizing.csv without the held-back fifth (subjectid % 5 == 0), which
tests/unit/test_sizing_model.py uses to check the errors and the intervals. tryon/sizing.py and
static/tryon/js/sizing.js both read the JSON this writes, so the phone and the server advise
from the same numbers. Run after changing the data or the inputs, and review the diff:

    .venv/bin/python tools/fit_sizing_model.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "ansur2" / "sizing.csv"
OUT = ROOT / "static" / "tryon" / "sizing-model.json"

GIRTHS = ("chest", "waist", "hips")
LENGTHS = ("inseam", "shoulder_breadth")
# Each girth: every combination of inputs a shopper and a camera can give.
GIRTH_INPUTS = (
    ("height",), ("height", "weight"),
    ("height", "width"), ("height", "weight", "width"),
    ("height", "width", "depth"), ("height", "weight", "width", "depth"),
)
LENGTH_INPUTS = (("height",), ("height", "weight"))


def held_back(subjectid: int) -> bool:
    """The fifth of the survey never used for fitting."""
    return subjectid % 5 == 0


def load(path: Path = DATA) -> list[dict]:
    with open(path, newline="") as fh:
        return [
            {k: (v if k == "sex" else int(v) if k == "subjectid" else float(v)) for k, v in row.items()}
            for row in csv.DictReader(fh)
        ]


def columns(rows: list[dict], target: str, inputs: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    names = [f"{target}_{i}" if i in ("width", "depth") else i for i in inputs]
    x = np.array([[1.0, *(r[n] for n in names)] for r in rows])
    y = np.array([r[target] for r in rows])
    return x, y


def fit_one(rows: list[dict], target: str, inputs: tuple[str, ...]) -> dict:
    x, y = columns(rows, target, inputs)
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    residual = y - x @ coef
    return {
        "inputs": list(inputs),
        "coef": [round(float(c), 6) for c in coef],
        "half80": round(float(np.quantile(np.abs(residual), 0.8)), 3),
        "n": len(rows),
    }


def fit(rows: list[dict]) -> dict:
    train = [r for r in rows if not held_back(r["subjectid"])]
    groups = {
        "female": [r for r in train if r["sex"] == "female"],
        "male": [r for r in train if r["sex"] == "male"],
        "any": train,
    }
    models: dict = {}
    for sex, group in groups.items():
        models[sex] = {g: [fit_one(group, g, inputs) for inputs in GIRTH_INPUTS] for g in GIRTHS}
        models[sex].update({m: [fit_one(group, m, inputs) for inputs in LENGTH_INPUTS] for m in LENGTHS})
    # Where on the body each girth is taken, as a fraction of height: the camera measures its
    # widths there. Median over the training people of each sex.
    levels = {
        sex: {g: round(float(np.median([r[f"{g}_height"] / r["height"] for r in group])), 4) for g in GIRTHS}
        for sex, group in groups.items()
    }
    # The widest and narrowest front width for one's height anyone in the survey has, 10% wider
    # each way (a silhouette in clothes is a little wider than a caliper's breadth): a camera width
    # outside it is a mismeasurement (an arm across the body, a turned torso), not a body.
    ranges = {
        sex: {g: [round(0.9 * min(r[f"{g}_width"] / r["height"] for r in group), 4),
                  round(1.1 * max(r[f"{g}_width"] / r["height"] for r in group), 4)] for g in GIRTHS}
        for sex, group in groups.items()
    }
    # The same for the side view's depths.
    depth_ranges = {
        sex: {g: [round(0.9 * min(r[f"{g}_depth"] / r["height"] for r in group), 4),
                  round(1.1 * max(r[f"{g}_depth"] / r["height"] for r in group), 4)] for g in GIRTHS}
        for sex, group in groups.items()
    }
    return {
        "about": "Size-advice body model, fitted by tools/fit_sizing_model.py on ANSUR II "
                 "(tests/data/ansur2, public domain) without the held-back fifth (subjectid % 5 == 0). "
                 "Centimetres and kilograms. Each model: value = coef[0] + sum(coef[i+1] * input[i]); "
                 "half80 is the half-width of its 80% interval.",
        "z80": 1.281552,
        "models": models,
        "levels": levels,
        "width_range": ranges,
        "depth_range": depth_ranges,
    }


def main() -> int:
    model = fit(load())
    OUT.write_text(json.dumps(model, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
