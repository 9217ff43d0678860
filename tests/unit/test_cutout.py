"""The product-photo cut-out on synthetic studio photos whose true matte is known, and on the real ones."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tryon.cutout import cut_out

PHOTOS = Path(__file__).resolve().parents[2] / "catalog" / "demo_photos"
SS = 4  # supersampling of the drawn shapes


def _tee(size: int) -> np.ndarray:
    """Return a t-shirt polygon (flat-lay) in a ``size`` square, supersampled coordinates."""
    s = size * SS
    pts = np.array([
        (0.38, 0.12), (0.45, 0.16), (0.55, 0.16), (0.62, 0.12), (0.85, 0.22), (0.78, 0.40), (0.70, 0.36),
        (0.70, 0.88), (0.30, 0.88), (0.30, 0.36), (0.22, 0.40), (0.15, 0.22),
    ]) * s
    return np.round(pts).astype(np.int32)


def _truth(size: int, polys, holes=()) -> np.ndarray:
    big = np.zeros((size * SS, size * SS), np.uint8)
    cv2.fillPoly(big, list(polys), 255)
    for hole in holes:
        cv2.fillPoly(big, [hole], 0)
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def _studio(alpha: np.ndarray, colour, *, bg=(232, 233, 229), shadow=0.62, jpeg=90, seed=0) -> np.ndarray:
    """Return a studio photo: a gradient background, a soft drop shadow, the garment, JPEG noise."""
    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = 1.0 - 0.04 * (yy / h) - 0.02 * (xx / w)
    back = np.dstack([np.full((h, w), c, np.float32) * grad for c in bg])
    shade = cv2.GaussianBlur(np.roll(alpha, (int(0.015 * h), int(0.01 * w)), axis=(0, 1)), (0, 0), 0.012 * h)
    back *= (1.0 - (1.0 - shadow) * shade)[..., None]
    rng = np.random.default_rng(seed)
    cloth = np.dstack([np.full((h, w), c, np.float32) for c in colour]) + rng.normal(0, 2.0, (h, w, 1))
    img = back * (1 - alpha[..., None]) + cloth * alpha[..., None]
    out = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=jpeg)
    return np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB"))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize(
    "name, colour",
    [("white tee on light grey", (250, 250, 250)), ("black tee", (18, 18, 20)), ("red tee", (190, 30, 40)),
     ("grey-blue tee", (150, 160, 175))],
)
def test_synthetic_tee_matches_its_true_matte(name, colour):
    truth = _truth(512, [_tee(512)])
    cut = cut_out(_studio(truth, colour))
    assert _iou(cut.mask, truth >= 0.5) >= 0.97, name
    # The shadow (below and right of the garment) is not garment.
    shadow_band = cv2.dilate((truth > 0).astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    assert (cut.mask & shadow_band & (truth == 0)).sum() < 0.02 * truth.sum()
    assert cut.touches_edge == []


@pytest.mark.parametrize("name, colour", [("black tee", (18, 18, 20)), ("charcoal tee", (40, 40, 45)),
                                         ("white tee", (250, 250, 250))])
def test_a_deep_contact_shadow_is_not_garment(name, colour):
    """A shadow darker than a soft one (0.3 of the background right at the edge) next to a black or white garment."""
    truth = _truth(512, [_tee(512)])
    cut = cut_out(_studio(truth, colour, shadow=0.3))
    assert _iou(cut.mask, truth >= 0.5) >= 0.975, name
    shadow_band = cv2.dilate((truth > 0).astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    assert (cut.mask & shadow_band & (truth == 0)).sum() < 0.025 * truth.sum(), name


def test_edge_is_soft_and_colour_unmixed():
    truth = _truth(512, [_tee(512)])
    cut = cut_out(_studio(truth, (18, 18, 20)))
    a = cut.rgba[..., 3]
    edge = (a > 20) & (a < 235)
    assert edge.sum() > 200, "an anti-aliased edge has partial alpha"
    # Edge pixels of a black garment carry black, not the grey background (no halo).
    assert np.median(cut.rgba[..., :3][edge]) < 80


def test_enclosed_background_hole_is_kept_and_a_tiny_one_filled():
    size = 512
    outer = np.array([[100, 100], [412, 100], [412, 412], [100, 412]]) * SS
    hole = np.array([[200, 200], [312, 200], [312, 312], [200, 312]]) * SS
    truth = _truth(size, [outer], holes=[hole])
    cut = cut_out(_studio(truth, (40, 90, 160)))
    assert not cut.mask[230:280, 230:280].any(), "the background seen through the garment stays out"
    assert _iou(cut.mask, truth >= 0.5) >= 0.97


def test_garment_touching_the_edge_is_reported():
    truth = _truth(400, [np.array([[100, 50], [300, 50], [300, 400], [100, 400]]) * SS])
    cut = cut_out(_studio(truth, (40, 90, 160)))
    assert cut.touches_edge == ["bottom"]


def test_empty_background_has_no_garment():
    cut = cut_out(_studio(np.zeros((300, 300), np.float32), (0, 0, 0)))
    assert cut.coverage < 0.01


@pytest.mark.parametrize("bad", [np.zeros((10, 10, 3), np.uint8), np.zeros((100, 100), np.uint8),
                                 np.zeros((100, 100, 3), np.float32)])
def test_bad_arrays_are_refused(bad):
    with pytest.raises(ValueError):
        cut_out(bad)


@pytest.mark.parametrize("photo", sorted(p.name for p in PHOTOS.glob("*.jpg")))
def test_real_photos_cut_cleanly(photo):
    rgb = np.asarray(Image.open(PHOTOS / photo).convert("RGB"))
    cut = cut_out(rgb)
    assert cut.noise < 3
    assert 0.2 < cut.coverage < 0.75
    # The photo's corners are background, and the garment's middle is garment.
    assert cut.alpha[:20, :20].max() == 0 and cut.alpha[-20:, -20:].max() == 0
    h, w = cut.alpha.shape
    assert cut.alpha[h // 8: h // 5, w // 2 - 5: w // 2 + 5].min() == 1.0
