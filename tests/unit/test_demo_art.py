"""Tests for catalog.demo_art, the procedural demo-store garment art (no Django needed)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from catalog import demo_art  # noqa: E402
from tryon import garments  # noqa: E402

SPECS = demo_art.DEMO_GARMENTS


IDS = [spec.slug for spec in SPECS]


@pytest.fixture(scope="module")
def rendered():
    """Render every overlay once for the whole module."""
    return {spec.slug: demo_art.render_overlay(spec) for spec in SPECS}


def _torso_centre(spec, anchors):
    """Return a point that must be solid fabric for this kind of garment."""
    if spec.kind in garments.TOP_KINDS:
        pts = [anchors[k] for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    else:
        pts = [anchors[k] for k in ("left_hip", "right_hip", "left_knee", "right_knee")]
        # halfway from the hips to the knees falls between trouser legs: use the upper thigh
        hips = [anchors["left_hip"], anchors["right_hip"]]
        knees = [anchors["left_knee"], anchors["right_knee"]]
        x = (hips[0][0] + hips[1][0]) / 2
        y = (hips[0][1] + hips[1][1]) / 2
        if spec.kind == garments.TROUSERS:
            x = (hips[1][0] + knees[1][0]) / 2  # inside the wearer's left leg
            y = (hips[1][1] + knees[1][1]) / 2
        return int(round(x)), int(round(y))
    return int(round(np.mean([p[0] for p in pts]))), int(round(np.mean([p[1] for p in pts])))


def test_catalogue_size_and_spread():
    kinds = {spec.kind for spec in SPECS}
    assert len(SPECS) >= 12
    assert kinds == set(garments.REQUIRED_ANCHORS)
    per_kind = {k: sum(spec.kind == k for spec in SPECS) for k in kinds}
    assert sum(n >= 2 for n in per_kind.values()) >= 4


def test_specs_have_store_fields():
    slugs = [spec.slug for spec in SPECS]
    assert len(set(slugs)) == len(slugs)
    for spec in SPECS:
        assert spec.name and spec.description.endswith(".")
        assert Decimal(spec.price) > 0
        assert spec.category in {"Tops", "Jackets", "Dresses", "Bottoms"}
        assert spec.colours and all(isinstance(c, str) and c for c in spec.colours)
        assert demo_art.garment_by_slug(spec.slug) is spec


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_overlay_mode_and_anchors(spec, rendered):
    img, anchors = rendered[spec.slug]
    assert img.mode == "RGBA"
    assert set(anchors) == set(garments.required_anchors(spec.kind))
    assert garments.anchors_outside(anchors, *img.size) == []
    for x, y in anchors.values():
        assert isinstance(x, int) and isinstance(y, int)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_overlay_alpha(spec, rendered):
    img, anchors = rendered[spec.slug]
    alpha = np.asarray(img.getchannel("A"))
    h, w = alpha.shape
    for y, x in ((0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)):
        assert alpha[y, x] == 0
    x, y = _torso_centre(spec, anchors)
    assert alpha[y, x] == 255
    # a real alpha channel: mostly fully transparent or fully opaque, soft only at the edges
    hard = np.mean((alpha == 0) | (alpha == 255))
    assert hard > 0.95
    assert 0.15 < np.mean(alpha == 255) < 0.9


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_left_right_convention(spec, rendered):
    _, a = rendered[spec.slug]
    for joint in ("shoulder", "hip", "elbow", "wrist", "knee", "ankle"):
        if f"left_{joint}" in a:
            assert a[f"right_{joint}"][0] < a[f"left_{joint}"][0]
    if "left_shoulder" in a:
        assert a["right_shoulder"][1] < a["right_hip"][1]
    if "left_knee" in a:
        assert a["left_hip"][1] < a["left_knee"][1]
    if "left_ankle" in a:
        assert a["left_knee"][1] < a["left_ankle"][1]
    if "left_elbow" in a:
        assert a["left_shoulder"][1] < a["left_elbow"][1]
    if "left_wrist" in a:
        assert a["left_elbow"][1] < a["left_wrist"][1]


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind in garments.TOP_KINDS], ids=lambda s: s.slug)
def test_top_proportions(spec, rendered):
    _, a = rendered[spec.slug]
    shoulders = a["left_shoulder"][0] - a["right_shoulder"][0]
    hips = a["left_hip"][0] - a["right_hip"][0]
    torso = a["right_hip"][1] - a["right_shoulder"][1]
    assert 0.78 <= hips / shoulders <= 0.92
    assert 1.25 <= torso / shoulders <= 1.55
    if "left_elbow" in a:
        arm = np.hypot(a["left_elbow"][0] - a["left_shoulder"][0], a["left_elbow"][1] - a["left_shoulder"][1])
        assert 0.8 <= arm / shoulders <= 1.0


def test_deterministic():
    spec = SPECS[1]
    demo_art._render.cache_clear()
    img1, a1 = demo_art.render_overlay(spec)
    demo_art._render.cache_clear()
    img2, a2 = demo_art.render_overlay(spec)
    assert a1 == a2
    assert np.array_equal(np.asarray(img1), np.asarray(img2))


def test_overlay_is_a_copy():
    spec = SPECS[0]
    img, anchors = demo_art.render_overlay(spec)
    img.putpixel((0, 0), (255, 0, 0, 255))
    anchors["right_shoulder"] = (-1, -1)
    img2, anchors2 = demo_art.render_overlay(spec)
    assert img2.getpixel((0, 0))[3] == 0
    assert anchors2["right_shoulder"] != (-1, -1)


def test_product_and_detail_photos():
    for spec in (SPECS[1], next(s for s in SPECS if s.kind == garments.TROUSERS)):
        photo = demo_art.render_product_photo(spec)
        assert photo.mode == "RGB" and photo.size == (800, 1000)
        px = np.asarray(photo, np.float32)
        # light backdrop in the corners, the garment in the middle
        assert px[5, 5].mean() > 200
        centre = px[300:700, 250:550]
        assert np.mean(np.abs(centre - px[5, 5]).sum(-1) > 40) > 0.5
        small = demo_art.render_product_photo(spec, size=(400, 500))
        assert small.size == (400, 500)
    detail = demo_art.render_detail_photo(SPECS[1], size=(400, 500))
    assert detail.mode == "RGB" and detail.size == (400, 500)
