"""Size advice: accuracy on ANSUR II, measurements on the test media, consistency, and cost.

Prints one JSON object:
  ansur        — on the held-back fifth of ANSUR II (never fitted on): mean absolute error (cm) of
                 each girth from height + weight (the baseline), + the zone's true front width, and
                 + its side depth, and how many true values each stated 80% interval holds
  side_view    — what the optional side view gains on ANSUR's held-back fifth (error and 80%
                 half-width from the front width alone and with the side depth), the depths read
                 back from drawn side bodies, and the Python time of one side reading
  photos       — per test photo and stated height: the reading (or the instruction), each girth's
                 estimate and uncertainty (1 sigma), the advice on the demo dress chart, and the
                 milliseconds of decode + pose + measurement + advice, and of measurement + advice alone
  consistency  — the standing person at three scales and crops: each girth's spread against its
                 stated uncertainty; the moving clip, frame after frame (VIDEO mode): how many frames
                 are measurable (and why not: the instructions, and which posture was not straight),
                 per zone the single-frame widths' spread and sd over the frames against the sd each
                 frame states, the share of consecutive frame pairs that agree within their stated
                 uncertainty (widths, and the girths they give), and what a capture session says;
                 the same again without the posture check, for comparison
  browser      — (unless --no-browser) headless Chromium on the live page with the still whole-body
                 camera: loop_fps without and while measuring, interleaved in one run, their ratio,
                 and the JS time per frame measurement (bodymeasure.js readFrame) and per estimate +
                 advice (sizing.js), against the Python twin's in the same run

    .venv/bin/python bench/size_advice.py [--no-browser] [--seconds 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import fit_sizing_model as fitting  # noqa: E402

from tests import MEDIA_DIR  # noqa: E402
from tests.images import standing_jpeg  # noqa: E402
from tryon import bodymeasure, sizing  # noqa: E402
from tryon.advice import advise_from_photo  # noqa: E402
from tryon.photo import PhotoLimits, decode_photo  # noqa: E402
from tryon.pose import PoseEstimator, model_path_for  # noqa: E402

MODELS = ROOT / "static" / "vendor" / "models"
LIMITS = PhotoLimits(50 * 1024 * 1024, 100_000_000, 10_000)
DEMO_BODY = {"XS": (82, 66, 88), "S": (88, 72, 94), "M": (96, 80, 100), "L": (104, 88, 106), "XL": (112, 96, 112)}
CHART = [{"size": s, "chest": c, "waist": w, "hips": h, "length": None} for s, (c, w, h) in DEMO_BODY.items()]
ZONES = ("chest", "waist", "hips")


def ansur() -> dict:
    rows = [r for r in fitting.load() if fitting.held_back(r["subjectid"])]
    model = sizing.load_model()
    out = {"held_back_people": len(rows)}
    for sex in ("female", "male", "any"):
        people = [r for r in rows if sex == "any" or r["sex"] == sex]
        zones = {}
        for zone in ZONES:
            row = {}
            for label, inputs in (("height_weight", ("height", "weight")), ("front", ("height", "weight", "width")),
                                  ("front_side", ("height", "weight", "width", "depth"))):
                fitted = next(m for m in model["models"][sex][zone] if tuple(m["inputs"]) == inputs)
                errors = []
                for r in people:
                    values = {"height": r["height"], "weight": r["weight"], "width": r[f"{zone}_width"], "depth": r[f"{zone}_depth"]}
                    predicted = fitted["coef"][0] + sum(c * values[i] for c, i in zip(fitted["coef"][1:], fitted["inputs"]))
                    errors.append(abs(predicted - r[zone]))
                row[f"{label}_mae_cm"] = round(statistics.mean(errors), 2)
                row[f"{label}_in_80pct"] = round(sum(e <= fitted["half80"] for e in errors) / len(errors), 3)
            zones[zone] = row
        out[sex] = zones
    return out


def side_view() -> dict:
    """What the optional side view gains, and what reading one costs.

    Per sex and girth, on ANSUR II's held-back fifth with each person's true breadths and
    depths: the error and the 80% half-width (as fitted) from the front width, and from the
    front width and side depth together. Then drawn side bodies of known depth (tests/bodies.py):
    the worst relative error of the depths read back, and the time of one ``read_side`` against
    one ``read_frame`` on a drawn front body of the same size (Python).
    """
    from tests.bodies import draw_body, draw_side_body

    errors = ansur()
    model = sizing.load_model()
    gain = {}
    for sex in ("female", "male", "any"):
        gain[sex] = {}
        for zone in ZONES:
            half = {tuple(m["inputs"]): m["half80"] for m in model["models"][sex][zone]}
            row = errors[sex][zone]
            gain[sex][zone] = {
                "front_mae_cm": row["front_mae_cm"], "front_side_mae_cm": row["front_side_mae_cm"],
                "front_half80_cm": half[("height", "weight", "width")],
                "front_side_half80_cm": half[("height", "weight", "width", "depth")],
                "front_side_in_80pct": row["front_side_in_80pct"],
            }
    worst, side_ms, front_ms = 0.0, [], []
    levels, depth_range, width_range = model["levels"]["any"], model["depth_range"]["any"], model["width_range"]["any"]
    for i in range(20):
        depths = (0.11 + 0.002 * i, 0.10 + 0.0025 * i, 0.12 + 0.002 * i)
        mask, landmarks, truth = draw_side_body((300, 480), cx=150.0, depths=depths, facing=1 if i % 2 else -1)
        values = (mask / 255.0).astype(np.float32)
        started = time.perf_counter()
        reading = bodymeasure.read_side(landmarks, values, 300, 480, 170.0, levels, depth_range)
        side_ms.append((time.perf_counter() - started) * 1000)
        scale = 170.0 / truth["body_px"]
        worst = max(worst, *(abs(reading["depths"][z] - truth[z] * scale) / (truth[z] * scale) for z in ZONES))
        mask, landmarks, _ = draw_body((300, 480), cx=150.0)
        values = (mask / 255.0).astype(np.float32)
        started = time.perf_counter()
        bodymeasure.read_frame(landmarks, values, 300, 480, 170.0, levels, width_range)
        front_ms.append((time.perf_counter() - started) * 1000)
    return {"ansur_held_back": gain, "drawn_side_bodies": 20, "depth_worst_relative_error": round(worst, 4),
            "python_read_side_ms": round(statistics.median(side_ms), 2),
            "python_read_frame_ms": round(statistics.median(front_ms), 2)}


def _summary(result: dict) -> dict:
    out = {"status": result["reading"]["status"], "message": result["reading"]["message"]}
    if result["measured"]:
        out["estimates"] = {z: {"value": round(result["measurements"][z]["value"], 1), "sd": round(result["measurements"][z]["sd"], 1),
                                "camera": result["measurements"][z]["camera"]} for z in ZONES}
        out["advice"] = result["advice"]["message"]
    return out


def photos(estimator) -> list:
    cases = [(name, (MEDIA_DIR / name).read_bytes()) for name in
             ("fullbody_woman.png", "astronaut.png", "grace_hopper.jpg", "cameraman.png")]
    cases.append(("moving_person frame 84 (standing, arms out)", standing_jpeg()))
    out = []
    for name, data in cases:
        for height in (160.0, 175.0):
            started = time.perf_counter()
            result = advise_from_photo(data, detect=estimator.detect, limits=LIMITS, height_cm=height, weight_kg=None, sex=None,
                                       chart=CHART, kind="dress", sizes=list(DEMO_BODY))
            total_ms = (time.perf_counter() - started) * 1000
            # The measurement and advice alone, on the pose already found.
            rgb = decode_photo(data, LIMITS)
            pose = estimator.detect(rgb)
            model = sizing.load_model()
            started = time.perf_counter()
            if pose is not None:
                reading = bodymeasure.read_frame(pose.landmarks, pose.mask, rgb.shape[1], rgb.shape[0], height,
                                                 model["levels"]["any"], model["width_range"]["any"])
                if reading["status"] == "ok":
                    sizing.recommend(sizing.estimate(height, None, None, bodymeasure.observed_widths([reading["widths"]])),
                                     CHART, "dress", list(DEMO_BODY))
            measure_ms = (time.perf_counter() - started) * 1000
            out.append({"photo": name, "height_cm": height, **_summary(result), "ms_total": round(total_ms, 1),
                        "ms_measure_and_advice": round(measure_ms, 2)})
    return out


def _clip_frames() -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(MEDIA_DIR / "moving_person_540x960.mp4"), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, 960, 540, 3)


def consistency(estimator) -> dict:
    scales = []
    for width, height, crop in ((640, 480, None), (960, 720, None), (480, 360, (27, 20, 560, 420))):
        result = advise_from_photo(standing_jpeg(width=width, height=height, crop=crop), detect=estimator.detect, limits=LIMITS,
                                   height_cm=170.0, weight_kg=None, sex=None, chart=CHART, kind="dress", sizes=list(DEMO_BODY))
        scales.append(result)
    still = {}
    for zone in ZONES:
        values = [r["measurements"][zone]["value"] for r in scales if r["measured"]]
        sds = [r["measurements"][zone]["sd"] for r in scales if r["measured"]]
        camera = {r["measurements"][zone]["camera"] for r in scales if r["measured"]}
        still[zone] = {"values": [round(v, 1) for v in values], "spread_cm": round(max(values) - min(values), 2),
                       "smallest_sd_cm": round(min(sds), 2), "camera": sorted(camera)}
    return {"standing_three_scales": still, "moving_clip": moving_clip(),
            "moving_clip_without_posture_check": moving_clip(clip_posture=False)}


def _pairs(series: list) -> dict:
    """Consecutive frames both measured: how many, the largest difference, and the share within the stated 1-sigma.

    ``series`` holds per frame None or (value, stated sd); two frames agree when their difference
    is within the stated sd of a difference, sqrt(sd_a^2 + sd_b^2).
    """
    diffs = [(abs(a[0] - b[0]), math.hypot(a[1], b[1])) for a, b in zip(series, series[1:]) if a and b]
    if not diffs:
        return {"pairs": 0}
    return {"pairs": len(diffs), "largest_difference_cm": round(max(d for d, _ in diffs), 2),
            "median_difference_cm": round(statistics.median(d for d, _ in diffs), 2),
            "within_stated_sd": round(sum(d <= sd for d, sd in diffs) / len(diffs), 3)}


def moving_clip(clip_posture: bool = True) -> dict:
    """The moving clip frame after frame (VIDEO mode, stated 178 cm): what is measurable and how well frames agree.

    Per zone: the single-frame widths' spread (max - min) and standard deviation over the
    measurable frames against the sd each frame states for itself (``observed_widths`` of that
    one frame), consecutive frames' agreement, and the same for the girth each single frame
    gives (``sizing.estimate``, height only). ``clip_posture=False`` leaves the posture check out,
    to show what it changes.
    """
    model = sizing.load_model()
    frames = _clip_frames()
    session = bodymeasure.MeasureSession()
    statuses, steps, postures, readings = [], [], [], []
    saved = bodymeasure.posture
    if not clip_posture:
        bodymeasure.posture = lambda px: None
    try:
        with PoseEstimator(model_path_for(MODELS, "lite"), mode="video", segmentation=True, num_poses=2) as video:
            for i, frame in enumerate(frames):
                t = i * 1000.0 / 60.0
                pose = video.detect_video(np.ascontiguousarray(frame), int(t))
                reading = bodymeasure.read_frame(pose.landmarks if pose else None, pose.mask if pose else None, 540, 960, 178.0,
                                                 model["levels"]["any"], model["width_range"]["any"])
                statuses.append(reading["status"])
                readings.append(reading)
                if reading["status"] == "stand_straight":
                    postures.append(saved([(lm[0] * 540, lm[1] * 960) for lm in pose.landmarks]))
                steps.append(session.add(reading, pose.landmarks if pose else None, t, 540, 960)["status"])
    finally:
        bodymeasure.posture = saved
    zones = {}
    for zone in ZONES:
        widths, girths = [], []
        for reading in readings:
            if zone not in reading["widths"]:
                widths.append(None)
                girths.append(None)
                continue
            observed = bodymeasure.observed_widths([{zone: reading["widths"][zone]}])
            widths.append((reading["widths"][zone], observed[zone]["width_sd"]))
            girth = sizing.estimate(178.0, None, None, observed)[zone]
            girths.append((girth["value"], girth["sd"]) if girth["camera"] == "used" else None)
        values = [w for w, _ in filter(None, widths)]
        if not values:
            continue
        zones[zone] = {
            "frames": len(values), "width_min_cm": round(min(values), 1), "width_max_cm": round(max(values), 1),
            "width_spread_cm": round(max(values) - min(values), 1),
            "width_sd_over_frames_cm": round(statistics.pstdev(values), 2),
            "width_sd_stated_cm": round(statistics.median(sd for _, sd in filter(None, widths)), 2),
            "consecutive_widths": _pairs(widths),
            "girth_sd_over_frames_cm": round(statistics.pstdev([g for g, _ in filter(None, girths)]), 2) if any(girths) else None,
            "girth_sd_stated_cm": round(statistics.median(sd for _, sd in filter(None, girths)), 2) if any(girths) else None,
            "consecutive_girths": _pairs(girths),
        }
    return {
        "frames": len(frames), "measurable_frames": statuses.count("ok"),
        "measurable": [i for i, s in enumerate(statuses) if s == "ok"],
        "instructions": {s: statuses.count(s) for s in sorted(set(statuses))},
        "not_straight": {p: postures.count(p) for p in sorted(set(postures))},
        "session_said": {s: steps.count(s) for s in sorted(set(steps))},
        "zones": zones,
    }




def browser_costs(seconds: float, rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.browser import demo_server, poll
    from tests.functional.conftest import CHROMIUM, fake_camera_args
    from tests.functional.fakecam import standing_clip

    def fps(page) -> float:
        n0 = page.evaluate("() => window.fittingRoomStats.detectFrames")
        t0 = time.monotonic()
        time.sleep(seconds)
        return (page.evaluate("() => window.fittingRoomStats.detectFrames") - n0) / (time.monotonic() - t0)

    plain, measuring, read_ms = [], [], []
    with demo_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=fake_camera_args(standing_clip()))
            for _ in range(rounds):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                capture = int((seconds + 30) * 1000)
                page.goto(f"{base}/p/floral-midi-sundress/try/?capture_ms={capture}")
                poll(page, "() => window.fittingRoomStats && window.fittingRoomStats.trackedFrames >= 10")
                plain.append(fps(page))
                page.click("[data-size-open]")
                page.fill("[data-size-height]", "170")
                page.click("[data-size-measure]")
                poll(page, "() => window.fittingRoomStats.sizeAdvice.measuredFrames >= 5")
                measuring.append(fps(page))
                assert page.evaluate("() => window.fittingRoomStats.sizeAdvice.state") == "measuring"
                read_ms.extend(page.evaluate("() => window.fittingRoomStats.sizeAdvice.measureMs"))
                js = page.evaluate("""async () => {
                  const s = await import('/static/tryon/js/sizing.js');
                  const model = await (await fetch('/static/tryon/sizing-model.json')).json();
                  const chart = %s;
                  const observed = {waist: {width: 31, width_sd: 1.0}, hips: {width: 34, width_sd: 1.0}};
                  const n = 2000, t0 = performance.now();
                  for (let i = 0; i < n; i++) s.recommend(s.estimate(model, 170 + i %% 10, 64, null, observed), chart, 'dress', []);
                  return (performance.now() - t0) / n;
                }""" % json.dumps(CHART))
                context.close()
            browser.close()
    observed = {"waist": {"width": 31.0, "width_sd": 1.0}, "hips": {"width": 34.0, "width_sd": 1.0}}
    n, started = 2000, time.perf_counter()
    for i in range(n):
        sizing.recommend(sizing.estimate(170.0 + i % 10, 64.0, None, observed), CHART, "dress", [])
    python_ms = (time.perf_counter() - started) * 1000 / n
    paired = statistics.median(m / p for p, m in zip(plain, measuring))
    return {
        "loop_fps_plain": round(statistics.median(plain), 2), "loop_fps_measuring": round(statistics.median(measuring), 2),
        "ratio_measuring_to_plain": round(paired, 3), "plain_runs": [round(x, 2) for x in plain],
        "measuring_runs": [round(x, 2) for x in measuring],
        "js_read_frame_ms_median": round(statistics.median(read_ms), 2) if read_ms else None,
        "js_estimate_and_advice_ms": round(js, 4), "python_estimate_and_advice_ms": round(python_ms, 4),
        "seconds_per_run": seconds, "rounds": rounds, "frame": "640x480", "model": "lite",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="size advice: accuracy, consistency, cost")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    report = {"ansur": ansur(), "side_view": side_view()}
    with PoseEstimator(model_path_for(MODELS, "lite"), mode="image", segmentation=True, num_poses=2) as estimator:
        report["photos"] = photos(estimator)
        report["consistency"] = consistency(estimator)
    if not args.no_browser:
        report["browser"] = browser_costs(args.seconds, args.rounds)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
