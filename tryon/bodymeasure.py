"""Body widths from camera frames: the pose, the person mask and the shopper's stated height.

Pure Python (the mask is read cell by cell, so any 2-D array or nested list works); no Django,
no MediaPipe. The browser twin is static/tryon/js/bodymeasure.js, held to the same vectors
(tests/vectors/bodymeasure), so the live page measures on the phone exactly as the photo
try-on does on the server.

:func:`read_frame` looks at one frame. It first decides whether the frame can be measured at
all, and if not, which single instruction would fix it (the capture coaching): step into view,
step back until head and feet show, come closer, face the camera, stand up straight (:func:`posture`:
knees straight, legs plumb, torso upright, each within what costs the measurement 1%), arms a
little away from the body. Only then does it measure. The scale comes from the stated height over the person's height
in pixels (top of the head from the mask, the floor from the lowest mask row under the feet), not
from MediaPipe's z, which is off by more than 10 cm in depth. Each girth's front width is the
mask's run across the torso at the height where ANSUR II takes that girth (a fixed fraction of
stature, in the model file), averaged over a thin band of rows, with the soft mask's edge pixels
counted by their value for sub-pixel precision.

:func:`read_side` does the same for the optional side view: once the shopper has turned
side-on, each zone's depth is the mask's run at the same levels, scaled by the stated height over
that view's own head-to-floor span; :func:`with_depths` joins the depths to the widths, and
:func:`tryon.sizing.estimate` then uses ANSUR's front+side fits.

:class:`MeasureSession` gathers readings while the shopper holds still: any instruction or a
torso landmark drifting more than :data:`STILL_DRIFT` of the body's height starts the count
again; after :data:`CAPTURE_MS` of still, measurable frames it returns each width (or depth)
with its uncertainty, ready for :func:`tryon.sizing.estimate`.
"""

from __future__ import annotations

import math

NOSE, L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 0, 11, 12, 13, 14, 15, 16
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_FOOT, R_FOOT = 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
FEET = (L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_FOOT, R_FOOT)
ARMS = ((L_SHOULDER, L_ELBOW, L_WRIST), (R_SHOULDER, R_ELBOW, R_WRIST))
LEGS = ((L_HIP, L_KNEE, L_ANKLE), (R_HIP, R_KNEE, R_ANKLE))
ZONES = ("chest", "waist", "hips")

VISIBLE = 0.5  # landmark visibility needed to trust it
INSIDE = 0.5  # mask value counted as the person
EDGE_MARGIN = 0.01  # of the frame: a head or feet closer to the edge than this may be cut off
MIN_BODY_PX = 200  # the person's height in pixels: fewer make a pixel more than ~0.85 cm
MIN_SHOULDER_RATIO = 0.14  # shoulder joints apart / body height: less is turned away (frontal ~0.19)
FRONT_SHOULDER_RATIO = 0.19  # shoulder joints apart / body height, facing the camera
MAX_NOSE_OFFSET = 0.35  # nose off the shoulders' middle, in shoulder widths: less is facing the camera
HAND_LENGTH = 0.11  # of body height: the hand beyond the wrist, along the forearm
ARM_MARGIN = 0.015  # of body height: an arm this close to the torso's run is taken as touching it
BAND = 0.005  # of body height, each side of a zone's row: rows averaged for its width
FOOT_SEARCH = 0.06  # of body height, below the lowest foot landmark: where the mask's floor is sought

# Standing straight, as a tape measure needs it (erect, knees straight, feet about hip-width apart):
# each way of not standing so may cost the measurement at most POSTURE_BUDGET, half the scale
# error SCALE_SD already states. The limits follow from that and from the body's proportions.
POSTURE_BUDGET = 0.01
LEG_LENGTH = 0.48  # hip joint (trochanterion) above the ankle, of stature: ANSUR II median, women (men 0.47)
# A leg out of plumb by this much lowers its hip joint, and so the body's height and every zone's
# level, by POSTURE_BUDGET of stature (the legs spread, a lunge to the side): 11.7 degrees.
MAX_LEG_TILT_DEG = math.degrees(math.acos(1.0 - POSTURE_BUDGET / LEG_LENGTH))
# A knee bent so that thigh and shank (of equal length, ANSUR II) each lean that much: 156.6 degrees.
MIN_KNEE_DEG = 180.0 - 2.0 * MAX_LEG_TILT_DEG
# A row across a torso leaning this far from upright cuts it 1 + POSTURE_BUDGET times too wide: 8.1 degrees.
MAX_LEAN_DEG = math.degrees(math.acos(1.0 / (1.0 + POSTURE_BUDGET)))

# The side view. Turned phi short of side-on, an elliptic section of width W and depth D shows
# D * sqrt(1 + (k^2 - 1) sin^2 phi), k = W / D: at most 1 + POSTURE_BUDGET times D for the widest
# zone (hips, ANSUR II median k = 1.443), phi <= 7.8 degrees, where the shoulder joints are
# FRONT_SHOULDER_RATIO * sin(phi) = 0.026 of the body's height apart across the picture.
SIDE_WIDTH_OVER_DEPTH = 1.443
MAX_SIDE_TURN_SIN = math.sqrt(((1.0 + POSTURE_BUDGET) ** 2 - 1.0) / (SIDE_WIDTH_OVER_DEPTH ** 2 - 1.0))
MAX_SIDE_SHOULDER_RATIO = FRONT_SHOULDER_RATIO * MAX_SIDE_TURN_SIN
# In profile a hanging arm lies over the torso; its outline reaches the run's edge when its middle
# is within half a forearm's thickness (0.025 of stature) plus ARM_MARGIN of it.
SIDE_ARM_REACH = 0.025 + ARM_MARGIN

CAPTURE_MS = 2000.0  # still, measurable frames needed for a measurement
MIN_FRAMES = 8
STILL_DRIFT = 0.015  # of body height: torso landmarks further than this from where the count began is moving
MAX_GAP_MS = 500.0  # a longer gap between readings starts the count again
SCALE_SD = 0.02  # relative error of the pixel scale (head top, floor, posture)
EDGE_SD_CM = 0.7  # silhouette edge against the body under close clothes
SINGLE_FRAME_SD_CM = 1.0  # spread assumed for a measurement from one photo

MESSAGES = {
    "no_person": "Step into the camera's view, your whole body in the picture.",
    "step_back": "Step back until your head and feet are in view.",
    "come_closer": "Come a little closer: you are small in the picture.",
    "face_camera": "Face the camera, feet apart, standing straight.",
    "stand_straight": "Stand up straight, knees straight, feet hip-width apart.",
    "turn_side": "Turn to your side, left or right, standing straight.",
    "side_arms": "Let your arms hang straight down by your sides.",
    "arms_away": "Hold your arms a little away from your body.",
    "hold_still": "Hold still…",
    "ok": "Measuring…",
}


def _nearest(x: float) -> int:
    """Round half up, as JavaScript's Math.round (Python's round() rounds half to even)."""
    return math.floor(x + 0.5)


def _coaching(code: str) -> dict:
    return {"status": code, "message": MESSAGES[code], "widths": {}, "rows": {}, "blocked": {},
            "height_px": None, "cm_per_px": None}


def _seen(landmark) -> bool:
    return landmark is not None and landmark[3] >= VISIBLE


def _run(mask, y: int, x: int, width: int) -> tuple[int, int, float] | None:
    """The run of person pixels on row ``y`` through column ``x``: (left, right, soft width px)."""
    row = mask[y]
    if row[x] < INSIDE:
        return None
    left = x
    while left > 0 and row[left - 1] >= INSIDE:
        left -= 1
    right = x
    while right < width - 1 and row[right + 1] >= INSIDE:
        right += 1
    # Each pixel counts by how much of it is person, the edge pixels outside the run too.
    soft = 0.0
    for i in range(max(0, left - 1), min(width - 1, right + 1) + 1):
        soft += float(row[i])
    return left, right, soft


def _arm_x(arm: list[tuple[float, float]], y: float) -> float | None:
    """Where the arm's polyline (shoulder, elbow, wrist, fingertips) crosses row ``y``, if it does."""
    for (x0, y0), (x1, y1) in zip(arm, arm[1:]):
        if min(y0, y1) <= y <= max(y0, y1) and y0 != y1:
            return x0 + (x1 - x0) * (y - y0) / (y1 - y0)
    return None


def _degrees(radians: float) -> float:
    return radians / (math.pi / 180.0)  # as math.degrees, written out for the JavaScript twin


def _tilt(top: tuple[float, float], bottom: tuple[float, float]) -> float:
    """Degrees the line from ``top`` down to ``bottom`` is out of plumb (over 90 when it points up)."""
    return _degrees(math.atan2(abs(bottom[0] - top[0]), bottom[1] - top[1]))


def _knee_angle(hip: tuple[float, float], knee: tuple[float, float], ankle: tuple[float, float]) -> float:
    """The hip-knee-ankle angle in the picture, in degrees (180 for a straight leg)."""
    ax, ay = hip[0] - knee[0], hip[1] - knee[1]
    bx, by = ankle[0] - knee[0], ankle[1] - knee[1]
    norm = math.hypot(ax, ay) * math.hypot(bx, by)
    if norm == 0:
        return 180.0
    return _degrees(math.acos(max(-1.0, min(1.0, (ax * bx + ay * by) / norm))))


def posture(px: list[tuple[float, float]]) -> str | None:
    """Say how a pose (landmarks in pixels) is not standing straight, or None if it is.

    "knees_bent" (a hip-knee-ankle angle under :data:`MIN_KNEE_DEG`), "legs_apart" (a leg more
    than :data:`MAX_LEG_TILT_DEG` out of plumb: the feet spread, a lunge) or "leaning" (the
    hips-to-shoulders line more than :data:`MAX_LEAN_DEG` from upright). A knee bent straight
    towards the camera does not show in the picture; a twist about the body's axis is not
    judged here (the landmarks' z is too noisy for it), only a turn large enough for
    "face_camera".
    """
    for hip, knee, ankle in LEGS:
        if _knee_angle(px[hip], px[knee], px[ankle]) < MIN_KNEE_DEG:
            return "knees_bent"
    for hip, _, ankle in LEGS:
        if _tilt(px[hip], px[ankle]) > MAX_LEG_TILT_DEG:
            return "legs_apart"
    mid_shoulder = ((px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2)
    mid_hip = ((px[L_HIP][0] + px[R_HIP][0]) / 2, (px[L_HIP][1] + px[R_HIP][1]) / 2)
    if _tilt(mid_shoulder, mid_hip) > MAX_LEAN_DEG:
        return "leaning"
    return None


def _head_and_floor(mask, px, feet: list[int], width: int, height: int, head_half: float, foot_half: float):
    """The rows of the top of the head and of the floor under the feet, or None if either is out of view.

    The head's top is the first mask row above the nose within ``head_half`` pixels of it; the
    floor the lowest mask row under the feet (``foot_half`` either side of their landmarks),
    searched a little below the lowest foot landmark.
    """
    edge = EDGE_MARGIN * height
    nose_x, nose_y = px[NOSE]
    x0 = max(0, math.floor(nose_x - head_half))
    x1 = min(width - 1, math.floor(nose_x + head_half))
    top = None
    for y in range(0, max(0, min(height, math.floor(nose_y)))):
        row = mask[y]
        if any(row[x] >= INSIDE for x in range(x0, x1 + 1)):
            top = y
            break
    if top is None or top <= edge:
        return None
    foot_x0 = max(0, math.floor(min(px[i][0] for i in feet) - foot_half))
    foot_x1 = min(width - 1, math.floor(max(px[i][0] for i in feet) + foot_half))
    lowest = max(px[i][1] for i in feet)
    rough = lowest - top
    floor = math.floor(lowest)
    for y in range(math.floor(lowest), min(height, math.floor(lowest + FOOT_SEARCH * rough) + 1)):
        row = mask[y]
        if any(row[x] >= INSIDE for x in range(foot_x0, foot_x1 + 1)):
            floor = y
    if floor >= height - 1 - edge:
        return None
    return top, floor


def _arm_lines(landmarks, px, body_px: float, arms=ARMS) -> list:
    """Each arm as a polyline: shoulder, elbow, wrist and the hand's end along the forearm."""
    lines = []
    for shoulder, elbow, wrist in arms:
        sx, sy = px[shoulder]
        ex, ey = px[elbow]
        wx, wy = px[wrist]
        fx, fy = wx - ex, wy - ey
        norm = math.hypot(fx, fy) or 1.0
        tip = (wx + fx / norm * HAND_LENGTH * body_px, wy + fy / norm * HAND_LENGTH * body_px)
        lines.append([(sx, sy), (ex, ey), (wx, wy), tip])
    return lines


def _zone_runs(mask, px, width: int, height: int, height_cm: float, levels: dict, ranges: dict, floor: int,
               body_px: float, arms: list, touches) -> tuple[dict, dict, dict]:
    """Each zone's run across the torso in cm, its row, and why a zone could not be read.

    ``touches(ax, left, right)`` says whether an arm crossing a row at ``ax`` spoils that row's
    run from ``left`` to ``right``.
    """
    mid_shoulder = ((px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2)
    mid_hip = ((px[L_HIP][0] + px[R_HIP][0]) / 2, (px[L_HIP][1] + px[R_HIP][1]) / 2)
    cm_per_px = height_cm / body_px
    band = max(1, _nearest(BAND * body_px))
    runs, rows, blocked = {}, {}, {}
    for zone in ZONES:
        y_zone = floor - levels[zone] * body_px
        rows[zone] = y_zone
        # The torso's middle at that row, along the line from the shoulders' middle to the hips'.
        t = (y_zone - mid_shoulder[1]) / ((mid_hip[1] - mid_shoulder[1]) or 1.0)
        cx = min(width - 1, max(0, _nearest(mid_shoulder[0] + (mid_hip[0] - mid_shoulder[0]) * t)))
        if zone == "chest" and any(arm[1][1] < y_zone for arm in arms):
            # An elbow above the chest: the shoulders' muscles and the armpits' folds widen the
            # silhouette there (by 25-30% on a raised-arms test frame), so the chest is not read.
            blocked[zone] = "arms_raised"
            continue
        total, count = 0.0, 0
        for y in range(_nearest(y_zone) - band, _nearest(y_zone) + band + 1):
            if not 0 <= y < height:
                continue
            run = _run(mask, y, cx, width)
            if run is None:
                continue
            left, right, soft = run
            if any((ax := _arm_x(arm, float(y))) is not None and touches(ax, left, right) for arm in arms):
                blocked[zone] = "arms"
                break
            total += soft
            count += 1
        if zone in blocked:
            continue
        if count == 0:
            blocked[zone] = "no_body"
            continue
        run_cm = total / count * cm_per_px
        low, high = ranges[zone]
        if not low <= run_cm / height_cm <= high:
            blocked[zone] = "implausible"
            continue
        runs[zone] = run_cm
    return runs, rows, blocked


def read_frame(landmarks, mask, width: int, height: int, height_cm: float, levels: dict, ranges: dict) -> dict:
    """Measure one frame, or say which instruction would make it measurable.

    ``landmarks``: 33 ``(x, y, z, visibility)`` normalised to the frame, or None. ``mask``: the
    person mask, ``height`` rows of ``width`` values in 0..1. ``levels``: each zone's height above
    the floor as a fraction of stature, ``ranges`` each zone's plausible width over height
    (``sizing-model.json`` "levels" and "width_range" for the shopper's sex).
    Returns ``{"status", "message", "widths": {zone: cm}, "rows": {zone: y}, "blocked": {zone:
    reason}, "height_px", "cm_per_px"}``; ``status`` is "ok" or the coaching code, and only "ok"
    carries widths. A zone is blocked by "arms" touching the torso there, "arms_raised" (the chest,
    with an elbow above it), "no_body" (no mask under the torso's middle) or an "implausible"
    width; the chest alone may be blocked in an "ok" reading.
    """
    if landmarks is None or mask is None:
        return _coaching("no_person")
    px = [(lm[0] * width, lm[1] * height) for lm in landmarks]
    if not (_seen(landmarks[L_SHOULDER]) and _seen(landmarks[R_SHOULDER])):
        return _coaching("no_person")
    feet = [i for i in FEET if _seen(landmarks[i])]
    edge = EDGE_MARGIN * height
    hips = _seen(landmarks[L_HIP]) and _seen(landmarks[R_HIP])
    if not hips or not _seen(landmarks[NOSE]) or len(feet) < 2 or any(px[i][1] > height - 1 - edge for i in feet):
        return _coaching("step_back")

    shoulder_px = math.hypot(px[L_SHOULDER][0] - px[R_SHOULDER][0], px[L_SHOULDER][1] - px[R_SHOULDER][1])
    # The head's top within half a shoulder width of the nose; the floor a quarter beyond the feet.
    found = _head_and_floor(mask, px, feet, width, height, shoulder_px / 2, shoulder_px / 4)
    if found is None:
        return _coaching("step_back")
    top, floor = found
    body_px = float(floor - top + 1)
    if body_px < MIN_BODY_PX:
        return _coaching("come_closer")
    nose_x = px[NOSE][0]
    mid_shoulder = ((px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2)
    if shoulder_px / body_px < MIN_SHOULDER_RATIO or abs(nose_x - mid_shoulder[0]) > MAX_NOSE_OFFSET * shoulder_px:
        return _coaching("face_camera")
    if posture(px) is not None:
        return _coaching("stand_straight")
    for _, elbow, wrist in ARMS:
        if not (_seen(landmarks[elbow]) and _seen(landmarks[wrist])):
            return _coaching("arms_away")
    arms = _arm_lines(landmarks, px, body_px)
    margin = ARM_MARGIN * body_px
    widths, rows, blocked = _zone_runs(mask, px, width, height, height_cm, levels, ranges, floor, body_px, arms,
                                       lambda ax, left, right: left - margin <= ax <= right + margin)
    # The chest sits at the armpits: arms must be well out to free it, and a front width adds
    # least there (see sizing-model tests), so it may stay unmeasured; waist and hips may not.
    needed = [blocked[z] for z in ("waist", "hips") if z in blocked]
    if needed:
        return {**_coaching("arms_away" if "arms" in needed else "face_camera"), "blocked": blocked}
    return {"status": "ok", "message": MESSAGES["ok"], "widths": widths, "rows": rows, "blocked": blocked,
            "height_px": body_px, "cm_per_px": height_cm / body_px}


def _side_coaching(code: str) -> dict:
    reading = _coaching(code)
    reading["depths"] = reading.pop("widths")
    return reading


def read_side(landmarks, mask, width: int, height: int, height_cm: float, levels: dict, ranges: dict) -> dict:
    """Measure each zone's depth on a side view, or say which instruction would make it measurable.

    As :func:`read_frame`, with the shopper turned side-on: the scale is the stated height over
    this view's own head-to-floor span, and each zone's depth is the mask's run through the
    torso at the same fractions of stature as the widths. ``ranges``: each zone's plausible depth
    over height (``sizing-model.json`` "depth_range"). Returns the same keys as
    :func:`read_frame` with ``depths`` for ``widths``. The view is side-on when the shoulder
    joints are at most :data:`MAX_SIDE_SHOULDER_RATIO` of the body's height apart across the
    picture, else the instruction is "turn_side". In profile a hanging arm lies over the torso:
    a zone is blocked by "arms" only where an arm the model sees reaches the run's front or
    back edge (:data:`SIDE_ARM_REACH`); an arm it cannot see is behind the body. Posture is
    judged as in the front view (in profile it sees a bent knee or a forward lean better).
    """
    if landmarks is None or mask is None:
        return _side_coaching("no_person")
    px = [(lm[0] * width, lm[1] * height) for lm in landmarks]
    if not (_seen(landmarks[L_SHOULDER]) or _seen(landmarks[R_SHOULDER])):
        return _side_coaching("no_person")
    feet = [i for i in FEET if _seen(landmarks[i])]
    edge = EDGE_MARGIN * height
    hips = _seen(landmarks[L_HIP]) or _seen(landmarks[R_HIP])
    if not hips or not _seen(landmarks[NOSE]) or len(feet) < 2 or any(px[i][1] > height - 1 - edge for i in feet):
        return _side_coaching("step_back")
    # A frontal shoulder span of the nose-to-feet height sets the search windows, as in front.
    span = FRONT_SHOULDER_RATIO * (max(px[i][1] for i in feet) - px[NOSE][1])
    found = _head_and_floor(mask, px, feet, width, height, span / 2, span / 4)
    if found is None:
        return _side_coaching("step_back")
    top, floor = found
    body_px = float(floor - top + 1)
    if body_px < MIN_BODY_PX:
        return _side_coaching("come_closer")
    if abs(px[L_SHOULDER][0] - px[R_SHOULDER][0]) / body_px > MAX_SIDE_SHOULDER_RATIO:
        return _side_coaching("turn_side")
    if posture(px) is not None:
        return _side_coaching("stand_straight")
    seen_arms = tuple(arm for arm in ARMS if _seen(landmarks[arm[1]]) and _seen(landmarks[arm[2]]))
    arms = _arm_lines(landmarks, px, body_px, seen_arms)
    reach = SIDE_ARM_REACH * body_px
    depths, rows, blocked = _zone_runs(mask, px, width, height, height_cm, levels, ranges, floor, body_px, arms,
                                       lambda ax, front, back: not front + reach <= ax <= back - reach)
    needed = [blocked[z] for z in ("waist", "hips") if z in blocked]
    if needed:
        return {**_side_coaching("side_arms" if "arms" in needed else "turn_side"), "blocked": blocked}
    return {"status": "ok", "message": MESSAGES["ok"], "depths": depths, "rows": rows, "blocked": blocked,
            "height_px": body_px, "cm_per_px": height_cm / body_px}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def observed_widths(widths_per_frame: list[dict], name: str = "width") -> dict:
    """Each zone's width (median over frames) and its 1-sigma uncertainty, for ``sizing.estimate``.

    The uncertainty joins the frames' spread (1.4826 x median absolute deviation, over the square
    root of the frame count; :data:`SINGLE_FRAME_SD_CM` for one frame) with what no number of frames
    removes: the pixel scale (:data:`SCALE_SD` of the width) and the silhouette's edge
    (:data:`EDGE_SD_CM`). ``name``: "width", or "depth" for a side view's depths; the result's keys
    are ``name`` and ``name + "_sd"``.
    """
    out = {}
    if not widths_per_frame:
        return out
    for zone in ZONES:
        values = [w[zone] for w in widths_per_frame if zone in w]
        if not values:
            continue
        median = _median(values)
        if len(values) > 1:
            spread = 1.4826 * _median([abs(v - median) for v in values]) / math.sqrt(len(values))
        else:
            spread = SINGLE_FRAME_SD_CM
        sd = math.sqrt(spread ** 2 + (SCALE_SD * median) ** 2 + EDGE_SD_CM ** 2)
        out[zone] = {name: median, f"{name}_sd": sd}
    return out


def with_depths(observed: dict, depths: dict | None) -> dict:
    """The front view's widths with the side view's depths, zone by zone, for ``sizing.estimate``.

    A depth counts only with its zone's width (the fitted models take a depth with a width).
    """
    depths = depths or {}
    return {zone: {**o, **depths[zone]} if zone in depths else dict(o) for zone, o in observed.items()}


class MeasureSession:
    """Collect still, measurable frames; coach until there are enough, then hand over the widths.

    Call :meth:`add` with each frame's :func:`read_frame` result, its landmarks and its time in
    milliseconds. It returns ``{"status", "message", "progress"}``: the coaching code while the
    frame cannot be used, "hold_still" while the shopper moves, "measuring" while frames gather
    (``progress`` 0..1) and "done" once :data:`CAPTURE_MS` of them are in; :attr:`observed` then
    holds the widths for :func:`tryon.sizing.estimate`. With ``name="depth"`` it gathers a side
    view's :func:`read_side` depths instead (merge them with :func:`with_depths`).
    """

    def __init__(self, capture_ms: float = CAPTURE_MS, min_frames: int = MIN_FRAMES, name: str = "width"):
        self.capture_ms = capture_ms
        self.min_frames = min_frames
        self.name = name
        self.reset()

    def reset(self) -> None:
        self.frames: list[dict] = []
        self.start_ms: float | None = None
        self.anchor: list | None = None
        self.last_ms: float | None = None
        self.observed: dict | None = None

    def _moved(self, landmarks, body_px: float, width: int, height: int) -> bool:
        worst = 0.0
        for i in (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP):
            dx = (landmarks[i][0] - self.anchor[i][0]) * width
            dy = (landmarks[i][1] - self.anchor[i][1]) * height
            worst = max(worst, math.hypot(dx, dy))
        return worst > STILL_DRIFT * body_px

    def add(self, reading: dict, landmarks, t_ms: float, width: int, height: int) -> dict:
        if self.observed is not None:
            return {"status": "done", "message": "Measured.", "progress": 1.0}
        status = reading["status"]
        gap = self.last_ms is not None and t_ms - self.last_ms > MAX_GAP_MS
        self.last_ms = t_ms
        if status != "ok":
            self.frames, self.start_ms, self.anchor = [], None, None
            return {"status": status, "message": MESSAGES[status], "progress": 0.0}
        if gap or self.anchor is None or self._moved(landmarks, reading["height_px"], width, height):
            # Start counting again from this pose.
            restart = self.anchor is not None
            self.frames, self.start_ms, self.anchor = [], None, landmarks
            if restart:
                return {"status": "hold_still", "message": MESSAGES["hold_still"], "progress": 0.0}
        if self.start_ms is None:
            self.start_ms = t_ms
        self.frames.append(reading[self.name + "s"])
        elapsed = t_ms - self.start_ms
        progress = min(1.0, elapsed / self.capture_ms, len(self.frames) / self.min_frames)
        if progress >= 1.0:
            self.observed = observed_widths(self.frames, self.name)
            return {"status": "done", "message": "Measured.", "progress": 1.0}
        return {"status": "measuring", "message": MESSAGES["ok"], "progress": progress}
