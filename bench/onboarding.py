"""Onboard product photos: print kind, confidence, anchors, review reasons and time per photo as JSON.

Usage (in the project's environment):
    .venv/bin/python bench/onboarding.py [--out DIR] [--hint TEXT] [--preview] IMAGE...

With ``--out`` it writes, per photo, the cut-out with its anchors drawn
(``<stem>-cutout.png``) and the garment fitted on the bundled sample bodies
(``<stem>-on-<body>.jpg``), and adds each fit's torso (or legs) coverage and
spill to the JSON. With ``--preview`` it adds ``preview_ms``: the median time of
the admin's preview (the garment fitted on the three sample bodies and encoded)
after an anchor moves. With ``--truth DIR`` (e.g. tests/data/garment_masks) it
adds the cut-out's IoU against the hand-traced mask and each anchor's distance
from the hand-placed one as a share of the garment's width (and both positions on the photo). ``ms`` is the onboarding alone (decode excluded), the
figure the admin waits for; the median goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from tryon.onboard import onboard_photo  # noqa: E402

MODELS = ROOT / "static" / "vendor" / "models"
SAMPLE_BODIES = [ROOT / "tests" / "media" / name for name in ("fullbody_woman.png", "astronaut.png", "grace_hopper.jpg")]
# The admin preview's bodies (catalog/sample_bodies), as catalog.onboarding renders them.
PREVIEW_BODIES = [ROOT / "catalog" / "sample_bodies" / f"{name}.jpg" for name in ("woman", "astronaut", "grace")]
PREVIEW_RUNS = 10


def draw_anchors(rgba: np.ndarray, anchors: dict) -> np.ndarray:
    """Return the cut-out over a checkerboard with its anchors drawn (RGB)."""
    h, w = rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    board = np.where(((yy // 16 + xx // 16) % 2)[..., None] == 0, 235, 200).astype(np.float32)
    a = rgba[..., 3:4] / 255.0
    out = (rgba[..., :3] * a + board * (1 - a)).astype(np.uint8).copy()
    r = max(4, round(max(h, w) / 110))
    for name, (x, y) in anchors.items():
        colour = (230, 40, 40) if name.startswith("left") else (30, 120, 230)
        cv2.circle(out, (round(x), round(y)), r + 2, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(out, (round(x), round(y)), r, colour, -1, cv2.LINE_AA)
        cv2.putText(out, name.replace("_", " "), (round(x) + r + 3, round(y) + r), cv2.FONT_HERSHEY_SIMPLEX,
                    max(0.4, r / 10), (20, 20, 20), 1, cv2.LINE_AA)
    return out


def fit_on_bodies(proposal, stem: str, out: Path) -> list[dict]:
    """Fit the proposed garment on the sample bodies, write the composites, return their measures."""
    from tryon.pipeline import fit_and_composite
    from tryon.pose import PoseEstimator, model_path_for
    from tryon.quality import coverage_and_spill, legs_coverage_and_spill
    from tryon.render import garment_mask
    from tryon import garments

    garment = {"kind": proposal.kind, "width": proposal.rgba.shape[1], "height": proposal.rgba.shape[0],
               "anchors": proposal.anchors}
    fits = []
    with PoseEstimator(model_path_for(MODELS, "full"), mode="image", segmentation=True) as estimator:
        for body in SAMPLE_BODIES:
            rgb = np.array(ImageOps.exif_transpose(Image.open(body)).convert("RGB"))
            pose = estimator.detect(rgb)
            frame = rgb.copy()
            fitted = fit_and_composite(frame, proposal.rgba, garment, pose)
            entry = {"body": body.name, "coverage": None, "spill": None}
            if fitted.mesh is not None and pose.mask is not None:
                worn = garment_mask(rgb.shape[:2], proposal.rgba, fitted.mesh)
                measure = legs_coverage_and_spill if proposal.kind in garments.LOWER_KINDS else coverage_and_spill
                result = measure(worn, pose.mask, pose.landmarks)
                if result is not None:
                    entry["coverage"], entry["spill"] = round(result[0], 4), round(result[1], 4)
            Image.fromarray(frame).save(out / f"{stem}-on-{body.stem}.jpg", quality=88)
            fits.append(entry)
    return fits


def preview_ms(proposal, bodies) -> float:
    """Return the median time of the admin preview after an anchor moves (a new mesh each time)."""
    from tryon.preview import preview_jpegs

    times = []
    for i in range(PREVIEW_RUNS):
        anchors = {k: list(v) for k, v in proposal.anchors.items()}
        name = sorted(anchors)[i % len(anchors)]
        anchors[name] = [anchors[name][0] + 1 + i, anchors[name][1] + 1]
        garment = {"kind": proposal.kind, "width": proposal.rgba.shape[1], "height": proposal.rgba.shape[0],
                   "anchors": anchors}
        t0 = time.perf_counter()
        preview_jpegs(proposal.rgba, garment, bodies)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def preview_bodies() -> list:
    from tryon.pose import PoseEstimator, model_path_for

    bodies = []
    with PoseEstimator(model_path_for(MODELS, "full"), mode="image", segmentation=True) as estimator:
        for path in PREVIEW_BODIES:
            rgb = np.array(Image.open(path).convert("RGB"))
            bodies.append((path.stem, rgb, estimator.detect(rgb)))
    return bodies


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for cut-outs and fitted composites")
    parser.add_argument("--hint", default="", help="product name / category words (tell a shirt from a jacket)")
    parser.add_argument("--preview", action="store_true", help="also time the admin preview after an anchor moves")
    parser.add_argument("--truth", type=Path, default=None,
                        help="folder of hand-traced masks and anchors (<stem>.json/.png): adds iou and anchor errors")
    parser.add_argument("images", nargs="+", type=Path)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # as in a server worker
    bodies = preview_bodies() if args.preview else None
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    results, times = [], []
    for path in args.images:
        rgb = np.array(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
        t0 = time.perf_counter()
        proposal = onboard_photo(rgb, hint=args.hint)
        ms = (time.perf_counter() - t0) * 1000.0
        times.append(ms)
        summary = proposal.as_dict()
        entry = {"image": str(path), "kind": summary["kind"], "kind_confidence": summary["kind_confidence"],
                 "anchors": summary["anchors"], "needs_review": summary["needs_review"], "ms": round(ms, 1),
                 "details": proposal.details}
        if args.truth is not None and proposal.cutout is not None:
            from tryon.cutout_quality import anchor_errors, iou, load_truth

            truth = load_truth(args.truth, path.stem)
            if truth is not None:
                mask, hand = truth
                errors = anchor_errors(proposal.photo_anchors, hand, mask)
                entry["iou"] = round(iou(proposal.cutout.mask, mask), 4)
                entry["anchor_error_max"] = round(max(errors.values()), 4) if errors else None
                entry["anchor_errors"] = {k: round(v, 4) for k, v in sorted(errors.items())}
                # Where each anchor was found and placed by hand on the photo (pixels), to see which way it is off.
                entry["anchors_on_photo"] = {k: {"found": proposal.photo_anchors[k], "hand": hand[k]}
                                             for k in sorted(errors)}
        if bodies is not None and proposal.kind and proposal.anchors:
            entry["preview_ms"] = round(preview_ms(proposal, bodies), 1)
        if args.out and proposal.rgba is not None:
            Image.fromarray(draw_anchors(proposal.rgba, proposal.anchors)).save(args.out / f"{path.stem}-cutout.png")
            if proposal.kind and proposal.anchors and not proposal.needs_review:
                entry["fits"] = fit_on_bodies(proposal, path.stem, args.out)
        results.append(entry)
    print(json.dumps(results, indent=2, default=float))
    print(f"median onboarding time: {statistics.median(times):.1f} ms over {len(times)} photo(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
