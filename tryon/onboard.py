"""From a product photo to a try-on garment: cut-out, kind and anchors, with reasons to review.

:func:`onboard_photo` takes the photo's pixels and returns a :class:`Proposal`:
the cut-out (an RGBA image cropped to the garment, padded so every anchor lies
inside it), the garment kind it proposes with a confidence, every anchor that
kind needs (see :mod:`tryon.garments`) and the plain-language reasons a person
should look before it goes live. It never guesses silently: a shape it cannot
read is a review reason, not a quiet default.

How the silhouette is read (pixel coordinates of the cut-out, y down; the
wearer's right is the image's left, as in :mod:`tryon.garments`):

* **Lower or upper.** Trousers part into two legs below the crotch: the
  garment's centre column is empty from there down, for most of its height.
  A top's centre column is garment down to the hem, and only hanging cuffs
  reach below it.
* **Tops.** The shoulder seam is the corner where the top outline turns from
  the gentle slope of the shoulder into the sleeve: where the shoulder line
  and the sleeve's outer edge cross, on each side of the collar, read with
  spikes and studs cleared off the outline. The seam width ``sw`` is the
  garment's reference length. The sleeve is what lies beyond the seam; its
  end (the cuff) is its part farthest from the seam. A sleeve longer than
  SHORT_SLEEVE_MAX seam widths is long. The elbow lies on the sleeve's centre
  line at ELBOW_ALONG of the way to the wrist (on the seam-to-cuff axis where
  the sleeve lies against the body and its centre cannot be seen); a short
  sleeve's elbow lies beyond its hem, ELBOW_REACH seam widths from the seam
  on the line through the hem's middle, as a tee's art is drawn. The wrist
  is at the cuff's centre.
  The hips lie HIP_DROP seam widths below the seam line (the body's
  proportion: the garment's length shows itself against them), at the torso's
  sides. A long-sleeve shirt and a jacket share a mesh; they are told apart by
  the hem (a shirt's tail curves down in the middle, a jacket's waistband is
  straight) and the body length (a jacket is shorter for its width).
* **Trousers.** The waistband is the top, the crotch the top of the gap between the legs; the
  hip line lies between them as on a body (HIP_IN_RISE of the rise down), the
  knees and ankles on each leg's centre line, the ankle ANKLE_ABOVE_HEM above
  the leg's hem and the knee KNEE_ALONG of the way from hip to ankle.
* **Skirts and dresses.** No sleeves and no legs: a dress has shoulders (its
  top is narrow straps or a neckline well below its widest part, and it is
  long for its width), a skirt starts at a waistband and widens.

Pure numpy + OpenCV + :mod:`tryon.geometry` (for the mesh check), no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from tryon import garments
from tryon.cutout import Cutout, cut_out
from tryon.geometry import garment_topology

# Long side of the mask the silhouette is read on.
ANALYSIS_SIDE = 512
# Margin kept around the garment in the cut-out, as a share of its larger side.
CROP_MARGIN = 0.04

# Lower garments: the centre column is empty over at least this share of the
# garment's height.
LEG_SPLIT_MIN = 0.3

# Shoulder seam: the shoulder line is fitted over this share of the outline
# beyond the collar, and the seam is where the outline drops more than this
# share of the garment's width below it.
SHOULDER_FIT_SHARE = 0.35
SEAM_TOLERANCE = 0.012
# The seam is refined as the crossing of the shoulder line (fitted this share
# of the way from the collar to the first guess) and the sleeve's outer edge
# (its rows this far below the first guess, in garment widths), on the
# silhouette opened by SEAM_OPEN of its width (spikes and studs on a shoulder
# are not its outline).
SHOULDER_LINE_SHARE = 0.7
SLEEVE_EDGE_ROWS = (0.04, 0.25)
SEAM_OPEN = 0.02
# A sleeve's end is read on the silhouette opened by this share of the seam width.
SLEEVE_OPEN = 0.035
# Tops (lengths in seam widths sw).
SHORT_SLEEVE_MAX = 0.85
ELBOW_REACH = 0.9
ELBOW_ALONG = 0.53
HIP_DROP = 1.25
HIP_INSET = 0.966  # hip anchor over the torso side's half width (art: 0.425 / 0.44)
DEFAULT_HIP_HALF = 0.425
SLEEVE_HALF_REACH = 0.3
# A short sleeve's hem corners are read on the outline simplified to this
# tolerance (seam widths).
HEM_SIMPLIFY = 0.02
SLEEVE_BEYOND = 0.08  # the sleeve's end is looked for this far out past the seam (seam widths)  # how far across the sleeve its centre line is searched
# Trousers.
HIP_IN_RISE = 0.556
ANKLE_ABOVE_HEM = 0.07  # in equivalent seam widths: the hip width / 0.91
HIP_WIDTH_PER_SW = 0.91
KNEE_ALONG = 0.51
TROUSER_HIP_INSET = 0.934

# The neck opening cut into a top's art (seam widths): its half width (a neck
# is about 0.3 of the biacromial breadth) and how far below the seam line it
# reaches (the front of the neck's base).
NECK_HALF = 0.14
NECK_DEPTH = 0.04
# Sleeves closer than this to the torso's side line are swung out to it (degrees).
ARM_OPEN_DEG = 22.0
# Parts of a cut-out smaller than this share of its largest part are dropped
# after sleeves are swung out.
SPECK_SHARE = 0.01
# Room kept between any anchor and the cut-out's edge (share of its larger
# side): the mesh needs a row of triangles beyond the hips, elbows and ankles.
ANCHOR_ROOM = 0.05

# A top longer than this (shoulder seam to hem, in seam widths; shirts measure
# 1.3-1.5, jackets 1.1-1.25) may be a dress or a long coat.
DRESS_BODY_LEN = 1.9

# A garment's outline has notches (neckline, armholes, the gap between legs):
# its area over its convex hull's is 0.79-0.96 on the studio photos measured;
# a bag, a hat or a folded garment is nearly convex.
MAX_SOLIDITY = 0.975

# Review limits.
MIN_COVERAGE = 0.02
# A studio background's residual around the photo's edge is 1.5-1.7 levels on
# the photos measured; a room, a street or a gradient with a floor shadow is
# several times that.
MAX_BACKGROUND_NOISE = 6.0
# A face: at least this share of skin-coloured pixels around the nose
# (YCrCb box commonly used for skin of every tone).
MIN_FACE_SKIN = 0.5
SKIN_CR = (133, 180)
SKIN_CB = (77, 135)
MAX_SHADOW_SHARE = 0.15
MIN_KIND_CONFIDENCE = 0.6


@dataclass
class Proposal:
    """What onboarding proposes for one product photo."""

    kind: str | None
    kind_confidence: float
    scores: dict[str, float]
    anchors: dict[str, list[float]]  # in ``rgba``'s pixels
    needs_review: list[str]
    rgba: np.ndarray | None  # the cut-out, cropped and padded
    cutout: Cutout | None = None
    details: dict = field(default_factory=dict)
    photo_anchors: dict[str, list[float]] = field(default_factory=dict)  # on the photo, sleeves as photographed

    def as_dict(self) -> dict:
        """Return the JSON-serialisable summary (no pixels)."""
        return {
            "kind": self.kind,
            "kind_confidence": round(self.kind_confidence, 3),
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
            "anchors": {k: [round(x, 1), round(y, 1)] for k, (x, y) in self.anchors.items()},
            "needs_review": list(self.needs_review),
            "width": None if self.rgba is None else int(self.rgba.shape[1]),
            "height": None if self.rgba is None else int(self.rgba.shape[0]),
        }


# --- Silhouette helpers ---------------------------------------------------------


def _row_run(row: np.ndarray, x: int) -> tuple[int, int] | None:
    """Return the run of True in a 1-D bool array containing index ``x`` as ``(start, end)`` inclusive, or None."""
    if not (0 <= x < len(row)) or not row[x]:
        return None
    left = x
    while left > 0 and row[left - 1]:
        left -= 1
    right = x
    while right < len(row) - 1 and row[right + 1]:
        right += 1
    return left, right


def _filled(mask: np.ndarray) -> np.ndarray:
    """Return ``mask`` with every hole the border's background does not reach filled."""
    padded = np.pad(mask.astype(np.uint8), 1)
    flood = padded.copy()
    cv2.floodFill(flood, None, (0, 0), 2)
    return (flood[1:-1, 1:-1] != 2)


def _break_point(xs: np.ndarray, ys: np.ndarray) -> int:
    """Return the index that best splits (xs, ys) into two straight segments."""
    n = len(xs)
    best, best_i = math.inf, n // 2
    for i in range(3, n - 3):
        err = 0.0
        for sl in (slice(0, i + 1), slice(i, n)):
            x, y = xs[sl], ys[sl]
            a = np.vstack([x, np.ones_like(x)]).T
            coef, *_ = np.linalg.lstsq(a, y, rcond=None)
            err += float(np.abs(a @ coef - y).sum())
        if err < best:
            best, best_i = err, i
    return best_i


def _walk_centre(mask: np.ndarray, p: np.ndarray, normal: np.ndarray, reach: float) -> np.ndarray | None:
    """Return the middle of the mask's run through ``p`` along ``normal``, or None when it is not closed within ``reach`` px."""
    h, w = mask.shape
    steps = np.arange(-reach, reach + 0.5, 0.5)
    pts = p[None, :] + steps[:, None] * normal[None, :]
    xi, yi = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
    ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    inside = np.zeros(len(steps), bool)
    inside[ok] = mask[yi[ok], xi[ok]]
    centre = len(steps) // 2
    if not inside[centre]:
        # The axis point fell just outside (a sleeve curving): take the nearest inside sample.
        hits = np.nonzero(inside)[0]
        if len(hits) == 0:
            return None
        centre = int(hits[np.argmin(np.abs(hits - centre))])
    lo, hi = _row_run(inside, centre)
    if lo == 0 or hi == len(steps) - 1:
        # The run goes on past the reach: the sleeve lies against the body
        # here, and the middle of the run would be inside the body.
        return None
    return (pts[lo] + pts[hi]) / 2


# --- Reading a top --------------------------------------------------------------


def _top_outline(mask: np.ndarray) -> np.ndarray:
    """Return, per column, the first garment row (or -1)."""
    has = mask.any(axis=0)
    first = np.argmax(mask, axis=0).astype(np.float64)
    first[~has] = -1
    return first


class _Unreadable(Exception):
    """The silhouette cannot be read as the kind tried."""


def _seam_rough(mask: np.ndarray, cx: float, side: int, width: float) -> np.ndarray:
    """Return a first guess of the shoulder seam on ``side`` (-1: image left, the wearer's right).

    The shoulder's top outline, beyond the collar, is nearly straight; the
    seam is its outer corner, where the outline leaves that line and drops
    into the sleeve. The line is fitted to the outline's inner part
    (SHOULDER_FIT_SHARE of the way out); the seam is the last point within
    SEAM_TOLERANCE of it before the outline falls away for good.
    """
    top = _top_outline(mask)
    cols = np.nonzero(top >= 0)[0]
    collar = 0.12 * width
    if side < 0:
        xs = cols[(cols <= cx - collar)]
    else:
        xs = cols[(cols >= cx + collar)]
    if len(xs) < 10:
        raise _Unreadable("the garment's top outline is too short to find the shoulders")
    ys = top[xs]
    order = np.argsort(np.abs(xs - cx))
    xs, ys = xs[order].astype(np.float64), ys[order]
    d = np.abs(xs - cx)
    inner = d <= d[0] + SHOULDER_FIT_SHARE * (d[-1] - d[0])
    if inner.sum() < 4:
        inner[:4] = True
    a, b = np.polyfit(d[inner], ys[inner], 1)
    below = ys - (a * d + b)
    tol = SEAM_TOLERANCE * width
    away = np.nonzero(below > tol)[0]
    away = away[away > np.nonzero(inner)[0].max()] if len(away) else away
    if len(away) == 0:
        i = len(d) - 1
    else:
        # Back from where it left the line to where it was still on it.
        i = int(away[0])
        while i > 0 and below[i] > tol / 3:
            i -= 1
    return np.array([xs[i], ys[i]])


def _outer_edge(mask: np.ndarray, cx: float, side: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for ``rows``, the distance from ``cx`` of the garment's outermost pixel on ``side`` (rows with none dropped)."""
    ys, ds = [], []
    for y in rows:
        xs = np.nonzero(mask[y])[0]
        if len(xs):
            ys.append(y)
            ds.append(abs((xs.min() if side < 0 else xs.max()) - cx))
    return np.array(ys, np.float64), np.array(ds, np.float64)


def _seam(mask: np.ndarray, cx: float, side: int, width: float) -> np.ndarray:
    """Return the shoulder seam on ``side`` (-1: image left, the wearer's right).

    The seam is the corner where the shoulder's top outline meets the sleeve's
    outer edge. Read off a silhouette cleared of thin spikes (studs, cones,
    a stray thread: an opening SEAM_OPEN of the garment's width wide), it is
    where two lines cross: the shoulder line, fitted to the top outline from
    the collar to near the first guess's corner, and the sleeve's outer edge,
    fitted to the outermost pixels of the rows just below it. Two lines find
    a rounded or notched corner where "the outline leaves the shoulder line"
    stops short of it. The seam is the garment pixel nearest the crossing.
    """
    k = max(3, int(round(SEAM_OPEN * width)) | 1)
    m = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0
    if not m.any():
        m = mask
    rough = _seam_rough(m, cx, side, width)
    top = _top_outline(m)
    cols = np.nonzero(top >= 0)[0]
    xs = cols[cols <= cx - 0.12 * width] if side < 0 else cols[cols >= cx + 0.12 * width]
    xs = xs[np.argsort(np.abs(xs - cx))]
    d, ys = np.abs(xs - cx).astype(np.float64), top[xs]
    shoulder = d <= d[0] + SHOULDER_LINE_SHARE * (abs(rough[0] - cx) - d[0])
    rows = np.arange(int(rough[1] + SLEEVE_EDGE_ROWS[0] * width), int(rough[1] + SLEEVE_EDGE_ROWS[1] * width))
    rows = rows[(rows >= 0) & (rows < m.shape[0])]
    edge_y, edge_d = _outer_edge(m, cx, side, rows)
    if shoulder.sum() < 4 or len(edge_y) < 4:
        return rough
    a, b = np.polyfit(d[shoulder], ys[shoulder], 1)  # y = a d + b
    c, e = np.polyfit(edge_y, edge_d, 1)  # d = c y + e
    if abs(1.0 - a * c) < 1e-6:
        return rough
    y = (a * e + b) / (1.0 - a * c)
    cross = np.array([cx + side * (c * y + e), y])
    gy, gx = np.nonzero(m)
    i = int(np.argmin((gx - cross[0]) ** 2 + (gy - cross[1]) ** 2))
    return np.array([float(gx[i]), float(gy[i])])


def _sleeve(mask: np.ndarray, seam: np.ndarray, side: int, sw: float) -> dict:
    """Return the sleeve's end (the centre of its part farthest from the seam) and length on ``side``.

    Read on the silhouette cleared of threads and cords thinner than SLEEVE_OPEN
    seam widths (a cord hanging from a cuff is not where the sleeve ends).
    """
    k = max(3, int(round(SLEEVE_OPEN * sw)) | 1)
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0
    ys, xs = np.nonzero(opened if opened.any() else mask)
    # Well beyond the seam: a body that widens toward its hem reaches a little past it.
    beyond = (xs - seam[0]) * side > SLEEVE_BEYOND * sw
    below = ys >= seam[1] - 0.1 * sw
    sel = beyond & below
    if sel.sum() < 20:
        raise _Unreadable("no sleeve found beyond the shoulder")
    px = np.stack([xs[sel], ys[sel]], axis=1).astype(np.float64)
    d = np.sqrt(((px - seam) ** 2).sum(axis=1))
    far = d.max()
    end = px[d >= far - 0.06 * sw]
    end_centre = end.mean(axis=0)
    return {"end": end_centre, "length": float(np.sqrt(((end_centre - seam) ** 2).sum()))}


def _sleeve_hem_centre(mask: np.ndarray, seam: np.ndarray, side: int, sw: float) -> np.ndarray | None:
    """Return the middle of a short sleeve's hem, or None when its two corners cannot be told.

    A short sleeve's hem is often cut at a slant to its axis, so its part
    farthest from the seam is the hem's inner corner, not its middle. On the
    outline simplified to straight runs (HEM_SIMPLIFY seam widths), the hem is
    the run from the sleeve's outermost corner (the garment's outermost point
    below the seam) to the next corner away from the seam.
    """
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    poly = cv2.approxPolyDP(outline, HEM_SIMPLIFY * sw, True).reshape(-1, 2).astype(np.float64)
    if len(poly) < 5:
        return None
    below = poly[:, 1] >= seam[1]
    if not below.any():
        return None
    reach = (poly[:, 0] - seam[0]) * side
    reach[~below] = -np.inf
    i = int(np.argmax(reach))
    outer = poly[i]
    before, after = poly[i - 1], poly[(i + 1) % len(poly)]
    dist = lambda p: float(np.hypot(*(p - seam)))  # noqa: E731
    inner = before if dist(before) > dist(after) else after
    if dist(inner) < 0.5 * dist(outer):
        return None
    return (outer + inner) / 2


def _torso_sides(mask: np.ndarray, cx: float, y: float, sw: float) -> tuple[float, float] | None:
    """Return the torso's sides (x, x) at row ``y`` when the body is separable from the sleeves."""
    h = mask.shape[0]
    yi = int(round(min(max(y, 0), h - 1)))
    run = _row_run(mask[yi], int(round(cx)))
    if run is None:
        return None
    left, right = run
    if right - left > 1.2 * sw:
        return None  # sleeves merged with the body in this row
    return float(left), float(right)


def _hem_profile(mask: np.ndarray, cx: float, sw: float) -> tuple[float, float]:
    """Return the torso's lowest row at its centre and, averaged, 0.3 seam widths to either side."""
    h, w = mask.shape

    def bottom(x):
        col = mask[:, int(round(min(max(x, 0), w - 1)))]
        rows = np.nonzero(col)[0]
        return float(rows.max()) if len(rows) else float("nan")
    centre = bottom(cx)
    sides = [bottom(cx + s * 0.3 * sw) for s in (-1, 1)]
    return centre, float(np.nanmean(sides))


def _read_top(mask: np.ndarray, cx: float) -> dict:
    ys, xs = np.nonzero(mask)
    width = float(xs.max() - xs.min() + 1)
    r_seam = _seam(mask, cx, -1, width)
    l_seam = _seam(mask, cx, +1, width)
    sw = float(l_seam[0] - r_seam[0])
    if sw <= 0.15 * width:
        raise _Unreadable("the shoulders could not be told apart from the collar")
    seam_y = (r_seam[1] + l_seam[1]) / 2
    sleeves = {}
    for name, seam, side in (("right", r_seam, -1), ("left", l_seam, 1)):
        sleeves[name] = _sleeve(mask, seam, side, sw)
    sleeve_len = (sleeves["right"]["length"] + sleeves["left"]["length"]) / 2 / sw
    hem_centre, hem_sides = _hem_profile(mask, cx, sw)
    body_len = (hem_centre - seam_y) / sw
    hem_curve = (hem_centre - hem_sides) / sw
    return {
        "cx": cx, "sw": sw, "seams": {"right": r_seam, "left": l_seam}, "seam_y": seam_y,
        "sleeves": sleeves, "sleeve_len": sleeve_len, "body_len": body_len, "hem_curve": hem_curve,
        "hem_y": hem_centre,
    }


def _top_anchors(mask: np.ndarray, top: dict, kind: str) -> dict[str, np.ndarray]:
    sw, cx = top["sw"], top["cx"]
    anchors: dict[str, np.ndarray] = {}
    for name, side in (("right", -1), ("left", 1)):
        seam = top["seams"][name]
        sleeve = top["sleeves"][name]
        anchors[f"{name}_shoulder"] = seam
        axis = sleeve["end"] - seam
        length = float(np.sqrt((axis ** 2).sum()))
        u = axis / max(length, 1e-6)
        normal = np.array([-u[1], u[0]])
        if kind == garments.TSHIRT:
            hem = _sleeve_hem_centre(mask, seam, side, sw)
            if hem is not None:
                u = (hem - seam) / max(float(np.hypot(*(hem - seam))), 1e-6)
            anchors[f"{name}_elbow"] = seam + u * ELBOW_REACH * sw
        else:
            elbow_on_axis = seam + axis * ELBOW_ALONG
            centre = _walk_centre(mask, elbow_on_axis, normal, SLEEVE_HALF_REACH * sw)
            anchors[f"{name}_elbow"] = centre if centre is not None else elbow_on_axis
            anchors[f"{name}_wrist"] = sleeve["end"] - u * 0.03 * sw
    hip_y = top["seam_y"] + HIP_DROP * sw
    # The torso's sides: the first row up from the hem where the body stands
    # apart from the sleeves (cuffs hanging beside the hem touch it lower down).
    sides = None
    start = min(hip_y, top["hem_y"] - 0.04 * sw)
    for y in np.arange(start, start - 0.5 * sw, -0.02 * sw):
        sides = _torso_sides(mask, cx, y, sw)
        if sides is not None:
            break
    if sides is None:
        half = DEFAULT_HIP_HALF * sw
        centre = cx
    else:
        half = (sides[1] - sides[0]) / 2 * HIP_INSET
        centre = (sides[0] + sides[1]) / 2
    anchors["right_hip"] = np.array([centre - half, hip_y])
    anchors["left_hip"] = np.array([centre + half, hip_y])
    return anchors


def _open_neck(rgba: np.ndarray, anchors: dict[str, np.ndarray]) -> np.ndarray:
    """Make the neck opening transparent: where the wearer's neck stands in front of the garment.

    A product photo of a top shows, above and inside its front neckline, the
    inside of its back (the back of the collar, the label), which on a person
    seen from the front is hidden behind their neck; drawn, it covers the neck
    and, on a close view, the chin. The opening is a column NECK_HALF seam
    widths either side of the middle between the seams, from the top down to
    NECK_DEPTH below the seam line, rounded at the bottom. The collar's sides,
    beyond it, stay.
    """
    rs, ls = anchors["right_shoulder"], anchors["left_shoulder"]
    sw = float(np.hypot(*(ls - rs)))
    cx = float((rs[0] + ls[0]) / 2)
    bottom = float((rs[1] + ls[1]) / 2) + NECK_DEPTH * sw
    half = NECK_HALF * sw
    h, w = rgba.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    round_top = bottom - half * 0.6  # the rounded bottom is a half-ellipse this tall
    inside_column = (np.abs(xx - cx) < half) & (yy <= round_top)
    dy = np.clip((yy - round_top) / max(half * 0.6, 1.0), 0.0, None)
    inside_round = (yy > round_top) & (dy <= 1.0) & (np.abs(xx - cx) < half * np.sqrt(np.clip(1.0 - dy * dy, 0.0, 1.0)))
    hole = (inside_column | inside_round).astype(np.float32)
    # A soft edge, like the cut-out's own.
    hole = cv2.GaussianBlur(hole, (0, 0), 1.0)
    out = rgba.copy()
    out[..., 3] = (out[..., 3].astype(np.float32) * (1.0 - hole)).round().astype(np.uint8)
    return out


def _angle_between(u: np.ndarray, v: np.ndarray) -> float:
    cos = float(np.dot(u, v) / max(1e-9, np.linalg.norm(u) * np.linalg.norm(v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _open_sleeves(rgba: np.ndarray, anchors: dict[str, np.ndarray]) -> tuple[np.ndarray, dict, list[float]]:
    """Swing sleeves hanging against the body out to the overlay's A-pose.

    A product photo shows a jacket's sleeves hanging down beside (often over)
    the body's sides, while an overlay is drawn as worn with the arms a little
    away from the body (see :mod:`tryon.garments`), and its mesh needs the
    sleeve outside the torso's side line (shoulder seam to hip side). Each
    sleeve whose axis (seam to wrist, or elbow) is closer than ARM_OPEN_DEG to
    that line is cut along it and swung about its seam until it is. The
    sleeve's outer half (beyond its axis) turns rigidly; its inner half, from
    the cut to the axis, fans out over the wedge the turn opens (each pixel's
    angle about the seam stretched in proportion), so the cloth under the arm
    stays cloth. A rigid turn left that wedge transparent, and on a shopper
    whose arms hang closer to the body than the overlay's A-pose (most
    shoppers) the mesh drew it as a see-through strip between sleeve and body
    at the upper arm, showing the clothes underneath. A worn shirt has cloth
    there, never a gap. Returns the new image, the anchors moved with their
    sleeves, and the angle each sleeve was turned (degrees; right, left).
    """
    h, w = rgba.shape[:2]
    turned = []
    out = rgba
    pad = int(round(0.6 * max(h, w) * math.sin(math.radians(ARM_OPEN_DEG))))
    moved = dict(anchors)
    grown = False
    for name, side in (("right", -1), ("left", 1)):
        seam = moved[f"{name}_shoulder"]
        hip = moved[f"{name}_hip"]
        end = moved.get(f"{name}_wrist", moved.get(f"{name}_elbow"))
        side_dir = hip - seam
        axis = end - seam
        angle = _angle_between(axis, side_dir)
        # Outward of the side line is where the sleeve lies (its cross sign).
        cross = side_dir[0] * axis[1] - side_dir[1] * axis[0]
        if angle >= ARM_OPEN_DEG or cross == 0:
            turned.append(0.0)
            continue
        if not grown:
            out = cv2.copyMakeBorder(out, 0, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0, 0))
            moved = {k: p + np.array([pad, 0.0]) for k, p in moved.items()}
            seam = moved[f"{name}_shoulder"]
            hip = moved[f"{name}_hip"]
            grown = True
        hh, ww = out.shape[:2]
        turn = ARM_OPEN_DEG - angle
        sign = 1.0 if cross > 0 else -1.0
        # Image coordinates are y down: a positive OpenCV angle turns counter-clockwise on screen.
        rot = cv2.getRotationMatrix2D((float(seam[0]), float(seam[1])), -sign * turn, 1.0)
        # Work on the sleeve's side of the image only, below the seam.
        x0 = 0 if side < 0 else max(0, int(seam[0] - 0.3 * ww))
        x1 = min(ww, int(seam[0] + 0.3 * ww)) if side < 0 else ww
        y0 = max(0, int(seam[1] - 0.05 * hh))
        roi = out[y0:, x0:x1]
        gx = np.arange(x0, x1, dtype=np.float32)[None, :]
        gy = np.arange(y0, hh, dtype=np.float32)[:, None]
        rel_cross = side_dir[0] * (gy - seam[1]) - side_dir[1] * (gx - seam[0])
        sleeve = (rel_cross * sign > 0) & (gy >= seam[1] - 2)
        premult = roi.astype(np.float32)
        premult[..., :3] *= premult[..., 3:4] / 255.0
        spun = cv2.remap(premult * sleeve[..., None], *_fan_maps(seam, side_dir, sign, angle, x0, y0, gx, gy),
                         cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        comp = spun + premult * (~sleeve)[..., None] * (1.0 - spun[..., 3:4] / 255.0)
        alpha = comp[..., 3:4]
        colour = np.where(alpha > 0, comp[..., :3] * 255.0 / np.maximum(alpha, 1e-3), 0.0)
        out = out.copy()
        out[y0:, x0:x1] = np.dstack([np.clip(colour, 0, 255), np.clip(alpha, 0, 255)]).round().astype(np.uint8)
        for joint in ("elbow", "wrist"):
            key = f"{name}_{joint}"
            if key in moved:
                p = moved[key]
                moved[key] = rot @ np.array([p[0], p[1], 1.0])
        turned.append(round(turn, 1))
    if any(turned):
        out = _drop_specks(out)
    return out, moved, turned


def _fan_maps(seam, side_dir, sign: float, angle: float, x0: int, y0: int, gx, gy) -> tuple[np.ndarray, np.ndarray]:
    """Return cv2.remap's maps (ROI pixels) that swing a sleeve out to ARM_OPEN_DEG from the side line.

    About the seam, a pixel's angle from the side line (``sign`` points to the
    sleeve's side) comes from ``phi * angle / ARM_OPEN_DEG`` up to the axis's new
    angle (the inner half fanned over the opened wedge), and from
    ``phi - (ARM_OPEN_DEG - angle)`` beyond it (the rest turned rigidly); its
    distance from the seam is kept. Pixels on the body's side map outside.
    """
    s = np.asarray(side_dir, np.float64) / float(np.hypot(*side_dir))
    p = sign * np.array([-s[1], s[0]])  # across the side line, toward the sleeve
    vx = gx - np.float32(seam[0])
    vy = gy - np.float32(seam[1])
    along = vx * np.float32(s[0]) + vy * np.float32(s[1])
    across = vx * np.float32(p[0]) + vy * np.float32(p[1])
    r = np.sqrt(along * along + across * across)
    phi = np.arctan2(across, along)
    opened = math.radians(ARM_OPEN_DEG)
    axis = math.radians(angle)
    src_phi = np.where(phi <= opened, phi * np.float32(axis / opened), phi - np.float32(opened - axis))
    cos = np.cos(src_phi)
    sin = np.sin(src_phi)
    map_x = np.float32(seam[0] - x0) + r * (cos * np.float32(s[0]) + sin * np.float32(p[0]))
    map_y = np.float32(seam[1] - y0) + r * (cos * np.float32(s[1]) + sin * np.float32(p[1]))
    body = phi <= 0
    map_x[body] = -1.0
    map_y[body] = -1.0
    return map_x.astype(np.float32), map_y.astype(np.float32)


def _drop_specks(rgba: np.ndarray) -> np.ndarray:
    """Clear the slivers a cut along the body's side leaves behind (parts under SPECK_SHARE of the garment)."""
    solid = (rgba[..., 3] > 0).astype(np.uint8)
    # Slivers narrower than about 1% of the cut-out are cut off from what they touch before counting.
    k = max(3, int(round(0.01 * max(rgba.shape[:2]))) | 1)
    opened = cv2.morphologyEx(solid, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if n <= 2:
        keep_open = opened > 0
    else:
        areas = stats[1:, cv2.CC_STAT_AREA]
        big = np.zeros(n, bool)
        big[1:] = areas >= SPECK_SHARE * areas.max()
        keep_open = big[labels]
    # Keep the original soft edge wherever it lies next to what is kept.
    keep = (cv2.dilate(keep_open.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 2, k + 2))) > 0) & (solid > 0)
    out = rgba.copy()
    out[~keep] = 0
    return out


# --- Reading trousers -----------------------------------------------------------


def _leg_split(mask: np.ndarray, cx: float) -> tuple[float, float]:
    """Return the row where the centre column empties for good and its share of the height."""
    ys, xs = np.nonzero(mask)
    y0, y1 = ys.min(), ys.max()
    band = mask[:, max(0, int(cx) - 2): int(cx) + 3].any(axis=1)
    rows = np.nonzero(band[y0:y1 + 1])[0]
    if len(rows) == 0:
        return float(y0), 1.0
    last = y0 + rows.max()
    split = float((y1 - last) / max(1, y1 - y0 + 1))
    crotch = last + 1
    if crotch <= y1:
        # The centre column can miss the gap's narrow top (a gap off the
        # centre, or leaning): follow the gap itself up to where it closes.
        filled = mask.astype(np.uint8)
        between = (np.maximum.accumulate(filled, axis=1) & np.maximum.accumulate(filled[:, ::-1], axis=1)[:, ::-1]
                   & (1 - filled))
        _, labels = cv2.connectedComponents(between, connectivity=4)
        x0, x1 = max(0, int(cx) - 2), int(cx) + 3
        found = labels[crotch, x0:x1]
        found = found[found > 0]
        if len(found):
            crotch = int(np.nonzero((labels == found[0]).any(axis=1))[0].min())
    return float(crotch), split


def _leg_centre(mask: np.ndarray, y: float, cx: float, side: int) -> float | None:
    """Return the centre x of the leg on ``side`` at row ``y``."""
    yi = int(round(min(max(y, 0), mask.shape[0] - 1)))
    row = mask[yi]
    xs = np.nonzero(row)[0]
    xs = xs[(xs - cx) * side > 0]
    if len(xs) == 0:
        return None
    x = int(xs.min()) if side > 0 else int(xs.max())
    run = _row_run(row, x)
    return (run[0] + run[1]) / 2


def _trouser_anchors(mask: np.ndarray, cx: float, crotch_y: float) -> dict[str, np.ndarray]:
    ys, xs = np.nonzero(mask)
    waist_y = float(ys.min())
    hip_y = waist_y + HIP_IN_RISE * (crotch_y - waist_y)
    run = _row_run(mask[int(round(hip_y))], int(round(cx)))
    if run is None:
        raise _Unreadable("the trousers' hip line is not continuous")
    hip_w = float(run[1] - run[0])
    sw_eq = hip_w / HIP_WIDTH_PER_SW
    centre = (run[0] + run[1]) / 2
    anchors = {
        "right_hip": np.array([centre - hip_w / 2 * TROUSER_HIP_INSET, hip_y]),
        "left_hip": np.array([centre + hip_w / 2 * TROUSER_HIP_INSET, hip_y]),
    }
    for name, side in (("right", -1), ("left", 1)):
        leg = mask.copy()
        if side < 0:
            leg[:, int(cx):] = False
        else:
            leg[:, : int(cx)] = False
        rows = np.nonzero(leg.any(axis=1))[0]
        hem_y = float(rows.max())
        ankle_y = hem_y - ANKLE_ABOVE_HEM * sw_eq
        knee_y = hip_y + KNEE_ALONG * (ankle_y - hip_y)
        kx = _leg_centre(mask, knee_y, cx, side)
        ax = _leg_centre(mask, ankle_y, cx, side)
        if kx is None or ax is None:
            raise _Unreadable("a trouser leg could not be followed down to its hem")
        anchors[f"{name}_knee"] = np.array([kx, knee_y])
        anchors[f"{name}_ankle"] = np.array([ax, ankle_y])
    return anchors


# --- Kind -----------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _top_scores(top: dict) -> dict[str, float]:
    """Return a score per top kind from the sleeve length, hem shape and body length."""
    long_p = _sigmoid((top["sleeve_len"] - SHORT_SLEEVE_MAX) / 0.08)
    # Shirt vs jacket: a curved tail (and a long body) says shirt. Studio photos
    # measured (seam widths, seams at the shoulder's corner): shirts' hems curve
    # 0.029-0.040 and their bodies are 1.48-1.49 long; jackets' -0.005-0.020
    # and 1.28-1.44. A weak cue: the product's own words decide when given
    # (see _hinted).
    shirt_cue = (top["hem_curve"] - 0.021) / 0.004 + (top["body_len"] - 1.46) / 0.1
    shirt_p = _sigmoid(shirt_cue / 2)
    return {
        garments.TSHIRT: 1.0 - long_p,
        garments.LONGSLEEVE: long_p * shirt_p,
        garments.JACKET: long_p * (1.0 - shirt_p),
    }


# Words in a product's name or category that name a kind. Only used to tell
# apart kinds the silhouette reads alike (a long-sleeve shirt and a jacket);
# they never overrule the shape (trousers stay trousers whatever the name).
HINT_WORDS = {
    garments.JACKET: ("jacket", "coat", "blazer", "parka", "anorak", "bomber", "trucker", "overshirt"),
    garments.LONGSLEEVE: ("shirt", "blouse", "longsleeve", "long-sleeve", "sweater", "jumper", "hoodie", "top"),
}


def _hinted(scores: dict[str, float], hint: str) -> dict[str, float]:
    """Return ``scores`` with the long-sleeve / jacket split taken from ``hint``'s words, if it names one."""
    words = set(hint.lower().replace("/", " ").replace(",", " ").split())
    named = [k for k, ws in HINT_WORDS.items() if words & set(ws)]
    if len(named) != 1:
        return scores
    sleeved = scores[garments.LONGSLEEVE] + scores[garments.JACKET]
    other = garments.LONGSLEEVE if named[0] == garments.JACKET else garments.JACKET
    out = dict(scores)
    out[named[0]] = sleeved * 0.95
    out[other] = sleeved * 0.05
    return out


def _centre_x(mask: np.ndarray) -> float:
    """Return the garment's symmetry axis: the median middle of its rows' extents."""
    rows = np.nonzero(mask.any(axis=1))[0]
    mids = []
    for y in rows:
        xs = np.nonzero(mask[y])[0]
        mids.append((xs.min() + xs.max()) / 2)
    return float(np.median(mids))


# --- Entry point ------------------------------------------------------------------


def _crop_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    m = int(round(CROP_MARGIN * max(x1 - x0, y1 - y0)))
    h, w = mask.shape
    return max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)


def _trim(rgba: np.ndarray, anchors: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """Crop fully transparent rows and columns off ``rgba`` (keeping a little margin), moving the anchors."""
    ys, xs = np.nonzero(rgba[..., 3] > 0)
    h, w = rgba.shape[:2]
    m = int(round(CROP_MARGIN * max(xs.max() - xs.min(), ys.max() - ys.min())))
    x0, y0 = max(0, xs.min() - m), max(0, ys.min() - m)
    x1, y1 = min(w, xs.max() + 1 + m), min(h, ys.max() + 1 + m)
    return rgba[y0:y1, x0:x1], {k: p - np.array([x0, y0]) for k, p in anchors.items()}


def _padded(rgba: np.ndarray, anchors: dict[str, np.ndarray], margin: int) -> tuple[np.ndarray, dict]:
    """Pad ``rgba`` with transparent pixels so every anchor lies ``margin`` px inside it."""
    h, w = rgba.shape[:2]
    pts = np.array(list(anchors.values())) if anchors else np.zeros((0, 2))
    left = int(max(0, math.ceil(margin - pts[:, 0].min()))) if len(pts) else 0
    top = int(max(0, math.ceil(margin - pts[:, 1].min()))) if len(pts) else 0
    right = int(max(0, math.ceil(pts[:, 0].max() + margin - (w - 1)))) if len(pts) else 0
    bottom = int(max(0, math.ceil(pts[:, 1].max() + margin - (h - 1)))) if len(pts) else 0
    if left or top or right or bottom:
        rgba = cv2.copyMakeBorder(rgba, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(0, 0, 0, 0))
    shifted = {k: np.array([p[0] + left, p[1] + top]) for k, p in anchors.items()}
    return rgba, shifted


def read_kind_and_anchors(mask: np.ndarray, kind: str | None = None, hint: str = "") -> tuple[str | None, float, dict, dict, list[str], dict]:
    """Return (kind, confidence, scores, anchors, review reasons, details) for a garment mask.

    ``mask`` is a bool array of the garment alone (any size); anchors are in
    its pixels. With ``kind`` given the anchors are read for that kind.
    """
    h, w = mask.shape
    s = ANALYSIS_SIDE / max(h, w)
    small = cv2.resize(mask.astype(np.uint8), (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA) > 0
    # The silhouette is read without see-through holes (a mesh panel, a ripped
    # knee): only its outline and the gaps open to the border count.
    small = _filled(small)
    reasons: list[str] = []
    contours, _ = cv2.findContours(small.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if contours:
        outline = max(contours, key=cv2.contourArea)
        solidity = cv2.contourArea(outline) / max(1.0, cv2.contourArea(cv2.convexHull(outline)))
        if solidity > MAX_SOLIDITY:
            reasons.append(
                "The shape has no neckline, armholes or legs to read (it is almost convex, like a bag, a hat or a "
                "folded garment): pick the kind and place the anchors by hand."
            )
    cx = _centre_x(small)
    crotch_y, split = _leg_split(small, cx)
    details = {"leg_split": round(split, 3)}
    scores: dict[str, float] = {k: 0.0 for k in garments.KIND_LABELS}
    top = None
    if split >= LEG_SPLIT_MIN:
        scores[garments.TROUSERS] = _sigmoid((split - LEG_SPLIT_MIN) / 0.05)
    else:
        try:
            top = _read_top(small, cx)
            details.update(sleeve_len=round(float(top["sleeve_len"]), 3), body_len=round(float(top["body_len"]), 3),
                           hem_curve=round(float(top["hem_curve"]), 3))
            scores.update(_hinted(_top_scores(top), hint))
            if top["body_len"] > DRESS_BODY_LEN:
                reasons.append(
                    f"The garment is long for a top ({top['body_len']:.1f} shoulder widths from shoulder to hem): "
                    "it may be a dress or a coat, whose anchors are not read from photos yet. Check the kind and the hips."
                )
        except _Unreadable as exc:
            reasons.append(f"The shape does not read as a top or trousers ({exc}); pick the kind and place the anchors by hand.")
    best = max(scores, key=scores.get)
    total = sum(scores.values())
    confidence = scores[best] / total if total > 0 else 0.0
    chosen = kind or (best if total > 0 else None)
    if kind is None and chosen is not None and confidence < MIN_KIND_CONFIDENCE:
        runner = sorted(scores, key=scores.get)[-2]
        reasons.append(
            f"Unsure of the kind: {garments.KIND_LABELS[best].lower()} ({confidence:.0%}) or "
            f"{garments.KIND_LABELS[runner].lower()}; check it."
        )
    anchors_small: dict[str, np.ndarray] = {}
    if chosen is not None:
        try:
            if chosen in garments.LOWER_KINDS:
                if chosen != garments.TROUSERS:
                    raise _Unreadable(f"anchors for a {garments.KIND_LABELS[chosen].lower()} are not read from photos yet")
                anchors_small = _trouser_anchors(small, cx, crotch_y)
            else:
                if chosen not in (garments.TSHIRT, garments.LONGSLEEVE, garments.JACKET):
                    raise _Unreadable(f"anchors for a {garments.KIND_LABELS[chosen].lower()} are not read from photos yet")
                if top is None:
                    top = _read_top(small, cx)
                anchors_small = _top_anchors(small, top, chosen)
        except _Unreadable as exc:
            reasons.append(f"Anchors not found: {exc}; place them by hand.")
            anchors_small = {}
    anchors = {k: p / s for k, p in anchors_small.items()}
    return chosen, confidence, scores, anchors, reasons, details


def _skin_share(rgb: np.ndarray, centre: tuple[float, float], radius: float) -> float:
    """Return the share of skin-coloured pixels (YCrCb box) in a disc of ``rgb``."""
    h, w = rgb.shape[:2]
    x, y = centre
    r = max(2, int(round(radius)))
    x0, x1 = max(0, int(x) - r), min(w, int(x) + r + 1)
    y0, y1 = max(0, int(y) - r), min(h, int(y) + r + 1)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    patch = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2YCrCb)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    disc = (xx - x) ** 2 + (yy - y) ** 2 <= r * r
    cr, cb = patch[..., 1], patch[..., 2]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return float(skin[disc].mean()) if disc.any() else 0.0


def person_in_photo(rgb: np.ndarray, landmarks) -> bool:
    """Return True when pose ``landmarks`` (normalised, MediaPipe order) show a real person's face.

    The pose model also "finds" people in ghost-mannequin shirts (a collar
    reads as a head, with high visibility), so a face counts only where the
    pixels around the nose are skin-coloured.
    """
    if not landmarks:
        return False
    h, w = rgb.shape[:2]
    nose = landmarks[garments.LANDMARK_INDEX["nose"]]
    ls = landmarks[garments.LANDMARK_INDEX["left_shoulder"]]
    rs = landmarks[garments.LANDMARK_INDEX["right_shoulder"]]
    if nose[3] < 0.5:
        return False
    shoulders = math.sqrt(((ls[0] - rs[0]) * w) ** 2 + ((ls[1] - rs[1]) * h) ** 2)
    return _skin_share(rgb, (nose[0] * w, nose[1] * h), max(4.0, 0.12 * shoulders)) >= MIN_FACE_SKIN


def onboard_photo(rgb: np.ndarray, *, kind: str | None = None, hint: str = "", find_pose=None) -> Proposal:
    """Return the onboarding proposal for a product photo (uint8 HxWx3 RGB).

    ``kind`` forces the kind (the admin picked it); ``hint`` is the product's
    name and category, used only to tell apart kinds the shape reads alike.
    ``find_pose``, when given, maps the photo to pose landmarks (or None): a
    photo of a person wearing the garment is then refused.
    """
    cut = cut_out(rgb)
    reasons: list[str] = []
    if cut.noise > MAX_BACKGROUND_NOISE:
        return Proposal(None, 0.0, {}, {}, [
            f"The background is not plain (it varies by about {cut.noise:.0f} levels around the photo's edge): "
            "use a photo of the garment alone on a plain studio background."
        ], None, cut)
    if find_pose is not None and person_in_photo(rgb, find_pose(rgb)):
        return Proposal(None, 0.0, {}, {}, [
            "This looks like a photo of a person wearing the garment: use a product photo of the garment alone "
            "(flat-lay or ghost mannequin)."
        ], None, cut)
    if cut.coverage < MIN_COVERAGE:
        return Proposal(None, 0.0, {}, {}, [
            "No garment found: the photo looks like an empty background. Use a photo of the garment on a plain background."
        ], None, cut)
    for side in cut.touches_edge:
        reasons.append(f"The garment touches the photo's {side} edge: part of it may be cut off. Use a photo with a margin around the garment.")
    if cut.shadow_share > MAX_SHADOW_SHARE:
        reasons.append(
            "A large even grey area was left out as shadow: the garment may be as grey as its shadow. Check the cut-out."
        )
    mask = cut.mask
    x0, y0, x1, y1 = _crop_box(mask)
    crop_mask = mask[y0:y1, x0:x1]
    chosen, confidence, scores, anchors, more, details = read_kind_and_anchors(crop_mask, kind, hint)
    reasons.extend(more)
    # Where the anchors lie on the photo itself, before any sleeve is swung out (for checks against the photo).
    photo_anchors = {k: [round(float(p[0]) + int(x0), 1), round(float(p[1]) + int(y0), 1)] for k, p in anchors.items()}
    rgba = cut.rgba[y0:y1, x0:x1]
    if chosen in garments.TOP_KINDS and "right_shoulder" in anchors:
        rgba = _open_neck(rgba, anchors)
    if chosen in (garments.LONGSLEEVE, garments.JACKET) and anchors:
        rgba, anchors, turned = _open_sleeves(rgba, anchors)
        details["sleeves_turned_deg"] = turned
        rgba, anchors = _trim(rgba, anchors)
    margin = max(4, int(round(ANCHOR_ROOM * max(rgba.shape[:2]))))
    rgba, anchors = _padded(rgba, anchors, margin)
    if chosen is not None and anchors:
        garment = {"kind": chosen, "width": rgba.shape[1], "height": rgba.shape[0],
                   "anchors": {k: [float(p[0]), float(p[1])] for k, p in anchors.items()}}
        try:
            garment_topology(garment)
        except ValueError as exc:
            reasons.append(f"The anchors cannot be meshed ({exc}); move them by hand.")
    details["crop"] = [int(x0), int(y0), int(x1), int(y1)]
    return Proposal(
        kind=chosen,
        kind_confidence=float(confidence),
        scores={k: float(v) for k, v in scores.items()},
        anchors={k: [float(p[0]), float(p[1])] for k, p in anchors.items()},
        needs_review=reasons,
        rgba=rgba,
        cutout=cut,
        details=details,
        photo_anchors=photo_anchors,
    )
