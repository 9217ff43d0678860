"""When a video pose tracker has locked onto an impossible body, and must start again.

MediaPipe's PoseLandmarker in VIDEO mode runs its person detector once, then
finds each frame's person from the previous frame's landmarks. If the first
detection is poor, tracking can settle on a wrong pose and stay there: on the
live page with the astronaut test clip (hips below the frame), 2 of 11
headless sessions started with the hips reported *inside* the frame, at 0.99
visibility, barely below the shoulders, one shoulder on the suit's collar
ring, and kept that pose for the whole session (20 and 45 s). The garment
follows the pose, so it hung tilted and shifted beside the body for as long
as the shopper stood there. The Python model drifts the same way: on the
astronaut photo squeezed into 640x480, within six frames of a static stream
(torso 1.26 shoulder widths, then 0.92-0.97).

A body facing the camera has its hip midpoint about ``TORSO_RATIO`` (1.4)
shoulder widths below its shoulder midpoint. :func:`implausible_torso` flags
a pose whose shoulders and both hips are seen
(:func:`tryon.geometry.landmark_seen`, the test the fit applies to shoulders
and around which it blends hips) with a torso shorter than
``MIN_TORSO_RATIO`` shoulder widths, in frame pixels: that would need the
shopper to lean about 45 degrees towards the camera. The stuck poses above
measured 0.92-1.27 (median 0.96); the correct poses of the same clip
1.16-1.49.

:class:`TrackingGuard` turns that into a decision per frame: ``"ok"`` (use
the pose), ``"drop"`` (do not draw a garment on it) or ``"reset"`` (drop it,
and make the tracker lose the person, e.g. by feeding it one blank frame, so
that the next frame runs the person detector afresh). Resets come at most
every ``RESET_INTERVAL_MS`` of stream time; each costs one extra inference.
Both pose paths use it: ``static/tryon/js/pose-engine.js`` (through its
twin ``static/tryon/js/tracking.js``) and :class:`tryon.pose.PoseEstimator`
in video mode. The shared vectors in ``tests/vectors/tracking`` hold both
twins to the same decisions. Stdlib only.
"""

from __future__ import annotations

import math

from tryon.garments import LANDMARK_INDEX
from tryon.geometry import landmark_seen

# Hip midpoint below the shoulder midpoint, in shoulder widths, under which a
# pose is taken for a tracking failure (see the module docstring).
MIN_TORSO_RATIO = 1.0
# Least stream time between two tracker resets.
RESET_INTERVAL_MS = 500.0

_TORSO = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")

OK = "ok"
DROP = "drop"
RESET = "reset"


def implausible_torso(landmarks, frame_width, frame_height, min_ratio: float | None = None) -> bool:
    """Return whether both shoulders and both hips are seen with the torso too short to be a body.

    ``landmarks`` holds 33 MediaPipe ``[x, y, z, visibility]`` (normalised).
    Lengths are measured in frame pixels: shoulder width, and shoulder
    midpoint to hip midpoint; "too short" is under ``min_ratio`` (default
    ``MIN_TORSO_RATIO``) shoulder widths.
    """
    if landmarks is None or len(landmarks) < 33:
        return False
    ls, rs, lh, rh = (landmarks[LANDMARK_INDEX[name]] for name in _TORSO)
    if not (landmark_seen(ls) and landmark_seen(rs) and landmark_seen(lh) and landmark_seen(rh)):
        return False
    fw = float(frame_width)
    fh = float(frame_height)
    sx = (float(ls[0]) - float(rs[0])) * fw
    sy = (float(ls[1]) - float(rs[1])) * fh
    tx = ((float(lh[0]) + float(rh[0])) - (float(ls[0]) + float(rs[0]))) * 0.5 * fw
    ty = ((float(lh[1]) + float(rh[1])) - (float(ls[1]) + float(rs[1]))) * 0.5 * fh
    ratio = MIN_TORSO_RATIO if min_ratio is None else float(min_ratio)
    return math.sqrt(tx * tx + ty * ty) < ratio * math.sqrt(sx * sx + sy * sy)


class TrackingGuard:
    """Per video stream: decide whether each pose may be used, and when to reset the tracker."""

    def __init__(self, reset_interval_ms: float = RESET_INTERVAL_MS, min_torso_ratio: float | None = None) -> None:
        self.reset_interval_ms = float(reset_interval_ms)
        self.min_torso_ratio = min_torso_ratio  # None: MIN_TORSO_RATIO
        self.last_reset_ms: float | None = None
        self.resets = 0

    def check(self, landmarks, frame_width, frame_height, timestamp_ms) -> str:
        """Return ``"ok"``, ``"drop"`` or ``"reset"`` for a frame's pose (``None``: no pose, ``"ok"``).

        ``timestamp_ms`` is the frame's stream time, non-decreasing.
        """
        if not implausible_torso(landmarks, frame_width, frame_height, self.min_torso_ratio):
            return OK
        t = float(timestamp_ms)
        if self.last_reset_ms is not None and t - self.last_reset_ms < self.reset_interval_ms:
            return DROP
        self.last_reset_ms = t
        self.resets += 1
        return RESET
