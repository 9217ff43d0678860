"""Registration benchmark: how far the garment is drawn from the body on the live page, on the device.

In headless Chromium (Debian's) with a fake camera playing the moving-person clip (540x960, a person
stepping and swaying), against a real server process, for the demo chinos (hips, knees and ankles all
in play). Every 250 ms the page's drawn landmarks (the smoothed pose the garment was fitted to) and the
picture on screen under the garment are read in one step; the lite PoseLandmarker (IMAGE mode, in
this process) then finds the joints in that picture, and the error is the distance, in CSS pixels on
a 390 px wide phone screen, between drawn and found midpoints of the shoulders, hips, knees and ankles
(midpoints: left and right need not agree in a mirrored picture). The reference model has errors of
its own, the same in both modes.

Two displays, interleaved round by round in one run:
  synced — the page as shipped: the camera frame each pose was found in is shown under the garment
  live   — ?sync=0: the live <video> under the garment, as before (it runs ahead of the pose)
Prints one JSON object: per display and joint pair median_px, p90_px and n, "all" pooled over the
pairs, and ratio = live / synced median (all pairs): how many times farther from the body the garment
sits with the live video.

With ``--server``, the second session of each round is the server fallback in pose mode instead of
?sync=0: a page without WebAssembly (deleted before any script runs, as on a device that cannot run
the model), the shopper's consent given, the server finding the pose in the frames the page uploads
(server-client.js) and the page drawing the garment on its own video. Then ``server`` replaces
``live`` and ratio = server / synced (on-device, as shipped) median.

    .venv/bin/python bench/registration.py [--seconds 15] [--rounds 2] [--server]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
from collections import Counter
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench.browser import demo_server, poll  # noqa: E402
from tests.functional.conftest import CHROMIUM, fake_camera_args  # noqa: E402
from tests.functional.fakecam import video_clip  # noqa: E402
from tryon.pose import PoseEstimator, model_path_for  # noqa: E402

SLUG = "stone-chino-trousers"
MODELS = ROOT / "static" / "vendor" / "models"
PAIRS = {"shoulders": (11, 12), "hips": (23, 24), "knees": (25, 26), "ankles": (27, 28)}

# The smoothed landmarks drawn now, and the picture under them, in canvas pixels (CSS px here).
GRAB = """() => {
  const s = window.fittingRoomStats;
  if (!s.landmarks || s.state !== 'tracking') return null;
  const video = document.querySelector('[data-video]'), frame = document.querySelector('[data-frame]');
  const garment = document.querySelector('[data-canvas]');
  const cw = garment.width, ch = garment.height, vw = video.videoWidth, vh = video.videoHeight;
  let url;
  if (s.display === 'synced') {
    url = frame.toDataURL('image/png');
  } else {
    const c = document.createElement('canvas');
    c.width = cw; c.height = ch;
    const x = c.getContext('2d');
    const scale = Math.max(cw / vw, ch / vh), dx = (cw - vw * scale) / 2, dy = (ch - vh * scale) / 2;
    x.setTransform(-scale, 0, 0, scale, dx + vw * scale, dy);
    x.drawImage(video, 0, 0);
    url = c.toDataURL('image/png');
  }
  return {lm: s.landmarks.map((p) => [p[0], p[1], p[3]]), url, cw, ch, vw, vh, display: s.display};
}"""


def session(browser, base: str, sync: bool, seconds: float, server: bool = False) -> list[dict]:
    """Open the try-on page and sample it for ``seconds`` once it tracks.

    ``server``: without WebAssembly, through the server fallback in pose mode (after consent).
    """
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        if server:
            ctx.add_init_script("delete window.WebAssembly;")
        page = ctx.new_page()
        page.goto(f"{base}/p/{SLUG}/try/" + ("" if sync else "?sync=0"))
        if server:
            poll(page, "() => document.querySelector('[data-tryon]').dataset.consent === 'asked'")
            page.click("[data-consent-accept]")
            poll(page, "() => window.fittingRoomStats.path === 'server' && window.fittingRoomStats.serverMode === 'pose'")
        # The server path shows what the page shows there (the live video, or the frames sent when it keeps them).
        want = None if server else "synced" if sync else "live"
        shown = f"window.fittingRoomStats.display === '{want}'" if want else "true"
        poll(page, f"() => window.fittingRoomStats.state === 'tracking' && {shown}")
        time.sleep(1.0)
        samples, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            sample = page.evaluate(GRAB)
            if sample and (want is None or sample["display"] == want):
                samples.append(sample)
            time.sleep(0.25)
        return samples
    finally:
        ctx.close()


def errors(estimator: PoseEstimator, samples: list[dict]) -> dict[str, list[float]]:
    """Return per joint pair the distances between drawn and found midpoints (CSS px)."""
    out: dict[str, list[float]] = {k: [] for k in PAIRS}
    for s in samples:
        png = base64.b64decode(s["url"].split(",", 1)[1])
        picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).copy()
        found = estimator.detect(picture)
        if found is None:
            continue
        cw, ch, vw, vh = s["cw"], s["ch"], s["vw"], s["vh"]
        scale = max(cw / vw, ch / vh)
        dx, dy = (cw - vw * scale) / 2, (ch - vh * scale) / 2
        drawn = np.array([[x * vw * scale + dx, y * vh * scale + dy, v] for x, y, v in s["lm"]])
        seen = np.array([[x * cw, y * ch, v] for x, y, _z, v in found.landmarks])
        for name, (a, b) in PAIRS.items():
            if min(drawn[a, 2], drawn[b, 2], seen[a, 2], seen[b, 2]) < 0.5:
                continue
            d = (drawn[a, :2] + drawn[b, :2]) / 2 - (seen[a, :2] + seen[b, :2]) / 2
            out[name].append(float(np.hypot(*d)))
    return out


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"median_px": round(statistics.median(values), 1), "p90_px": round(float(np.percentile(values, 90)), 1),
            "n": len(values)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="garment-to-body distance on the live page, synced vs live video")
    parser.add_argument("--seconds", type=float, default=15.0, help="sampled seconds per session")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--server", action="store_true",
                        help="compare the server fallback in pose mode (not ?sync=0) with the on-device page")
    args = parser.parse_args(argv)
    other = "server" if args.server else "live"
    from playwright.sync_api import sync_playwright

    samples = {"synced": [], other: []}
    with demo_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=fake_camera_args(video_clip()))
            for _ in range(args.rounds):
                samples["synced"] += session(browser, base, True, args.seconds)
                if args.server:  # the server path shows the live video under the garment
                    samples["server"] += session(browser, base, True, args.seconds, server=True)
                else:
                    samples["live"] += session(browser, base, False, args.seconds)
            browser.close()
    report = {}
    with PoseEstimator(model_path_for(MODELS, "lite"), mode="image") as estimator:
        for display, taken in samples.items():
            errs = errors(estimator, taken)
            report[display] = {name: summary(v) for name, v in errs.items()}
            report[display]["all"] = summary([x for v in errs.values() for x in v])
            report[display]["samples"] = len(taken)
            report[display]["shown"] = dict(Counter(t["display"] for t in taken))
    synced, live = report["synced"]["all"], report[other]["all"]
    report["ratio"] = round(live["median_px"] / synced["median_px"], 3) if synced.get("median_px") else None
    report["ratio_of"] = f"{other} / synced (on-device) median, all pairs"
    report.update({"seconds_per_session": args.seconds, "rounds": args.rounds, "garment": SLUG,
                   "clip": "moving_person_540x960", "screen": "390 CSS px wide"})
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
