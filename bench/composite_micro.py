"""Micro-benchmark tryon.render.composite against a naive float32 warp.

Run from the repository root::

    .venv/bin/python bench/composite_micro.py [--runs 200] [--naive-runs 100]

Prints one JSON object: for 640x480 and 1280x720 frames, the median
milliseconds of ``composite`` without the scene's shading (a ~40-triangle
non-affine T-shirt mesh from a 600x700 overlay; the baselines do not shade
either) and, measured in the same run, of two naive baselines:

* ``naive_piecewise``: the textbook piecewise-affine warp, per triangle one
  full-frame float32 ``cv2.warpAffine`` of the overlay plus a triangle mask,
  then one full-frame float blend;
* ``naive_single_warp``: a single full-frame float32 ``cv2.warpAffine`` plus a
  float blend (a lower bound for any full-frame approach; it is not piecewise).

It also times ``per_triangle_roi``, the alternative design considered for
``composite``: per triangle a ``cv2.warpAffine`` of only the triangle's
bounding box, masked by ``cv2.fillConvexPoly``, then the same integer blend.

``composite_shaded_ms`` is ``composite`` with the shading (the default) over a
smooth frame (the noise frame blurred: broad light and dark patches to carry
over, where the cell means of raw noise are an almost flat grey),
``composite_smooth_ms`` the same without it, and ``shading_ratio`` their
quotient; the two alternate run by run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tryon import render  # noqa: E402

OW, OH = 600, 700
NX, NY = 4, 5  # 4x5 quads = 40 triangles


def make_overlay() -> np.ndarray:
    """Return a 700x600 BGRA T-shirt-like overlay with a transparent border."""
    ov = np.zeros((OH, OW, 4), np.uint8)
    body = np.array([[170, 90], [430, 90], [450, 660], [150, 660]], np.int32)
    sleeves = [
        np.array([[170, 90], [60, 200], [110, 300], [190, 220]], np.int32),
        np.array([[430, 90], [540, 200], [490, 300], [410, 220]], np.int32),
    ]
    for poly in [body, *sleeves]:
        cv2.fillConvexPoly(ov, poly, (60, 80, 200, 255), cv2.LINE_AA)
    yy, xx = np.mgrid[0:OH, 0:OW]
    stripes = ((xx + yy) // 12) % 2 == 0
    ov[..., 1] = np.where(stripes & (ov[..., 3] > 0), 220, ov[..., 1])
    ov[..., 3] = cv2.GaussianBlur(ov[..., 3], (0, 0), 1.0)
    return ov


def make_mesh(width: int, height: int) -> dict:
    """Return a 40-triangle mesh whose dst is a gently bent body-sized region.

    At 640x480 the garment covers ~250x300 px; larger frames scale it with
    the frame height.
    """
    k = height / 480.0
    us = np.linspace(0, OW - 1, NX + 1)
    vs = np.linspace(0, OH - 1, NY + 1)
    src = np.array([[u, v] for v in vs for u in us])
    cx, cy = width / 2, height / 2
    rng = np.random.default_rng(7)
    dst = []
    for u, v in src:
        x = cx + k * (u - OW / 2) * (250 / OW) + k * 12 * np.sin(v / OH * np.pi)
        y = cy + k * (v - OH / 2) * (300 / OH) + k * 6 * ((u - OW / 2) / OW) ** 2
        dst.append([x, y])
    dst = np.array(dst) + rng.normal(0, 2.0 * k, (len(src), 2))
    tris = []
    for r in range(NY):
        for c in range(NX):
            i = r * (NX + 1) + c
            j = i + NX + 1
            tris += [[i, i + 1, j + 1], [i, j + 1, j]]
    return {
        "kind": "tshirt",
        "src": src.tolist(),
        "dst": dst.tolist(),
        "triangles": tris,
        "scale": 200.0 * k,
        "estimated": [],
    }


def naive_piecewise(frame: np.ndarray, overlay_f: np.ndarray, mesh: dict) -> np.ndarray:
    """Composite by one full-frame float32 warpAffine and mask per triangle."""
    h, w = frame.shape[:2]
    src = np.asarray(mesh["src"], np.float32)
    dst = np.asarray(mesh["dst"], np.float32)
    acc = np.zeros((h, w, 4), np.float32)
    for tri in mesh["triangles"]:
        m = cv2.getAffineTransform(src[tri], dst[tri])
        warped = cv2.warpAffine(overlay_f, m, (w, h), flags=cv2.INTER_LINEAR)
        mask = np.zeros((h, w), np.uint8)
        cv2.fillConvexPoly(mask, np.round(dst[tri]).astype(np.int32), 1)
        acc[mask > 0] = warped[mask > 0]
    a = acc[..., 3:] / 255.0
    out = acc[..., :3] * a + frame.astype(np.float32) * (1.0 - a)
    frame[...] = out.astype(np.uint8)
    return frame


def naive_single_warp(frame: np.ndarray, overlay_f: np.ndarray, mesh: dict) -> np.ndarray:
    """Composite by one full-frame float32 warpAffine (first triangle's map)."""
    h, w = frame.shape[:2]
    tri = mesh["triangles"][0]
    m = cv2.getAffineTransform(
        np.asarray(mesh["src"], np.float32)[tri], np.asarray(mesh["dst"], np.float32)[tri]
    )
    warped = cv2.warpAffine(overlay_f, m, (w, h), flags=cv2.INTER_LINEAR)
    a = warped[..., 3:] / 255.0
    out = warped[..., :3] * a + frame.astype(np.float32) * (1.0 - a)
    frame[...] = out.astype(np.uint8)
    return frame


def per_triangle_roi(frame: np.ndarray, premul: np.ndarray, mesh: dict) -> np.ndarray:
    """Composite by one small-ROI warpAffine per triangle into the bbox."""
    h, w = frame.shape[:2]
    src = np.asarray(mesh["src"], np.float64)
    dst = np.asarray(mesh["dst"], np.float64)
    x0, y0 = np.floor(dst.min(axis=0)).astype(int).clip(0)
    x1 = min(int(np.ceil(dst[:, 0].max())) + 1, w)
    y1 = min(int(np.ceil(dst[:, 1].max())) + 1, h)
    fg = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    for tri in mesh["triangles"]:
        d = dst[tri] - (x0, y0)
        ax, ay = np.floor(d.min(axis=0)).astype(int).clip(0)
        bx = min(int(np.ceil(d[:, 0].max())) + 1, x1 - x0)
        by = min(int(np.ceil(d[:, 1].max())) + 1, y1 - y0)
        if bx <= ax or by <= ay:
            continue
        m = cv2.getAffineTransform(src[tri].astype(np.float32), (d - (ax, ay)).astype(np.float32))
        tile = cv2.warpAffine(premul, m, (bx - ax, by - ay), flags=cv2.INTER_LINEAR)
        mask = np.zeros((by - ay, bx - ax), np.uint8)
        pts = np.round((d - (ax, ay)) * 256).astype(np.int32)
        cv2.fillConvexPoly(mask, pts, 255, cv2.LINE_8, 8)
        cv2.copyTo(tile, mask, fg[ay:by, ax:bx])
    box = frame[y0:y1, x0:x1]
    inv = cv2.bitwise_not(fg[..., 3])
    bg = cv2.multiply(box, cv2.merge([inv, inv, inv]), scale=1 / 255.0)
    box[...] = cv2.add(np.ascontiguousarray(fg[..., :3]), bg)
    return frame


def median_ms(fn, frame: np.ndarray, runs: int) -> float:
    """Return the median wall time of ``fn(work)`` in ms, work reset from frame each run."""
    work = frame.copy()
    fn(work)  # warm caches (pyramid, scratch buffers)
    times = []
    for _ in range(runs):
        np.copyto(work, frame)
        t0 = time.perf_counter()
        fn(work)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1e3, 3)


def median_ms_pair(fn_a, fn_b, frame: np.ndarray, runs: int) -> tuple[float, float]:
    """Return the median wall times of ``fn_a(work)`` and ``fn_b(work)`` in ms, run alternately."""
    work = frame.copy()
    fn_a(work)
    fn_b(work)
    times = ([], [])
    for i in range(runs):
        order = ((fn_a, times[0]), (fn_b, times[1])) if i % 2 == 0 else ((fn_b, times[1]), (fn_a, times[0]))
        for fn, out in order:
            np.copyto(work, frame)
            t0 = time.perf_counter()
            fn(work)
            out.append(time.perf_counter() - t0)
    return tuple(round(statistics.median(t) * 1e3, 3) for t in times)


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--naive-runs", type=int, default=100)
    args = parser.parse_args()

    overlay = make_overlay()
    overlay_f = overlay.astype(np.float32)
    premul = np.dstack(
        [np.round(overlay_f[..., :3] * overlay_f[..., 3:] / 255.0), overlay_f[..., 3]]
    ).astype(np.uint8)
    rng = np.random.default_rng(0)
    result = {
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "cv2_threads": cv2.getNumThreads(),
        "machine": platform.machine(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "cases": {},
    }
    for width, height in [(640, 480), (1280, 720)]:
        frame = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        mesh = make_mesh(width, height)
        dst = np.asarray(mesh["dst"])
        case = {
            "triangles": len(mesh["triangles"]),
            "dst_bbox_px": [
                int(np.ceil(dst[:, 0].max() - dst[:, 0].min())),
                int(np.ceil(dst[:, 1].max() - dst[:, 1].min())),
            ],
            "composite_ms": median_ms(
                lambda f: render.composite(f, overlay, mesh, shading=False), frame, args.runs
            ),
        }
        smooth = cv2.GaussianBlur(frame, (0, 0), 6)
        shaded, flat = median_ms_pair(
            lambda f: render.composite(f, overlay, mesh),
            lambda f: render.composite(f, overlay, mesh, shading=False),
            smooth,
            args.runs,
        )
        case["composite_shaded_ms"] = shaded
        case["composite_smooth_ms"] = flat
        case["shading_ratio"] = round(shaded / flat, 3)
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            case["composite_1thread_ms"] = median_ms(
                lambda f: render.composite(f, overlay, mesh, shading=False), frame, args.runs
            )
        finally:
            cv2.setNumThreads(threads)
        case["per_triangle_roi_ms"] = median_ms(
            lambda f: per_triangle_roi(f, premul, mesh), frame, args.runs
        )
        case["garment_mask_ms"] = median_ms(
            lambda f: render.garment_mask(f.shape, overlay, mesh), frame, args.runs
        )
        case["naive_single_warp_ms"] = median_ms(
            lambda f: naive_single_warp(f, overlay_f, mesh), frame, args.naive_runs
        )
        case["naive_piecewise_ms"] = median_ms(
            lambda f: naive_piecewise(f, overlay_f, mesh), frame, args.naive_runs
        )
        case["speedup_vs_naive_single_warp"] = round(
            case["naive_single_warp_ms"] / case["composite_ms"], 1
        )
        case["speedup_vs_naive_piecewise"] = round(
            case["naive_piecewise_ms"] / case["composite_ms"], 1
        )
        result["cases"][f"{width}x{height}"] = case
    result["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
