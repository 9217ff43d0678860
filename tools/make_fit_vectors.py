#!/usr/bin/env python3
"""Write the shared fit, smoothing and tracking test vectors from synthetic poses.

The Python geometry (tryon/geometry.py) and its JavaScript twin
(static/tryon/js/geometry.js) must agree on every vector; both test suites
load the files this script writes:

* ``tests/vectors/fit/*.json``: ``{"name", "frame": [w, h], "garment",
  "landmarks": [33 x [x, y, z, visibility]], "expected": fit_garment(...)}``
* ``tests/vectors/smoothing/*.json``: ``{"name", "params", "frames":
  [{"t": ms, "landmarks": [...]}, ...], "expected": [[...], ...]}``
* ``tests/vectors/tracking/*.json``: ``{"name", "frame": [w, h], "frames":
  [{"t": ms, "landmarks": [...] | null}, ...], "expected": ["ok" | "drop" | "reset", ...]}``
  (tryon/tracking.py and static/tryon/js/tracking.js)

Poses are built here from a few body measurements (no camera, no model), so
the vectors are exact and reproducible. Run after changing the geometry or
the smoothing or the tracking guard on purpose, and review the diff::

    .venv/bin/python tools/make_fit_vectors.py
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tryon.geometry import fit_garment  # noqa: E402
from tryon.smoothing import LandmarkSmoother  # noqa: E402
from tryon.tracking import DROP, OK, RESET, TrackingGuard  # noqa: E402

FIT_DIR = ROOT / "tests" / "vectors" / "fit"
SMOOTHING_DIR = ROOT / "tests" / "vectors" / "smoothing"
TRACKING_DIR = ROOT / "tests" / "vectors" / "tracking"

# Overlay art in a relaxed A-pose, anchors where the joints sit under the cloth.
GARMENTS = {
    "tshirt": {
        "kind": "tshirt",
        "width": 600,
        "height": 700,
        "anchors": {
            "right_shoulder": [180, 120],
            "left_shoulder": [420, 120],
            "right_hip": [215, 460],
            "left_hip": [385, 460],
            "right_elbow": [100, 292],
            "left_elbow": [500, 292],
        },
    },
    # Short sleeves hanging steeply, their hems three quarters of the way to the
    # elbow anchors, as onboarding reads a camp shirt's flat-lay photo: the art
    # under each sleeve reaches well below the torso's armpit row.
    "tshirt_hanging_sleeves": {
        "kind": "tshirt",
        "width": 600,
        "height": 620,
        "anchors": {
            "right_shoulder": [140, 95],
            "left_shoulder": [460, 95],
            "right_hip": [140, 495],
            "left_hip": [460, 495],
            "right_elbow": [40, 365],
            "left_elbow": [560, 365],
        },
    },
    # Steeper still: no room for the underarm gusset beside a wide side panel,
    # so the short sleeves hang from the shoulder seam beside a narrow one.
    "tshirt_steep_sleeves": {
        "kind": "tshirt",
        "width": 600,
        "height": 620,
        "anchors": {
            "right_shoulder": [140, 95],
            "left_shoulder": [460, 95],
            "right_hip": [140, 495],
            "left_hip": [460, 495],
            "right_elbow": [60, 365],
            "left_elbow": [540, 365],
        },
    },
    # Steepest: sleeves 8 degrees from vertical in a tight crop. Their inner
    # corners hang beside the side panel's outer edge, and the underarm gusset
    # is cut as a polygon where its strip stitching would overlap the step out
    # to the side panel at row 2.
    "tshirt_steepest_sleeves": {
        "kind": "tshirt",
        "width": 540,
        "height": 620,
        "anchors": {
            "right_shoulder": [110, 95],
            "left_shoulder": [430, 95],
            "right_hip": [110, 495],
            "left_hip": [430, 495],
            "right_elbow": [70, 365],
            "left_elbow": [470, 365],
        },
    },
    "longsleeve": {
        "kind": "longsleeve",
        "width": 700,
        "height": 800,
        "anchors": {
            "right_shoulder": [230, 130],
            "left_shoulder": [470, 130],
            "right_hip": [265, 470],
            "left_hip": [435, 470],
            "right_elbow": [150, 302],
            "left_elbow": [550, 302],
            "right_wrist": [84, 456],
            "left_wrist": [616, 456],
        },
    },
    # Cropped just below the cuffs, as onboarding crops a product photo: the
    # margin past the wrists is short and its points follow the hem's corners.
    "longsleeve_tight": {
        "kind": "longsleeve",
        "width": 700,
        "height": 540,
        "anchors": {
            "right_shoulder": [230, 130],
            "left_shoulder": [470, 130],
            "right_hip": [265, 470],
            "left_hip": [435, 470],
            "right_elbow": [150, 302],
            "left_elbow": [550, 302],
            "right_wrist": [84, 456],
            "left_wrist": [616, 456],
        },
    },
    # Sleeves hugging the body: meshed with the narrower fallback layout.
    "longsleeve_slim": {
        "kind": "longsleeve",
        "width": 520,
        "height": 760,
        "anchors": {
            "right_shoulder": [140, 110],
            "left_shoulder": [380, 110],
            "right_hip": [150, 450],
            "left_hip": [370, 450],
            "right_elbow": [100, 290],
            "left_elbow": [420, 290],
            "right_wrist": [80, 450],
            "left_wrist": [440, 450],
        },
    },
    "jacket": {
        "kind": "jacket",
        "width": 760,
        "height": 860,
        "anchors": {
            "right_shoulder": [250, 150],
            "left_shoulder": [510, 150],
            "right_hip": [287, 520],
            "left_hip": [473, 520],
            "right_elbow": [166, 337],
            "left_elbow": [594, 337],
            "right_wrist": [100, 505],
            "left_wrist": [660, 505],
        },
    },
    # Cuffs at the overlay's sides (art cropped tightly): the left cuff row is
    # shortened to stay inside the overlay, the right one has no room and is left out.
    "jacket_cropped_cuffs": {
        "kind": "jacket",
        "width": 715,
        "height": 860,
        "anchors": {
            "right_shoulder": [250, 150],
            "left_shoulder": [510, 150],
            "right_hip": [287, 520],
            "left_hip": [473, 520],
            "right_elbow": [166, 337],
            "left_elbow": [594, 337],
            "right_wrist": [40, 505],
            "left_wrist": [660, 505],
        },
    },
    "dress": {
        "kind": "dress",
        "width": 600,
        "height": 1100,
        "anchors": {
            "right_shoulder": [190, 120],
            "left_shoulder": [410, 120],
            "right_hip": [225, 430],
            "left_hip": [375, 430],
            "right_knee": [235, 760],
            "left_knee": [365, 760],
        },
    },
    "trousers": {
        "kind": "trousers",
        "width": 500,
        "height": 1000,
        "anchors": {
            "right_hip": [170, 120],
            "left_hip": [330, 120],
            "right_knee": [178, 520],
            "left_knee": [322, 520],
            "right_ankle": [184, 900],
            "left_ankle": [316, 900],
        },
    },
    "skirt": {
        "kind": "skirt",
        "width": 500,
        "height": 500,
        "anchors": {
            "right_hip": [170, 80],
            "left_hip": [330, 80],
            "right_knee": [180, 440],
            "left_knee": [320, 440],
        },
    },
}

# MediaPipe BlazePose indices of the points the builder places.
_IDX = {
    "nose": 0,
    "left_eye_inner": 1,
    "left_eye": 2,
    "left_eye_outer": 3,
    "right_eye_inner": 4,
    "right_eye": 5,
    "right_eye_outer": 6,
    "left_ear": 7,
    "right_ear": 8,
    "mouth_left": 9,
    "mouth_right": 10,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_pinky": 17,
    "right_pinky": 18,
    "left_index": 19,
    "right_index": 20,
    "left_thumb": 21,
    "right_thumb": 22,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}


def synthetic_pose(
    frame,
    center,
    shoulder_width,
    *,
    tilt_deg=0.0,
    turn=1.0,
    mirrored=False,
    arms=(25.0, 25.0),
    elbows=(10.0, 10.0),
    legs=(5.0, 5.0),
    knees=(0.0, 0.0),
    visibility=None,
    offsets=None,
):
    """Return 33 MediaPipe-style landmarks of a standing person.

    ``center`` is the shoulder midpoint and ``shoulder_width`` the shoulder
    distance, both in frame pixels. ``tilt_deg`` turns the whole body in the
    image plane (positive: clockwise on screen); ``turn`` (0..1) shrinks every
    left-right distance like a body turning away from the camera. ``arms``
    and ``legs`` are (right, left) abduction angles in degrees from hanging
    straight down (90 = horizontal, 160 = raised overhead); ``elbows`` and
    ``knees`` bend the forearm / shin further outward. ``mirrored`` swaps
    the wearer's left and right (a person seen from behind, or an unmirrored
    selfie feed). ``visibility`` maps names to visibilities (default 0.99);
    ``offsets`` maps names to extra (dx, dy) pixels.
    """
    w, h = frame
    sw = shoulder_width
    a = math.radians(tilt_deg)
    ux, uy = math.cos(a), math.sin(a)  # body's right-to-left axis (frontal: +x)
    dx, dy = -uy, ux  # body's down axis
    side = -1.0 if mirrored else 1.0

    def body(x_left, y_down):
        """Body coordinates (x toward the wearer's left, y down, in sw) -> frame px."""
        bx = x_left * turn * side
        return (center[0] + (ux * bx + dx * y_down) * sw, center[1] + (uy * bx + dy * y_down) * sw)

    pts = {}
    pts["nose"] = body(0.0, -0.55)
    for s, sgn in (("left", 1.0), ("right", -1.0)):
        pts[s + "_eye_inner"] = body(sgn * 0.05, -0.62)
        pts[s + "_eye"] = body(sgn * 0.09, -0.63)
        pts[s + "_eye_outer"] = body(sgn * 0.13, -0.63)
        pts[s + "_ear"] = body(sgn * 0.2, -0.58)
        pts["mouth_" + s] = body(sgn * 0.06, -0.45)
        pts[s + "_shoulder"] = body(sgn * 0.5, 0.0)
        pts[s + "_hip"] = body(sgn * 0.3, 1.4)
    for s, sgn, i in (("right", -1.0, 0), ("left", 1.0, 1)):
        # Arm angles in body coordinates: 0 = hanging, outward positive.
        ua = math.radians(arms[i])
        fa = math.radians(arms[i] + elbows[i])
        sx, sy = sgn * 0.5, 0.0
        ex, ey = sx + sgn * math.sin(ua) * 0.8, sy + math.cos(ua) * 0.8
        wx, wy = ex + sgn * math.sin(fa) * 0.7, ey + math.cos(fa) * 0.7
        pts[s + "_elbow"] = body(ex, ey)
        pts[s + "_wrist"] = body(wx, wy)
        for name, ext in (("_pinky", 0.18), ("_index", 0.2), ("_thumb", 0.12)):
            pts[s + name] = body(wx + sgn * math.sin(fa) * ext, wy + math.cos(fa) * ext)
        la = math.radians(legs[i])
        sa = math.radians(legs[i] + knees[i])
        hx, hy = sgn * 0.3, 1.4
        kx, ky = hx + sgn * math.sin(la) * 1.15, hy + math.cos(la) * 1.15
        ax, ay = kx + sgn * math.sin(sa) * 1.05, ky + math.cos(sa) * 1.05
        pts[s + "_knee"] = body(kx, ky)
        pts[s + "_ankle"] = body(ax, ay)
        pts[s + "_heel"] = body(ax, ay + 0.08)
        pts[s + "_foot_index"] = body(ax + sgn * 0.05, ay + 0.2)
    offsets = offsets or {}
    visibility = visibility or {}
    out = [None] * 33
    for name, idx in _IDX.items():
        x, y = pts[name]
        ox, oy = offsets.get(name, (0.0, 0.0))
        out[idx] = [
            round((x + ox) / w, 6),
            round((y + oy) / h, 6),
            0.0,
            visibility.get(name, 0.99),
        ]
    # Landmarks below the frame are less visible, as MediaPipe reports them.
    for idx, lm in enumerate(out):
        if lm[1] > 1.0 and idx not in [_IDX[n] for n in visibility]:
            lm[3] = 0.3
    return out


def _r(value, digits=4):
    """Round floats for the vector files (1e-4 px is far below the 0.5 px tolerance)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list):
        return [_r(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _r(v, digits) for k, v in value.items()}
    return value


PORTRAIT = (720, 1280)
LANDSCAPE = (1280, 720)


def fit_cases():
    """Return ``[(name, frame, garment key, landmarks)]`` covering kinds and poses."""
    low_elbows = {"right_elbow": 0.2, "left_elbow": 0.3, "right_wrist": 0.2, "left_wrist": 0.25}
    cases = [
        ("tshirt_frontal", PORTRAIT, "tshirt", synthetic_pose(PORTRAIT, (360, 380), 200)),
        (
            "tshirt_raised_right_arm",
            PORTRAIT,
            "tshirt",
            synthetic_pose(PORTRAIT, (360, 400), 190, arms=(150.0, 20.0), elbows=(5.0, 10.0)),
        ),
        (
            "tshirt_head_and_chest_phone",
            PORTRAIT,
            "tshirt",
            synthetic_pose(PORTRAIT, (360, 860), 420, visibility={"right_hip": 0.4, "left_hip": 0.35}),
        ),
        (
            # Hips at the frame's lower edge, half-seen (visibility about MIN_VISIBILITY, position
            # inside the edge ramp) and off their estimates: blended between the two by their trust.
            "tshirt_hips_half_trusted_at_the_edge",
            PORTRAIT,
            "tshirt",
            synthetic_pose(PORTRAIT, (360, 975), 300, visibility={"right_hip": 0.55, "left_hip": 0.45},
                           offsets={"right_hip": (40, -30), "left_hip": (40, -30)}),
        ),
        (
            "tshirt_one_hip_partly_trusted",
            LANDSCAPE,
            "tshirt",
            synthetic_pose(LANDSCAPE, (640, 200), 170, visibility={"left_hip": 0.53},
                           offsets={"right_hip": (-20, 10), "left_hip": (30, -25)}),
        ),
        ("tshirt_far_small", LANDSCAPE, "tshirt", synthetic_pose(LANDSCAPE, (700, 260), 60)),
        (
            "tshirt_close_large",
            PORTRAIT,
            "tshirt",
            synthetic_pose(PORTRAIT, (370, 300), 560, arms=(20.0, 18.0)),
        ),
        ("tshirt_mirrored", LANDSCAPE, "tshirt", synthetic_pose(LANDSCAPE, (640, 220), 170, mirrored=True)),
        (
            # Arms hanging straight down over the torso's sides, leaning (hips
            # shifted): the short sleeves' inner halves fold under the body.
            "tshirt_arms_down_leaning",
            PORTRAIT,
            "tshirt",
            synthetic_pose(
                PORTRAIT, (360, 420), 200, arms=(3.0, 5.0), offsets={"right_hip": (-50, 0), "left_hip": (-50, 0)}
            ),
        ),
        (
            # Steep short sleeves on arms hanging straight down: each sleeve, with
            # the art under it, turns in with the arm about its shoulder seam.
            "tshirt_hanging_sleeves_arms_down",
            PORTRAIT,
            "tshirt_hanging_sleeves",
            synthetic_pose(PORTRAIT, (360, 380), 200, arms=(2.0, 4.0), elbows=(0.0, 0.0)),
        ),
        (
            "tshirt_steep_sleeves_arms_in",
            LANDSCAPE,
            "tshirt_steep_sleeves",
            synthetic_pose(LANDSCAPE, (640, 230), 160, arms=(-6.0, 0.0), elbows=(-20.0, 0.0)),
        ),
        (
            "tshirt_steepest_sleeves_arms_down",
            PORTRAIT,
            "tshirt_steepest_sleeves",
            synthetic_pose(PORTRAIT, (360, 380), 200, arms=(0.0, 3.0), elbows=(0.0, 0.0)),
        ),
        ("longsleeve_frontal", LANDSCAPE, "longsleeve", synthetic_pose(LANDSCAPE, (640, 200), 150)),
        (
            "longsleeve_raised_left_arm",
            PORTRAIT,
            "longsleeve",
            synthetic_pose(PORTRAIT, (380, 420), 180, arms=(20.0, 100.0), elbows=(10.0, 60.0)),
        ),
        (
            "longsleeve_low_visibility_elbows",
            PORTRAIT,
            "longsleeve",
            synthetic_pose(
                PORTRAIT, (360, 400), 200, visibility=low_elbows, offsets={"right_elbow": (-60, -40)}
            ),
        ),
        (
            "longsleeve_tight_arms_down",
            PORTRAIT,
            "longsleeve_tight",
            synthetic_pose(PORTRAIT, (360, 380), 190, arms=(4.0, 6.0), elbows=(0.0, 5.0)),
        ),
        (
            "longsleeve_slim_arms_crossing_body",
            LANDSCAPE,
            "longsleeve_slim",
            synthetic_pose(LANDSCAPE, (600, 200), 140, arms=(8.0, -6.0), elbows=(-30.0, 20.0), tilt_deg=-7.0),
        ),
        (
            "jacket_tilted_shoulders",
            LANDSCAPE,
            "jacket",
            synthetic_pose(LANDSCAPE, (620, 210), 160, tilt_deg=12.0, arms=(35.0, 15.0)),
        ),
        (
            "jacket_turned",
            PORTRAIT,
            "jacket",
            synthetic_pose(PORTRAIT, (350, 400), 210, turn=0.55, tilt_deg=-4.0),
        ),
        (
            "jacket_cropped_cuffs_bent_elbows",
            PORTRAIT,
            "jacket_cropped_cuffs",
            synthetic_pose(PORTRAIT, (360, 380), 190, arms=(15.0, 30.0), elbows=(40.0, 70.0)),
        ),
        ("dress_frontal", PORTRAIT, "dress", synthetic_pose(PORTRAIT, (360, 260), 150)),
        (
            "dress_walking_far",
            LANDSCAPE,
            "dress",
            synthetic_pose(LANDSCAPE, (500, 200), 70, legs=(-6.0, 18.0), knees=(4.0, -10.0)),
        ),
        (
            "dress_hips_hidden",
            PORTRAIT,
            "dress",
            synthetic_pose(
                PORTRAIT,
                (360, 520),
                260,
                visibility={"right_hip": 0.2, "left_hip": 0.2, "right_knee": 0.1, "left_knee": 0.1},
            ),
        ),
        ("trousers_frontal", PORTRAIT, "trousers", synthetic_pose(PORTRAIT, (360, 200), 140)),
        (
            # Turned, the knees half-seen: each knee is blended from its estimate to its landmark
            # by its trust (0.75 and 0.25), and the legs below follow.
            "trousers_turned_knees_half_trusted",
            PORTRAIT,
            "trousers",
            synthetic_pose(PORTRAIT, (360, 200), 140, turn=0.55, visibility={"right_knee": 0.55, "left_knee": 0.45}),
        ),
        (
            "trousers_step_close_large",
            PORTRAIT,
            "trousers",
            synthetic_pose(PORTRAIT, (340, -300), 330, legs=(12.0, -4.0), knees=(-8.0, 6.0)),
        ),
        (
            "trousers_hips_hidden_mirrored",
            LANDSCAPE,
            "trousers",
            synthetic_pose(
                LANDSCAPE,
                (640, 150),
                110,
                mirrored=True,
                visibility={"right_hip": 0.1, "left_hip": 0.2, "right_ankle": 0.3},
            ),
        ),
        (
            # Turned, one hip partly seen: it is blended from its estimate (beside the other hip,
            # from the shoulders) by its trust (0.65), and so is its thigh's part in the scale.
            "trousers_turned_one_hip_partly_trusted",
            PORTRAIT,
            "trousers",
            synthetic_pose(PORTRAIT, (360, 200), 140, turn=0.6, visibility={"right_hip": 0.53}),
        ),
        ("skirt_frontal", PORTRAIT, "skirt", synthetic_pose(PORTRAIT, (360, 240), 150, tilt_deg=-5.0)),
        (
            # Both hips half-seen (trust 0.75 and 0.25): blended between the landmarks and the
            # estimates from the shoulders, as a top's are.
            "skirt_hips_half_trusted",
            PORTRAIT,
            "skirt",
            synthetic_pose(PORTRAIT, (360, 260), 150, visibility={"right_hip": 0.55, "left_hip": 0.45},
                           offsets={"right_hip": (-25, 30), "left_hip": (20, 35)}),
        ),
        ("skirt_mirrored", LANDSCAPE, "skirt", synthetic_pose(LANDSCAPE, (600, 120), 110, mirrored=True)),
    ]
    return cases


def smoothing_cases():
    """Return ``[(name, params, frames)]``: noisy still, moving, and a gap that resets."""
    rng = random.Random(20240611)
    base = synthetic_pose(PORTRAIT, (360, 380), 200)
    cases = []

    def noisy(pose, dx=0.0):
        out = []
        for lm in pose:
            x = round(lm[0] + dx + rng.gauss(0.0, 0.004), 6)
            out.append([x, round(lm[1] + rng.gauss(0.0, 0.004), 6), lm[2], lm[3]])
        return out

    still = [{"t": round(i * 1000 / 30, 3), "landmarks": noisy(base)} for i in range(30)]
    cases.append(("still_noisy", {}, still))
    moving = [{"t": round(i * 1000 / 30, 3), "landmarks": noisy(base, 0.3 * i / 30)} for i in range(30)]
    cases.append(("moving_noisy", {}, moving))
    times = [0.0, 33.3, 66.7, 100.0, 133.3, 900.0, 933.3, 966.7, 966.7, 1000.0, 950.0, 983.3]
    gap = [{"t": t, "landmarks": noisy(base, 0.05 if t >= 900 else 0.0)} for t in times]
    cases.append(("gap_duplicate_and_backwards", {"min_cutoff": 0.5, "beta": 4.0, "d_cutoff": 1.0}, gap))
    return cases


def tracking_cases():
    """Return ``[(name, frame, frames, must)]``; ``must`` is the decision list the case was built for.

    A webcam frame (640x480) with the shopper's hips inside it. The collapsed
    pose is the one the lite model got stuck on with the astronaut clip: hips
    barely below the shoulders (torso 0.95 shoulder widths), shoulders tilted.
    """
    frame = (640, 480)
    sw = 170.0
    upright = synthetic_pose(frame, (300, 150), sw)  # torso 1.4 shoulder widths, hips at y = 0.81

    def torso(ratio, **kwargs):
        lift = (1.4 - ratio) * sw
        return synthetic_pose(frame, (300, 150), sw, offsets={"left_hip": (0, -lift), "right_hip": (0, -lift)},
                              **kwargs)

    collapsed = torso(0.95, tilt_deg=17.0)
    times = [round(i * 1000 / 30, 3) for i in range(24)]  # 0 .. 766.7 ms
    stuck = [{"t": t, "landmarks": collapsed} for t in times]
    stuck[3]["landmarks"] = None  # a frame with nobody found changes nothing
    stuck[20]["landmarks"] = upright  # a good pose between resets: used, and the interval still runs
    must = [RESET] + [DROP] * 14 + [RESET] + [DROP] * 8  # 0 ms, then 500 ms
    must[3] = OK
    must[20] = OK
    guessed = {"left_hip": 0.3, "right_hip": 0.3}
    fine = [
        upright,
        torso(1.05),  # just long enough
        torso(0.95, visibility=guessed),  # short, but the hips are guesses
        # Short, hips seen by the model but beyond the frame's edge margin (y = 1.21): estimated, not trusted.
        synthetic_pose(frame, (300, 420), sw, visibility={"left_hip": 0.99, "right_hip": 0.99},
                       offsets={"left_hip": (0, -0.45 * sw), "right_hip": (0, -0.45 * sw)}),
        synthetic_pose(frame, (320, 200), 120, turn=0.3),  # turned sideways: narrow shoulders, long torso
    ]
    edge = [torso(1.05), torso(0.98), torso(0.98)]
    return [
        ("collapsed_torso_stream", frame, stuck, must),
        ("plausible_bodies", frame, [{"t": i * 33.0, "landmarks": lm} for i, lm in enumerate(fine)],
         [OK] * len(fine)),
        ("threshold", frame, [{"t": i * 33.0, "landmarks": lm} for i, lm in enumerate(edge)], [OK, RESET, DROP]),
    ]


def main():
    FIT_DIR.mkdir(parents=True, exist_ok=True)
    SMOOTHING_DIR.mkdir(parents=True, exist_ok=True)
    TRACKING_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*FIT_DIR.glob("*.json"), *SMOOTHING_DIR.glob("*.json"), *TRACKING_DIR.glob("*.json")]:
        old.unlink()
    for name, frame, key, landmarks in fit_cases():
        garment = GARMENTS[key]
        expected = fit_garment(landmarks, frame[0], frame[1], garment)
        if expected is None:
            raise SystemExit(f"{name}: fit_garment returned None")
        doc = {
            "name": name,
            "frame": list(frame),
            "garment": garment,
            "landmarks": landmarks,
            "expected": _r(expected),
        }
        (FIT_DIR / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    for name, params, frames in smoothing_cases():
        smoother = LandmarkSmoother(**params)
        expected = [_r(smoother.apply(f["landmarks"], f["t"]), 9) for f in frames]
        doc = {"name": name, "params": params, "frames": frames, "expected": expected}
        (SMOOTHING_DIR / f"{name}.json").write_text(json.dumps(doc) + "\n")
    for name, frame, frames, must in tracking_cases():
        guard = TrackingGuard()
        expected = [guard.check(f["landmarks"], frame[0], frame[1], f["t"]) for f in frames]
        if expected != must:
            raise SystemExit(f"{name}: the guard decided {expected}, the case was built for {must}")
        doc = {"name": name, "frame": list(frame), "frames": frames, "expected": expected}
        (TRACKING_DIR / f"{name}.json").write_text(json.dumps(doc) + "\n")
    print(f"wrote {len(fit_cases())} fit vectors to {FIT_DIR.relative_to(ROOT)}")
    print(f"wrote {len(smoothing_cases())} smoothing vectors to {SMOOTHING_DIR.relative_to(ROOT)}")
    print(f"wrote {len(tracking_cases())} tracking vectors to {TRACKING_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
