"""Upload size for the server's pose: how small a frame can the phone send and get the same landmarks?

MediaPipe's pose model looks at a 256x256 crop around the person (the detector at 224x224), so a
640-wide upload carries pixels the model never sees; each one still costs the server its JPEG decode
and the phone its encode and upload. This bench runs the server's own pose path
(:class:`tryon.pose.PoseEstimator`, VIDEO mode, lite, no mask, tracking guard: what pose mode runs)
over the moving-person clip (tests/media, 100 frames at 60 fps, played forward then back at 30 fps)
in two framings a phone camera gives:

* ``portrait`` — the clip as it is, 540x960 (a phone held upright; the person fills the height);
* ``landscape`` — the clip padded to 1280x960 (4:3; the person a smaller part of the frame).

Reference: each frame at full size, unencoded. Each candidate: the frame scaled to a long side of
``L`` px (bilinear, as a canvas ``drawImage`` does; ``area`` for comparison), JPEG at quality ``q``
(the page's adaptive range is 45..80), decoded as the server does, then the pose. Per candidate: the
distance between the candidate's and the reference's landmarks (shoulders, elbows, wrists, hips,
knees, ankles seen in both) in CSS px of a 390 px wide phone screen the frame covers (as on the live
page) — median, p90 — the frames with a pose found where the reference found one, bytes per frame,
and the server's decode and pose ms per frame (medians; the machine is shared, so times are rough).

    .venv/bin/python bench/upload_size.py [--sides 960,640,480,384,320,256] [--qualities 80,60,45]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from tryon.pose import PoseEstimator, model_path_for  # noqa: E402

CLIP = ROOT / "tests" / "media" / "moving_person_540x960.mp4"
MODELS = ROOT / "static" / "vendor" / "models"
GROUPS = {"torso": (11, 12, 23, 24), "arms": (13, 14, 15, 16), "legs": (25, 26, 27, 28)}
SCREEN = (390, 844)  # CSS px of the phone the landmarks are shown on (bench/registration.py's)
STEP_MS = 33


def clip_frames() -> list[np.ndarray]:
    """Return the clip's frames as RGB arrays, forward then back (a 200-frame stream without a jump)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(CLIP), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    frames = list(np.frombuffer(raw, np.uint8).reshape(-1, 960, 540, 3))
    return frames + frames[::-1]


def framings(frames: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    pad = (1280 - 540) // 2
    landscape = [np.ascontiguousarray(np.pad(f, ((0, 0), (pad, pad), (0, 0)), constant_values=200)) for f in frames]
    return {"portrait": frames, "landscape": landscape}


def poses(frames, prepare) -> tuple[list, list[float], list[float], list[int]]:
    """Run the server's video pose over ``prepare(frame)`` -> (rgb, jpeg bytes or None); return
    landmarks per frame (None: nobody), decode ms, pose ms and bytes per frame."""
    found, decode_ms, pose_ms, sizes = [], [], [], []
    with PoseEstimator(model_path_for(MODELS, "lite"), mode="video", segmentation=False) as estimator:
        for i, frame in enumerate(frames):
            rgb, jpeg = prepare(frame)
            if jpeg is not None:
                sizes.append(len(jpeg))
                began = time.perf_counter()
                rgb = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR_RGB)
                decode_ms.append((time.perf_counter() - began) * 1000.0)
            began = time.perf_counter()
            pose = estimator.detect_video(rgb, i * STEP_MS)
            pose_ms.append((time.perf_counter() - began) * 1000.0)
            found.append(None if pose is None else np.array(pose.landmarks))
    return found, decode_ms, pose_ms, sizes


def scaled(frame: np.ndarray, side: int, interpolation: int) -> np.ndarray:
    h, w = frame.shape[:2]
    scale = min(1.0, side / max(w, h))
    if scale >= 1.0:
        return frame
    size = (round(w * scale), round(h * scale))
    return cv2.resize(frame, size, interpolation=interpolation)


def jpeg_of(rgb: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def compare(reference: list, candidate: list, width: int, height: int) -> dict:
    """Return the landmark distances (screen CSS px) between candidate and reference, and the found rate."""
    scale = max(SCREEN[0] / width, SCREEN[1] / height)  # the frame covers the screen
    errors: dict[str, list[float]] = {group: [] for group in GROUPS}
    both = ref_found = 0
    for ref, cand in zip(reference, candidate):
        if ref is None:
            continue
        ref_found += 1
        if cand is None:
            continue
        both += 1
        for group, joints in GROUPS.items():
            for j in joints:
                if ref[j, 3] >= 0.5 and cand[j, 3] >= 0.5:
                    dx = (ref[j, 0] - cand[j, 0]) * width * scale
                    dy = (ref[j, 1] - cand[j, 1]) * height * scale
                    errors[group].append(float(np.hypot(dx, dy)))
    every = [e for values in errors.values() for e in values]
    out = {
        "median_px": round(statistics.median(every), 2) if every else None,
        "p90_px": round(float(np.percentile(every, 90)), 2) if every else None,
        "found": f"{both}/{ref_found}",
    }
    for group, values in errors.items():
        out[f"{group}_median_px"] = round(statistics.median(values), 2) if values else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sides", default="960,640,480,384,320,256")
    parser.add_argument("--qualities", default="80,60,45")
    args = parser.parse_args()
    sides = [int(x) for x in args.sides.split(",")]
    qualities = [int(x) for x in args.qualities.split(",")]
    report: dict = {}
    for name, frames in framings(clip_frames()).items():
        h, w = frames[0].shape[:2]
        reference, _, ref_pose, _ = poses(frames, lambda f: (f, None))
        rows = []
        for side in sides:
            for quality in qualities:
                for interp_name, interp in (("bilinear", cv2.INTER_LINEAR),) + (
                        (("area", cv2.INTER_AREA),) if quality == qualities[0] else ()):
                    def prepare(frame, side=side, quality=quality, interp=interp):
                        small = scaled(frame, side, interp)
                        return None, jpeg_of(small, quality)

                    found, decode_ms, pose_ms, sizes = poses(frames, prepare)
                    sw, sh = scaled(frames[0], side, interp).shape[1::-1]
                    rows.append({
                        "size": f"{sw}x{sh}", "quality": quality, "scaling": interp_name,
                        **compare(reference, found, w, h),
                        "bytes_per_frame": round(statistics.mean(sizes)),
                        "decode_ms_p50": round(statistics.median(decode_ms), 2),
                        "pose_ms_p50": round(statistics.median(pose_ms), 2),
                    })
                    print(name, rows[-1], file=sys.stderr, flush=True)
        report[name] = {"frame": f"{w}x{h}", "reference_pose_ms_p50": round(statistics.median(ref_pose), 2),
                        "candidates": rows}
    report["setup"] = {"clip": CLIP.name, "frames": 200, "model": "lite", "screen_css_px": list(SCREEN),
                       "joints": "shoulders, elbows, wrists, hips, knees, ankles (visibility >= 0.5 in both)"}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
