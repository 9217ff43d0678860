"""Synthetic people for the body-measurement tests: a silhouette mask and its 33 pose landmarks.

Drawn from a few proportions, so the true front width at every height is known exactly: the
measurement code (tryon/bodymeasure.py and its JavaScript twin) must read back what was drawn.
Edges are anti-aliased (drawn at 4x and area-averaged), like a segmentation model's soft mask.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SUPERSAMPLE = 4


class _Silhouette:
    """A person's silhouette, drawn in frame pixels at SUPERSAMPLE times the frame's size."""

    def __init__(self, frame, floor: float, body_px: float):
        self.w, self.h = frame
        self.floor, self.body_px = floor, body_px
        self.canvas = np.zeros((self.h * SUPERSAMPLE, self.w * SUPERSAMPLE), np.uint8)
        self.legs = None

    def y_at(self, fraction: float) -> float:
        return self.floor - fraction * self.body_px

    def poly(self, points) -> None:
        s = SUPERSAMPLE
        pts = np.array([[round(x * s), round(y * s)] for x, y in points], np.int32)
        cv2.fillPoly(self.canvas, [pts], 255, lineType=cv2.LINE_8)

    def thick(self, p, q, width_px: float) -> None:
        s = SUPERSAMPLE
        cv2.line(self.canvas, (round(p[0] * s), round(p[1] * s)), (round(q[0] * s), round(q[1] * s)), 255,
                 max(1, round(width_px * s)), lineType=cv2.LINE_8)

    def head(self, x: float, half_width: float) -> None:
        """The head: an ellipse under the top of the body, centred at ``x``."""
        s, top = SUPERSAMPLE, self.floor - self.body_px + 1
        cv2.ellipse(self.canvas, (round(x * s), round((top + 0.065 * self.body_px) * s)),
                    (round(half_width * s), round(0.065 * self.body_px * s)), 0, 0, 360, 255, -1)

    def arm(self, sx: float, sy: float, out: int, a: float):
        """Draw an arm from the shoulder joint, ``a`` radians from hanging straight down toward the
        image's side ``out`` (1 right, -1 left); return shoulder, elbow, wrist and the hand's end."""
        upper, fore, hand = 0.19 * self.body_px, 0.16 * self.body_px, 0.1 * self.body_px
        ex, ey = sx + out * upper * math.sin(a), sy + upper * math.cos(a)
        wx, wy = ex + out * fore * math.sin(a), ey + fore * math.cos(a)
        tx, ty = wx + out * hand * math.sin(a), wy + hand * math.cos(a)
        self.thick((sx, sy), (ex, ey), 0.06 * self.body_px)
        self.thick((ex, ey), (wx, wy), 0.045 * self.body_px)
        self.thick((wx, wy), (tx, ty), 0.04 * self.body_px)
        return (sx, sy), (ex, ey), (wx, wy), (tx, ty)

    def hold_legs(self) -> None:
        """Keep what is drawn so far (the legs) apart: what is drawn next may lean (:meth:`lean`)."""
        self.legs = self.canvas.copy()
        self.canvas[:] = 0

    def lean(self, pivot, degrees: float) -> None:
        """Turn what was drawn since :meth:`hold_legs` by ``degrees`` about ``pivot``, over the legs."""
        s = SUPERSAMPLE
        turn = cv2.getRotationMatrix2D((pivot[0] * s, pivot[1] * s), -degrees, 1.0)
        self.canvas = np.maximum(cv2.warpAffine(self.canvas, turn, (self.w * s, self.h * s), flags=cv2.INTER_NEAREST),
                                 self.legs)

    def mask(self) -> np.ndarray:
        return cv2.resize(self.canvas, (self.w, self.h), interpolation=cv2.INTER_AREA)


def _lean_landmarks(px: list, pivot, degrees: float) -> None:
    """Turn the landmarks above the knees (head, arms, hips) by ``degrees`` about ``pivot``, in place."""
    b = math.radians(degrees)
    for i in range(25):
        dx, dy = px[i][0] - pivot[0], px[i][1] - pivot[1]
        px[i] = (pivot[0] + dx * math.cos(b) - dy * math.sin(b), pivot[1] + dx * math.sin(b) + dy * math.cos(b))


def draw_body(
    frame=(240, 480), *, body_px=400.0, floor=460.0, cx=120.0, widths=(0.165, 0.17, 0.205),
    levels=(0.735, 0.60, 0.505), shoulder=0.215, arm_angle=35.0, turned=0.0, visibility=0.99,
    knee_bend=0.0, stance=0.0, lean=0.0,
):
    """Return ``(mask uint8 HxW, landmarks [33 x (x, y, z, v)] normalised, truth)``.

    ``widths``: chest, waist, hip front widths as fractions of body height, at ``levels`` (fractions
    of body height above the floor). ``shoulder``: shoulder breadth; the joints sit 0.1 of it
    inside. ``arm_angle``: degrees out from hanging straight down (0 = arms against the body).
    ``turned``: 0 facing the camera .. 1 side-on (the shoulders and hips narrow by cos).
    ``knee_bend``: degrees each knee is bent outwards from straight (a squat with the knees out).
    ``stance``: degrees each leg's hip-to-ankle line is out of plumb (the feet spread).
    ``lean``: degrees the body above the crotch leans to the image's right.
    ``truth`` holds the drawn widths in pixels and the top and floor rows.
    """
    w, h = frame
    sil = _Silhouette(frame, floor, body_px)
    y_at, poly, thick = sil.y_at, sil.poly, sil.thick
    top = floor - body_px + 1
    squeeze = math.cos(turned * math.pi / 2)

    chest_w, waist_w, hip_w = (f * body_px for f in widths)
    shoulder_w = shoulder * body_px * squeeze
    # Legs, to the ankles; feet to the floor.
    hip_joint = 0.09 * body_px * squeeze
    knee_y, ankle_y = y_at(0.28), y_at(0.045)
    # Spread feet: the ankle moves out along the leg's tilt; a bent knee moves out of the line.
    spread = math.tan(math.radians(stance)) * (y_at(0.045) - y_at(0.53))
    knee_out = math.tan(math.radians(knee_bend) / 2) * (y_at(0.045) - y_at(0.53)) / 2
    knee_along = (knee_y - y_at(0.53)) / (ankle_y - y_at(0.53))
    for side in (-1, 1):
        hx = cx + side * hip_joint
        ax = hx + side * spread
        outline = [(cx, y_at(0.46)), (cx + side * hip_w * 0.48, y_at(0.46))]
        if knee_bend:
            kx = hx + side * (spread * knee_along + knee_out)
            outline.append((kx + side * 0.045 * body_px, knee_y))
        outline += [(ax + side * 0.035 * body_px, ankle_y), (ax - side * 0.01 * body_px, ankle_y)]
        if knee_bend:
            outline.append((kx - side * 0.045 * body_px, knee_y))
        poly(outline)
        poly([(ax - 0.025 * body_px, ankle_y), (ax + 0.025 * body_px, ankle_y),
              (ax + side * 0.06 * body_px, floor), (ax - 0.02 * body_px, floor)])
    if lean:
        sil.hold_legs()  # the body above the crotch leans; the legs stay
    # Torso outline, top to bottom: shoulders, then chest, waist and hips each straight for a
    # little way around their level (a body is locally smooth there), then the crotch.
    flat = 0.02
    rows = [(y_at(0.82), shoulder_w)]
    for level, wd in zip(levels, (chest_w, waist_w, hip_w)):
        rows += [(y_at(level + flat), wd), (y_at(level - flat), wd)]
    rows.append((y_at(0.46), hip_w * 0.96))
    left = [(cx - wd / 2, y) for y, wd in rows]
    right = [(cx + wd / 2, y) for y, wd in reversed(rows)]
    poly(left + right)
    # Neck and head.
    thick((cx, y_at(0.82)), (cx, y_at(0.88)), 0.06 * body_px)
    sil.head(cx, 0.05 * body_px)
    # Arms: shoulder joint, elbow, wrist, out by arm_angle from straight down.
    joint = shoulder_w / 2 - 0.1 * shoulder * body_px * squeeze
    a = math.radians(arm_angle)
    arm_landmarks = {}
    for side in (-1, 1):
        arm_landmarks[side] = sil.arm(cx + side * joint, y_at(0.81), side, a)
    pivot = (cx, y_at(0.46))
    if lean:
        sil.lean(pivot, lean)
    mask = sil.mask()

    # Landmarks. MediaPipe's left is the person's left: on the image's right for a person facing us.
    px = [(cx, top + 0.08 * body_px)] * 33
    px = list(px)
    for i in range(1, 11):
        px[i] = (cx + (i % 2 * 2 - 1) * 0.02 * body_px, top + 0.06 * body_px)
    for side, (shoulder_i, elbow_i, wrist_i, hand_is) in ((1, (11, 13, 15, (17, 19, 21))), (-1, (12, 14, 16, (18, 20, 22)))):
        (sx, sy), (ex, ey), (wx, wy), (tx, ty) = arm_landmarks[side]
        px[shoulder_i], px[elbow_i], px[wrist_i] = (sx, sy), (ex, ey), (wx, wy)
        for i in hand_is:
            px[i] = ((wx + tx) / 2, (wy + ty) / 2)
    for side, (hip_i, knee_i, ankle_i, heel_i, foot_i) in ((1, (23, 25, 27, 29, 31)), (-1, (24, 26, 28, 30, 32))):
        hx = cx + side * hip_joint
        ax = hx + side * spread
        px[hip_i] = (hx, y_at(0.53))
        px[knee_i] = (hx + side * (0.01 * body_px + spread * knee_along + knee_out), knee_y)
        px[ankle_i] = (ax + side * 0.012 * body_px, ankle_y)
        px[heel_i] = (ax, floor - 0.012 * body_px)
        px[foot_i] = (ax + side * 0.04 * body_px, floor - 0.008 * body_px)
    if lean:
        _lean_landmarks(px, pivot, lean)
    landmarks = [(x / w, y / h, 0.0, visibility) for x, y in px]
    truth = {"chest": chest_w, "waist": waist_w, "hips": hip_w, "top": top, "floor": floor, "body_px": body_px}
    return mask, landmarks, truth


def draw_side_body(
    frame=(240, 480), *, body_px=400.0, floor=460.0, cx=120.0, depths=(0.13, 0.12, 0.14), widths=(0.165, 0.17, 0.205),
    levels=(0.735, 0.60, 0.505), facing=1, turn=0.0, arm_swing=0.0, lean=0.0, visibility=0.99,
):
    """Return ``(mask, landmarks, truth)`` of a person side-on to the camera, as :func:`draw_body`.

    ``depths``: chest, waist and hip depths (front to back) as fractions of body height, drawn
    as runs centred on the shoulder and hip joints' line. ``facing``: 1 looking to the image's
    right, -1 to its left. ``turn``: degrees short of side-on; each zone then shows the
    projection of its ellipse, sqrt((d cos t)^2 + (w sin t)^2) with ``widths`` the front widths,
    and the shoulder joints part by their frontal span times sin t. ``arm_swing``: degrees the
    arms swing forward from hanging straight down. ``lean``: degrees the body above the crotch
    leans forward. The far arm's landmarks are barely visible (0.3), as behind the body.
    """
    w, h = frame
    sil = _Silhouette(frame, floor, body_px)
    y_at, poly, thick = sil.y_at, sil.poly, sil.thick
    top = floor - body_px + 1
    t = math.radians(turn)

    seen = [math.hypot(d * math.cos(t), wd * math.sin(t)) * body_px for d, wd in zip(depths, widths)]
    # Legs (one over the other), then the feet: heel behind the ankle, toes ahead.
    poly([(cx - 0.05 * body_px, y_at(0.46)), (cx + 0.05 * body_px, y_at(0.46)),
          (cx + 0.025 * body_px, y_at(0.045)), (cx - 0.025 * body_px, y_at(0.045))])
    poly([(cx - facing * 0.035 * body_px, y_at(0.045)), (cx + facing * 0.03 * body_px, y_at(0.045)),
          (cx + facing * 0.12 * body_px, floor), (cx - facing * 0.035 * body_px, floor)])
    pivot = (cx, y_at(0.46))
    if lean:
        sil.hold_legs()
    # Torso, top to bottom, each zone straight for a little way around its level.
    flat = 0.02
    rows = [(y_at(0.82), 0.11 * body_px)]
    for level, run in zip(levels, seen):
        rows += [(y_at(level + flat), run), (y_at(level - flat), run)]
    rows.append((y_at(0.46), seen[2] * 0.9))
    poly([(cx - r / 2, y) for y, r in rows] + [(cx + r / 2, y) for y, r in reversed(rows)])
    thick((cx, y_at(0.82)), (cx, y_at(0.88)), 0.055 * body_px)
    sil.head(cx + facing * 0.01 * body_px, 0.058 * body_px)
    a = math.radians(arm_swing)
    sep = 0.172 * body_px * math.sin(t)  # shoulder joints' frontal span, 0.8 of a 0.215 shoulder
    arm = {}
    for side in (1, -1):  # 1: the near (left) arm
        arm[side] = sil.arm(cx + side * sep / 2, y_at(0.81), facing, a)
    if lean:
        sil.lean(pivot, facing * lean)
    mask = sil.mask()

    px = [(cx + facing * 0.06 * body_px, top + 0.075 * body_px)] * 33
    px = list(px)
    for i in range(1, 11):
        px[i] = (cx + facing * 0.03 * body_px, top + 0.06 * body_px)
    vis = [visibility] * 33
    for side, (shoulder_i, elbow_i, wrist_i, hand_is) in ((1, (11, 13, 15, (17, 19, 21))), (-1, (12, 14, 16, (18, 20, 22)))):
        (sx, sy), (ex, ey), (wx, wy), (tx, ty) = arm[side]
        px[shoulder_i], px[elbow_i], px[wrist_i] = (sx, sy), (ex, ey), (wx, wy)
        for i in hand_is:
            px[i] = ((wx + tx) / 2, (wy + ty) / 2)
        if side == -1:
            for i in (elbow_i, wrist_i, *hand_is):
                vis[i] = 0.3
    for side, (hip_i, knee_i, ankle_i, heel_i, foot_i) in ((1, (23, 25, 27, 29, 31)), (-1, (24, 26, 28, 30, 32))):
        hx = cx + side * 0.5 * sep * 0.09 / 0.086  # hip joints 0.18 apart facing, as the shoulders' 0.172
        px[hip_i] = (hx, y_at(0.53))
        px[knee_i] = (cx + facing * 0.01 * body_px, y_at(0.28))
        px[ankle_i] = (cx, y_at(0.045))
        px[heel_i] = (cx - facing * 0.03 * body_px, floor - 0.012 * body_px)
        px[foot_i] = (cx + facing * 0.11 * body_px, floor - 0.008 * body_px)
    if lean:
        _lean_landmarks(px, pivot, facing * lean)
    landmarks = [(x / w, y / h, 0.0, v) for (x, y), v in zip(px, vis)]
    truth = {"chest": depths[0] * body_px, "waist": depths[1] * body_px, "hips": depths[2] * body_px,
             "top": top, "floor": floor, "body_px": body_px}
    return mask, landmarks, truth
