"""Which forearms and hands are in front of the garment: shapes both renderers keep uncovered.

A forearm or hand whose centre line enters the garment's body region (the
torso, between the shoulder and hip joints, for tops and dresses; hips to
knees for trousers and skirts) is taken to be *in front of* that garment: a
capsule of radius ``FOREARM_RADIUS * scale`` around elbow->wrist, and the hand
(the wrist and the pinky, index and thumb landmarks: capsules from the wrist
to each, and their convex hull). Only forearm and hand landmarks with
visibility >= ``OCCLUDER_VISIBILITY`` count: a guessed hand would cut a hole
through the garment where there is no hand. Long-sleeve kinds (longsleeve,
jacket) keep nothing: there the garment's own sleeve covers the forearm and is
drawn over the torso by the mesh. When the lower pair of joints of the region
is not seen, it is extrapolated perpendicular to the upper pair, downwards.

:func:`occluding_forearms` returns plain shapes in frame pixels. The server
renderer (:func:`tryon.render.arm_occlusion_mask`) fills them into a mask,
intersected with the person segmentation when it has one; the browser
(``static/tryon/js/occlusion.js``, its twin operation for operation, held to
``tests/vectors/occlusion``) erases them from the drawn garment. Stdlib only,
plain floats; change both files together and regenerate the vectors with
``tools/make_occlusion_vectors.py``.
"""

from __future__ import annotations

import math

from tryon import garments
from tryon.geometry import MIN_VISIBILITY
# Forearm and hand landmarks occlude only from this visibility on. A wrong
# occluder cuts a hole through the middle of the garment, which looks far
# worse than a hand drawn behind it, so guessed hands (MediaPipe reports
# hands resting below the frame or behind a prop at 0.6-0.8) do not count.
OCCLUDER_VISIBILITY = 0.8
# Capsule radius around the forearm, in units of the body scale. The scale
# of a top is its shoulder-seam width, about 1.2 shoulder-joint distances
# (tryon.geometry), so this is ~0.09 joint distances: a forearm about a fifth
# of the shoulder width thick.
FOREARM_RADIUS = 0.075
# Fallback body-region heights, in units of the body scale, when the lower
# landmarks are not visible (webcam framing often cuts off the hips): the
# hip joints hang ~1.4 joint distances, ~1.2 seam widths, below the shoulders.
TORSO_HEIGHT = 1.2
THIGH_HEIGHT = 1.1
PROBES = 16  # the forearm's centre line is tested at this many steps (and its ends)

L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 11, 12, 13, 14, 15, 16
L_HAND, R_HAND = (17, 19, 21), (18, 20, 22)  # pinky, index, thumb
L_HIP, R_HIP, L_KNEE, R_KNEE = 23, 24, 25, 26

# Kinds whose own sleeve covers the forearm (their art runs to the wrists): nothing occludes them.
SLEEVED_KINDS = frozenset(k for k, names in garments.REQUIRED_ANCHORS.items() if "left_wrist" in names)


def _body_region(px, seen, kind: str, scale: float):
    """Return the region's four corners (upper pair, then the lower pair reversed), or None."""
    if kind in garments.LOWER_KINDS:
        upper, lower, height = (L_HIP, R_HIP), (L_KNEE, R_KNEE), THIGH_HEIGHT
    else:
        upper, lower, height = (L_SHOULDER, R_SHOULDER), (L_HIP, R_HIP), TORSO_HEIGHT
    if not (seen[upper[0]] and seen[upper[1]]):
        return None
    a, b = px[upper[0]], px[upper[1]]
    if seen[lower[0]] and seen[lower[1]]:
        return [a, b, px[lower[1]], px[lower[0]]]
    ax, ay = b[0] - a[0], b[1] - a[1]
    length = (ax * ax + ay * ay) ** 0.5
    if length == 0:
        return None
    dx, dy = -ay / length, ax / length
    if dy < 0:
        dx, dy = -dx, -dy
    reach = height * scale
    return [a, b, (b[0] + dx * reach, b[1] + dy * reach), (a[0] + dx * reach, a[1] + dy * reach)]


def _inside(poly, p) -> bool:
    """Whether ``p`` is inside polygon ``poly`` or on its boundary."""
    x, y = p
    inside = False
    n = len(poly)
    for i in range(n):
        (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % n]
        # On the edge: collinear and within its box.
        cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
        if cross == 0 and min(x0, x1) <= x <= max(x0, x1) and min(y0, y1) <= y <= max(y0, y1):
            return True
        if (y0 > y) != (y1 > y):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < xc:
                inside = not inside
    return inside


def _hull(points):
    """Return the convex hull of ``points`` (Andrew's monotone chain), counter-clockwise on screen."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def occluding_forearms(landmarks_px, kind: str, scale: float) -> dict:
    """Return the forearms and hands in front of a garment of ``kind``, in frame pixels.

    ``landmarks_px``: 33 ``(x, y, visibility)``; ``scale``: the fit's body scale
    (frame px). Returns ``{"radius": r, "segments": [[p, q], ...], "hulls":
    [[p, ...], ...]}``: keep a capsule of radius ``r`` around each segment and
    each (convex) hull uncovered. Nothing when the kind has long sleeves or the
    region's upper joints are not seen.
    """
    radius = FOREARM_RADIUS * scale
    out = {"radius": radius, "segments": [], "hulls": []}
    if kind in SLEEVED_KINDS:
        return out
    px, seen, sure = [], [], []
    for lm in landmarks_px:
        x, y, vis = float(lm[0]), float(lm[1]), float(lm[2])
        ok = math.isfinite(x) and math.isfinite(y) and math.isfinite(vis)
        px.append((x, y) if ok else (0.0, 0.0))
        seen.append(ok and vis >= MIN_VISIBILITY)
        sure.append(ok and vis >= OCCLUDER_VISIBILITY)
    region = _body_region(px, seen, kind, scale)
    if region is None:
        return out
    for elbow, wrist, hand in ((L_ELBOW, L_WRIST, L_HAND), (R_ELBOW, R_WRIST, R_HAND)):
        path = [px[elbow], px[wrist]] if sure[elbow] and sure[wrist] else []
        palm = [px[i] for i in (wrist, *hand) if sure[i]]
        if not path and not palm:
            continue
        probe = list(path)
        if path:
            (x0, y0), (x1, y1) = path
            probe += [(x0 + (x1 - x0) * (k / PROBES), y0 + (y1 - y0) * (k / PROBES)) for k in range(PROBES + 1)]
        probe += palm
        if not any(_inside(region, p) for p in probe):
            continue
        if path:
            out["segments"].append([list(path[0]), list(path[1])])
        for p in palm:
            out["segments"].append([list(palm[0]), list(p)])
        if len(palm) >= 3:
            out["hulls"].append([list(p) for p in _hull(palm)])
    return out
