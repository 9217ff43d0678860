#!/usr/bin/env python3
"""Copy the columns the size advice needs from the ANSUR II survey into tests/data/ansur2/.

ANSUR II (US Army Anthropometric Survey 2012, public release) is a US Government work in the
public domain: 4,082 men and 1,986 women measured by hand. The size-advice model
(tools/fit_sizing_model.py) is fitted on it and tests/unit/test_sizing_model.py checks it on
the held-back fifth, so the subset lives in the repository; the full survey does not.

    .venv/bin/python tools/make_sizing_data.py [ANSUR_DIR]   # default ../shared/data/ansur2

Writes tests/data/ansur2/sizing.csv: one row per person, sex ("female"/"male"), subjectid, and
the measurements below in centimetres (weight in kg), one decimal.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "ansur2" / "sizing.csv"

# Survey column -> our name. Lengths are mm in the survey, weight is tenths of a kilogram.
COLUMNS = {
    "stature": "height",
    "weightkg": "weight",
    "chestcircumference": "chest",
    "waistcircumference": "waist",
    "buttockcircumference": "hips",
    "biacromialbreadth": "shoulder_breadth",
    "crotchheight": "inseam",
    "chestbreadth": "chest_width",
    "chestdepth": "chest_depth",
    "waistbreadth": "waist_width",
    "waistdepth": "waist_depth",
    "hipbreadth": "hips_width",
    "buttockdepth": "hips_depth",
    "acromialheight": "shoulder_height",
    "chestheight": "chest_height",
    "waistheightomphalion": "waist_height",
    "buttockheight": "hips_height",
}


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data" / "ansur2"
    rows = []
    for sex in ("female", "male"):
        with open(src / f"ANSUR_II_{sex}.csv", encoding="latin1", newline="") as fh:
            for raw in csv.DictReader(fh):
                rec = {k.lower(): v for k, v in raw.items()}
                row = {"sex": sex, "subjectid": int(rec["subjectid"])}
                for column, name in COLUMNS.items():
                    row[name] = round(float(rec[column]) / 10.0, 1)
                rows.append(row)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["sex", "subjectid", *COLUMNS.values()], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} people")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
