"""Behaviour of tryon.geometry, the garment fit mesh.

The shared vectors (test_fit_vectors.py) pin exact numbers; these tests say
what the numbers must mean: the mesh tiles the overlay, follows arms, scales
and turns with the body, and keeps the garment on when joints are hidden.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tryon.garments import LANDMARK_INDEX, REQUIRED_ANCHORS  # noqa: E402
from tryon.geometry import (  # noqa: E402
    HIP_SIDE_OUT,
    HIP_WIDTH_RATIO,
    SHOULDER_SEAM_OUT,
    SHOULDER_SEAM_UP,
    TORSO_RATIO,
    fit_garment,
    garment_topology,
)

_spec = importlib.util.spec_from_file_location("make_fit_vectors", REPO / "tools" / "make_fit_vectors.py")
vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vectors)
GARMENTS = vectors.GARMENTS
pose = vectors.synthetic_pose

FRAME = (720, 1280)
KINDS = sorted(REQUIRED_ANCHORS)


def cross(a, b, c):
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def warp_layer(fit, point):
    """Return where an overlay point lands in the frame, through the fit's piecewise-affine warp, and
    the layer of the triangle carrying it."""
    src, dst = fit["src"], fit["dst"]
    for (i, j, k), layer in zip(fit["triangles"], fit["layers"]):
        a, b, c = src[i], src[j], src[k]
        area = cross(a, b, c)
        wa = cross(b, c, point) / area
        wb = cross(c, a, point) / area
        wc = cross(a, b, point) / area
        if min(wa, wb, wc) >= -1e-9:
            q = (
                wa * dst[i][0] + wb * dst[j][0] + wc * dst[k][0],
                wa * dst[i][1] + wb * dst[j][1] + wc * dst[k][1],
            )
            return q, layer
    raise AssertionError(f"{point} is not covered by the mesh")


def warp(fit, point):
    """Map an overlay point through the fit's piecewise-affine warp to the frame."""
    return warp_layer(fit, point)[0]


def px(landmarks, name, frame=FRAME):
    lm = landmarks[LANDMARK_INDEX[name]]
    return (lm[0] * frame[0], lm[1] * frame[1])


def on_body(landmarks, name, frame=FRAME):
    """Return where the garment's ``name`` anchor belongs for a pose with both shoulders and hips seen.

    Limb joints are the landmarks. Shoulder anchors (seams) go beyond the
    shoulder joints along the shoulder line and up the torso; hip anchors
    (the garment's sides) beyond the hip joints along the hip line.
    """
    rs, ls = px(landmarks, "right_shoulder", frame), px(landmarks, "left_shoulder", frame)
    rh, lh = px(landmarks, "right_hip", frame), px(landmarks, "left_hip", frame)
    sm, hm = midpoint(rs, ls), midpoint(rh, lh)
    torso = math.dist(sm, hm)
    bw = max(math.dist(rs, ls), torso / TORSO_RATIO)
    up = ((sm[0] - hm[0]) / torso, (sm[1] - hm[1]) / torso)
    if name.endswith("shoulder"):
        p, q = (rs, ls) if name.startswith("right") else (ls, rs)
        return (
            p[0] + (p[0] - q[0]) * SHOULDER_SEAM_OUT + up[0] * SHOULDER_SEAM_UP * bw,
            p[1] + (p[1] - q[1]) * SHOULDER_SEAM_OUT + up[1] * SHOULDER_SEAM_UP * bw,
        )
    if name.endswith("hip"):
        p, q = (rh, lh) if name.startswith("right") else (lh, rh)
        hw = math.dist(rh, lh)
        o = HIP_SIDE_OUT * max(hw, HIP_WIDTH_RATIO * bw) / hw
        return (p[0] + (p[0] - q[0]) * o, p[1] + (p[1] - q[1]) * o)
    return px(landmarks, name, frame)


def anchor_dst(fit, garment, name):
    """Return where the overlay's ``name`` anchor lands in the frame."""
    return warp(fit, garment["anchors"][name])


def midpoint(p, q):
    return ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)


def close(p, q, tol):
    return math.dist(p, q) <= tol


def orientation_stats(fit):
    """Return (share of dst triangles keeping the majority orientation, share with area > 1 px^2)."""
    dst = fit["dst"]
    areas = [cross(dst[i], dst[j], dst[k]) for i, j, k in fit["triangles"]]
    pos = sum(1 for a in areas if a > 0)
    neg = sum(1 for a in areas if a < 0)
    big = sum(1 for a in areas if abs(a) > 2.0)
    return max(pos, neg) / len(areas), big / len(areas), pos >= neg


# --- Topology -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_src_triangles_tile_the_overlay_exactly_once(kind):
    garment = GARMENTS[kind]
    w, h = garment["width"], garment["height"]
    topo = garment_topology(garment)
    src = topo["src"]
    for x, y in src:
        assert 0 <= x <= w and 0 <= y <= h
    total = 0.0
    for i, j, k in topo["triangles"]:
        area = cross(src[i], src[j], src[k]) / 2
        assert area > 0.5, "every src triangle has a positive area"
        total += area
    assert total == pytest.approx(w * h, rel=1e-9)
    # Every sample point (off any edge) lies in exactly one triangle.
    for sx in range(37):
        for sy in range(41):
            p = ((sx + 0.5 + 0.0137 * sy) / 37.5 * w, (sy + 0.5 + 0.0071 * sx) / 41.5 * h)
            inside = 0
            for i, j, k in topo["triangles"]:
                a, b, c = src[i], src[j], src[k]
                if cross(a, b, p) >= 0 and cross(b, c, p) >= 0 and cross(c, a, p) >= 0:
                    inside += 1
            assert inside == 1, f"{p} covered {inside} times"


@pytest.mark.parametrize("kind", KINDS)
def test_topology_and_src_do_not_depend_on_the_pose(kind):
    garment = GARMENTS[kind]
    a = fit_garment(pose(FRAME, (360, 300), 150), *FRAME, garment)
    b = fit_garment(pose(FRAME, (300, 420), 230, tilt_deg=20, arms=(120, 10), legs=(20, -5)), *FRAME, garment)
    topo = garment_topology(garment)
    assert a["src"] == b["src"] == topo["src"]
    assert a["triangles"] == b["triangles"] == topo["triangles"]
    assert a["dst"] != b["dst"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_anchor_is_a_vertex_and_lands_on_its_body_point(kind):
    garment = GARMENTS[kind]
    landmarks = pose(FRAME, (360, 250), 140, arms=(40, 15), legs=(8, 3), tilt_deg=7)
    fit = fit_garment(landmarks, *FRAME, garment)
    assert fit["estimated"] == []
    for name in REQUIRED_ANCHORS[kind]:
        i = fit["src"].index(list(map(float, garment["anchors"][name])))
        assert close(fit["dst"][i], on_body(landmarks, name), 1e-6), name


def test_anchors_sit_on_the_body_outline_not_the_joints():
    """Seams beyond and above the shoulder joints, the garment's sides well beyond the hip joints."""
    garment = GARMENTS["tshirt"]
    landmarks = pose(FRAME, (360, 300), 200)
    fit = fit_garment(landmarks, *FRAME, garment)
    rs, ls = anchor_dst(fit, garment, "right_shoulder"), anchor_dst(fit, garment, "left_shoulder")
    rh, lh = anchor_dst(fit, garment, "right_hip"), anchor_dst(fit, garment, "left_hip")
    sw = math.dist(px(landmarks, "right_shoulder"), px(landmarks, "left_shoulder"))
    assert sw == pytest.approx(200, abs=1e-3)
    assert ls[0] - rs[0] == pytest.approx(1.2 * sw)  # about the biacromial breadth
    assert rs[1] == pytest.approx(px(landmarks, "right_shoulder")[1] - 0.08 * sw)  # on top of the shoulder
    hip_joints = math.dist(px(landmarks, "right_hip"), px(landmarks, "left_hip"))
    assert lh[0] - rh[0] == pytest.approx(1.6 * hip_joints, rel=1e-5)  # about one body width
    assert fit["scale"] == pytest.approx(1.2 * sw)


def test_fit_is_plain_json_with_the_documented_keys():
    fit = fit_garment(pose(FRAME, (360, 300), 150), *FRAME, GARMENTS["tshirt"])
    assert set(fit) == {"kind", "src", "dst", "triangles", "layers", "scale", "estimated"}
    assert json.loads(json.dumps(fit)) == fit
    assert len(fit["src"]) == len(fit["dst"])
    assert len(fit["layers"]) == len(fit["triangles"])
    assert fit["layers"] == sorted(fit["layers"]), "layers are listed back to front"
    assert fit["layers"][-1] > fit["layers"][0], "sleeves lie on a layer above the margins"
    assert fit == fit_garment(pose(FRAME, (360, 300), 150), *FRAME, GARMENTS["tshirt"])


def test_unmeshable_art_is_rejected():
    garment = json.loads(json.dumps(GARMENTS["tshirt"]))
    garment["anchors"]["right_elbow"] = [300, 300]  # an elbow in the middle of the chest
    with pytest.raises(ValueError):
        garment_topology(garment)
    with pytest.raises(ValueError):
        garment_topology({"kind": "cape", "width": 10, "height": 10, "anchors": {}})
    del garment["anchors"]["left_hip"]
    with pytest.raises(ValueError):
        fit_garment(pose(FRAME, (360, 300), 150), *FRAME, garment)


# --- Following the body -------------------------------------------------------------


def test_sleeve_follows_a_raised_arm():
    garment = GARMENTS["tshirt"]
    a = garment["anchors"]
    down = pose(FRAME, (360, 500), 200)
    up = pose(FRAME, (360, 500), 200, arms=(150, 25))
    sleeve_mid = midpoint(a["right_shoulder"], a["right_elbow"])
    for landmarks in (down, up):
        fit = fit_garment(landmarks, *FRAME, garment)
        shoulder, elbow = on_body(landmarks, "right_shoulder"), px(landmarks, "right_elbow")
        bone_mid = ((shoulder[0] + elbow[0]) / 2, (shoulder[1] + elbow[1]) / 2)
        assert close(warp(fit, sleeve_mid), bone_mid, 2.0)
        assert close(anchor_dst(fit, garment, "right_elbow"), elbow, 1e-6)
    fit_up = fit_garment(up, *FRAME, garment)
    assert warp(fit_up, sleeve_mid)[1] < px(up, "right_shoulder")[1] - 50, "the raised sleeve is above the shoulder"
    # The other sleeve and the torso stay where they were.
    fit_down = fit_garment(down, *FRAME, garment)
    chest = (300, 300)
    assert close(warp(fit_up, chest), warp(fit_down, chest), 1e-6)
    left_mid = midpoint(a["left_shoulder"], a["left_elbow"])
    assert close(warp(fit_up, left_mid), warp(fit_down, left_mid), 1e-6)


def test_forearm_follows_a_bent_elbow():
    garment = GARMENTS["longsleeve"]
    a = garment["anchors"]
    landmarks = pose(FRAME, (360, 450), 190, arms=(30, 90), elbows=(90, 60))
    fit = fit_garment(landmarks, *FRAME, garment)
    cuff = a["left_wrist"]
    forearm_mid = ((a["left_elbow"][0] + cuff[0]) / 2, (a["left_elbow"][1] + cuff[1]) / 2)
    elbow, wrist = px(landmarks, "left_elbow"), px(landmarks, "left_wrist")
    assert close(warp(fit, cuff), wrist, 1e-6)
    assert close(warp(fit, forearm_mid), ((elbow[0] + wrist[0]) / 2, (elbow[1] + wrist[1]) / 2), 2.0)


@pytest.mark.parametrize("kind", KINDS)
def test_garment_scales_with_the_body(kind):
    """A shopper twice as close gives the same mesh, twice as large about the same point."""
    garment = GARMENTS[kind]
    center = (360.0, 200.0)
    near = fit_garment(pose(FRAME, center, 220, arms=(35, 20)), *FRAME, garment)
    far = fit_garment(pose(FRAME, center, 110, arms=(35, 20)), *FRAME, garment)
    assert near["scale"] == pytest.approx(2 * far["scale"], rel=1e-4)
    for p, q in zip(near["dst"], far["dst"]):
        assert p[0] - center[0] == pytest.approx(2 * (q[0] - center[0]), abs=0.05)
        assert p[1] - center[1] == pytest.approx(2 * (q[1] - center[1]), abs=0.05)


@pytest.mark.parametrize("kind", KINDS)
def test_garment_turns_with_the_shoulder_line(kind):
    """Tilting the whole body by 15 degrees tilts every mesh point by 15 degrees."""
    garment = GARMENTS[kind]
    center = (360.0, 300.0)
    level = fit_garment(pose(FRAME, center, 150), *FRAME, garment)
    tilted = fit_garment(pose(FRAME, center, 150, tilt_deg=15), *FRAME, garment)
    c, s = math.cos(math.radians(15)), math.sin(math.radians(15))
    for p, q in zip(level["dst"], tilted["dst"]):
        dx, dy = p[0] - center[0], p[1] - center[1]
        assert close((center[0] + c * dx - s * dy, center[1] + s * dx + c * dy), q, 0.05)
    assert level["scale"] == pytest.approx(tilted["scale"], rel=1e-4)


def test_turning_sideways_keeps_the_size():
    garment = GARMENTS["jacket"]
    a = garment["anchors"]
    art_torso = math.dist(midpoint(a["right_shoulder"], a["left_shoulder"]), midpoint(a["right_hip"], a["left_hip"]))
    art_sw = math.dist(a["right_shoulder"], a["left_shoulder"])
    frontal = fit_garment(pose(FRAME, (360, 300), 180), *FRAME, garment)
    turned = fit_garment(pose(FRAME, (360, 300), 180, turn=0.5), *FRAME, garment)
    # The torso length (seams to hip sides: 1.4 + 0.08 shoulder widths)
    # takes over from the halved shoulder width.
    body_torso = (TORSO_RATIO + SHOULDER_SEAM_UP) * 180
    assert turned["scale"] == pytest.approx(body_torso / art_torso * art_sw, rel=1e-6)
    assert turned["scale"] > 0.85 * frontal["scale"]
    # ...but the shoulders narrow with the turn, seams and all.
    seams = lambda f: math.dist(anchor_dst(f, garment, "right_shoulder"), anchor_dst(f, garment, "left_shoulder"))  # noqa: E731
    assert seams(turned) == pytest.approx(0.5 * seams(frontal), rel=1e-6)


def test_torso_tapers_and_skews_with_the_hips():
    garment = GARMENTS["tshirt"]
    landmarks = pose(FRAME, (360, 300), 200, offsets={"left_hip": (40, 0), "right_hip": (40, 0)})
    fit = fit_garment(landmarks, *FRAME, garment)
    assert close(anchor_dst(fit, garment, "left_hip"), on_body(landmarks, "left_hip"), 1e-6)
    assert close(anchor_dst(fit, garment, "right_shoulder"), on_body(landmarks, "right_shoulder"), 1e-6)
    waist = warp(fit, (300, 460))  # the hem's middle follows the shifted hips
    assert waist[0] == pytest.approx(360 + 40, abs=1e-3)


def test_mirrored_pose_mirrors_the_garment_consistently():
    garment = GARMENTS["tshirt"]
    landmarks = pose(FRAME, (360, 300), 180, mirrored=True, arms=(40, 30))
    fit = fit_garment(landmarks, *FRAME, garment)
    keep, big, positive = orientation_stats(fit)
    # Every triangle mirrored but a few underarm margins, folded because the
    # arms hang closer to the body than the art's A-pose.
    assert not positive and keep >= 0.93
    for name in ("left_elbow", "right_elbow", "left_shoulder", "right_hip"):
        assert close(anchor_dst(fit, garment, name), on_body(landmarks, name), 1e-6)
    assert px(landmarks, "left_elbow")[0] < 360  # the wearer's left is on the image's left


@pytest.mark.parametrize(
    "kind, options",
    [
        ("tshirt", {}),
        ("longsleeve", {"tilt_deg": 8, "arms": (35, 20)}),
        ("jacket", {"turn": 0.7}),
        ("dress", {"legs": (-5, 15)}),
        ("trousers", {"legs": (10, 0), "knees": (-10, 5)}),
        ("skirt", {"tilt_deg": -6}),
    ],
)
def test_dst_triangles_are_mostly_sound_for_normal_poses(kind, options):
    fit = fit_garment(pose(FRAME, (360, 260), 150, **options), *FRAME, GARMENTS[kind])
    keep, big, positive = orientation_stats(fit)
    assert positive
    # Arms hanging closer to the body than the art's A-pose fold a few
    # underarm margin triangles (painted first, under everything).
    assert keep >= 0.9
    assert big >= 0.95


def test_raised_arm_folds_only_a_few_margin_triangles():
    fit = fit_garment(pose(FRAME, (360, 500), 200, arms=(150, 25)), *FRAME, GARMENTS["tshirt"])
    keep, big, positive = orientation_stats(fit)
    # The underarm gussets and the margins beside them fold: under the raised
    # arm as it sweeps up, under the other where it hangs a little further in
    # than the art's (a short sleeve's gusset folds onto the torso). They are
    # painted first, under everything; of the rest at most the shoulder cap's
    # corner folds.
    dst = fit["dst"]
    folded = [layer for (i, j, k), layer in zip(fit["triangles"], fit["layers"]) if cross(dst[i], dst[j], dst[k]) < 0]
    assert positive and keep >= 0.85
    assert sum(1 for layer in folded if layer != 0) <= 1, folded


# --- Hidden joints ------------------------------------------------------------------


def test_estimated_hips_hang_below_the_shoulders():
    garment = GARMENTS["tshirt"]
    hidden = {"right_hip": 0.1, "left_hip": 0.2, "right_knee": 0.1, "left_knee": 0.1}
    for tilt in (0.0, 20.0):
        landmarks = pose(FRAME, (360, 900), 400, tilt_deg=tilt, visibility=hidden)
        fit = fit_garment(landmarks, *FRAME, garment)
        assert {"left_hip", "right_hip"} <= set(fit["estimated"])
        rs, ls = px(landmarks, "right_shoulder"), px(landmarks, "left_shoulder")
        sw = math.dist(rs, ls)
        mid = ((rs[0] + ls[0]) / 2, (rs[1] + ls[1]) / 2)
        rh, lh = anchor_dst(fit, garment, "right_hip"), anchor_dst(fit, garment, "left_hip")
        hip_mid = ((rh[0] + lh[0]) / 2, (rh[1] + lh[1]) / 2)
        drop = (hip_mid[0] - mid[0], hip_mid[1] - mid[1])
        # The hip joints hang 1.4 shoulder widths below the shoulder joints.
        assert math.hypot(*drop) == pytest.approx(1.4 * sw, rel=1e-6)
        assert drop[1] > 0, "below the shoulders"
        # Perpendicular to the shoulder line.
        assert abs(drop[0] * (ls[0] - rs[0]) + drop[1] * (ls[1] - rs[1])) < 1e-6 * sw * sw
        # The garment's sides: the estimated joints (0.6 shoulder widths apart), pushed out.
        assert math.dist(rh, lh) == pytest.approx(0.6 * sw * (1 + 2 * HIP_SIDE_OUT), rel=1e-6)
        assert fit["scale"] == pytest.approx(sw * (1 + 2 * SHOULDER_SEAM_OUT))


def test_hips_below_the_frame_are_estimated_even_if_reported_visible():
    garment = GARMENTS["tshirt"]
    landmarks = pose(FRAME, (360, 1000), 400, visibility={"right_hip": 0.9, "left_hip": 0.9})
    assert landmarks[LANDMARK_INDEX["right_hip"]][1] > 1.1
    fit = fit_garment(landmarks, *FRAME, garment)
    assert {"left_hip", "right_hip"} <= set(fit["estimated"])


def test_one_visible_hip_keeps_its_place():
    garment = GARMENTS["dress"]
    landmarks = pose(FRAME, (360, 300), 160, visibility={"left_hip": 0.1})
    fit = fit_garment(landmarks, *FRAME, garment)
    assert fit["estimated"] == ["left_hip"]
    # The seen hip keeps its place: its side is pushed out along the shoulder
    # line (the estimated partner sits parallel to it) by 0.3 hip widths.
    rh = px(landmarks, "right_hip")
    sw = math.dist(px(landmarks, "right_shoulder"), px(landmarks, "left_shoulder"))
    side = (rh[0] - HIP_SIDE_OUT * HIP_WIDTH_RATIO * sw, rh[1])
    assert close(anchor_dst(fit, garment, "right_hip"), side, 1e-6)


def test_low_visibility_elbows_hang_at_the_art_angle():
    garment = GARMENTS["longsleeve"]
    a = garment["anchors"]
    hidden = {"right_elbow": 0.2, "left_elbow": 0.1, "right_wrist": 0.1, "left_wrist": 0.1}
    landmarks = pose(FRAME, (360, 400), 200, tilt_deg=10, visibility=hidden, arms=(90, 90))
    fit = fit_garment(landmarks, *FRAME, garment)
    assert fit["estimated"] == ["left_elbow", "left_wrist", "right_elbow", "right_wrist"]

    def angle(p, q, r, s):
        """Angle of vector r->s relative to vector p->q."""
        return math.atan2(s[1] - r[1], s[0] - r[0]) - math.atan2(q[1] - p[1], q[0] - p[0])

    # Measured from the seams, where the art's shoulder anchors go.
    rs, ls = on_body(landmarks, "right_shoulder"), on_body(landmarks, "left_shoulder")
    elbow = anchor_dst(fit, garment, "right_elbow")
    art = angle(a["right_shoulder"], a["left_shoulder"], a["right_shoulder"], a["right_elbow"])
    assert angle(rs, ls, rs, elbow) == pytest.approx(art, abs=1e-9)
    art_len = math.dist(a["right_shoulder"], a["right_elbow"]) / math.dist(a["right_shoulder"], a["left_shoulder"])
    assert math.dist(rs, elbow) == pytest.approx(art_len * math.dist(rs, ls))


def test_lower_garments_use_the_shoulders_when_the_hips_are_hidden():
    hidden = {"right_hip": 0.1, "left_hip": 0.1}
    landmarks = pose(FRAME, (360, 200), 150, visibility=hidden)
    for kind in ("trousers", "skirt"):
        fit = fit_garment(landmarks, *FRAME, GARMENTS[kind])
        assert "left_hip" in fit["estimated"] and "right_hip" in fit["estimated"]
        # The body's width at the hips: the estimated joints, pushed out.
        assert fit["scale"] == pytest.approx(0.6 * 150 * (1 + 2 * HIP_SIDE_OUT), rel=1e-4)
    no_shoulders = dict(hidden, right_shoulder=0.1, left_shoulder=0.1)
    assert fit_garment(pose(FRAME, (360, 200), 150, visibility=no_shoulders), *FRAME, GARMENTS["skirt"]) is None


def test_tops_need_the_shoulders_but_nothing_else():
    everything_else = {name: 0.0 for name in LANDMARK_INDEX if "shoulder" not in name}
    landmarks = pose(FRAME, (360, 300), 150, visibility=everything_else)
    for kind in ("tshirt", "longsleeve", "jacket", "dress"):
        fit = fit_garment(landmarks, *FRAME, GARMENTS[kind])
        assert fit is not None
        assert set(fit["estimated"]) == {n for n in REQUIRED_ANCHORS[kind] if "shoulder" not in n}
        # Without a nose or hips, the body hangs down the image.
        assert anchor_dst(fit, GARMENTS[kind], "right_hip")[1] > px(landmarks, "right_shoulder")[1]
    hidden = pose(FRAME, (360, 300), 150, visibility={"left_shoulder": 0.3})
    assert fit_garment(hidden, *FRAME, GARMENTS["tshirt"]) is None
    assert fit_garment(None, *FRAME, GARMENTS["tshirt"]) is None


# --- Cuffs --------------------------------------------------------------------------


def slanted_cuff(garment, side, slant_deg=40.0, half_width=0.15):
    """Return art points of a cuff past the wrist row, its hem slanted by ``slant_deg``.

    The wrist anchor is the hem's centre (as onboarding puts it); the hem is
    ``half_width`` art shoulder widths to each side, turned from square to the
    forearm so that its outer corner lies past the wrist row. Return
    ``(points, hw, reach)``: the points between the wrist row and the hem,
    the hem's half width and how far its corner lies past the row (art px).
    """
    a = garment["anchors"]
    e, w = a[side + "_elbow"], a[side + "_wrist"]
    length = math.dist(e, w)
    fa = ((w[0] - e[0]) / length, (w[1] - e[1]) / length)
    nf = (-fa[1], fa[0])
    hw = half_width * math.dist(a["right_shoulder"], a["left_shoulder"])
    slope = math.tan(math.radians(slant_deg))
    points = []
    for i in range(-10, 11):
        s = hw * i / 10
        for j in range(1, 6):
            r = s * slope * j / 5  # up to the hem, past the wrist row where s * slope > 0
            if r > 0:
                points.append((w[0] + nf[0] * s + fa[0] * r, w[1] + nf[1] * s + fa[1] * r))
    return points, hw, hw * slope


@pytest.mark.parametrize("kind", ["longsleeve", "longsleeve_tight", "jacket", "jacket_cropped_cuffs"])
@pytest.mark.parametrize(
    "options",
    [{}, {"arms": (3.0, 5.0), "elbows": (0.0, 0.0)}, {"arms": (150.0, 60.0), "elbows": (10.0, 80.0)}, {"tilt_deg": 20}],
)
def test_a_slanted_cuff_ends_at_the_wrist(kind, options):
    """Art past the wrist row (a slanted cuff's corner) stays at the wrist, on the forearm's line.

    It used to be meshed with the side margin, attached to the outline, and was
    stretched into spikes sideways past the wrists whenever the arm did not hang
    as in the art.
    """
    garment = GARMENTS[kind]
    a = garment["anchors"]
    landmarks = pose(FRAME, (360, 380), 190, **options)
    fit = fit_garment(landmarks, *FRAME, garment)
    k = fit["scale"] / math.dist(a["right_shoulder"], a["left_shoulder"])
    for side in ("right", "left"):
        if kind == "jacket_cropped_cuffs" and side == "right":
            continue  # the wrist at the overlay's border leaves no room for the cuff row
        points, hw, reach = slanted_cuff(garment, side)
        e, w = px(landmarks, side + "_elbow"), px(landmarks, side + "_wrist")
        stretch = math.dist(e, w) / math.dist(a[side + "_elbow"], a[side + "_wrist"])
        length = math.dist(e, w)
        fa = ((w[0] - e[0]) / length, (w[1] - e[1]) / length)
        worst_across = worst_along = 0.0
        for p in points:
            q = warp(fit, p)
            d = (q[0] - w[0], q[1] - w[1])
            worst_along = max(worst_along, d[0] * fa[0] + d[1] * fa[1])
            worst_across = max(worst_across, abs(d[0] * -fa[1] + d[1] * fa[0]))
        # Across: the hem's half width at body scale; along: its corner's reach,
        # the cuff row stretching with the forearm (or, near the rails, scaling with the body).
        assert worst_across <= 1.1 * hw * k + 1.0, (side, worst_across, hw * k)
        assert worst_along <= 1.1 * reach * max(k, stretch) + 1.0, (side, worst_along, reach * max(k, stretch))


def test_cuff_rows_stay_inside_the_overlay_or_are_left_out():
    """A wrist near the overlay's side shortens its cuff row; one on the border has none."""
    garment = GARMENTS["jacket_cropped_cuffs"]
    full = garment_topology(GARMENTS["jacket"])
    cropped = garment_topology(garment)
    w, h = garment["width"], garment["height"]
    assert len(cropped["src"]) == len(full["src"]) - 3, "one cuff row (3 vertices) left out"
    for x, y in cropped["src"]:
        assert 0 <= x <= w and 0 <= y <= h
    total = sum(cross(cropped["src"][i], cropped["src"][j], cropped["src"][t]) for i, j, t in cropped["triangles"])
    assert total / 2 == pytest.approx(w * h, rel=1e-9)
    # The left cuff row reaches the overlay's right side (inset by a pixel), short of its full length.
    assert max(x for x, _ in cropped["src"] if x < w) == pytest.approx(w - 1.0)


# --- Short sleeves ------------------------------------------------------------------


def short_sleeve_art(garment, side, hem, spread=0.5, steps=24):
    """Return art points of a short sleeve: beside the torso, down the upper arm to the hem.

    The points lie beyond the torso's side line (shoulder anchor to hip
    anchor), between the shoulder seam and a hem square to the arm ``hem`` of
    the way to the elbow anchor, and up to ``spread`` art shoulder widths to
    either side of the arm's axis: the sleeve with its underside, which in a
    flat-lay reaches in to the torso's side under the arm.
    """
    a = garment["anchors"]
    s, e, h = a[side + "_shoulder"], a[side + "_elbow"], a[side + "_hip"]
    length = math.dist(s, e)
    ua = ((e[0] - s[0]) / length, (e[1] - s[1]) / length)
    across = spread * math.dist(a["right_shoulder"], a["left_shoulder"])
    beside = cross(s, h, e) > 0
    points = []
    for i in range(steps + 1):
        along = hem * length * i / steps
        for j in range(-steps, steps + 1):
            off = across * j / steps
            p = (s[0] + ua[0] * along - ua[1] * off, s[1] + ua[1] * along + ua[0] * off)
            inside = 0 < p[0] < garment["width"] and 0 < p[1] < garment["height"]
            if inside and (cross(s, h, p) > 1e-6 if beside else cross(s, h, p) < -1e-6):
                points.append(p)
    return points


# Sleeves hanging 7 degrees from vertical, cropped 30 px beside the elbows.
SHORT_SLEEVE_ARTS = dict(
    GARMENTS,
    tshirt_steepest_sleeves_cropped={
        "kind": "tshirt",
        "width": 450,
        "height": 620,
        "anchors": {
            "right_shoulder": [65, 95],
            "left_shoulder": [385, 95],
            "right_hip": [65, 495],
            "left_hip": [385, 495],
            "right_elbow": [30, 365],
            "left_elbow": [420, 365],
        },
    },
)


@pytest.mark.parametrize(
    "kind, hem",
    [
        ("tshirt", 0.5),
        ("tshirt_hanging_sleeves", 0.75),
        ("tshirt_steep_sleeves", 0.75),
        ("tshirt_steepest_sleeves", 0.75),
        ("tshirt_steepest_sleeves_cropped", 0.75),
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        {"arms": (0.0, 0.0), "elbows": (0.0, 0.0)},
        {"arms": (8.0, 8.0)},
        {"arms": (-10.0, -10.0), "elbows": (0.0, 0.0)},
        {"arms": (45.0, 45.0)},
    ],
)
def test_a_short_sleeve_is_not_drawn_down_the_arm_past_its_hem(kind, hem, options):
    """A short sleeve's art, its underside too, is drawn no further down the arm than its hem.

    Unless it is hidden: in a layer under the body's, over the torso. With the
    arms hanging down (or in toward the body, or out at 45 degrees), the art
    under a flat-lay sleeve near the armpit used to stay bound to the torso (a
    side panel, a strip rooted at the armpit) while the sleeve swung in with the
    arm, and was drawn on the body's side below the sleeve: a second piece of
    sleeve under the real one, or its inner half drawn out to a point.
    """
    garment = SHORT_SLEEVE_ARTS[kind]
    landmarks = pose(FRAME, (360, 380), 190, **options)
    fit = fit_garment(landmarks, *FRAME, garment)
    torso = [anchor_dst(fit, garment, n) for n in ("right_shoulder", "left_shoulder", "left_hip", "right_hip")]

    def over_torso(q):
        sides = [cross(torso[i], torso[(i + 1) % 4], q) for i in range(4)]
        return all(c > 0 for c in sides) or all(c < 0 for c in sides)

    body_layer = 2  # "layers": 0 margin, 1 short-sleeve end, 2 body, 3 limb
    for side in ("right", "left"):
        s, e = anchor_dst(fit, garment, side + "_shoulder"), anchor_dst(fit, garment, side + "_elbow")
        length = math.dist(s, e)
        ua = ((e[0] - s[0]) / length, (e[1] - s[1]) / length)
        points = short_sleeve_art(garment, side, hem)
        assert len(points) > 200
        worst = 0.0
        for p in points:
            q, layer = warp_layer(fit, p)
            if layer < body_layer and over_torso(q):
                continue
            worst = max(worst, ((q[0] - s[0]) * ua[0] + (q[1] - s[1]) * ua[1]) / length)
        assert worst <= hem + 0.1, (side, round(worst, 3), hem)
