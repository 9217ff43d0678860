"""Tests for tryon.render: piecewise-affine garment compositing and occlusion."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from tryon import render

OW, OH = 600, 700  # synthetic overlay size (width, height)
FW, FH = 640, 480  # frame size


# ---------------------------------------------------------------- helpers


def make_overlay(colour=(40, 90, 200), blur=True) -> np.ndarray:
    """Return a 700x600 RGBA overlay: a textured ellipse on a transparent border."""
    ov = np.zeros((OH, OW, 4), np.uint8)
    yy, xx = np.mgrid[0:OH, 0:OW]
    ov[..., 0] = colour[0]
    ov[..., 1] = (colour[1] + 60 * np.sin(xx / 17.0)).clip(0, 255).astype(np.uint8)
    ov[..., 2] = (colour[2] * (0.6 + 0.4 * yy / OH)).astype(np.uint8)
    alpha = np.zeros((OH, OW), np.uint8)
    cv2.ellipse(alpha, (OW // 2, OH // 2), (OW // 2 - 60, OH // 2 - 60), 0, 0, 360, 255, -1)
    cv2.rectangle(alpha, (150, 200), (450, 260), 128, -1)  # semi-transparent band
    if blur:
        alpha = cv2.GaussianBlur(alpha, (0, 0), 3)
    ov[..., 3] = alpha
    ov[:20] = 0
    ov[-20:] = 0
    ov[:, :20] = 0
    ov[:, -20:] = 0
    return ov


def uniform_overlay(colour, alpha=255) -> np.ndarray:
    """Return an overlay of one colour and alpha everywhere."""
    ov = np.empty((OH, OW, 4), np.uint8)
    ov[...] = (*colour, alpha)
    return ov


def grid_mesh(transform, nx=2, ny=2, kind="tshirt") -> dict:
    """Return a mesh of an nx x ny quad grid over the overlay, dst = transform(src)."""
    us = np.linspace(0, OW - 1, nx + 1)
    vs = np.linspace(0, OH - 1, ny + 1)
    src = np.array([[u, v] for v in vs for u in us], float)
    dst = np.array([transform(p) for p in src], float)
    tris = []
    for r in range(ny):
        for c in range(nx):
            i = r * (nx + 1) + c
            j = i + nx + 1
            if (r + c) % 2:
                tris += [[i, i + 1, j], [i + 1, j + 1, j]]
            else:
                tris += [[i, i + 1, j + 1], [i, j + 1, j]]
    return {
        "kind": kind,
        "src": src.tolist(),
        "dst": dst.tolist(),
        "triangles": tris,
        "scale": 200.0,
        "estimated": [],
    }


def similarity(scale, angle_deg, tx, ty) -> np.ndarray:
    """Return the 2x3 similarity matrix rotating about the overlay centre."""
    a = np.deg2rad(angle_deg)
    c, s = scale * np.cos(a), scale * np.sin(a)
    cx, cy = (OW - 1) / 2, (OH - 1) / 2
    return np.array([[c, -s, tx - c * cx + s * cy], [s, c, ty - s * cx - c * cy]])


def apply(m: np.ndarray):
    """Return a point transform for the 2x3 matrix ``m``."""
    return lambda p: m[:, :2] @ p + m[:, 2]


def shear_bend(p):
    """Map overlay points non-affinely: a scale, a bend and a y-dependent shear."""
    u, v = p
    x = 180 + 0.45 * u + 40 * np.sin(v / OH * np.pi) + 0.0002 * (u - 300) * (v - 350)
    y = 80 + 0.45 * v + 0.08 * u + 25 * (u / OW) ** 2
    return np.array([x, y])


def reference(frame, overlay, m) -> np.ndarray:
    """Composite with a full-frame float warpAffine of the premultiplied overlay."""
    ov = overlay.astype(np.float32)
    prem = np.dstack([ov[..., :3] * ov[..., 3:] / 255.0, ov[..., 3]])
    warped = cv2.warpAffine(
        prem,
        m.astype(np.float64),
        (frame.shape[1], frame.shape[0]),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    a = warped[..., 3:] / 255.0
    out = warped[..., :3] + frame.astype(np.float32) * (1.0 - a)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def noise_frame(seed=0) -> np.ndarray:
    """Return a random uint8 640x480 BGR frame."""
    return np.random.default_rng(seed).integers(0, 256, (FH, FW, 3), dtype=np.uint8)


def tri_masks(mesh, shape, erode=0):
    """Yield (triangle index, uint8 mask of its dst interior eroded by ``erode`` px)."""
    dst = np.array(mesh["dst"])
    for t, tri in enumerate(mesh["triangles"]):
        m = np.zeros(shape, np.uint8)
        cv2.fillConvexPoly(m, np.round(dst[tri] * 16).astype(np.int32), 255, cv2.LINE_8, 4)
        if erode:
            m = cv2.erode(m, np.ones((2 * erode + 1, 2 * erode + 1), np.uint8))
        yield t, m


def polygon_mask(mesh, shape, erode=0):
    """Return the union of the mesh's dst triangles, eroded by ``erode`` px."""
    out = np.zeros(shape, np.uint8)
    for _, m in tri_masks(mesh, shape):
        out |= m
    if erode:
        out = cv2.erode(out, np.ones((2 * erode + 1, 2 * erode + 1), np.uint8))
    return out


def diff(a, b) -> np.ndarray:
    """Return the absolute per-element difference as int."""
    return np.abs(a.astype(int) - b.astype(int))


# -------------------------------------------------------------- composite


def test_affine_mesh_matches_full_warp_reference():
    ov = make_overlay()
    m = similarity(0.8, 12, 320, 240)  # above 1/sqrt(2): the full-size art is sampled, like the reference
    mesh = grid_mesh(apply(m))
    frame = noise_frame()
    expected = reference(frame, ov, m)
    out = render.composite(frame.copy(), ov, mesh, shading=False)  # the warp alone: a noise frame would shade it
    d = diff(out, expected)
    assert d.max() <= 3
    assert d.mean() < 0.05


def test_composite_is_in_place_and_returns_frame():
    ov = make_overlay()
    frame = noise_frame()
    out = render.composite(frame, ov, grid_mesh(apply(similarity(0.5, 0, 320, 240))))
    assert out is frame
    assert not np.array_equal(frame, noise_frame())


def test_non_affine_mesh_is_affine_per_triangle():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend, nx=3, ny=4)
    frame = noise_frame(1)
    out = render.composite(frame.copy(), ov, mesh, shading=False)  # the warp alone: a noise frame would shade it
    src, dst = np.array(mesh["src"]), np.array(mesh["dst"])
    checked = 0
    for t, inside in tri_masks(mesh, (FH, FW), erode=2):
        tri = mesh["triangles"][t]
        m = cv2.getAffineTransform(src[tri].astype(np.float32), dst[tri].astype(np.float32))
        expected = reference(frame, ov, m)
        sel = inside > 0
        d = diff(out[sel], expected[sel])
        # Bilinear weights are quantised to 1/32 px by OpenCV in both paths.
        assert d.max() <= 5 and d.mean() < 0.3, t
        checked += sel.sum()
    assert checked > 20000


def test_only_destination_bbox_changes():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend, nx=3, ny=4)
    frame = noise_frame(2)
    out = render.composite(frame.copy(), ov, mesh)
    ys, xs = np.nonzero((out != frame).any(axis=2))
    dst = np.array(mesh["dst"])
    assert len(xs) > 0
    assert xs.min() >= np.floor(dst[:, 0].min()) and xs.max() <= np.ceil(dst[:, 0].max())
    assert ys.min() >= np.floor(dst[:, 1].min()) and ys.max() <= np.ceil(dst[:, 1].max())


@pytest.mark.parametrize("alpha", [255, 128])
def test_no_seams_between_triangles(alpha):
    # A uniform overlay over a uniform frame must give one uniform value inside
    # the dst polygon: a gap would show the frame, a double blend another value.
    colour = (10, 200, 90)
    ov = uniform_overlay(colour, alpha)
    mesh = grid_mesh(shear_bend, nx=5, ny=6)
    frame = np.full((FH, FW, 3), (200, 30, 120), np.uint8)
    out = render.composite(frame.copy(), ov, mesh)
    inside = polygon_mask(mesh, (FH, FW), erode=2) > 0
    values = np.unique(out[inside].reshape(-1, 3), axis=0)
    assert len(values) == 1
    expected = np.round(
        np.array(colour) * alpha / 255 + np.array((200, 30, 120)) * (255 - alpha) / 255
    )
    assert diff(values[0], expected).max() <= 1


def test_partially_off_frame_destination():
    ov = make_overlay()
    m = similarity(0.9, -20, 40, 420)  # hangs off the left and bottom edges
    mesh = grid_mesh(apply(m))
    dst = np.array(mesh["dst"])
    assert dst[:, 0].min() < 0 and dst[:, 1].max() > FH
    frame = noise_frame(3)
    out = render.composite(frame.copy(), ov, mesh, shading=False)  # the warp alone: a noise frame would shade it
    d = diff(out, reference(frame, ov, m))
    assert d.max() <= 3 and d.mean() < 0.05
    assert (out != frame).any()


def test_wholly_off_frame_destination_leaves_frame():
    ov = make_overlay()
    frame = noise_frame(4)
    mesh = grid_mesh(apply(similarity(0.5, 0, -1000, 240)))
    out = render.composite(frame.copy(), ov, mesh)
    assert np.array_equal(out, frame)
    assert not render.garment_mask(frame.shape, ov, mesh).any()


def test_huge_destination_coordinates():
    ov = uniform_overlay((0, 0, 255))
    mesh = grid_mesh(apply(similarity(5e4, 0, 320, 240)))  # fills the frame
    frame = noise_frame(5)
    out = render.composite(frame.copy(), ov, mesh, shading=False)  # the warp alone: a noise frame would shade it
    assert (out == (0, 0, 255)).all()


def test_degenerate_triangles_are_skipped():
    ov = make_overlay()
    m = similarity(0.5, 8, 320, 240)
    mesh = grid_mesh(apply(m))
    frame = noise_frame(6)
    expected = render.composite(frame.copy(), ov, mesh)
    n = len(mesh["dst"])
    bad = dict(mesh)
    bad["src"] = mesh["src"] + [[10.0, 10.0], [20.0, 20.0], [30.0, 30.0], [300.0, 350.0]]
    bad["dst"] = mesh["dst"] + [[5.0, 5.0], [50.0, 50.0], [100.0, 100.0], mesh["dst"][4]]
    degenerate = [
        [n, n + 1, n + 2],  # collinear
        [0, 0, 1],  # repeated vertex
        [4, n + 3, 4],  # zero-size
        [0, 4, 8],  # diagonal of the grid: a line in dst
    ]
    bad["triangles"] = degenerate + mesh["triangles"] + degenerate
    out = render.composite(frame.copy(), ov, bad)
    assert np.array_equal(out, expected)


def test_sliver_triangle_leaves_no_hole_or_garbage():
    # A vertex a hair off the diagonal of a quad splits it into two large
    # triangles and a sliver; the result must match the plain quad.
    colour = (90, 90, 90)
    ov = uniform_overlay(colour)
    mesh = {
        "kind": "tshirt",
        "src": [[0, 0], [OW - 1, 0], [OW - 1, OH - 1], [0, OH - 1], [200, 450]],
        "dst": [[100, 50], [400, 60], [420, 400], [90, 380], [260.1, 225.0]],
        "triangles": [[0, 1, 2], [0, 4, 3], [4, 2, 3], [0, 2, 4]],  # sliver last
        "scale": 200.0,
        "estimated": [],
    }
    frame = np.full((FH, FW, 3), 250, np.uint8)
    out = render.composite(frame, ov, mesh)
    inside = polygon_mask(mesh, (FH, FW), erode=2) > 0
    assert (out[inside] == colour).all()


def test_mip_level_antialiases_fine_stripes():
    # 1-px black/white stripes drawn at 1/4 size must average out, not alias.
    ov = np.zeros((OH, OW, 4), np.uint8)
    ov[:, ::2, :3] = 255
    ov[..., 3] = 255
    mesh = grid_mesh(apply(similarity(0.25, 0, 320, 240)))
    frame = np.zeros((FH, FW, 3), np.uint8)
    out = render.composite(frame, ov, mesh)
    inside = polygon_mask(mesh, (FH, FW), erode=3) > 0
    values = out[inside][:, 0].astype(float)
    assert abs(values.mean() - 127.5) < 4
    assert values.std() < 6


def test_nearest_mip_level_between_half_and_full_size():
    # At 0.6 of the art's size the nearest level is the half-size one: 1-px stripes (which bilinear
    # sampling of the full-size art would alias into coarse bands) come out as an even grey.
    ov = np.zeros((OH, OW, 4), np.uint8)
    ov[:, ::2, :3] = 255
    ov[..., 3] = 255
    mesh = grid_mesh(apply(similarity(0.6, 0, 320, 240)))
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), ov, mesh)
    values = out[polygon_mask(mesh, (FH, FW), erode=3) > 0][:, 0].astype(float)
    assert abs(values.mean() - 127.5) < 4
    assert values.std() < 6


def test_mip_level_matches_reference_on_smooth_content():
    ov = make_overlay()
    ov = cv2.GaussianBlur(ov, (0, 0), 4)
    m = similarity(0.3, 5, 320, 240)
    frame = noise_frame(7)
    out = render.composite(frame.copy(), ov, grid_mesh(apply(m)))
    d = diff(out, reference(frame, ov, m))
    assert np.percentile(d, 99.9) <= 6
    assert d.mean() < 0.3


def test_rgb_and_bgr_are_both_consistent():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend, nx=3, ny=4)
    frame = noise_frame(8)
    bgr = render.composite(frame.copy(), ov, mesh)
    render.clear_cache()
    rgb = render.composite(
        np.ascontiguousarray(frame[..., ::-1]),
        np.ascontiguousarray(ov[..., [2, 1, 0, 3]]),
        mesh,
    )
    assert np.array_equal(rgb[..., ::-1], bgr)


def test_non_contiguous_frame_view():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend, nx=3, ny=4)
    frame = noise_frame(9)
    expected = render.composite(frame.copy(), ov, mesh)
    flipped = frame[:, ::-1].copy()[:, ::-1]  # a view with negative column step
    render.composite(flipped, ov, mesh)
    assert np.array_equal(flipped, expected)


def test_large_mesh_uses_wide_labels():
    ov = make_overlay()
    m = similarity(0.75, 3, 320, 240)
    mesh = grid_mesh(apply(m), nx=16, ny=12)  # 384 triangles > 255
    frame = noise_frame(10)
    out = render.composite(frame.copy(), ov, mesh, shading=False)  # the warp alone: a noise frame would shade it
    d = diff(out, reference(frame, ov, m))
    assert d.max() <= 3 and d.mean() < 0.05


def test_later_triangles_draw_over_earlier_ones():
    ov = np.zeros((OH, OW, 4), np.uint8)
    ov[:, : OW // 2] = (255, 0, 0, 255)
    ov[:, OW // 2 :] = (0, 0, 255, 255)
    # Two triangles from the two halves mapped onto the same place.
    mesh = {
        "kind": "tshirt",
        "src": [[10, 10], [280, 10], [10, 600], [320, 10], [590, 10], [320, 600]],
        "dst": [[100, 100], [300, 100], [100, 400]] * 2,
        "triangles": [[0, 1, 2], [3, 4, 5]],
        "scale": 200.0,
        "estimated": [],
    }
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), ov, mesh)
    assert (out[150, 150] == (0, 0, 255)).all()


def _body_and_sleeve_overlay():
    """Return an overlay: left half opaque red (a body), right half transparent but for a blue band (a sleeve)."""
    ov = np.zeros((OH, OW, 4), np.uint8)
    ov[:, : OW // 2] = (255, 0, 0, 255)
    ov[300:400, OW // 2 :] = (0, 0, 255, 255)
    ov[500:600, OW // 2 :] = (0, 0, 255, 128)  # a sheer band
    return ov


def _folded_mesh(layers=None):
    """Return a mesh with the overlay's right half (the sleeve) folded over its left half (the body)."""
    mesh = {
        "kind": "longsleeve",
        "src": [[0, 0], [299, 0], [299, 699], [0, 699], [304, 0], [599, 0], [599, 699], [304, 699]],
        "dst": [[100, 50], [400, 50], [400, 450], [100, 450]] * 2,
        "triangles": [[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]],
        "scale": 300.0,
        "estimated": [],
    }
    if layers is not None:
        mesh["layers"] = layers
    return mesh


def test_top_layer_is_composited_over_the_body_not_cut_into_it():
    ov = _body_and_sleeve_overlay()
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), ov, _folded_mesh([2, 2, 3, 3]))
    assert (out[250, 250] == (0, 0, 255)).all(), "the sleeve's art lies over the body"
    # Where the sleeve is transparent the body shows: no hole.
    assert (out[100, 250] == (255, 0, 0)).all()
    assert (out[400, 150] == (255, 0, 0)).all()
    mask = render.garment_mask((FH, FW), ov, _folded_mesh([2, 2, 3, 3]))
    inner = mask[52:448, 102:398]
    assert inner.min() == 255, "no hole anywhere inside the folded garment"
    # A sheer part of the sleeve blends with the body under it.
    sheer = out[365, 250].astype(int)
    assert abs(sheer[0] - 127) <= 2 and sheer[1] == 0 and abs(sheer[2] - 128) <= 2


def test_without_layers_replacing_triangles_still_paint_in_order():
    # One layer: the later triangle replaces the earlier one where it has art...
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), _body_and_sleeve_overlay(), _folded_mesh())
    assert (out[250, 250] == (0, 0, 255)).all()


def test_transparent_triangles_are_not_drawn_over_art():
    ov = np.zeros((OH, OW, 4), np.uint8)
    ov[:, : OW // 2] = (255, 0, 0, 255)  # the right half is wholly transparent
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), ov, _folded_mesh())
    assert (out[100:400:50, 150:350:50] == (255, 0, 0)).all()


# -------------------------------------------------------------- occluders


def test_occluders_keep_frame_pixels():
    ov = make_overlay()
    mesh = grid_mesh(apply(similarity(0.55, 0, 320, 240)))
    frame = noise_frame(11)
    occ = np.zeros((FH, FW), np.uint8)
    occ[200:300, 250:330] = 255
    plain = render.composite(frame.copy(), ov, mesh)
    out = render.composite(frame.copy(), ov, mesh, occluders=occ)
    keep = occ == 255
    assert np.array_equal(out[keep], frame[keep])
    assert np.array_equal(out[~keep], plain[~keep])
    assert not np.array_equal(plain[keep], frame[keep])


def test_empty_occluders_change_nothing():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend)
    frame = noise_frame(12)
    plain = render.composite(frame.copy(), ov, mesh)
    out = render.composite(frame.copy(), ov, mesh, occluders=np.zeros((FH, FW), np.uint8))
    assert np.array_equal(out, plain)


# ------------------------------------------------------------ garment_mask


def test_garment_mask_agrees_with_composite():
    # A white overlay on black: each composited channel equals the alpha, so
    # the mask must be exactly composite >= 128.
    ov = make_overlay()
    ov[..., :3] = 255
    mesh = grid_mesh(shear_bend, nx=3, ny=4)
    out = render.composite(np.zeros((FH, FW, 3), np.uint8), ov, mesh)
    mask = render.garment_mask((FH, FW), ov, mesh)
    assert mask.dtype == np.uint8 and mask.shape == (FH, FW)
    assert set(np.unique(mask)) <= {0, 255}
    assert np.array_equal(mask == 255, out[..., 0] >= 128)
    assert (mask == 255).sum() > 10000


def test_garment_mask_accepts_three_dim_shape():
    ov = make_overlay()
    mesh = grid_mesh(shear_bend)
    a = render.garment_mask((FH, FW, 3), ov, mesh)
    b = render.garment_mask((FH, FW), ov, mesh)
    assert np.array_equal(a, b)


# ------------------------------------------------------------- bad inputs


def _good():
    """Return a valid (frame, overlay, mesh) triple."""
    return noise_frame(), make_overlay(), grid_mesh(apply(similarity(0.5, 0, 320, 240)))


def test_rejects_wrong_frame_dtype_and_shape():
    frame, ov, mesh = _good()
    with pytest.raises(ValueError):
        render.composite(frame.astype(np.float32), ov, mesh)
    with pytest.raises(ValueError):
        render.composite(frame[..., 0].copy(), ov, mesh)
    with pytest.raises(ValueError):
        render.composite(np.dstack([frame, frame[..., :1]]), ov, mesh)
    ro = frame.copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        render.composite(ro, ov, mesh)


def test_rejects_three_channel_or_float_overlay():
    frame, ov, mesh = _good()
    with pytest.raises(ValueError):
        render.composite(frame, np.ascontiguousarray(ov[..., :3]), mesh)
    with pytest.raises(ValueError):
        render.composite(frame, ov.astype(np.float32), mesh)
    with pytest.raises(ValueError):
        render.garment_mask(frame.shape, ov[..., :3], mesh)


def test_rejects_bad_meshes():
    frame, ov, mesh = _good()
    bad = dict(mesh, dst=mesh["dst"][:-1])
    with pytest.raises(ValueError, match="length"):
        render.composite(frame, ov, bad)
    with pytest.raises(ValueError):
        render.composite(frame, ov, dict(mesh, triangles=[[0, 1, 99]]))
    with pytest.raises(ValueError):
        render.composite(frame, ov, dict(mesh, triangles=[[0, 1]]))
    with pytest.raises(ValueError):
        render.composite(frame, ov, dict(mesh, dst=[[float("nan"), 0.0]] * len(mesh["dst"])))
    with pytest.raises(ValueError):
        render.composite(frame, ov, {"src": mesh["src"], "dst": mesh["dst"]})
    with pytest.raises(ValueError):
        render.composite(frame, ov, [mesh])
    with pytest.raises(ValueError):
        render.garment_mask(frame.shape, ov, bad)
    with pytest.raises(ValueError, match="layers"):
        render.composite(frame, ov, dict(mesh, layers=[0]))
    with pytest.raises(ValueError, match="layers"):
        render.composite(frame, ov, dict(mesh, layers=["a"] * len(mesh["triangles"])))


def test_rejects_bad_occluders():
    frame, ov, mesh = _good()
    with pytest.raises(ValueError):
        render.composite(frame, ov, mesh, occluders=np.zeros((FH, FW), bool))
    with pytest.raises(ValueError):
        render.composite(frame, ov, mesh, occluders=np.zeros((FH, FW + 1), np.uint8))


def test_rejects_bad_shape():
    _, ov, mesh = _good()
    for shape in [(0, 10), (10,), "abc", (10, 10, 3, 1)]:
        with pytest.raises(ValueError):
            render.garment_mask(shape, ov, mesh)


# ---------------------------------------------------- arm_occlusion_mask


def pose(points=None) -> list:
    """Return 33 landmarks: a standing person in a 640x480 frame, overridden by ``points``."""
    lm = [(0.0, 0.0, 0.0)] * 33
    base = {
        11: (390, 150),  # left shoulder (wearer's left = image right)
        12: (250, 150),
        13: (420, 240),
        14: (220, 240),
        15: (430, 330),  # wrists hanging beside the hips
        16: (210, 330),
        17: (432, 350),
        18: (208, 350),
        19: (430, 355),
        20: (210, 355),
        21: (425, 345),
        22: (215, 345),
        23: (370, 330),
        24: (270, 330),
        25: (370, 420),
        26: (270, 420),
    }
    base.update(points or {})
    for i, (x, y) in base.items():
        lm[i] = (float(x), float(y), 0.99)
    return lm


def crossed_arm():
    """Return a pose whose right forearm lies across the torso."""
    return pose({16: (350, 260), 18: (370, 262), 20: (372, 258), 22: (365, 250)})


SCALE = 140.0


def test_forearm_across_torso_occludes_tshirt():
    mask = render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind="tshirt", scale=SCALE)
    assert mask.dtype == np.uint8 and mask.shape == (FH, FW)
    assert set(np.unique(mask)) <= {0, 255}
    assert mask[250, 290] == 255  # on the forearm, in front of the torso
    assert mask[260, 365] == 255  # the hand
    assert mask[150, 320] == 0  # the chest above it
    # The capsule radius is about 0.075 * scale.
    r = 0.075 * SCALE
    assert mask[240 + int(r) - 3, 220] == 255 and mask[240 + int(r) + 3, 220] == 0


def test_dress_occluded_like_tshirt():
    a = render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind="dress", scale=SCALE)
    b = render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind="tshirt", scale=SCALE)
    assert np.array_equal(a, b) and a.any()


@pytest.mark.parametrize("kind", ["longsleeve", "jacket"])
def test_long_sleeves_cover_their_forearm(kind):
    mask = render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind=kind, scale=SCALE)
    assert not mask.any()


def test_arms_beside_the_body_do_not_occlude():
    mask = render.arm_occlusion_mask((FH, FW), pose(), garment_kind="tshirt", scale=SCALE)
    assert not mask.any()


def test_invisible_landmarks_are_ignored():
    lm = crossed_arm()
    for i in (14, 16, 18, 20, 22):
        x, y, _ = lm[i]
        lm[i] = (x, y, 0.3)
    mask = render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=SCALE)
    assert not mask.any()


def test_guessed_forearms_do_not_occlude():
    """Hands MediaPipe only guesses (visibility under 0.8) would cut holes where there are none."""
    lm = crossed_arm()
    for i in (14, 16, 18, 20, 22):
        x, y, _ = lm[i]
        lm[i] = (x, y, 0.7)
    assert not render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=SCALE).any()
    lm[14] = (lm[14][0], lm[14][1], 0.85)
    lm[16] = (lm[16][0], lm[16][1], 0.85)
    mask = render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=SCALE)
    assert mask[250, 290] == 255  # the sure forearm still occludes
    assert mask[258, 372] == 0  # the guessed index finger beyond the wrist does not


def test_hips_off_frame_uses_extrapolated_torso():
    lm = crossed_arm()
    for i in (23, 24, 25, 26):
        lm[i] = (lm[i][0], lm[i][1], 0.1)
    mask = render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=SCALE)
    assert mask[250, 290] == 255


def test_person_mask_limits_occlusion():
    person = np.zeros((FH, FW), np.float32)
    person[:, :300] = 0.9
    mask = render.arm_occlusion_mask(
        (FH, FW), crossed_arm(), person, garment_kind="tshirt", scale=SCALE
    )
    assert mask[250, 290] == 255
    assert not mask[:, 300:].any()


def test_occlusion_mask_feeds_composite():
    ov = uniform_overlay((0, 255, 0))
    mesh = grid_mesh(lambda p: np.array([230 + p[0] * 180 / OW, 140 + p[1] * 200 / OH]))
    frame = noise_frame(13)
    occ = render.arm_occlusion_mask(frame.shape, crossed_arm(), garment_kind="tshirt", scale=SCALE)
    out = render.composite(frame.copy(), ov, mesh, occluders=occ, shading=False)  # exact colour: no shading
    assert (out[250, 290] == frame[250, 290]).all()
    assert (out[170, 320] == (0, 255, 0)).all()


def test_arm_mask_rejects_bad_input():
    with pytest.raises(ValueError):
        render.arm_occlusion_mask((FH, FW), crossed_arm()[:20], garment_kind="tshirt", scale=SCALE)
    with pytest.raises(ValueError):
        render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind="poncho", scale=SCALE)
    with pytest.raises(ValueError):
        render.arm_occlusion_mask((FH, FW), crossed_arm(), garment_kind="tshirt", scale=0)
    with pytest.raises(ValueError):
        render.arm_occlusion_mask(
            (FH, FW), crossed_arm(), np.zeros((10, 10)), garment_kind="tshirt", scale=SCALE
        )


def test_arm_mask_tolerates_absurd_coordinates():
    lm = crossed_arm()
    lm[16] = (1e12, -1e12, 0.9)
    mask = render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=1e9)
    assert mask.shape == (FH, FW)


def test_arm_mask_does_not_modify_landmarks():
    lm = np.array(crossed_arm())
    lm[16] = (1e12, 5.0, 0.9)
    before = lm.copy()
    render.arm_occlusion_mask((FH, FW), lm, garment_kind="tshirt", scale=SCALE)
    assert np.array_equal(lm, before)


# ---------------------------------------------------------------- shading


def _box_mesh(x0=230, y0=140, w=200, h=200, scale=200.0) -> dict:
    """Return a grid mesh of the whole overlay onto the frame rectangle (x0, y0, w, h)."""
    mesh = grid_mesh(lambda p: np.array([x0 + p[0] * w / (OW - 1), y0 + p[1] * h / (OH - 1)]))
    mesh["scale"] = scale
    return mesh


def _fold_frame(grey=150, fold=70, x=(300, 312)) -> np.ndarray:
    """Return a flat grey frame with one darker vertical stripe (a fold) at columns ``x``."""
    frame = np.full((FH, FW, 3), grey, np.uint8)
    frame[:, x[0] : x[1]] = fold
    return frame


def test_flat_light_keeps_the_garments_colours():
    frame = np.full((FH, FW, 3), 90, np.uint8)
    for colour in ((255, 255, 255), (20, 20, 20), (200, 30, 40), (60, 140, 220)):
        ov = uniform_overlay(colour)
        out = render.composite(frame.copy(), ov, _box_mesh())
        inside = polygon_mask(_box_mesh(), (FH, FW), erode=2) > 0
        assert diff(out[inside], np.array(colour)).max() <= 1, colour


def test_a_fold_under_a_white_garment_darkens_it_there():
    frame = _fold_frame()
    out = render.composite(frame.copy(), uniform_overlay((255, 255, 255)), _box_mesh())
    row = out[240, 235:425].astype(int).mean(axis=1)  # across the garment, through the fold
    darkest = 235 + int(np.argmin(row))
    assert 300 - 4 <= darkest <= 312 + 4  # where the fold is, within the shading cell (4 px here)
    assert row.min() < 255 - 40  # visibly darker: about (78 / 158) ** 0.6 of white
    # Away from the fold the white stays white: S never brightens, flat light leaves it alone.
    assert (out[240, 240:285] >= 253).all() and (out[240, 330:420] >= 253).all()
    # The fold runs down the whole garment.
    assert (out[150:330, 306].astype(int).mean(axis=1) < 215).all()
    flat = render.composite(frame.copy(), uniform_overlay((255, 255, 255)), _box_mesh(), shading=False)
    assert (flat[145:335, 235:425] == 255).all()


def test_shading_keeps_a_red_garment_red():
    frame = _fold_frame(grey=140, fold=60)
    colour = (220, 20, 30)  # RGB; the renderer never converts colours, so order does not matter
    out = render.composite(frame.copy(), uniform_overlay(colour), _box_mesh())
    fold, flat = out[240, 306].astype(float), out[240, 380].astype(float)
    assert fold[0] < flat[0] - 30  # darker in the fold
    hsv = cv2.cvtColor(np.array([[fold, flat]], np.uint8), cv2.COLOR_RGB2HSV_FULL)[0].astype(int)
    hue_fold, hue_flat = hsv[:, 0]
    assert min(abs(hue_fold - hue_flat), 256 - abs(hue_fold - hue_flat)) <= 3  # same hue
    assert hsv[0, 1] >= hsv[1, 1] - 8  # as saturated: the grey fold is not mixed in
    assert np.allclose(fold / fold[0], np.array(colour) / colour[0], atol=0.03)  # channels in proportion


def test_shading_never_touches_alpha():
    # A black garment at half alpha: S multiplies its colour (zero), so the share of the frame
    # that shows through, and hence the result, is the same shaded or not.
    frame = _fold_frame()
    ov = uniform_overlay((0, 0, 0), alpha=128)
    shaded = render.composite(frame.copy(), ov, _box_mesh())
    flat = render.composite(frame.copy(), ov, _box_mesh(), shading=False)
    assert np.array_equal(shaded, flat)


def test_shading_map_follows_the_formula():
    params = render.shading_params()
    frame = _fold_frame(grey=150, fold=100)
    s8 = render.shading_map(frame, (230, 140, 200, 200), 100.0)
    assert s8.shape == (200, 200) and s8.dtype == np.uint8
    cell, radius = params.grid(100.0)
    assert (cell, radius) == (4, 3)  # 100 / 24 px rounded to a power of two; 0.12 * 100 / 4 cells
    # The fold covers cells 75-77 wholly (L = 100). The flat grey around (L = 150) is less than
    # `alike` brighter ((150 + eps) / (100 + eps) = 1.3) and of the same (grey) chromaticity, and
    # the base is not dark, so nothing fades the shading; the base is the mean of the 7 x 7
    # cells around (3 columns of fold, 4 of grey):
    assert (150 + params.eps) / (100 + params.eps) < params.alike and 100 > params.dark_full
    base = (3 * 100 + 4 * 150) / 7
    expected = round(255 * min(1.0, (100 + params.eps) / (base + params.eps)) ** params.strength)
    # Pixels 302-309 are enlarged from fold cells only (pixel p samples cell (p + 0.5) / 4 - 0.5).
    assert np.abs(s8[:, 302 - 230 : 310 - 230].astype(int) - expected).max() <= 1
    assert (s8[:, :60] == 255).all() and (s8[:, 90:] == 255).all()  # flat light: S = 1
    # Strength 0 is no shading at all.
    none = dataclasses.replace(params, strength=0.0)
    assert (render.shading_map(frame, (230, 140, 200, 200), 100.0, none) == 255).all()
    with pytest.raises(ValueError):
        render.shading_map(frame, (600, 0, 100, 10), 200.0)
    with pytest.raises(ValueError):
        render.shading_map(frame, (0, 0, 10, 10), 0.0)


def test_shading_is_the_same_for_bgr_and_rgb_frames():
    rng = np.random.default_rng(7)
    frame = cv2.GaussianBlur(rng.integers(0, 256, (FH, FW, 3), dtype=np.uint8), (0, 0), 6)
    a = render.shading_map(frame, (100, 50, 300, 300), 150.0)
    b = render.shading_map(np.ascontiguousarray(frame[..., ::-1]), (100, 50, 300, 300), 150.0)
    assert np.array_equal(a, b)


def test_a_mesh_without_a_scale_is_drawn_flat():
    frame = _fold_frame()
    mesh = _box_mesh()
    del mesh["scale"]
    out = render.composite(frame.copy(), uniform_overlay((255, 255, 255)), mesh)
    assert (out[145:335, 235:425] == 255).all()
