"""Photo pipeline benchmark: decode + detect + fit + composite + encode vs bare detection, same run.

Prints one JSON object keyed by resolution, each with bare_ms (median PoseLandmarker detection),
pipeline_ms (the whole photo pipeline), composite_ms (the composite step alone, with the scene's
shading, the default) and ratio (pipeline / bare); composite_flat_ms and pipeline_flat_ms are the
same without the shading, shading_ratio = composite_ms / composite_flat_ms and
pipeline_shading_ratio = pipeline_ms / pipeline_flat_ms; shading_ms = composite_ms - composite_flat_ms.
Runs are interleaved so machine noise hits them all alike, shaded and flat in alternating order, and
each composite follows a detection, as in the pipeline, so both start from the same cache state (a
composite run right after another one of the same garment finds its overlay, tables and buffers
already in the cache).

    .venv/bin/python bench/render.py [--runs N] [--model lite|full|heavy]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from catalog.demo_art import DEMO_GARMENTS, render_overlay  # noqa: E402
from tryon.geometry import fit_garment  # noqa: E402
from tryon.photo import PhotoLimits, tryon_photo  # noqa: E402
from tryon.pose import PoseEstimator, model_path_for  # noqa: E402
from tryon.render import composite  # noqa: E402

MODELS = ROOT / "static" / "vendor" / "models"
PHOTO = ROOT / "tests" / "media" / "fullbody_woman.png"
LIMITS = PhotoLimits(max_bytes=20 * 1024 * 1024, max_pixels=40_000_000, max_side=8192)


def person_jpeg(width: int, height: int) -> bytes:
    """Return a JPEG of a person filling a ``width`` x ``height`` frame (cropped to the upper body)."""
    img = Image.open(PHOTO).convert("RGB")
    scale = width / img.width * 1.6
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    left = (img.width - width) // 2
    top = round(img.height * 0.08)
    out = io.BytesIO()
    img.crop((left, top, left + width, top + height)).save(out, "JPEG", quality=90)
    return out.getvalue()


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="photo pipeline vs bare detection")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--model", default="lite")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # as in the server process (fittingroom/asgi.py), where photo try-on runs

    spec = next(s for s in DEMO_GARMENTS if s.kind == "tshirt")
    overlay_img, anchors = render_overlay(spec)
    overlay = np.asarray(overlay_img.convert("RGBA")).copy()
    garment = {"kind": spec.kind, "width": overlay.shape[1], "height": overlay.shape[0],
               "anchors": {k: [float(x), float(y)] for k, (x, y) in anchors.items()}}
    report = {}
    with PoseEstimator(model_path_for(MODELS, args.model), mode="image", segmentation=True, num_poses=2) as est:
        for width, height in ((640, 480), (1280, 720)):
            data = person_jpeg(width, height)
            rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).copy()
            pose = est.detect(rgb)
            if pose is None:
                raise SystemExit(f"no person found in the {width}x{height} benchmark frame")
            mesh = fit_garment([list(p) for p in pose.landmarks], width, height, garment)
            for _ in range(3):  # warm-up
                est.detect(rgb)
                tryon_photo(data, detect=est.detect, overlay_rgba=overlay, garment=garment, limits=LIMITS)
            bare, pipeline, pipeline_flat, comp, comp_flat = [], [], [], [], []
            for run in range(args.runs):
                t0 = time.perf_counter()
                est.detect(rgb)
                bare.append(ms(t0))
                order = (True, False) if run % 2 == 0 else (False, True)
                for shading in order:
                    t0 = time.perf_counter()
                    tryon_photo(data, detect=est.detect, overlay_rgba=overlay, garment=garment, limits=LIMITS,
                                shading=shading)
                    (pipeline if shading else pipeline_flat).append(ms(t0))
                for shading in order:
                    est.detect(rgb)
                    frame = rgb.copy()
                    t0 = time.perf_counter()
                    composite(frame, overlay, mesh, shading=shading)
                    (comp if shading else comp_flat).append(ms(t0))
            b, p, pf = statistics.median(bare), statistics.median(pipeline), statistics.median(pipeline_flat)
            c, cf = statistics.median(comp), statistics.median(comp_flat)
            report[f"{width}x{height}"] = {
                "bare_ms": round(b, 2),
                "pipeline_ms": round(p, 2),
                "composite_ms": round(c, 2),
                "ratio": round(p / b, 3),
                "composite_flat_ms": round(cf, 2),
                "shading_ratio": round(c / cf, 3),
                "shading_ms": round(c - cf, 2),
                "pipeline_flat_ms": round(pf, 2),
                "pipeline_shading_ratio": round(p / pf, 3),
            }
    report["model"] = args.model
    report["runs"] = args.runs
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
