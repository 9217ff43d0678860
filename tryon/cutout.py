"""Cut a garment out of its product photo: a soft alpha matte, no model download.

A store's product photo shows the garment alone (flat-lay or ghost mannequin) on
a plain studio background that is never quite white and rarely quite even: a
light grey with a gentle gradient, a soft shadow beside the garment, JPEG
noise. No garment-segmentation model ships its weights in a registry package
(see the project notes), and a general salient-object model would be a 4.6 MB
dependency that still leaks shadows; the background of a studio photo is
simple enough that measuring it beats guessing it:

1. **Background model.** The photo's border band is assumed to be background
   (a garment touching the frame's edge is reported, see ``touches_edge``).
   Each channel is fitted there with a smooth quadratic surface in x and y
   (robustly: pixels far from the first fit are dropped and it is fitted
   again), which follows vignetting and a gradient sweep. The band's residual
   spread is the photo's noise level.
2. **Difference score.** Each pixel is compared with the background expected
   at that spot, in a luminance / chroma split: chroma differences and
   brightening count fully (a white tee on light grey is brighter than its
   background, never darker), darkening without a change of hue counts less, as
   a soft shadow is exactly that. All thresholds are multiples of the measured
   noise, so a clean studio photo gets tight thresholds and a noisy one loose.
3. **Mask.** Hysteresis: pixels clearly different seed the garment, pixels
   somewhat different join it when connected to a seed (the low-contrast parts
   of a white tee connect through its seams and folds). Components much
   smaller than the garment are dropped (dust, a stray thread); enclosed holes
   are kept when they are background-coloured and large (the room between
   trouser legs closed at the crotch, inside a collar), filled when tiny (a
   white print dot on the garment).
4. **Soft edge.** Within a two-pixel band around the mask's outline the alpha
   follows the score (the edge pixels mix garment and background), and the
   colour there is un-mixed from the known background, so the cut-out carries
   no grey fringe onto a dark shirt or a dark one onto a white shirt.

Pure numpy + OpenCV, no Django: the admin, the bulk import and the tools call
:func:`cut_out` directly. Works on a copy scaled so its long side is at most
``WORK_SIDE`` for the score and the mask, and returns the alpha at the
photo's own size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Long side of the working copy the mask is computed on (the alpha is
# upsampled to the photo's size and its edge refined there).
WORK_SIDE = 768
# Width of the border band taken as background, as a fraction of the short side.
BORDER_BAND = 0.03
# Thresholds in units of the background's measured noise (per-channel sigma of
# the residual in the band, at least NOISE_FLOOR levels).
NOISE_FLOOR = 1.5
SEED_SIGMAS = 9.0
GROW_SIGMAS = 4.0
# A soft shadow darkens the background evenly down to about this ratio of its
# brightness (measured on studio photos: 0.58 at the darkest, right under a
# jacket's hem); an even darkening below it is garment (black leggings, a
# charcoal print). Between the ratio and SHADOW_REVIEW_RATIO a large even
# darkening left outside the mask is reported: it may be a grey garment.
SHADOW_MIN_RATIO = 0.55
SHADOW_REVIEW_RATIO = 0.8
# Chroma counts more than brightness (JPEG noise is mostly in luminance), less
# the colour a JPEG bleeds into the background next to a coloured garment
# (its chroma is subsampled and blocky: up to ~9 levels, 8-16 px out, on the
# studio photos measured). Garments' own chroma is 12-45 levels (denim, shirts),
# or ~0 for black and white ones, which their brightness finds.
CHROMA_WEIGHT = 1.5
CHROMA_BLEED = 8.0
# Components under this share of the largest are dropped; enclosed holes under
# this share of the garment's area are filled.
MIN_COMPONENT_SHARE = 0.02
MAX_FILLED_HOLE_SHARE = 0.002
# An enclosed hole is background seen through the garment when its median
# brightness is at least this ratio of the background's.
HOLE_MIN_RATIO = 0.85
# The shadow rim: shadow-like pixels reached from the background through other
# shadow-like pixels within RIM_WIDTH steps (working pixels; the shade deep in
# the gap between trouser legs reaches 30-40 px in) are checked against the
# garment's colour averaged (sigma RIM_COLOUR_SIGMA) over its other pixels
# RIM_CORE px in; a garment colour closer than RIM_MIN_DISTINCT levels to a
# darkened background (grey), and no darker than the pixel by RIM_DARKER_GAP
# of the background's brightness, is left alone. Notches under RIM_CLOSE px
# that this cuts are closed again.
RIM_WIDTH = 40
RIM_CORE = 3
RIM_COLOUR_SIGMA = 6.0
RIM_MIN_DISTINCT = 12.0
RIM_SHADOW_DISTANCE = 2.5 * CHROMA_BLEED
RIM_DARKER_GAP = 0.1
RIM_CLOSE = 7
# Right at a black garment's edge its contact shadow is darker than a soft
# shadow elsewhere (0.3-0.45 of the background under a jacket's hem and at the
# top of the gap between leggings' legs, measured).
RIM_SHADOW_MIN_RATIO = 0.2
# Half-width of the soft-edge band around the mask's outline, in photo pixels,
# the blur (sigma, px) that averages the garment's colour next to it, and the
# garment / background contrast (in noise units) below which the colour line
# is too short to read an alpha from.
EDGE_BAND = 1.5
EDGE_COLOUR_SIGMA = 3.0
EDGE_MIN_CONTRAST = 6.0


@dataclass
class Cutout:
    """A garment's matte and its cut-out colours, at the photo's size."""

    rgba: np.ndarray  # uint8 HxWx4, straight alpha, colour un-mixed at the edge
    alpha: np.ndarray  # float32 HxW in [0, 1]
    background: tuple[float, float, float]  # mean background colour (RGB)
    noise: float  # background noise, in levels
    touches_edge: list[str] = field(default_factory=list)  # sides the garment reaches
    coverage: float = 0.0  # garment area over the photo's area
    shadow_share: float = 0.0  # even darkening left out, over the garment's area

    @property
    def mask(self) -> np.ndarray:
        """Return the hard mask (alpha >= 0.5) as a bool array."""
        return self.alpha >= 0.5


def _quadratic_basis(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys], axis=1)


def _background(img: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Return the fitted background (float32 HxWx3), its noise and the band's mask."""
    h, w = img.shape[:2]
    band = max(2, int(round(min(h, w) * BORDER_BAND)))
    ring = np.zeros((h, w), bool)
    ring[:band] = ring[-band:] = True
    ring[:, :band] = ring[:, -band:] = True
    ys, xs = np.nonzero(ring)
    step = max(1, len(xs) // 20000)
    xs, ys = xs[::step], ys[::step]
    u, v = xs / (w - 1) * 2 - 1, ys / (h - 1) * 2 - 1
    basis = _quadratic_basis(u.astype(np.float64), v.astype(np.float64))
    samples = img[ys, xs].astype(np.float64)
    # Start from the band's median colour, so that a garment reaching into the
    # band (touching the photo's edge) cannot bend the first fit.
    resid = np.abs(samples - np.median(samples, axis=0)).max(axis=1)
    keep = resid <= max(3.0 * np.median(resid) * 1.4826, 8.0)
    if keep.sum() < 50:
        keep[:] = True
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(basis[keep], samples[keep], rcond=None)
        resid = np.abs(samples - basis @ coef).max(axis=1)
        limit = max(3.0 * np.median(resid[keep]) * 1.4826, 4.0)
        keep = resid <= limit
        if keep.sum() < 50:
            keep[:] = True
            break
    noise = float(max(NOISE_FLOOR, np.sqrt(np.mean((samples[keep] - basis[keep] @ coef) ** 2))))
    # Evaluated term by term on broadcast rows and columns (float32): the
    # surface is smooth, and this is 10x cheaper than the full design matrix.
    gu = np.linspace(-1, 1, w, dtype=np.float32)[None, :, None]
    gv = np.linspace(-1, 1, h, dtype=np.float32)[:, None, None]
    c = coef.astype(np.float32)
    bg = c[0] + c[1] * gu + c[2] * gv + c[3] * gu * gu + c[4] * gu * gv + c[5] * gv * gv
    return np.ascontiguousarray(bg, dtype=np.float32), noise, ring


def _score(img: np.ndarray, bg: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each pixel's difference from the background in noise units, its brightness ratio and shadow-likeness.

    The colour is compared as a ratio to the background expected there: a
    shadow scales every channel alike (ratio ``r`` below 1, the same in each
    channel), a garment changes the channels' balance or the brightness
    beyond what a shadow does.
    """
    f = img.astype(np.float32)
    lum_w = np.array([0.299, 0.587, 0.114], np.float32)
    lum_bg = np.maximum(bg @ lum_w, 1.0)
    q = f / np.maximum(bg, 1.0)
    r = q @ lum_w
    # Chroma: how unevenly the channels changed, in levels of the background.
    chroma = np.abs(q - r[..., None]).max(axis=2) * lum_bg
    bright = np.maximum(r - 1.0, 0.0) * lum_bg
    # Darkening within a soft shadow's range counts for nothing; beyond it, in full.
    dark = np.maximum(SHADOW_MIN_RATIO - r, 0.0) * lum_bg
    score = np.maximum(np.maximum(bright, dark), np.maximum(chroma - CHROMA_BLEED, 0.0) * CHROMA_WEIGHT)
    # A little blur: JPEG noise is per pixel, a garment's edge is not.
    score = cv2.GaussianBlur(score, (0, 0), 0.8)
    shadowy = (r < SHADOW_REVIEW_RATIO) & (r >= SHADOW_MIN_RATIO) & (chroma < CHROMA_BLEED)
    return score / noise, r, shadowy


def _mask(score: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    seeds = (score > SEED_SIGMAS).astype(np.uint8)
    grow = (score > GROW_SIGMAS).astype(np.uint8)
    grow = cv2.morphologyEx(grow, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grow, connectivity=8)
    if n <= 1:
        return np.zeros(score.shape, bool)
    seeded = np.zeros(n, bool)
    seeded[np.unique(labels[seeds > 0])] = True
    seeded[0] = False
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    areas[~seeded] = 0
    largest = areas.max()
    if largest <= 0:
        return np.zeros(score.shape, bool)
    keep = areas >= MIN_COMPONENT_SHARE * largest
    mask = keep[labels]
    # Holes: regions left out that the frame's border does not reach. Kept when
    # they look like the background seen through the garment (between trouser
    # legs closed at the crotch, under an arm held against the body), filled
    # when they are tiny or not background-bright (a faded patch of denim, a
    # grey print as dark as a shadow).
    inv = (~mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    garment_area = float(mask.sum())
    fill = np.zeros(n, bool)
    for label in range(1, n):
        if label in border:
            continue
        if stats[label, cv2.CC_STAT_AREA] < MAX_FILLED_HOLE_SHARE * garment_area:
            fill[label] = True
            continue
        x, y, w, h = stats[label, :4]
        box = labels[y:y + h, x:x + w] == label
        fill[label] = float(np.median(ratio[y:y + h, x:x + w][box])) < HOLE_MIN_RATIO
    return mask | fill[labels]


def _drop_shadow_rim(img: np.ndarray, bg: np.ndarray, mask: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Return ``mask`` without the shadow the hysteresis let in along the garment's outline.

    Two kinds of shadow pass the first mask: right next to a coloured garment
    a JPEG bleeds its colour into the shadow it casts (so the shadow passes
    the chroma test), and next to a black garment its contact shadow, or the
    shade deep in the gap between trouser legs, is darker than a soft shadow
    (so it passes the darkening test). A pixel is shadow when it looks like
    the background darkened to its own brightness, more than like the garment's
    colour nearby (averaged over the garment's pixels that are not themselves
    such candidates), and that colour can be told from a shadow there: by its
    hue (a coloured garment) or by being much darker (a black one). A grey
    garment, which a shadow cannot be told from, is left alone. Only shadow
    reached from the background through other shadow pixels, within
    RIM_WIDTH of it, is dropped, so a grey patch inside a black garment stays.
    """
    f = img.astype(np.float32)
    lum_w = np.array([0.299, 0.587, 0.114], np.float32)
    shadowed = ratio[..., None] * bg
    d_shadow = np.sqrt(((f - shadowed) ** 2).sum(axis=2))
    candidate = mask & (ratio >= RIM_SHADOW_MIN_RATIO) & (ratio < 0.97) & (d_shadow < RIM_SHADOW_DISTANCE)
    if not candidate.any():
        return mask
    solid = (mask & ~candidate).astype(np.uint8)
    core = cv2.erode(solid, np.ones((2 * RIM_CORE + 1, 2 * RIM_CORE + 1), np.uint8)).astype(np.float32)
    if core.sum() == 0:
        return mask
    weight = cv2.GaussianBlur(core, (0, 0), RIM_COLOUR_SIGMA)
    near = cv2.GaussianBlur(f * core[..., None], (0, 0), RIM_COLOUR_SIGMA) / np.maximum(weight[..., None], 1e-3)
    near_ratio = (near / np.maximum(bg, 1.0)) @ lum_w
    # The garment nearby can be told from a shadow at this pixel by its hue (a
    # coloured garment) or by being much darker than the pixel (a black or
    # charcoal garment next to its own contact shadow).
    distinct = (np.sqrt(((near - near_ratio[..., None] * bg) ** 2).sum(axis=2)) > RIM_MIN_DISTINCT) | (
        near_ratio < ratio - RIM_DARKER_GAP) | ((near_ratio > 1.0) & (ratio < 1.0 - RIM_DARKER_GAP))
    d_garment = np.sqrt(((f - near) ** 2).sum(axis=2))
    drop = candidate & (weight > 1e-3) & distinct & (d_shadow < 0.5 * d_garment)
    # Reached from the background through dropped pixels, at most RIM_WIDTH steps.
    reach = (~mask).astype(np.uint8)
    allowed = (drop | ~mask).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    for _ in range(RIM_WIDTH):
        grown = cv2.dilate(reach, kernel) & allowed
        if np.array_equal(grown, reach):
            break
        reach = grown
    drop &= reach > 0
    kept = (mask & ~drop).astype(np.uint8)
    # Faded or grey threads of the garment itself can look like shadow: notches
    # a few pixels wide are closed again (never beyond the first mask).
    closed = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (RIM_CLOSE, RIM_CLOSE))) > 0
    return closed & mask


def _soft_alpha(img: np.ndarray, bg: np.ndarray, mask: np.ndarray, noise: float) -> np.ndarray:
    """Return a float alpha: 1 inside, 0 outside, the colour-line estimate near the outline.

    An edge pixel mixes the garment's colour there ``F`` (the nearby interior,
    averaged) with the background's ``B``: its alpha is where its colour falls
    on the line from ``B`` to ``F``. Where the two are too alike to tell (a
    white tee on light grey) the outline's own position is used instead.
    """
    m8 = mask.astype(np.uint8)
    inside = cv2.distanceTransform(m8, cv2.DIST_L2, 3)
    outside = cv2.distanceTransform(1 - m8, cv2.DIST_L2, 3)
    signed = np.where(mask, inside - 0.5, 0.5 - outside)
    geometric = np.clip(0.5 + signed / (2 * EDGE_BAND), 0.0, 1.0)
    near = np.abs(signed) <= EDGE_BAND + 1.0
    if not near.any():
        return mask.astype(np.float32)
    core = (inside > EDGE_BAND + 1.0).astype(np.float32)
    f = img.astype(np.float32)
    weight = cv2.GaussianBlur(core, (0, 0), EDGE_COLOUR_SIGMA)
    colour = cv2.GaussianBlur(f * core[..., None], (0, 0), EDGE_COLOUR_SIGMA)
    garment = np.where(weight[..., None] > 1e-3, colour / np.maximum(weight[..., None], 1e-3), f)
    d = garment - bg
    dd = (d * d).sum(axis=2)
    line = ((f - bg) * d).sum(axis=2) / np.maximum(dd, 1e-6)
    distinct = dd > (EDGE_MIN_CONTRAST * noise) ** 2
    estimate = np.where(distinct, np.clip(line, 0.0, 1.0), geometric)
    alpha = np.where(near, estimate, mask.astype(np.float32))
    return alpha.astype(np.float32)


def _edges_touched(mask: np.ndarray) -> list[str]:
    h, w = mask.shape
    rim = max(1, int(round(min(h, w) * 0.004)))
    sides = {
        "top": mask[:rim].mean(),
        "bottom": mask[-rim:].mean(),
        "left": mask[:, :rim].mean(),
        "right": mask[:, -rim:].mean(),
    }
    return [side for side, share in sides.items() if share > 0.01]


def cut_out(rgb: np.ndarray) -> Cutout:
    """Return the garment's matte and cut-out of ``rgb`` (uint8 HxWx3, RGB order).

    Raises ``ValueError`` for an array that is not a colour image.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("cut_out needs a uint8 HxWx3 RGB image")
    h, w = rgb.shape[:2]
    if min(h, w) < 32:
        raise ValueError("the photo is too small to cut out (under 32 pixels)")
    scale = min(1.0, WORK_SIDE / max(h, w))
    work = rgb if scale == 1.0 else cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    bg, noise, _ = _background(work)
    score, ratio, shadowy = _score(work, bg, noise)
    mask = _drop_shadow_rim(work, bg, _mask(score, ratio), ratio)
    shadow_share = float((shadowy & ~mask).sum()) / max(1.0, float(mask.sum()))
    if scale != 1.0:
        bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
        mask = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) >= 0.5
    alpha = _soft_alpha(rgb, bg, mask, noise)
    alpha[alpha < 1.0 / 255] = 0.0
    # Un-mix the edge: observed = a * garment + (1 - a) * background.
    f = rgb.astype(np.float32)
    a3 = alpha[..., None]
    edge = (alpha > 0) & (alpha < 0.999)
    colour = f.copy()
    unmixed = (f - (1.0 - a3) * bg) / np.maximum(a3, 0.15)
    colour[edge] = np.clip(unmixed[edge], 0, 255)
    rgba = np.dstack([colour.round().astype(np.uint8), (alpha * 255).round().astype(np.uint8)])
    hard = alpha >= 0.5
    return Cutout(
        rgba=rgba,
        alpha=alpha,
        background=tuple(float(c) for c in bg.reshape(-1, 3).mean(axis=0)),
        noise=noise,
        touches_edge=_edges_touched(hard),
        coverage=float(hard.mean()),
        shadow_share=shadow_share,
    )
