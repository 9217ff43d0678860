"""Fit a garment overlay onto a body pose as a small triangle mesh.

The overlay (an RGBA PNG with anchor points, see :mod:`tryon.garments`) is cut
into triangles whose corners are bound to the body: the torso to a bilinear
grid between the shoulder and hip lines, sleeves to strips of quads around the
upper arms and forearms, skirts to the hip and knee lines, trouser legs to
strips around thigh and shin. A renderer draws each triangle with the affine
map from its ``src`` corners (overlay pixels) to its ``dst`` corners (frame
pixels): a piecewise-affine warp.

:func:`fit_garment` returns one plain, JSON-serialisable structure::

    {
        "kind": "tshirt",
        "src": [[u, v], ...],          # overlay pixels, pose-independent
        "dst": [[x, y], ...],          # frame pixels, same order as src
        "triangles": [[i, j, k], ...], # indices into src/dst, pose-independent
        "layers": [0, 0, ..., 3],      # per triangle: 0 margin, 1 short-sleeve end, 2 body, 3 limb
        "scale": 231.5,                # body scale in frame px (see below)
        "estimated": ["left_hip", ...] # joints guessed, not seen (sorted)
    }

``src``, ``triangles`` and ``layers`` depend only on the garment (kind, size, anchors), so a
renderer can build its texture coordinates once per garment;
:func:`garment_topology` returns just that part, and raises ``ValueError`` for
art whose anchors cannot be meshed (the catalog can call it to validate).

Every src triangle has a positive signed area (``(b - a) x (c - a) > 0`` in
image coordinates, y down) and together they tile the overlay rectangle
``[0, width] x [0, height]`` exactly once: the margins around the garment are
meshed too, so art beyond the anchors travels with the nearest body part.
Triangles are listed back to front: margins (mostly transparent; they fold
first when a limb sweeps across them), then a short sleeve's inner half and
its half toward the elbow, then the body, then the sleeves. A renderer that
paints them in order, even one that replaces rather than blends, gets sleeves
over the torso and never lets a folded margin hide art. ``layers`` names each
triangle's layer (non-decreasing), so a renderer that replaces pixels can
composite the top layer over the rest instead (see :mod:`tryon.render`). A short sleeve ends
about half way to the elbow, so most of its strip beyond that, and the gap
under the arm that its inner half carries, is transparent: drawn over the
body, those pixels would cut holes into the torso whenever the arm hangs
beside it or crosses in front of it. Under the body, the torso hides them
and the sleeve's outer half still lies over the torso's side.

Anchors and joints: MediaPipe's shoulder and hip landmarks are joint centres,
inside the body's outline, while an overlay's shoulder anchors mark the
shoulder seams and its hip anchors the garment's sides at hip height (see
``SHOULDER_SEAM_OUT``, ``SHOULDER_SEAM_UP``, ``HIP_SIDE_OUT``). The torso
is bound to the body-outline points derived from the joints (seams beyond
and above the shoulder joints, sides beyond the hip joints); elbows, wrists,
knees and ankles are bound to the joints themselves, which lie on the limb's
axis like the anchors.

Layout per kind (vertex/triangle counts for the art in tools/make_fit_vectors.py;
the margin's share varies a little with the art):

* tshirt (60/94): torso grid 3 x 3 quads between shoulder and hip lines, a
  collar row up to the top edge, side panels from row 2 down, a hem row down
  to the bottom edge; per upper arm a 2 x 2 quad strip (outer rail, bone,
  inner rail; shoulder, mid, elbow) hanging from shoulder cap and shoulder,
  its inner rail starting at an underarm point bound to the arm
  (``SHORT_UNDERARM``), and an underarm gusset between that rail and the
  torso's side (stitched as a strip, or cut as a polygon beside steep
  sleeves); margins to the image sides.
* longsleeve, jacket (80/130, 78/128): the same torso, with side panels from
  the armpits down; per upper arm the strip rooted at shoulder cap, shoulder
  and armpit, the underarm gusset between its inner rail and the side panel,
  and a 2 x 3 strip per forearm (elbow, mid, wrist, and a cuff row past the
  wrist that carries a slanted cuff; shortened or left out where the
  overlay's border leaves no room).
* dress (58/88): the torso, no sleeves, and a skirt of 5 columns x 2 rows from
  the hip line to the knee line (flare beyond the knees) and a hem row.
* skirt (40/56): a waist row up to the top edge and the dress's skirt.
* trousers (55/83): a waist row, a pelvis fan to the crotch point, and per leg
  a 2 x 5 strip (hip, mid-thigh, knee, mid-shin, ankle, bottom edge); the gap
  between the legs is margin.

Art with arms hanging close to the body (or cropped tightly) is meshed with a
narrower layout (``TOP_LAYOUTS``, ``SHORT_SLEEVE_LAYOUTS``, ``LOWER_LAYOUTS``), the first that tiles.

``scale`` is the body's size in frame pixels measured like the art's
reference length: the shoulder-seam width for tops (shirts, jackets,
dresses; about 1.2 shoulder-joint distances), the body's width at the hips
(about 1.6 hip-joint distances) for trousers and skirts. It does not shrink
when the shopper turns sideways: the larger of the width ratio and the
torso-length (or thigh-length) ratio is taken. Sleeve and leg widths, skirt flare and margins
scale with it; lengths along a bone follow the bone.

This module is the reference for ``static/tryon/js/geometry.js``, which
mirrors it operation for operation so that browser and server put the garment
on the body identically (shared vectors in ``tests/vectors/fit``). Keep it
stdlib-only, plain floats, no order-dependent reductions, ``math.sqrt`` rather
than ``hypot`` (correctly rounded in both languages): change both files
together and regenerate the vectors with ``tools/make_fit_vectors.py``.
"""

from __future__ import annotations

import functools
import math

from tryon.garments import LANDMARK_INDEX, REQUIRED_ANCHORS

# --- Trust --------------------------------------------------------------------
# MediaPipe reports every landmark, also those it only guesses. A joint with
# visibility under this, or well outside the frame, is estimated instead.
MIN_VISIBILITY = 0.5
# "Well outside": beyond this fraction of the frame past an edge. Joints just
# past the edge (a close shopper's shoulders) are still fairly placed.
OFF_FRAME_MARGIN = 0.1
# Joints that can be estimated (the hips, when the shoulders are seen; elbows,
# wrists, knees and ankles) are trusted gradually around both limits, not
# switched: a shopper whose hips sit at the frame's lower edge (a phone at
# arm's length) sees their visibility and position hover about the limits,
# and a hard switch between the seen and the estimated joint made the hem
# jump (live page, astronaut clip: 64 switches in 2216 frames, the hem moving
# a median 14.7 px at a switch against 2.5 px otherwise). The weight goes
# from 0 to 1 as the visibility rises through MIN_VISIBILITY -+
# TRUST_VISIBILITY_RAMP / 2, and as the joint comes in through the edge
# margin -+ TRUST_EDGE_RAMP / 2 (frame fractions); the weights multiply. The
# joint is then blended from its estimate to its landmark by that weight; at
# weight 1/2 it counts as seen.
TRUST_VISIBILITY_RAMP = 0.2
TRUST_EDGE_RAMP = 0.1

# --- Body proportions used to estimate hidden joints ----------------------------
# Hip midpoint below the shoulder midpoint, in shoulder widths (MediaPipe
# shoulder and hip landmarks of an adult standing upright: about 1.3-1.5).
TORSO_RATIO = 1.4
# Hip-joint width over shoulder width (MediaPipe landmarks of adults facing
# the camera: about 0.6-0.65), for hips estimated from the shoulders.
HIP_WIDTH_RATIO = 0.6

# --- Body outline: where a garment's anchors sit on the body ----------------------
# MediaPipe's shoulder and hip landmarks are joint centres, inside the body's
# outline, while an overlay's shoulder anchors mark the garment's shoulder
# seams (the outer top corners of the torso, where sleeves attach) and its
# hip anchors the garment's sides at hip height (see tryon.garments). Those
# anchors are mapped to body-outline points derived from the joints. A "body
# width" is the shoulder-joint distance, or for a shopper turned sideways
# (whose shoulders narrow) the torso length over TORSO_RATIO.
#
# Shoulder seam: beyond each joint along the shoulder line by this share of
# the joints' distance (it foreshortens with them when the shopper turns),
# and above it, up the torso, by this share of a body width. The seam sits
# on the acromion, whose breadth (biacromial) is about 1.2 times the
# landmark distance (the deltoids' outline, just outside, is about 1.3 times:
# measured on the test photos' person masks), and on top of the shoulder,
# about a tenth of a body width above the joint centre.
SHOULDER_SEAM_OUT = 0.1
SHOULDER_SEAM_UP = 0.08
# Garment side at hip height: beyond each hip joint along the hip line, in
# hip-joint widths. The hip landmarks are only ~0.6 body widths apart, while
# the body's outline there (the trochanters and the flesh over them) is about
# one body width across: 0.6 x (1 + 2 x 0.3) = 0.96. A hip-joint width that
# has narrowed because the shopper turned counts as HIP_WIDTH_RATIO body widths.
HIP_SIDE_OUT = 0.3

# --- Mesh layout, as fractions of the art's reference length --------------------
# Torso side panels reach this far beyond the shoulder-hip lines (fraction of
# the torso width at that row): a shirt's body is wider than the hip joints.
TORSO_SIDE = 0.25
# Sleeve strip half widths, in art shoulder widths (the art's shoulder
# anchors are the seams, so these are shoulder-seam widths): an upper arm is
# about a quarter of the biacromial breadth across, a loose sleeve around it
# with its ease about 0.38; around a forearm a bit less. The strip should hug
# the sleeve: its transparent rim is drawn over the torso when the arm
# crosses in front of the body.
UPPER_ARM_HALF_WIDTH = 0.19
FOREARM_HALF_WIDTH = 0.17
# Short sleeves hang from the shoulder seam. A flat-lay short sleeve points
# down and out, so the art under it near the armpit, beyond the torso's side
# line (shoulder seam to hip side), is the sleeve's underside, not the body's
# side. Bound to the torso there (a side panel below the armpit, a sleeve
# strip rooted at the armpit), it stayed where the torso put it while the
# sleeve swung in with an arm hanging down, and was drawn on the body's side
# below the sleeve's hem (a second piece of sleeve, or its inner half drawn
# out to a point). So a short sleeve's inner rail starts at an underarm point
# bound to the upper arm instead, this share of the way from the torso's side
# at row 2 (two thirds down to the hips) to the sleeve's bone at mid upper
# arm: the sleeve, with the art under it down to there, turns with the arm
# about its shoulder seam. Between the torso's side (shoulder seam, armpit,
# row 2, side panel) and that rail lies the underarm gusset, under the body:
# with the arm down it folds onto the torso, which hides it; with the arm
# raised it stretches into the cloth under the arm. A larger share carries more
# of the art beside the torso's side with the sleeve and leaves the gusset
# more cloth to stretch, but folds it under the torso only for an arm hanging
# further in from the art's. Sleeves hanging close to the body (some 20 degrees
# from vertical or less, or tightly cropped) need two things more: the rail's
# elbow corner stays outside the side panel's outer edge as well as the
# armpit-to-side-panel line (the gusset closes from it straight to the panel's
# foot), and where a strip stitched between the rail and the torso's side
# would overlap itself (the side stepping out at row 2 just under the rail)
# the gusset is cut as a polygon instead (``_Mesh.gusset``).
SHORT_UNDERARM = 0.6
# Cuff row: a long sleeve's wrist anchor is the centre of its hem, but a real
# cuff's hem is rarely square to the forearm (slanted on a product photo), so
# one corner lies past the wrist row. Art past that row belongs to the side
# margin, attached rigidly to the outline, and on a body whose arm hangs
# differently from the art it was stretched into thin spikes sideways past the
# wrist. The forearm strip therefore goes on past the wrist, along the
# forearm, by this length (in art shoulder widths): a hem slanted by up to 45
# degrees puts its corner one sleeve half width (FOREARM_HALF_WIDTH) past its
# centre. The row is shortened to stay inside the overlay, and left out when
# less than CUFF_MIN of it fits (a wrist at the overlay's border).
CUFF_LENGTH = FOREARM_HALF_WIDTH
CUFF_MIN = 0.25
# Skirts: hip row beyond the hip joints, and the hem flare beyond the knees,
# in art hip widths. The flare is carried by body scale, not by the knee
# distance, so it is kept when the knees come together.
SKIRT_HIP_SIDE = 0.35
SKIRT_FLARE = 0.5
# Trousers: leg strip half widths at hip, mid-thigh, knee, mid-shin and ankle,
# and the crotch below the hip line, in art hip widths.
TROUSER_HALF_WIDTHS = (0.5, 0.45, 0.36, 0.34, 0.32)
CROTCH_DROP = 0.6
# The inner rail of a limb strip may use at most this share of the room
# between the bone and the torso side (or the other leg), so that arms
# drawn close to the body, or legs close together, still mesh.
INNER_KEEP = 0.75
# Derived vertices stay this far inside the overlay (pixels), so that margin
# polygons never touch the image border.
INSET = 1.0
# Margin points on the left/right image edges are at least this fraction of
# the height apart.
EDGE_GAP = 0.04

# Top layouts tried in order until one tiles the overlay: (side panel reach,
# sleeve width factor, underarm gusset, cuff row). Art with arms hanging close
# to the body leaves no room for wide side panels or the gusset; the later
# layouts give up some of that, not the garment. Short sleeves hang from the
# shoulder seam (``SHORT_UNDERARM``) in the layouts with the gusset; without
# it they are rooted at the armpit, as long sleeves are. Long sleeves whose cuff row
# cannot be meshed (a cuff hanging against the hem) are meshed without it,
# last, rather than not at all; the cuff row means nothing for short sleeves.
_TOP_SHAPES = (
    (TORSO_SIDE, 1.0, True),
    (TORSO_SIDE, 1.0, False),
    (0.1, 1.0, True),
    (0.1, 1.0, False),
    (0.02, 0.6, True),
    (0.02, 0.6, False),
)
TOP_LAYOUTS = tuple(s + (True,) for s in _TOP_SHAPES) + tuple(s + (False,) for s in _TOP_SHAPES)
# Short sleeves (no cuff row) try the shapes with the gusset, where they hang
# from the shoulder seam, before those without, at full sleeve width first:
# art whose steep sleeves leave no room for the gusset beside a wide side
# panel still gets it beside a narrow one. Only sleeves hanging about along
# the torso's side line (a few degrees from vertical) still fall back to the
# shapes without it.
SHORT_SLEEVE_LAYOUTS = (
    (TORSO_SIDE, 1.0, True, False),
    (0.1, 1.0, True, False),
    (TORSO_SIDE, 1.0, False, False),
    (0.1, 1.0, False, False),
    (0.02, 0.6, True, False),
    (0.02, 0.6, False, False),
)

# Lower-garment layouts: a factor on everything reaching outward from the
# joints (skirt hips and flare, trouser leg widths), for art cropped tightly.
LOWER_LAYOUTS = (1.0, 0.5, 0.2)

# Triangle layers, painted in this order.
MARGIN, SLEEVE_END, BODY, LIMB = 0, 1, 2, 3

_TINY = 1e-9


# --- Small vector helpers (plain tuples, same operation order as the JS twin) --


def _ramp(t):
    """Return ``t`` clamped to [0, 1]."""
    return 0.0 if t <= 0.0 else 1.0 if t >= 1.0 else t


def landmark_seen(landmark):
    """Return whether a landmark ``[x, y, z, visibility]`` (normalised) is trusted as seen.

    Visible (``MIN_VISIBILITY``) and not well outside the frame (``OFF_FRAME_MARGIN``).
    """
    vis = float(landmark[3]) if len(landmark) > 3 else 1.0
    x = float(landmark[0])
    y = float(landmark[1])
    lo = -OFF_FRAME_MARGIN
    hi = 1.0 + OFF_FRAME_MARGIN
    return vis >= MIN_VISIBILITY and lo <= x <= hi and lo <= y <= hi


def _trust_weight(x, y, vis):
    """Return how far a landmark (normalised, with visibility) is trusted, 0..1."""
    wv = _ramp((vis - MIN_VISIBILITY) / TRUST_VISIBILITY_RAMP + 0.5)
    lo = -OFF_FRAME_MARGIN
    hi = 1.0 + OFF_FRAME_MARGIN
    out = max(lo - x, x - hi, lo - y, y - hi)  # > 0 beyond the edge margin
    return wv * _ramp(0.5 - out / TRUST_EDGE_RAMP)


def _lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _bilinear_point(quad, s, t):
    """Return the point at ``(s, t)`` of ``quad`` (top-left, top-right, bottom-right, bottom-left)."""
    top = _lerp(quad[0], quad[1], s)
    bottom = _lerp(quad[3], quad[2], s)
    return _lerp(top, bottom, t)


def _dist(a, b):
    dx = b[0] - a[0]
    dy = b[1] - a[1]
    return math.sqrt(dx * dx + dy * dy)


def _dist2(a, b):
    dx = b[0] - a[0]
    dy = b[1] - a[1]
    return dx * dx + dy * dy


def _unit(x, y):
    """Return ``(x, y)`` scaled to length 1, or ``None`` when it is (nearly) zero."""
    n = math.sqrt(x * x + y * y)
    if n < _TINY:
        return None
    return (x / n, y / n)


def _cross(a, b, c):
    """Return twice the signed area of triangle ``abc``."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _outward(a, side, up):
    """Return the unit normal of direction ``a`` that points to ``side`` and ``up``.

    For an arm that is the top of the sleeve (toward the wearer's own side and
    the head); it stays well defined for arms drawn hanging or horizontal.
    """
    nx = -a[1]
    ny = a[0]
    if nx * (side[0] + up[0]) + ny * (side[1] + up[1]) < 0:
        nx = a[1]
        ny = -a[0]
    return (nx, ny)


def _outward_line(p0, p1, side):
    """Return the unit normal of line ``p0``-``p1`` on the side of direction ``side``."""
    d = _unit(p1[0] - p0[0], p1[1] - p0[1])
    if d is None:
        return side
    nx = -d[1]
    ny = d[0]
    if nx * side[0] + ny * side[1] < 0:
        nx = d[1]
        ny = -d[0]
    return (nx, ny)


def _inner_width(p, n_in, w, origin, normal):
    """Return how far the inner rail may go from bone point ``p`` along ``n_in``.

    The rail must stay on the limb's side of the line through ``origin`` with
    unit ``normal`` (pointing toward the limb), keeping a share of the room.
    """
    dist = (p[0] - origin[0]) * normal[0] + (p[1] - origin[1]) * normal[1]
    toward = n_in[0] * normal[0] + n_in[1] * normal[1]
    if toward >= 0:
        return w
    if dist <= 0:
        return 0.0
    return min(w, INNER_KEEP * dist / -toward)


def _limb_parts(side):
    s = side[0]
    return s + "_upper", s + "_fore", s + "_thigh", s + "_shin"


# --- Mesh construction (pose-independent) ---------------------------------------


class _Mesh:
    """Collect vertices, their bindings to the body, and triangles.

    Bindings say how a vertex's frame position follows from the pose:

    * ``("joint", name)``: the joint itself.
    * ``("bilinear", s, t)``: bilinear in the torso quad (right shoulder,
      left shoulder, left hip, right hip).
    * ``("segment", a, b, part, t, off)``: ``t`` along vertex ``a`` to vertex
      ``b`` (stretching with it) and ``off`` pixels across it (scaled by body
      scale, turned with ``part``): sleeves, trouser legs, collar and hem.
    * ``("attach", v, part1, part2, dx, dy)``: offset rigidly from vertex
      ``v``, scaled by body scale and turned with ``part1``, or, when
      ``part2`` differs, half way between the two parts' turns (shoulder
      caps, elbows, knees: the cloth there bends less than the joint).
    * ``("lerp", a, b, w)``: between two vertices.

    Each vertex also has ``parts``, the pair margins attached to it turn with.
    """

    def __init__(self, width, height):
        self.w = width
        self.h = height
        self.src = []
        self.bind = []
        self.parts = []
        self.tris = []

    def _push(self, p, binding, parts):
        self.src.append(p)
        self.bind.append(binding)
        self.parts.append(parts)
        return len(self.src) - 1

    def _inside(self, p):
        return (min(max(p[0], INSET), self.w - INSET), min(max(p[1], INSET), self.h - INSET))

    def joint(self, name, p, part):
        # An anchor on the overlay's border is moved in by INSET: the margin
        # polygons must not touch the border, and a pixel is invisible.
        return self._push(self._inside(p), ("joint", name), (part, part))

    def bilinear(self, quad, s, t):
        return self._push(_bilinear_point(quad, s, t), ("bilinear", s, t), ("torso", "torso"))

    def segment(self, p, a, b, part, edge=False, parts=None):
        """Add a vertex at ``p`` bound across segment ``a``-``b`` (``edge``: on the border, not clamped)."""
        if not edge:
            p = self._inside(p)
        pa = self.src[a]
        pb = self.src[b]
        vx = pb[0] - pa[0]
        vy = pb[1] - pa[1]
        dx = p[0] - pa[0]
        dy = p[1] - pa[1]
        t = (dx * vx + dy * vy) / (vx * vx + vy * vy)
        u = _unit(vx, vy)
        off = dx * -u[1] + dy * u[0]
        return self._push(p, ("segment", a, b, part, t, off), parts or (part, part))

    def attach(self, p, v, part1, part2, edge=False):
        if not edge:
            p = self._inside(p)
        q = self.src[v]
        return self._push(p, ("attach", v, part1, part2, p[0] - q[0], p[1] - q[1]), (part1, part2))

    def lerp(self, a, b, w, part):
        return self._push(_lerp(self.src[a], self.src[b], w), ("lerp", a, b, w), (part, part))

    def tri(self, a, b, c, layer):
        """Add triangle ``abc`` on ``layer``, oriented to a positive area."""
        if _cross(self.src[a], self.src[b], self.src[c]) < 0:
            b, c = c, b
        self.tris.append((layer, a, b, c))

    def quad(self, a, b, c, d, layer):
        """Add the quad ``abcd`` as two triangles, split along its shorter valid diagonal."""
        p = self.src
        eps = _TINY * self.w * self.h
        s1 = _cross(p[a], p[b], p[c])
        s2 = _cross(p[a], p[c], p[d])
        s3 = _cross(p[a], p[b], p[d])
        s4 = _cross(p[b], p[c], p[d])
        ok1 = (s1 > eps and s2 > eps) or (s1 < -eps and s2 < -eps)
        ok2 = (s3 > eps and s4 > eps) or (s3 < -eps and s4 < -eps)
        if ok1 and ok2:
            ok2 = _dist2(p[b], p[d]) < _dist2(p[a], p[c])
            ok1 = not ok2
        if ok1:
            self.tri(a, b, c, layer)
            self.tri(a, c, d, layer)
        elif ok2:
            self.tri(a, b, d, layer)
            self.tri(b, c, d, layer)
        else:
            raise ValueError(
                "garment anchors give a folded mesh (anchors too close together, or on the overlay border)"
            )

    def zip(self, left, right, layer):
        """Triangulate the strip between two vertex chains that start at the same vertex.

        Step along whichever chain makes the shorter new diagonal (the usual
        strip stitching); the last diagonal joins the two chains' ends.
        """
        p = self.src
        self.tri(left[0], left[1], right[1], layer)
        i = 1
        j = 1
        while i < len(left) - 1 or j < len(right) - 1:
            if i == len(left) - 1:
                step_left = False
            elif j == len(right) - 1:
                step_left = True
            else:
                step_left = _dist2(p[left[i + 1]], p[right[j]]) <= _dist2(p[left[i]], p[right[j + 1]])
            if step_left:
                self.tri(left[i], left[i + 1], right[j], layer)
                i += 1
            else:
                self.tri(left[i], right[j], right[j + 1], layer)
                j += 1

    def area2(self, polygon):
        """Return twice the signed area of the polygon ``polygon`` (vertex ids)."""
        p = self.src
        n = len(polygon)
        area2 = 0.0
        for i in range(n):
            a = p[polygon[i]]
            b = p[polygon[(i + 1) % n]]
            area2 += a[0] * b[1] - b[0] * a[1]
        return area2

    def gusset(self, left, right):
        """Mesh the margin between two chains that start at the same vertex: a strip, or a polygon.

        The strip stitching (``zip``) suits chains that run side by side. Where
        one turns back along the other (the torso's side stepping out at row 2
        to a side panel close under a steep sleeve's inner rail) its triangles
        overlap; the region between the chains, when it is a simple polygon, is
        then cut by ``fill`` instead.
        """
        p = self.src
        n0 = len(self.tris)
        self.zip(left, right, MARGIN)
        total = 0.0
        for _, a, b, c in self.tris[n0:]:
            total += _cross(p[a], p[b], p[c])
        polygon = list(left) + list(reversed(right[1:]))
        if total - abs(self.area2(polygon)) > 1e-9 * self.w * self.h:
            del self.tris[n0:]
            self.fill(polygon)

    def fill(self, polygon):
        """Triangulate the simple polygon ``polygon`` (vertex ids) by ear clipping.

        The ear with the best shape (area over the sum of squared sides) is cut
        first, so margins get few slivers; ties go to the first vertex, which
        keeps the result identical in both languages.
        """
        p = self.src
        eps = _TINY * self.w * self.h
        ids = list(polygon)
        if self.area2(ids) < 0:
            ids.reverse()
        while len(ids) > 3:
            n = len(ids)
            best = -1
            best_q = 0.0
            for i in range(n):
                ia = ids[(i + n - 1) % n]
                ib = ids[i]
                ic = ids[(i + 1) % n]
                a = p[ia]
                b = p[ib]
                c = p[ic]
                cr = _cross(a, b, c)
                if cr <= eps:
                    continue
                blocked = False
                for j in range(n):
                    v = ids[j]
                    if v == ia or v == ib or v == ic:
                        continue
                    q = p[v]
                    if _cross(a, b, q) >= -eps and _cross(b, c, q) >= -eps and _cross(c, a, q) >= -eps:
                        blocked = True
                        break
                if blocked:
                    continue
                q = cr / (_dist2(a, b) + _dist2(b, c) + _dist2(c, a))
                if q > best_q:
                    best_q = q
                    best = i
            if best < 0:
                raise ValueError("garment anchors give a margin that cannot be meshed")
            self.tri(ids[(best + n - 1) % n], ids[best], ids[(best + 1) % n], MARGIN)
            ids.pop(best)
        if _cross(p[ids[0]], p[ids[1]], p[ids[2]]) <= eps:
            raise ValueError("garment anchors give a margin that cannot be meshed")
        self.tri(ids[0], ids[1], ids[2], MARGIN)

    def side_margin(self, chain, edge_x):
        """Mesh the region between ``chain`` and the image edge at ``edge_x``.

        ``chain`` runs from a vertex on the top edge down the garment's outline
        to a vertex on the bottom edge. Points on the image edge level with the
        outline's vertices (not too close together) and the two corners are
        attached to the outline vertex they face, so art beside a sleeve
        travels with the arm and art beside the torso with the torso.
        """
        p = self.src
        gap = EDGE_GAP * self.h
        marks = []
        for v in chain[1:-1]:
            marks.append((p[v][1], v))
        marks.sort()
        edge = []
        last = 0.0
        for y, v in marks:
            if y - last >= gap and self.h - y >= gap:
                parts = self.parts[v]
                edge.append(self.attach((edge_x, y), v, parts[0], parts[1], edge=True))
                last = y
        corners = []
        for cy in (0.0, self.h):
            best = chain[0]
            best_d = -1.0
            for v in chain:
                d = _dist2(p[v], (edge_x, cy))
                if best_d < 0 or d < best_d:
                    best_d = d
                    best = v
            parts = self.parts[best]
            corners.append(self.attach((edge_x, cy), best, parts[0], parts[1], edge=True))
        edge.reverse()
        self.fill(list(chain) + [corners[1]] + edge + [corners[0]])

    def check_cover(self):
        """Raise ``ValueError`` unless the triangles tile the overlay exactly once."""
        eps = _TINY * self.w * self.h
        total = 0.0
        for _, a, b, c in self.tris:
            cr = _cross(self.src[a], self.src[b], self.src[c])
            if cr <= eps:
                raise ValueError("garment anchors give a degenerate triangle")
            total += cr
        if abs(total * 0.5 - self.w * self.h) > 1e-6 * self.w * self.h:
            raise ValueError("garment anchors give overlapping mesh parts")

    def ordered_triangles(self):
        """Return ``(triangles, layers)`` back to front: by layer, then in order of creation."""
        out = []
        layers = []
        for layer in (MARGIN, SLEEVE_END, BODY, LIMB):
            for t in self.tris:
                if t[0] == layer:
                    out.append((t[1], t[2], t[3]))
                    layers.append(layer)
        return out, layers


def _build_top(m, a, names, layout):
    """Mesh a top (shirt, long sleeve, jacket) or a dress; return its reference lengths.

    Torso: a 3 x 3 bilinear grid between the shoulder and hip lines, a collar
    row up to the top edge, side panels below the armpits and a hem row down
    to the bottom edge (a dress has a skirt instead). Sleeves: strips of
    2 x 2 quads (outer rail, bone, inner rail) along each upper arm and, for
    long sleeves, forearm; the strip's root is the shoulder cap, the shoulder
    and the armpit, shared with the torso. With ``gusset``, the underarm
    between the sleeve's inner rail and the torso side is stitched as a strip
    (it stretches when the arm is raised) instead of being left to the margin,
    and a short sleeve hangs from the shoulder alone: its inner rail starts at
    an underarm point bound to the arm (``SHORT_UNDERARM``) instead of the
    armpit, and its gusset reaches up the torso's side to the shoulder, in
    place of the side panel's triangle below the armpit; the rail's elbow
    corner stays outside the side panel's outer edge, and the gusset is cut
    as a polygon where the strip would overlap (``_Mesh.gusset``).
    With ``cuff``, each forearm strip goes on past the wrist by a cuff row
    (``CUFF_LENGTH``). ``layout`` is one of ``TOP_LAYOUTS`` (``SHORT_SLEEVE_LAYOUTS``).
    """
    reach, widen, gusset, cuff = layout
    rs = a["right_shoulder"]
    ls = a["left_shoulder"]
    rh = a["right_hip"]
    lh = a["left_hip"]
    sw = _dist(rs, ls)
    quad = (rs, ls, lh, rh)
    sleeves = "right_elbow" in names
    forearms = "right_wrist" in names
    shmid = _lerp(rs, ls, 0.5)
    hipmid = _lerp(rh, lh, 0.5)
    up = _unit(shmid[0] - hipmid[0], shmid[1] - hipmid[1])
    if sw < _TINY or up is None or _dist(rh, lh) < _TINY:
        raise ValueError("garment shoulders or hips coincide")

    corner_names = {(0, 0): "right_shoulder", (0, 3): "left_shoulder", (3, 0): "right_hip", (3, 3): "left_hip"}
    grid = []
    for r in range(4):
        row = []
        for c in range(4):
            name = corner_names.get((r, c))
            if name is not None:
                row.append(m.joint(name, a[name], "torso"))
            else:
                row.append(m.bilinear(quad, c / 3, r / 3))
        grid.append(row)
    # Side panels below the armpits: a shirt's body is wider than the joints.
    side = {}
    for r in (2, 3):
        part = "torso" if r == 2 else "hipline"
        for sname, s in (("right", -reach), ("left", 1 + reach)):
            p = _bilinear_point(quad, s, r / 3)
            side[(sname, r)] = m.segment(p, grid[r][0], grid[r][3], part, parts=("torso", "torso"))
    # A short sleeve hangs from the shoulder seam (SHORT_UNDERARM): the side
    # panel starts at row 2, below the gusset that takes its place.
    hinge = sleeves and not forearms and gusset
    # Collar margin: up to the top edge, following the shoulder line.
    collar = []
    for c in range(4):
        x = m.src[grid[0][c]][0]
        collar.append(m.segment((x, 0.0), grid[0][0], grid[0][3], "torso", edge=True))
    for c in range(3):
        m.quad(collar[c], collar[c + 1], grid[0][c + 1], grid[0][c], BODY)
    for r in range(3):
        for c in range(3):
            m.quad(grid[r][c], grid[r][c + 1], grid[r + 1][c + 1], grid[r + 1][c], BODY)
    hip_row = [side[("right", 3)]] + grid[3] + [side[("left", 3)]]
    for sname, col in (("right", 0), ("left", 3)):
        if not hinge:
            m.tri(grid[1][col], grid[2][col], side[(sname, 2)], BODY)
        m.quad(side[(sname, 2)], grid[2][col], grid[3][col], side[(sname, 3)], BODY)

    chains = {}
    for sname, col, other in (("right", 0, ls), ("left", 3, rs)):
        shoulder = grid[0][col]
        armpit = grid[1][col]
        x2 = side[(sname, 2)]
        x3 = side[(sname, 3)]
        if not sleeves:
            chains[sname] = [collar[col], shoulder, armpit, x2, x3]
            continue
        s_pt = m.src[shoulder]
        own = _unit(s_pt[0] - other[0], s_pt[1] - other[1])
        upper, fore, _, _ = _limb_parts(sname)
        e_name = sname + "_elbow"
        e_pt = a[e_name]
        ua = _unit(e_pt[0] - s_pt[0], e_pt[1] - s_pt[1])
        if ua is None:
            raise ValueError("garment shoulder and elbow coincide")
        n = _outward(ua, own, up)
        wu = UPPER_ARM_HALF_WIDTH * widen * sw
        # The inner rails stay outside the torso's side panel.
        pit = m.src[armpit]
        px2 = m.src[x2]
        keep_u = _outward_line(pit, px2, own)
        keep_f = _outward_line(px2, m.src[x3], own)
        elbow = m.joint(e_name, e_pt, fore if forearms else upper)
        cap = m.attach((s_pt[0] + n[0] * wu, s_pt[1] + n[1] * wu), shoulder, "torso", upper)
        mid = _lerp(s_pt, e_pt, 0.5)
        m_out = m.segment((mid[0] + n[0] * wu, mid[1] + n[1] * wu), shoulder, elbow, upper)
        m_bone = m.segment(mid, shoulder, elbow, upper)
        if forearms:
            w_name = sname + "_wrist"
            w_pt = a[w_name]
            fa = _unit(w_pt[0] - e_pt[0], w_pt[1] - e_pt[1])
            if fa is None:
                raise ValueError("garment elbow and wrist coincide")
            nf = _outward(fa, own, up)
            if nf[0] * n[0] + nf[1] * n[1] < 0:
                nf = (-nf[0], -nf[1])
            ne = _unit(n[0] + nf[0], n[1] + nf[1]) or n
            wi = _inner_width(e_pt, (-ne[0], -ne[1]), wu, pit, keep_u)
            e_out = m.attach((e_pt[0] + ne[0] * wu, e_pt[1] + ne[1] * wu), elbow, upper, fore)
            e_in = m.attach((e_pt[0] - ne[0] * wi, e_pt[1] - ne[1] * wi), elbow, upper, fore)
        else:
            wi = _inner_width(e_pt, (-n[0], -n[1]), wu, pit, keep_u)
            if hinge:
                # The gusset closes from this corner straight to the side
                # panel's foot, so the corner stays outside the side panel's
                # outer edge too (a steep sleeve hangs beside it).
                wi = min(wi, _inner_width(e_pt, (-n[0], -n[1]), wu, px2, keep_f))
            e_out = m.segment((e_pt[0] + n[0] * wu, e_pt[1] + n[1] * wu), shoulder, elbow, upper)
            e_in = m.segment((e_pt[0] - n[0] * wi, e_pt[1] - n[1] * wi), shoulder, elbow, upper)
        # The inner rail's root: the armpit, or for a short sleeve hanging from
        # the shoulder seam an underarm point that turns with the arm.
        if hinge:
            root = m.segment(_lerp(m.src[grid[2][col]], m.src[m_bone], SHORT_UNDERARM), shoulder, elbow, upper)
        else:
            root = armpit
        m_in = m.segment(_lerp(m.src[root], m.src[e_in], 0.5), shoulder, elbow, upper)
        # A short sleeve ends about half way to the elbow: the strip's lower
        # half is mostly transparent and goes under the body, so that an arm
        # crossing in front of the torso does not cut a hole into it.
        lower = LIMB if forearms else SLEEVE_END
        m.tri(collar[col], shoulder, cap, BODY)
        m.quad(cap, shoulder, m_bone, m_out, LIMB)
        m.quad(m_out, m_bone, elbow, e_out, lower)
        m.quad(shoulder, root, m_in, m_bone, lower)
        m.quad(m_bone, m_in, e_in, elbow, lower)
        outer = [collar[col], cap, m_out, e_out]
        inner = [root, m_in, e_in]
        if forearms:
            wrist = m.joint(w_name, w_pt, fore)
            wf = FOREARM_HALF_WIDTH * widen * sw
            rails = []
            for p_bone in (_lerp(e_pt, w_pt, 0.5), w_pt):
                wi = _inner_width(p_bone, (-nf[0], -nf[1]), wf, px2, keep_f)
                bone = wrist if p_bone is w_pt else m.segment(p_bone, elbow, wrist, fore)
                out = m.segment((p_bone[0] + nf[0] * wf, p_bone[1] + nf[1] * wf), elbow, wrist, fore)
                inn = m.segment((p_bone[0] - nf[0] * wi, p_bone[1] - nf[1] * wi), elbow, wrist, fore)
                rails.append((out, bone, inn))
            (f_out, f_bone, f_in), (w_out, _, w_in) = rails
            m.quad(e_out, elbow, f_bone, f_out, LIMB)
            m.quad(f_out, f_bone, wrist, w_out, LIMB)
            m.quad(elbow, e_in, f_in, f_bone, LIMB)
            m.quad(f_bone, f_in, w_in, wrist, LIMB)
            outer += [f_out, w_out]
            ends = _cuff_row(m, (w_out, wrist, w_in), fa, CUFF_LENGTH * sw) if cuff else None
            if ends is None:
                outer += [wrist]
            else:
                # The wrist row moved on along the forearm, as far as it fits.
                c_out = m.segment(ends[0], elbow, wrist, fore)
                c_bone = m.segment(ends[1], elbow, wrist, fore)
                c_in = m.segment(ends[2], elbow, wrist, fore)
                m.quad(w_out, wrist, c_bone, c_out, LIMB)
                m.quad(wrist, w_in, c_in, c_bone, LIMB)
                outer += [c_out, c_bone, c_in]
            inner += [f_in, w_in]
        else:
            outer += [elbow]
        if hinge:
            m.gusset([shoulder] + inner, [shoulder, armpit, grid[2][col], x2, x3])
            chains[sname] = outer + [inner[-1], x3]
        elif gusset:
            m.zip(inner, [armpit, x2, x3], MARGIN)
            chains[sname] = outer + [inner[-1], x3]
        else:
            chains[sname] = outer + inner[::-1] + [x2, x3]

    if "right_knee" in names:
        outline = _build_skirt(m, a, hip_row, widen)
    else:
        # Hem margin: down to the bottom edge, following the hip line.
        bottom = []
        for v in hip_row:
            bottom.append(m.segment((m.src[v][0], m.h), grid[3][0], grid[3][3], "hipline", edge=True))
        for c in range(5):
            m.quad(hip_row[c], hip_row[c + 1], bottom[c + 1], bottom[c], BODY)
        outline = [[v] for v in bottom]
    m.side_margin(chains["right"] + outline[0], 0.0)
    m.side_margin(chains["left"] + outline[-1], m.w)
    return {"ref": sw, "torso_len": _dist(shmid, hipmid)}


def _cuff_row(m, row, d, length):
    """Return the points of ``row`` (vertex ids) moved by ``length`` along unit ``d``, or ``None``.

    The move is shortened so that every point stays ``INSET`` inside the
    overlay; ``None`` when less than ``CUFF_MIN`` of ``length`` fits.
    """
    room = length
    for v in row:
        q = m.src[v]
        for i, hi in ((0, m.w - INSET), (1, m.h - INSET)):
            if d[i] > 0.0:
                room = min(room, (hi - q[i]) / d[i])
            elif d[i] < 0.0:
                room = min(room, (INSET - q[i]) / d[i])
    if room < CUFF_MIN * length:
        return None
    out = []
    for v in row:
        q = m.src[v]
        out.append((q[0] + d[0] * room, q[1] + d[1] * room))
    return out


def _build_skirt(m, a, hip_row, widen):
    """Mesh a skirt from ``hip_row`` (6 vertices, right to left) down to the bottom edge.

    Rows: hips, mid-thigh, knees (with the flare beyond the knees), bottom
    edge. Return, per column, the vertices below the hip row (for the outer
    columns' margins).
    """
    rk_pt = a["right_knee"]
    lk_pt = a["left_knee"]
    hw = _dist(a["right_hip"], a["left_hip"])
    uk = _unit(lk_pt[0] - rk_pt[0], lk_pt[1] - rk_pt[1])
    if uk is None:
        raise ValueError("garment knees coincide")
    flare = SKIRT_FLARE * widen * hw
    rk = m.joint("right_knee", rk_pt, "r_thigh")
    lk = m.joint("left_knee", lk_pt, "l_thigh")
    k1 = m.segment(_lerp(rk_pt, lk_pt, 1 / 3), rk, lk, "hipline")
    k2 = m.segment(_lerp(rk_pt, lk_pt, 2 / 3), rk, lk, "hipline")
    ko_r = m.attach((rk_pt[0] - uk[0] * flare, rk_pt[1] - uk[1] * flare), rk, "r_thigh", "r_thigh")
    ko_l = m.attach((lk_pt[0] + uk[0] * flare, lk_pt[1] + uk[1] * flare), lk, "l_thigh", "l_thigh")
    knee_row = [ko_r, rk, k1, k2, lk, ko_l]
    parts = ["r_thigh", "r_thigh", "hipline", "hipline", "l_thigh", "l_thigh"]
    mid_row = []
    for c in range(6):
        mid_row.append(m.lerp(hip_row[c], knee_row[c], 0.5, parts[c]))
    bottom = []
    for c in range(6):
        v = knee_row[c]
        bottom.append(m.attach((m.src[v][0], m.h), v, parts[c], parts[c], edge=True))
    for upper, lower in ((hip_row, mid_row), (mid_row, knee_row), (knee_row, bottom)):
        for c in range(5):
            m.quad(upper[c], upper[c + 1], lower[c + 1], lower[c], BODY)
    return [[mid_row[c], knee_row[c], bottom[c]] for c in range(6)]


def _waist(m, hip_row, rh, lh):
    """Add the margin from ``hip_row`` up to the top edge; return its top vertices."""
    top = []
    for v in hip_row:
        top.append(m.segment((m.src[v][0], 0.0), rh, lh, "torso", edge=True))
    for c in range(len(hip_row) - 1):
        m.quad(top[c], top[c + 1], hip_row[c + 1], hip_row[c], BODY)
    return top


def _build_lower(m, a, names, widen):
    """Mesh trousers or a skirt; return its reference lengths.

    Skirt: a waist row up to the top edge, then hips, mid-thigh and knee rows
    (6 columns, with flare) and a hem row down to the bottom edge. Trousers:
    a waist row, a pelvis fan to the crotch point, and per leg a strip of
    2 x 5 quads (outer rail, bone, inner rail; hip, mid-thigh, knee, mid-shin,
    ankle, bottom edge); the gap between the legs is margin.
    """
    rh_pt = a["right_hip"]
    lh_pt = a["left_hip"]
    hw = _dist(rh_pt, lh_pt)
    u = _unit(lh_pt[0] - rh_pt[0], lh_pt[1] - rh_pt[1])
    kmid = _lerp(a["right_knee"], a["left_knee"], 0.5)
    hipmid = _lerp(rh_pt, lh_pt, 0.5)
    down = _unit(kmid[0] - hipmid[0], kmid[1] - hipmid[1])
    if u is None or down is None:
        raise ValueError("garment hips or knees coincide")
    ref = {"ref": hw, "thigh": {"right": _dist(rh_pt, a["right_knee"]), "left": _dist(lh_pt, a["left_knee"])}}
    rh = m.joint("right_hip", rh_pt, "torso")
    lh = m.joint("left_hip", lh_pt, "torso")
    if "right_ankle" not in names:
        hip_row = []
        for t in (-SKIRT_HIP_SIDE * widen, 0.0, 1 / 3, 2 / 3, 1.0, 1 + SKIRT_HIP_SIDE * widen):
            if t == 0.0:
                hip_row.append(rh)
            elif t == 1.0:
                hip_row.append(lh)
            else:
                hip_row.append(m.segment(_lerp(rh_pt, lh_pt, t), rh, lh, "torso"))
        waist = _waist(m, hip_row, rh, lh)
        outline = _build_skirt(m, a, hip_row, widen)
        m.side_margin([waist[0], hip_row[0]] + outline[0], 0.0)
        m.side_margin([waist[-1], hip_row[-1]] + outline[-1], m.w)
        return ref

    h0 = TROUSER_HALF_WIDTHS[0] * widen * hw
    xr = m.attach((rh_pt[0] - u[0] * h0, rh_pt[1] - u[1] * h0), rh, "torso", "r_thigh")
    mid = m.segment(hipmid, rh, lh, "torso")
    xl = m.attach((lh_pt[0] + u[0] * h0, lh_pt[1] + u[1] * h0), lh, "torso", "l_thigh")
    waist = _waist(m, [xr, rh, mid, lh, xl], rh, lh)
    drop = CROTCH_DROP * hw
    crotch = m.segment((hipmid[0] + down[0] * drop, hipmid[1] + down[1] * drop), rh, lh, "torso")
    m.tri(rh, mid, crotch, BODY)
    m.tri(mid, lh, crotch, BODY)
    up = (-down[0], -down[1])
    chains = {}
    inner = {}
    legs = (("right", "left", rh, xr, (-u[0], -u[1])), ("left", "right", lh, xl, u))
    for sname, other, hip, outer, own in legs:
        _, _, thigh, shin = _limb_parts(sname)
        h_pt = m.src[hip]
        k_pt = a[sname + "_knee"]
        an_pt = a[sname + "_ankle"]
        ta = _unit(k_pt[0] - h_pt[0], k_pt[1] - h_pt[1])
        sa = _unit(an_pt[0] - k_pt[0], an_pt[1] - k_pt[1])
        if ta is None or sa is None:
            raise ValueError("garment hip, knee and ankle must differ")
        nt = _outward(ta, own, up)
        ns = _outward(sa, own, up)
        if ns[0] * nt[0] + ns[1] * nt[1] < 0:
            ns = (-ns[0], -ns[1])
        nk = _unit(nt[0] + ns[0], nt[1] + ns[1]) or nt
        knee = m.joint(sname + "_knee", k_pt, shin)
        ankle = m.joint(sname + "_ankle", an_pt, shin)
        rows = []
        # Cross-sections at mid-thigh, knee, mid-shin and ankle; the hip one is
        # (outer hip, hip, crotch).
        specs = (
            (_lerp(h_pt, k_pt, 0.5), nt, TROUSER_HALF_WIDTHS[1]),
            (k_pt, nk, TROUSER_HALF_WIDTHS[2]),
            (_lerp(k_pt, an_pt, 0.5), ns, TROUSER_HALF_WIDTHS[3]),
            (an_pt, ns, TROUSER_HALF_WIDTHS[4]),
        )
        oh = a[other + "_hip"]
        ok = a[other + "_knee"]
        oa = a[other + "_ankle"]
        facing = (_lerp(oh, ok, 0.5), ok, _lerp(ok, oa, 0.5), oa)
        for i, (p_bone, n, frac) in enumerate(specs):
            w = frac * widen * hw
            # The inner rail keeps off the line halfway between the two legs.
            q = facing[i]
            apart = _unit(p_bone[0] - q[0], p_bone[1] - q[1]) or own
            wi = _inner_width(p_bone, (-n[0], -n[1]), w, _lerp(p_bone, q, 0.5), apart)
            p_out = (p_bone[0] + n[0] * w, p_bone[1] + n[1] * w)
            p_in = (p_bone[0] - n[0] * wi, p_bone[1] - n[1] * wi)
            if i == 0:
                bone = m.segment(p_bone, hip, knee, thigh)
                out = m.segment(p_out, hip, knee, thigh)
                inn = m.segment(p_in, hip, knee, thigh)
            elif i == 1:
                bone = knee
                out = m.attach(p_out, knee, thigh, shin)
                inn = m.attach(p_in, knee, thigh, shin)
            else:
                bone = ankle if i == 3 else m.segment(p_bone, knee, ankle, shin)
                out = m.segment(p_out, knee, ankle, shin)
                inn = m.segment(p_in, knee, ankle, shin)
            rows.append((out, bone, inn))
        bottom = []
        for v in rows[3]:
            bottom.append(m.attach((m.src[v][0], m.h), v, shin, shin, edge=True))
        rows.append(tuple(bottom))
        m.quad(outer, hip, rows[0][1], rows[0][0], BODY)
        m.quad(hip, crotch, rows[0][2], rows[0][1], BODY)
        for i in range(4):
            o0, b0, i0 = rows[i]
            o1, b1, i1 = rows[i + 1]
            m.quad(o0, b0, b1, o1, BODY)
            m.quad(b0, i0, i1, b1, BODY)
        chains[sname] = [outer] + [r[0] for r in rows]
        inner[sname] = [r[2] for r in rows]
    m.side_margin([waist[0]] + chains["right"], 0.0)
    m.side_margin([waist[-1]] + chains["left"], m.w)
    # The gap between the legs, from the crotch down to the bottom edge.
    m.fill([crotch] + inner["right"] + inner["left"][::-1])
    return ref


def _part_sources(a, names, top):
    """Return each body part's unit direction in the art."""
    dirs = {}

    def put(part, p0, p1):
        dirs[part] = _unit(a[p1][0] - a[p0][0], a[p1][1] - a[p0][1])

    if top:
        put("torso", "right_shoulder", "left_shoulder")
    else:
        put("torso", "right_hip", "left_hip")
    put("hipline", "right_hip", "left_hip")
    for sname in ("right", "left"):
        upper, fore, thigh, shin = _limb_parts(sname)
        if sname + "_elbow" in names:
            put(upper, sname + "_shoulder", sname + "_elbow")
        if sname + "_wrist" in names:
            put(fore, sname + "_elbow", sname + "_wrist")
        if sname + "_knee" in names:
            put(thigh, sname + "_hip", sname + "_knee")
        if sname + "_ankle" in names:
            put(shin, sname + "_knee", sname + "_ankle")
    return dirs


def _check_garment(garment):
    """Return ``(kind, width, height, anchors)`` with float anchors, or raise ``ValueError``."""
    kind = garment.get("kind")
    if kind not in REQUIRED_ANCHORS:
        raise ValueError(f"unknown garment kind {kind!r}")
    width = float(garment["width"])
    height = float(garment["height"])
    if not (width >= 4 and height >= 4):
        raise ValueError("garment overlay is too small")
    given = garment.get("anchors") or {}
    anchors = {}
    for name in REQUIRED_ANCHORS[kind]:
        if name not in given:
            raise ValueError(f"garment lacks anchor {name!r}")
        x = float(given[name][0])
        y = float(given[name][1])
        if not (0 <= x <= width and 0 <= y <= height):
            raise ValueError(f"garment anchor {name!r} lies outside the overlay")
        anchors[name] = (x, y)
    return kind, width, height, anchors


@functools.lru_cache(maxsize=128)
def _mesh_for_key(key):
    kind, width, height, items = key
    anchors = {name: (x, y) for name, x, y in items}
    names = REQUIRED_ANCHORS[kind]
    top = "right_shoulder" in names
    if top:
        short = "right_elbow" in names and "right_wrist" not in names
        layouts = SHORT_SLEEVE_LAYOUTS if short else TOP_LAYOUTS
        for i, layout in enumerate(layouts):
            m = _Mesh(width, height)
            try:
                ref = _build_top(m, anchors, names, layout)
                m.check_cover()
                break
            except ValueError:
                if i == len(layouts) - 1:
                    raise
        mid0 = _lerp(anchors["right_shoulder"], anchors["left_shoulder"], 0.5)
        mid1 = _lerp(anchors["right_hip"], anchors["left_hip"], 0.5)
    else:
        for i, widen in enumerate(LOWER_LAYOUTS):
            m = _Mesh(width, height)
            try:
                ref = _build_lower(m, anchors, names, widen)
                m.check_cover()
                break
            except ValueError:
                if i == len(LOWER_LAYOUTS) - 1:
                    raise
        mid0 = _lerp(anchors["right_hip"], anchors["left_hip"], 0.5)
        mid1 = _lerp(anchors["right_knee"], anchors["left_knee"], 0.5)
    dirs = _part_sources(anchors, names, top)
    # The art's handedness: +1 when the body hangs on the side of perp(torso
    # direction), as it does when the wearer's right is on the image's left.
    t = dirs["torso"]
    hand = -1.0 if -t[1] * (mid1[0] - mid0[0]) + t[0] * (mid1[1] - mid0[1]) < 0 else 1.0
    triangles, layers = m.ordered_triangles()
    return {
        "kind": kind,
        "top": top,
        "names": names,
        "anchors": anchors,
        "src": tuple(m.src),
        "triangles": tuple(triangles),
        "layers": tuple(layers),
        "bind": tuple(m.bind),
        "ref": ref,
        "dirs": dirs,
        "hand": hand,
    }


def _mesh(garment):
    kind, width, height, anchors = _check_garment(garment)
    items = tuple((name, anchors[name][0], anchors[name][1]) for name in REQUIRED_ANCHORS[kind])
    return _mesh_for_key((kind, width, height, items))


def garment_topology(garment):
    """Return the pose-independent part of a fit: ``{"kind", "src", "triangles", "layers"}``.

    Raise ``ValueError`` when the garment is malformed or its anchors cannot be
    meshed (e.g. sleeves drawn inside the torso).
    """
    mesh = _mesh(garment)
    return {
        "kind": mesh["kind"],
        "src": [[p[0], p[1]] for p in mesh["src"]],
        "triangles": [[t[0], t[1], t[2]] for t in mesh["triangles"]],
        "layers": list(mesh["layers"]),
    }


# --- Fitting to a pose -------------------------------------------------------------


class _Body:
    """Hold the frame-pixel joints and the frames that turn and scale each part."""

    def __init__(self, k, hand, src_dirs):
        self.joints = {}
        self.estimated = []
        self.k = k
        self.hand = hand
        self.src_dirs = src_dirs
        self.dst_dirs = {}

    def turn(self, part, dx, dy):
        """Map an art offset to a frame offset: turned like ``part``, scaled by body scale.

        A part mirrored relative to the art (``hand`` -1) mirrors the offset.
        """
        a = self.src_dirs[part]
        b = self.dst_dirs[part]
        along = dx * a[0] + dy * a[1]
        across = (dx * -a[1] + dy * a[0]) * self.hand
        return ((b[0] * along - b[1] * across) * self.k, (b[1] * along + b[0] * across) * self.k)

    def turn2(self, part1, part2, dx, dy):
        """Map an art offset half way between two parts' turns, keeping its length."""
        d1 = self.turn(part1, dx, dy)
        if part2 == part1:
            return d1
        d2 = self.turn(part2, dx, dy)
        mx = (d1[0] + d2[0]) * 0.5
        my = (d1[1] + d2[1]) * 0.5
        lm = math.sqrt(mx * mx + my * my)
        if lm < _TINY:
            return d1
        s = math.sqrt(d1[0] * d1[0] + d1[1] * d1[1]) / lm
        return (mx * s, my * s)


def _direction(p0, p1, fallback):
    """Return the unit direction ``p0`` -> ``p1``, or ``fallback`` when they coincide."""
    d = _unit(p1[0] - p0[0], p1[1] - p0[1])
    return fallback if d is None else d


def _down_hand(u, cue):
    """Return +1 if ``cue`` points to the side of ``perp(u)``, else -1 (ties: +1)."""
    return -1.0 if -u[1] * cue[0] + u[0] * cue[1] < 0 else 1.0


def _cue(shmid, rh, lh, nose):
    """Return a vector pointing from the shoulders toward the body's hips.

    The seen hips if any, else away from the nose, else down the image.
    """
    if rh is not None and lh is not None:
        h = _lerp(rh, lh, 0.5)
        return (h[0] - shmid[0], h[1] - shmid[1])
    if rh is not None or lh is not None:
        h = rh if rh is not None else lh
        return (h[0] - shmid[0], h[1] - shmid[1])
    if nose is not None:
        return (shmid[0] - nose[0], shmid[1] - nose[1])
    return (0.0, 1.0)


def _estimated_hips(rs, ls, u, hand, hip_width):
    """Return the hips estimated from the shoulders.

    The hip midpoint hangs ``TORSO_RATIO`` shoulder widths below the shoulder
    midpoint, perpendicular to the shoulder line (``u``, with ``hand`` saying
    which side is down), and the hips lie ``hip_width`` apart along ``u``.
    """
    shmid = _lerp(rs, ls, 0.5)
    drop = TORSO_RATIO * _dist(rs, ls)
    mid = (shmid[0] - u[1] * hand * drop, shmid[1] + u[0] * hand * drop)
    half = hip_width * 0.5
    return (mid[0] - u[0] * half, mid[1] - u[1] * half), (mid[0] + u[0] * half, mid[1] + u[1] * half)


def _seams(rs, ls, up, bw):
    """Return the shoulder seams for shoulder joints ``rs``, ``ls``.

    The seams sit beyond the joints along the shoulder line by a share of the
    joints' distance (it foreshortens with them when the shopper turns) and
    above them along ``up`` (unit, toward the head) by a share of the body
    width ``bw``.
    """
    ox = (ls[0] - rs[0]) * SHOULDER_SEAM_OUT
    oy = (ls[1] - rs[1]) * SHOULDER_SEAM_OUT
    dx = up[0] * SHOULDER_SEAM_UP * bw
    dy = up[1] * SHOULDER_SEAM_UP * bw
    return (rs[0] - ox + dx, rs[1] - oy + dy), (ls[0] + ox + dx, ls[1] + oy + dy)


def _hip_sides(rh, lh, u, bw):
    """Return the body's sides at hip height for hip joints ``rh``, ``lh``.

    ``u`` is the fallback direction when the hips coincide, ``bw`` the body
    width (0 when unknown).
    """
    d = _unit(lh[0] - rh[0], lh[1] - rh[1]) or u
    o = HIP_SIDE_OUT * max(_dist(rh, lh), HIP_WIDTH_RATIO * bw)
    return (rh[0] - d[0] * o, rh[1] - d[1] * o), (lh[0] + d[0] * o, lh[1] + d[1] * o)


def _trusted_hips(rs, ls, u, hand, trust, estimated):
    """Return ``(rh, lh, wr, wl, bw)`` below the seen shoulders ``rs``, ``ls``.

    The hips ``rh``, ``lh`` are each blended from its estimate to its landmark
    by its trust ``wr``, ``wl`` (from ``trust(name)``, ``(point, weight)``).
    With both weights 1 they are the landmarks, with both 0 the estimates of
    :func:`_estimated_hips`; with one 1 and the other 0 the unseen hip is set
    beside the seen one, parallel to the shoulder line; everything in between
    is interpolated, so the hips move continuously as their trust changes. A
    hip trusted less than half is listed in ``estimated``. ``bw`` is the body
    width: the shoulder width, widened as far as both hips are trusted to fit
    a torso longer than ``TORSO_RATIO`` of it (a shopper turning sideways
    narrows the shoulders, not the torso).
    """
    (orh, wr), (olh, wl) = trust("right_hip"), trust("left_hip")
    sw = _dist(rs, ls)
    er, el = _estimated_hips(rs, ls, u, hand, sw * HIP_WIDTH_RATIO)
    sx = el[0] - er[0]
    sy = el[1] - er[1]
    r1 = _lerp(er, orh, wr)
    l1 = _lerp(el, olh, wl)
    rh = _lerp(r1, (l1[0] - sx, l1[1] - sy), wl * (1.0 - wr))
    lh = _lerp(l1, (r1[0] + sx, r1[1] + sy), wr * (1.0 - wl))
    if wr < 0.5:
        estimated.append("right_hip")
    if wl < 0.5:
        estimated.append("left_hip")
    bw = sw + (max(sw, _dist(_lerp(rs, ls, 0.5), _lerp(rh, lh, 0.5)) / TORSO_RATIO) - sw) * (wr * wl)
    return rh, lh, wr, wl, bw


def _pose_body(mesh, seen, trust):
    """Return the body (joints in frame px, scale, part frames), or ``None``.

    ``seen(name)`` is a joint in frame pixels if trusted, else ``None``;
    ``trust(name)`` is ``(point, weight)`` with a weight from :func:`_trust_weight`.
    """
    ref = mesh["ref"]
    nose = seen("nose")
    rs = seen("right_shoulder")
    ls = seen("left_shoulder")
    rh = seen("right_hip")
    lh = seen("left_hip")
    estimated = []
    su = None
    if rs is not None and ls is not None:
        su = _unit(ls[0] - rs[0], ls[1] - rs[1])
    if su is not None:
        shmid = _lerp(rs, ls, 0.5)
        sw = _dist(rs, ls)

    if mesh["top"]:
        if su is None:
            return None
        u = su
        hand_d = _down_hand(u, _cue(shmid, rh, lh, nose))
        rh, lh, wr, wl, bw = _trusted_hips(rs, ls, u, hand_d, trust, estimated)
        both = wr * wl  # how far both hips are trusted
        # Up the torso: along its axis as far as both hips are seen, else square
        # to the shoulder line.
        square = (u[1] * hand_d, -u[0] * hand_d)
        hipmid = _lerp(rh, lh, 0.5)
        axis = _unit(shmid[0] - hipmid[0], shmid[1] - hipmid[1]) or square
        up = _unit(square[0] + (axis[0] - square[0]) * both, square[1] + (axis[1] - square[1]) * both) or square
        rs, ls = _seams(rs, ls, up, bw)
        rh, lh = _hip_sides(rh, lh, u, bw)
        k = _dist(rs, ls) / ref["ref"]
        k += (max(k, _dist(_lerp(rs, ls, 0.5), _lerp(rh, lh, 0.5)) / ref["torso_len"]) - k) * both
    else:
        bw = 0.0
        wr = wl = 1.0
        if su is not None:
            # With the shoulders to estimate from, the hips are trusted gradually, as a top's are.
            hand_s = _down_hand(su, _cue(shmid, rh, lh, nose))
            rh, lh, wr, wl, bw = _trusted_hips(rs, ls, su, hand_s, trust, estimated)
        elif rh is None or lh is None:
            return None
        u = _unit(lh[0] - rh[0], lh[1] - rh[1])
        if u is None:
            return None
        rh, lh = _hip_sides(rh, lh, u, bw)
        hipmid = _lerp(rh, lh, 0.5)
        knees = {"right": seen("right_knee"), "left": seen("left_knee")}
        if su is not None:
            cue = (hipmid[0] - shmid[0], hipmid[1] - shmid[1])
        elif knees["right"] is not None or knees["left"] is not None:
            kk = knees["right"] if knees["right"] is not None else knees["left"]
            if knees["right"] is not None and knees["left"] is not None:
                kk = _lerp(knees["right"], knees["left"], 0.5)
            cue = (kk[0] - hipmid[0], kk[1] - hipmid[1])
        elif nose is not None:
            cue = (hipmid[0] - nose[0], hipmid[1] - nose[1])
        else:
            cue = (0.0, 1.0)
        hand_d = _down_hand(u, cue)
        k = _dist(rh, lh) / ref["ref"]
        for sname, hip, wh in (("right", rh, wr), ("left", lh, wl)):
            # Hips foreshorten when the shopper turns; thighs do not. As far as hip and knee are trusted.
            knee, w = trust(sname + "_knee")
            k += (max(k, _dist(hip, knee) / ref["thigh"][sname]) - k) * w * wh
    if not k > _TINY:
        return None
    body = _Body(k, hand_d * mesh["hand"], mesh["dirs"])
    body.estimated = estimated
    if mesh["top"]:
        body.joints["right_shoulder"] = rs
        body.joints["left_shoulder"] = ls
    body.joints["right_hip"] = rh
    body.joints["left_hip"] = lh
    body.dst_dirs["torso"] = u
    body.dst_dirs["hipline"] = _direction(rh, lh, u)
    art = mesh["anchors"]
    names = mesh["names"]

    def place(child, parent, part, new_part):
        """Set ``child`` and ``new_part``'s frame.

        The child is blended by its trust from its estimate (continuing from
        ``parent`` as ``part`` turns) to its landmark.
        """
        o, w = trust(child)
        q = body.joints[parent]
        d = body.turn(part, art[child][0] - art[parent][0], art[child][1] - art[parent][1])
        p = _lerp((q[0] + d[0], q[1] + d[1]), o, w)
        if w < 0.5:
            estimated.append(child)
        body.joints[child] = p
        a = body.src_dirs[new_part]
        f = body.turn(part, a[0], a[1])
        body.dst_dirs[new_part] = _direction(q, p, _unit(f[0], f[1]) or body.dst_dirs[part])

    for sname in ("right", "left"):
        upper, fore, thigh, shin = _limb_parts(sname)
        if sname + "_elbow" in names:
            # An unseen elbow hangs at the art's A-pose angle from the shoulder.
            place(sname + "_elbow", sname + "_shoulder", "torso", upper)
        if sname + "_wrist" in names:
            place(sname + "_wrist", sname + "_elbow", upper, fore)
        if sname + "_knee" in names:
            place(sname + "_knee", sname + "_hip", "hipline", thigh)
        if sname + "_ankle" in names:
            place(sname + "_ankle", sname + "_knee", thigh, shin)
    return body


def fit_garment(landmarks, frame_width, frame_height, garment):
    """Place ``garment`` on the body given by ``landmarks`` in a frame of the given size.

    ``landmarks`` holds 33 MediaPipe ``[x, y, z, visibility]`` (normalised,
    may lie outside 0..1). Return the mesh structure described in the module
    docstring, or ``None`` when the body cannot carry the garment (shoulders
    unusable for a top; hips and shoulders unusable for trousers or a skirt).
    Hidden joints are estimated from body proportions; the hips (when the
    shoulders are seen) and the limb joints are blended from that estimate
    to their landmark by how far they are trusted (``TRUST_VISIBILITY_RAMP``,
    ``TRUST_EDGE_RAMP``). Joints trusted less than half are listed in
    ``"estimated"``. Raise ``ValueError`` for a malformed garment.
    """
    mesh = _mesh(garment)
    if landmarks is None or len(landmarks) < 33:
        return None
    fw = float(frame_width)
    fh = float(frame_height)

    def seen(name):
        """Return the joint in frame pixels if it can be trusted, else ``None``."""
        lm = landmarks[LANDMARK_INDEX[name]]
        if landmark_seen(lm):
            return (float(lm[0]) * fw, float(lm[1]) * fh)
        return None

    def trust(name):
        """Return the joint in frame pixels and how far it is trusted (0..1)."""
        lm = landmarks[LANDMARK_INDEX[name]]
        vis = float(lm[3]) if len(lm) > 3 else 1.0
        x = float(lm[0])
        y = float(lm[1])
        return (x * fw, y * fh), _trust_weight(x, y, vis)

    body = _pose_body(mesh, seen, trust)
    if body is None:
        return None
    joints = body.joints
    if mesh["top"]:
        quad = (joints["right_shoulder"], joints["left_shoulder"], joints["left_hip"], joints["right_hip"])
    dst = []
    for binding in mesh["bind"]:
        op = binding[0]
        if op == "joint":
            p = joints[binding[1]]
        elif op == "bilinear":
            p = _bilinear_point(quad, binding[1], binding[2])
        elif op == "segment":
            _, va, vb, part, t, off = binding
            pa = dst[va]
            pb = dst[vb]
            d = body.dst_dirs[part]
            o = off * body.k * body.hand
            p = (pa[0] + (pb[0] - pa[0]) * t - d[1] * o, pa[1] + (pb[1] - pa[1]) * t + d[0] * o)
        elif op == "attach":
            _, v, part1, part2, dx, dy = binding
            q = dst[v]
            d = body.turn2(part1, part2, dx, dy)
            p = (q[0] + d[0], q[1] + d[1])
        else:  # lerp
            p = _lerp(dst[binding[1]], dst[binding[2]], binding[3])
        dst.append(p)
    return {
        "kind": mesh["kind"],
        "src": [[p[0], p[1]] for p in mesh["src"]],
        "dst": [[p[0], p[1]] for p in dst],
        "triangles": [[t[0], t[1], t[2]] for t in mesh["triangles"]],
        "layers": list(mesh["layers"]),
        "scale": body.k * mesh["ref"]["ref"],
        "estimated": sorted(body.estimated),
    }
