"""Size advice: body measurements from what the shopper states and the camera sees, and the size that fits.

Pure Python, no Django. The browser twin is static/tryon/js/sizing.js; both read the same
fitted model (static/tryon/sizing-model.json, written by tools/fit_sizing_model.py from ANSUR II)
and both are held to the shared vectors in tests/vectors/sizing, so a phone and the server give
the same advice from the same numbers.

Three steps:

* :func:`parse_height`, :func:`parse_weight`, :func:`parse_sex` turn what a shopper typed into
  centimetres, kilograms and a sex (or None), or raise :class:`BodyInputError` with a message
  to show as it is.
* :func:`estimate` predicts chest, waist and hip girth, inseam and shoulder breadth, each with an
  80% interval. Every girth has several fitted models (height; height and weight; plus the
  zone's front width; plus its side depth); the one with the narrowest interval wins, where a
  camera-measured width carries its own measurement error into the interval. So the camera is
  used only where it tightens the estimate, and the result says so ("camera": "used" or "adds
  nothing").
* :func:`recommend` compares those estimates with a product's size chart (body measurements per
  size) and returns the size, its probability, a neighbour when the shopper is between two sizes,
  and a per-zone fit, or a plain reason why there is no advice. A size fits when every zone the
  garment's kind depends on fits, so the probability of each size is that of the largest size any
  zone needs. Zones are taken as independent: on ANSUR II the girths' residuals given height and
  weight correlate by |r| <= 0.38 (chest-waist, women), <= 0.25 once a width is measured.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent.parent / "static" / "tryon" / "sizing-model.json"

HEIGHT_CM = (100.0, 250.0)
WEIGHT_KG = (25.0, 300.0)
CM_PER_INCH = 2.54
KG_PER_LB = 0.45359237
GIRTHS = ("chest", "waist", "hips")
MEASURES = (*GIRTHS, "inseam", "shoulder_breadth")
CAMERA_INPUTS = ("width", "depth")

# The chart zones a garment's size depends on, by kind; "length" is shown but never picks a size.
ZONES_BY_KIND = {
    "tshirt": ("chest", "waist"),
    "longsleeve": ("chest", "waist"),
    "jacket": ("chest", "waist"),
    "dress": ("chest", "waist", "hips"),
    "skirt": ("waist", "hips"),
    "trousers": ("waist", "hips"),
}
LENGTH_BY_KIND = {"trousers": "inseam"}  # chart "length" compared with this body measure
LENGTH_TOLERANCE_CM = 2.5
BETWEEN_SIZES = 0.25  # a neighbour this likely is named too: "M, or L for a looser fit"
OUT_OF_CHART = 0.5  # more likely than this outside the chart: no size, say so
SINGLE_SIZE_STEP_CM = 4.0  # a chart of one size: the usual grading step


class BodyInputError(ValueError):
    """A shopper's input that cannot be used; ``str(error)`` is the message to show."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_FEET_INCHES = re.compile(  # ASCII digits only, as in JavaScript
    r"^(?P<ft>\d+(?:\.\d+)?)\s*(?:'|’|ft|feet|foot)\s*(?:(?P<in>\d+(?:\.\d+)?)\s*(?:\"|”|''|in|inch|inches)?)?$",
    re.ASCII,
)
_WITH_UNIT = re.compile(r"^(?P<n>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>cm|m|in|inch|inches|\"|kg|lb|lbs)?$", re.ASCII)


def _within(field: str, value: float, unit: str, bounds: tuple[float, float]) -> float:
    """Return ``value``, or raise the message saying it is outside ``bounds`` (a wrong unit, usually)."""
    low, high = bounds
    if not low <= value <= high:
        raise BodyInputError(
            field, f"A {field} of {_fmt(value)} {unit} is outside {_fmt(low)}–{_fmt(high)} {unit}: check the number and the unit."
        )
    return value


def parse_height(text) -> float:
    """Return a height in centimetres from "172", "172 cm", "1.72 m", "5'8\"", "5 ft 8", "68 in"."""
    raw = str(text if text is not None else "").strip().lower()
    if not raw:
        raise BodyInputError("height", "Enter your height, in cm (e.g. 172) or feet and inches (e.g. 5'8\").")
    cm = None
    match = _FEET_INCHES.match(raw)
    if match:
        cm = (float(match["ft"]) * 12 + float(match["in"] or 0)) * CM_PER_INCH
    else:
        match = _WITH_UNIT.match(raw)
        if match:
            value, unit = float(match["n"]), match["unit"] or "cm"
            if unit in ("in", "inch", "inches", '"'):
                cm = value * CM_PER_INCH
            elif unit == "m":
                cm = value * 100
            elif unit == "cm":
                cm = value
    if cm is None or not math.isfinite(cm):
        raise BodyInputError("height", "Enter your height as a number, in cm (e.g. 172) or feet and inches (e.g. 5'8\").")
    return _within("height", cm, "cm", HEIGHT_CM)


def parse_weight(text) -> float | None:
    """Return a weight in kilograms from "68", "68 kg", "150 lb", or None when left empty."""
    raw = str(text if text is not None else "").strip().lower()
    if not raw:
        return None
    match = _WITH_UNIT.match(raw)
    unit = (match["unit"] or "kg") if match else None
    if not match or unit not in ("kg", "lb", "lbs"):
        raise BodyInputError("weight", "Enter your weight as a number, in kg (e.g. 68) or lb (e.g. 150 lb), or leave it empty.")
    kg = float(match["n"]) * (KG_PER_LB if unit in ("lb", "lbs") else 1.0)
    if kg <= 0:
        raise BodyInputError("weight", "Weight must be more than 0: enter it in kg or lb, or leave it empty.")
    return _within("weight", kg, "kg", WEIGHT_KG)


def parse_sex(text) -> str | None:
    """Return "female", "male", or None for "", "any" or not given (the pooled model is used)."""
    raw = str(text if text is not None else "").strip().lower()
    if raw in ("", "any", "unspecified", "none"):
        return None
    if raw in ("female", "male"):
        return raw
    raise BodyInputError("sex", "Choose female, male, or leave it unspecified.")


@lru_cache(maxsize=1)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _percent(probability: float) -> str:
    """A probability as a whole percent, at most 99: the model is never certain."""
    return str(min(99, int(math.floor(100 * probability + 0.5))))


def _fmt(value: float) -> str:
    """Round half up to a whole number, as the JavaScript twin does (not banker's rounding)."""
    return str(int(math.floor(value + 0.5)))


def _candidate(model: dict, z80: float, values: dict, sds: dict) -> tuple[float, float] | None:
    """(value, 80% half-width) of one fitted model, or None if an input is missing."""
    total = model["coef"][0]
    spread = model["half80"] ** 2
    for coef, name in zip(model["coef"][1:], model["inputs"]):
        x = values.get(name)
        if x is None:
            return None
        total += coef * x
        if name in CAMERA_INPUTS:
            spread += (z80 * coef * sds.get(name, 0.0)) ** 2
    return total, math.sqrt(spread)


def estimate(height: float, weight: float | None = None, sex: str | None = None, observed: dict | None = None,
             model: dict | None = None) -> dict:
    """Predict each body measure with its 80% interval.

    ``observed`` maps a girth zone to what the camera measured there, in centimetres:
    ``{"width": w, "width_sd": s, "depth": d, "depth_sd": t}`` (depth optional). Returns
    ``{measure: {"value", "sd", "low", "high", "inputs", "camera"}}`` where ``camera`` is "used",
    "adds nothing" (measured, but the interval without it is narrower) or "not measured".
    """
    model = model or load_model()
    z80 = model["z80"]
    fitted = model["models"][sex or "any"]
    observed = observed or {}
    out = {}
    for measure in MEASURES:
        seen = observed.get(measure) or {}
        values = {"height": height, "weight": weight, "width": seen.get("width"), "depth": seen.get("depth")}
        sds = {"width": seen.get("width_sd", 0.0), "depth": seen.get("depth_sd", 0.0)}
        best = None
        for candidate in fitted[measure]:
            got = _candidate(candidate, z80, values, sds)
            if got is not None and (best is None or got[1] < best[1]):
                best = (got[0], got[1], candidate["inputs"])
        value, half, inputs = best
        if "width" in inputs:
            camera = "used"
        elif seen.get("width") is not None:
            camera = "adds nothing"
        else:
            camera = "not measured"
        out[measure] = {
            "value": value, "sd": half / z80, "low": value - half, "high": value + half,
            "inputs": list(inputs), "camera": camera,
        }
    return out


def normal_cdf(x: float) -> float:
    """Standard normal CDF via Abramowitz & Stegun 7.1.26 (error < 1.5e-7), the same in JavaScript."""
    z = abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * math.exp(-z * z)
    return 0.5 * (1.0 + erf) if x >= 0 else 0.5 * (1.0 - erf)


def _edges(values: list[float]) -> list[float]:
    """Boundaries between sizes: midpoints, and half a step beyond the smallest and the largest."""
    if len(values) == 1:
        return [values[0] - SINGLE_SIZE_STEP_CM / 2, values[0] + SINGLE_SIZE_STEP_CM / 2]
    inner = [(a + b) / 2 for a, b in zip(values, values[1:])]
    return [values[0] - (values[1] - values[0]) / 2, *inner, values[-1] + (values[-1] - values[-2]) / 2]


def _no_advice(status: str, message: str, notes: list[str]) -> dict:
    return {"status": status, "size": None, "confidence": None, "alternative": None, "message": message,
            "probabilities": {}, "zones": {}, "notes": notes}


def recommend(measurements: dict, chart: list[dict], kind: str, offered: list[str] | None = None) -> dict:
    """Advise a size from ``estimate``'s measurements and a size chart.

    ``chart`` lists the sizes smallest first, each ``{"size": "M", "chest": 96.0, "waist": None,
    "hips": ..., "length": ...}`` (centimetres of body, None where the chart is silent).
    ``offered`` is the sizes the product sells; one without a chart row stops the advice, since
    it could be the right one. ``status`` is "ok", "no_chart", "bad_chart" or "out_of_chart";
    only "ok" names a size.
    """
    notes: list[str] = []
    if not chart:
        return _no_advice("no_chart", "This product has no size chart, so we cannot advise a size.", notes)
    sizes = [row["size"] for row in chart]
    if len(set(sizes)) != len(sizes):
        return _no_advice("bad_chart", "The size chart lists a size twice, so we cannot advise a size.", notes)
    missing = [s for s in (offered or []) if s not in sizes]
    if missing:
        return _no_advice(
            "bad_chart",
            f"The size chart has no row for {', '.join(missing)}, so we cannot advise a size.",
            notes,
        )
    zones = []
    for zone in ZONES_BY_KIND.get(kind, ("chest", "waist", "hips")):
        given = [row.get(zone) is not None for row in chart]
        if not any(given):
            continue
        if not all(given):
            lacking = ", ".join(s for s, g in zip(sizes, given) if not g)
            notes.append(f"The size chart gives no {zone} for {lacking}, so {zone} was not used.")
            continue
        values = [float(row[zone]) for row in chart]
        if any(b <= a for a, b in zip(values, values[1:])):
            return _no_advice(
                "bad_chart", f"The size chart's {zone} does not grow from {sizes[0]} to {sizes[-1]}, so we cannot advise a size.",
                notes,
            )
        if measurements.get(zone) is None:
            notes.append(f"Your {zone} was not measured, so {zone} was not used.")
            continue
        zones.append((zone, values))
    if not zones:
        return _no_advice("no_chart", "The size chart has no measurement we can compare with yours, so we cannot advise a size.", notes)

    n = len(sizes)
    # F[z][k + 1] = P(zone z needs size k or smaller), k = -1 (below the chart) .. n - 1; size n is above it.
    cumulative = []
    for zone, values in zones:
        m = measurements[zone]
        cumulative.append([normal_cdf((edge - m["value"]) / m["sd"]) for edge in _edges(values)])
    joint = [math.prod(f[j] for f in cumulative) for j in range(n + 1)]
    below = joint[0]
    above = 1.0 - joint[n]
    probabilities = {sizes[k]: joint[k + 1] - joint[k] for k in range(n)}

    if above >= OUT_OF_CHART or below >= OUT_OF_CHART:
        if above >= below:
            i = max(range(len(zones)), key=lambda i: 1.0 - cumulative[i][n])
            where, end = "above the largest", n - 1
        else:
            i = min(range(len(zones)), key=lambda i: cumulative[i][0])
            where, end = "below the smallest", 0
        zone, values = zones[i]
        message = (f"Your {zone} (about {_fmt(measurements[zone]['value'])} cm) is {where} size on this chart "
                   f"({sizes[end]}: {_fmt(values[end])} cm), so we cannot advise a size.")
        result = _no_advice("out_of_chart", message, notes)
        result["probabilities"] = probabilities
        return result

    best = max(range(n), key=lambda k: (probabilities[sizes[k]], -k))
    alternative = None
    neighbours = [k for k in (best - 1, best + 1) if 0 <= k < n]
    if neighbours:
        other = max(neighbours, key=lambda k: probabilities[sizes[k]])
        if probabilities[sizes[other]] >= BETWEEN_SIZES:
            alternative = {"size": sizes[other], "confidence": probabilities[sizes[other]],
                           "fit": "looser" if other > best else "closer"}
    size = sizes[best]
    percent = _percent(probabilities[size])
    message = f"{size} fits you, {percent}% sure"
    if alternative:
        message = f"{size}, or {alternative['size']} for a {alternative['fit']} fit ({percent}% / {_percent(alternative['confidence'])}% sure)"

    zone_fit = {}
    for zone, values in zones:
        # Regular where the body falls in the size's own range; loose where a smaller size would do.
        body = measurements[zone]["value"]
        edges = _edges(values)
        fit = "tight" if body > edges[best + 1] else "loose" if body < edges[best] else "regular"
        zone_fit[zone] = {"fit": fit, "body": body, "chart": values[best]}
    body_length = LENGTH_BY_KIND.get(kind)
    if body_length and measurements.get(body_length) and chart[best].get("length") is not None:
        body = measurements[body_length]["value"]
        length = float(chart[best]["length"])
        fit = "long" if length - body > LENGTH_TOLERANCE_CM else "short" if body - length > LENGTH_TOLERANCE_CM else "regular"
        zone_fit["length"] = {"fit": fit, "body": body, "chart": length}
    return {"status": "ok", "size": size, "confidence": probabilities[size], "alternative": alternative,
            "message": message, "probabilities": probabilities, "zones": zone_fit, "notes": notes}
