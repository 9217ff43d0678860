"""Procedural garment art for the demo store: try-on overlays and product photos.

Pure Pillow/NumPy/OpenCV (no Django import), so the seeding command, tests and
tools can all call it. Every product in :data:`DEMO_GARMENTS` is drawn from
code: shaped panels, soft cylindrical shading, fold shadows, fabric texture,
seams and stitching, collars, cuffs, pockets, buttons, zips and prints.

Public API
----------
* :data:`DEMO_GARMENTS` - the demo catalogue (:class:`GarmentSpec` items).
* :func:`render_overlay` - ``(RGBA image, anchors)`` for the try-on.
* :func:`render_product_photo` - a ghost-mannequin catalogue photo (RGB).
* :func:`render_detail_photo` - a close-up of the fabric for the gallery (RGB).
* :func:`garment_by_slug` - look a spec up by its slug.

Overlay conventions follow :mod:`tryon.garments`: front view, relaxed A-pose,
anchors in overlay pixels, the wearer's right at the smaller x. Anchors sit
where the joints are for the drawn garment: shoulders at the outer top
corners of the torso where the sleeves attach, hips at the sides of the torso
(or waistband) at hip-joint height, elbows and wrists on the sleeve axis,
knees and ankles on the leg axis. Proportions: hip width 0.85 x shoulder
width, shoulder-to-hip 1.4 x, upper arm 0.9 x, forearm 0.8 x, thigh 1.1 x and
shin 1.05 x shoulder width.

The overlay's neck opening (and a jacket's open front) is transparent so the
wearer shows through; the product photo fills it with the garment's inside,
like a ghost-mannequin shot. Output is deterministic: every random choice
comes from a generator seeded with the product's slug.
"""

from __future__ import annotations

import math
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tryon import garments as _g

__all__ = [
    "DEMO_GARMENTS",
    "GarmentSpec",
    "garment_by_slug",
    "render_detail_photo",
    "render_overlay",
    "render_product_photo",
]

SS = 2  # supersampling factor: art is drawn at SS x the output size, then area-downsampled


# ---------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True)
class GarmentSpec:
    """One demo product: shop copy plus everything the renderer needs.

    ``style`` picks the cut within a kind (``crew``, ``vneck``, ``boat``,
    ``denim``, ``blazer``, ``bomber``, ``tea``, ``sundress``, ``jeans``,
    ``chino``, ``pleated``, ``aline``). ``pattern`` picks the cloth
    (``jersey``, ``rib``, ``breton``, ``graphic``, ``denim``, ``wool``,
    ``nylon``, ``polka``, ``floral``, ``twill``, ``plaid``, ``houndstooth``).
    Colours are ``#rrggbb``; ``accent`` and ``trim`` feed the pattern, print
    and details.
    """

    slug: str
    name: str
    kind: str
    category: str
    price: str
    description: str
    colours: tuple[str, ...]
    style: str
    pattern: str
    base: str
    accent: str = "#ffffff"
    trim: str = ""


DEMO_GARMENTS: list[GarmentSpec] = [
    GarmentSpec(
        slug="essential-crew-tee-white",
        name="Essential Crew Tee",
        kind=_g.TSHIRT,
        category="Tops",
        price="19.00",
        description="A heavyweight organic-cotton jersey tee with a ribbed crew neck and a clean, boxy fit.",
        colours=("White",),
        style="crew",
        pattern="jersey",
        base="#efeeea",
    ),
    GarmentSpec(
        slug="sunset-graphic-tee",
        name="Sunset Club Graphic Tee",
        kind=_g.TSHIRT,
        category="Tops",
        price="29.00",
        description="A washed-black cotton ringer tee with a cream rib collar and a screen-printed retro sunset badge.",
        colours=("Washed Black", "Cream", "Orange"),
        style="crew",
        pattern="graphic",
        base="#2b2b2e",
        accent="#f28c38",
        trim="#f4e9d8",
    ),
    GarmentSpec(
        slug="sage-v-neck-tee",
        name="Sage V-Neck Tee",
        kind=_g.TSHIRT,
        category="Tops",
        price="24.00",
        description="A soft slub-jersey V-neck in a muted sage green, cut slightly longer for easy tucking.",
        colours=("Sage",),
        style="vneck",
        pattern="jersey",
        base="#8fa48a",
    ),
    GarmentSpec(
        slug="breton-stripe-long-sleeve",
        name="Breton Stripe Long-Sleeve",
        kind=_g.LONGSLEEVE,
        category="Tops",
        price="45.00",
        description="The classic sailor top: a boat neck, a plain yoke and navy stripes on thick ecru cotton.",
        colours=("Ecru", "Navy"),
        style="boat",
        pattern="breton",
        base="#f1ece0",
        accent="#1f2a4d",
    ),
    GarmentSpec(
        slug="ribbed-merino-long-sleeve",
        name="Ribbed Merino Long-Sleeve",
        kind=_g.LONGSLEEVE,
        category="Tops",
        price="65.00",
        description="A fine-rib merino wool top in deep burgundy with a close crew neck and long cuffs.",
        colours=("Burgundy",),
        style="crew",
        pattern="rib",
        base="#6e1f2e",
    ),
    GarmentSpec(
        slug="indigo-denim-jacket",
        name="Indigo Denim Jacket",
        kind=_g.JACKET,
        category="Jackets",
        price="89.00",
        description="A trucker jacket in rigid indigo denim with copper shank buttons and gold topstitching.",
        colours=("Indigo",),
        style="denim",
        pattern="denim",
        base="#2a3f63",
        accent="#d19a4a",
    ),
    GarmentSpec(
        slug="olive-zip-bomber",
        name="Olive Zip Bomber",
        kind=_g.JACKET,
        category="Jackets",
        price="95.00",
        description="A flight bomber in olive nylon twill with a chunky zip, rib trims and a utility sleeve pocket.",
        colours=("Olive", "Black"),
        style="bomber",
        pattern="nylon",
        base="#5b6140",
        accent="#e26a1c",
        trim="#2a2b25",
    ),
    GarmentSpec(
        slug="charcoal-wool-blazer",
        name="Charcoal Wool Blazer",
        kind=_g.JACKET,
        category="Jackets",
        price="149.00",
        description="A three-button single-breasted blazer in brushed charcoal wool with notch lapels and a burgundy pocket square.",
        colours=("Charcoal",),
        style="blazer",
        pattern="wool",
        base="#45474c",
        accent="#7a2333",
        trim="#1c1c1e",
    ),
    GarmentSpec(
        slug="navy-polka-dot-tea-dress",
        name="Navy Polka-Dot Tea Dress",
        kind=_g.DRESS,
        category="Dresses",
        price="79.00",
        description="A flowing crepe tea dress with white polka dots, a V-neck, flutter sleeves and a tie waist.",
        colours=("Navy", "White"),
        style="tea",
        pattern="polka",
        base="#1f2c55",
        accent="#f4f1ea",
    ),
    GarmentSpec(
        slug="floral-midi-sundress",
        name="Floral Midi Sundress",
        kind=_g.DRESS,
        category="Dresses",
        price="85.00",
        description="A cotton-poplin midi sundress with a square neck, short cap sleeves and a tiered meadow-print skirt.",
        colours=("Cream", "Rose", "Green"),
        style="sundress",
        pattern="floral",
        base="#f3ead6",
        accent="#d9607a",
        trim="#f2b93b",
    ),
    GarmentSpec(
        slug="indigo-straight-leg-jeans",
        name="Indigo Straight-Leg Jeans",
        kind=_g.TROUSERS,
        category="Bottoms",
        price="79.00",
        description="Mid-rise straight-leg jeans in a mid-wash indigo denim with copper rivets and a button fly.",
        colours=("Mid Indigo",),
        style="jeans",
        pattern="denim",
        base="#3e5a86",
        accent="#d19a4a",
    ),
    GarmentSpec(
        slug="stone-chino-trousers",
        name="Stone Chino Trousers",
        kind=_g.TROUSERS,
        category="Bottoms",
        price="59.00",
        description="Tailored cotton-twill chinos in a warm stone shade with a pressed crease and turn-up hems.",
        colours=("Stone",),
        style="chino",
        pattern="twill",
        base="#c9b896",
    ),
    GarmentSpec(
        slug="heritage-plaid-pleated-skirt",
        name="Heritage Plaid Pleated Skirt",
        kind=_g.SKIRT,
        category="Bottoms",
        price="69.00",
        description="A knee-length kilt-pleated skirt in a red, green and navy wool tartan with a buckled waist.",
        colours=("Red", "Green", "Navy"),
        style="pleated",
        pattern="plaid",
        base="#a3232b",
        accent="#1d3b2a",
        trim="#1c2340",
    ),
    GarmentSpec(
        slug="houndstooth-a-line-skirt",
        name="Houndstooth A-Line Skirt",
        kind=_g.SKIRT,
        category="Bottoms",
        price="64.00",
        description="A structured A-line skirt in black-and-cream houndstooth wool, finishing just at the knee.",
        colours=("Black", "Cream"),
        style="aline",
        pattern="houndstooth",
        base="#f0e9da",
        accent="#1d1d1f",
    ),
]


def garment_by_slug(slug: str) -> GarmentSpec:
    """Return the demo spec with ``slug``; raise ``KeyError`` if there is none."""
    for spec in DEMO_GARMENTS:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)


# ---------------------------------------------------------------------------
# Small geometry and colour helpers (points are (x, y) in output pixels)


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)], np.float32)


def _mix(a, b, t):
    return a + (b - a) * t


def _smooth(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _p(x, y) -> np.ndarray:
    return np.array([x, y], np.float64)


def _bez(p0, c0, c1, p1, n: int = 24) -> np.ndarray:
    """Return ``n`` points on the cubic Bezier p0-c0-c1-p1."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, c0, c1, p1 = (np.asarray(v, np.float64) for v in (p0, c0, c1, p1))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * c0 + 3 * (1 - t) * t**2 * c1 + t**3 * p1


def _qbez(p0, c, p1, n: int = 20) -> np.ndarray:
    """Return ``n`` points on the quadratic Bezier p0-c-p1."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, c, p1 = (np.asarray(v, np.float64) for v in (p0, c, p1))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p1


def _line(p0, p1, n: int = 2) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return np.asarray(p0, np.float64) * (1 - t) + np.asarray(p1, np.float64) * t


def _path(*pieces) -> np.ndarray:
    """Join point arrays into one path, dropping repeated joints."""
    out = []
    for piece in pieces:
        arr = np.atleast_2d(np.asarray(piece, np.float64))
        if out and np.allclose(out[-1][-1], arr[0]):
            arr = arr[1:]
        if len(arr):
            out.append(arr)
    return np.concatenate(out)


def _offset(path: np.ndarray, d: float) -> np.ndarray:
    """Return ``path`` moved ``d`` along its left-hand normal (mitred joints)."""
    path = np.asarray(path, np.float64)
    seg = np.diff(path, axis=0)
    seg /= np.maximum(np.linalg.norm(seg, axis=1, keepdims=True), 1e-9)
    nrm = np.stack([seg[:, 1], -seg[:, 0]], 1)
    vn = np.zeros_like(path)
    vn[0], vn[-1] = nrm[0], nrm[-1]
    if len(path) > 2:
        avg = nrm[:-1] + nrm[1:]
        avg /= np.maximum(np.linalg.norm(avg, axis=1, keepdims=True), 1e-9)
        cos = np.clip(np.sum(avg * nrm[1:], axis=1, keepdims=True), 0.35, 1.0)
        vn[1:-1] = avg / cos
    return path + vn * d


def _resample(path: np.ndarray, step: float) -> np.ndarray:
    """Return points every ``step`` pixels of arc length along ``path``."""
    path = np.asarray(path, np.float64)
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] <= 0:
        return path[:1]
    t = np.arange(0.0, s[-1] + 1e-9, step)
    return np.stack([np.interp(t, s, path[:, 0]), np.interp(t, s, path[:, 1])], 1)


def _seed(slug: str, salt: str = "") -> int:
    return zlib.crc32(f"{slug}/{salt}".encode())


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    # Pillow's bundled font: identical on every machine with the same Pillow.
    return ImageFont.load_default(size=size)


# ---------------------------------------------------------------------------
# The canvas: a premultiplied float image drawn at SS x resolution

_LX, _LZ, _WRAP, _AMB = -0.42, 0.907, 0.5, 0.3
_D0 = (_LZ + _WRAP) / (1 + _WRAP)


def _lambert(t: np.ndarray, power: float = 2.0, amb: float = _AMB) -> np.ndarray:
    """Return soft 'wrapped' diffuse light for a cylinder seen across ``t`` in [-1, 1]."""
    t = np.clip(t, -1.0, 1.0)
    nx = np.sign(t) * np.abs(t) ** power * 0.94
    nz = np.sqrt(1.0 - nx * nx)
    d = (nx * _LX + nz * _LZ + _WRAP) / (1 + _WRAP)
    return (amb + (1 - amb) * d / _D0).astype(np.float32)


class _Canvas:
    """A float RGBA drawing surface at ``ss`` x the output size."""

    def __init__(self, w: int, h: int, ss: int, seed: int):
        self.w, self.h, self.ss = w, h, ss
        self.W, self.H = w * ss, h * ss
        self.prem = np.zeros((self.H, self.W, 3), np.float32)
        self.alpha = np.zeros((self.H, self.W), np.float32)
        self.form = np.ones((self.H, self.W), np.float32)  # per-part cylinder light
        self.shade = np.ones((self.H, self.W), np.float32)  # folds and global light
        self.rng = np.random.default_rng(seed)
        self.xs = ((np.arange(self.W, dtype=np.float32) + 0.5) / ss)[None, :]
        self.ys = ((np.arange(self.H, dtype=np.float32) + 0.5) / ss)[:, None]

    # -- masks (uint8, full canvas) ------------------------------------------
    def _pts(self, p) -> np.ndarray:
        p = np.asarray(p, np.float64) * self.ss - 0.5
        return np.round(p * 16).astype(np.int32).reshape(-1, 1, 2)

    def poly(self, *polys) -> np.ndarray:
        """Return an anti-aliased mask of the union of ``polys``."""
        m = np.zeros((self.H, self.W), np.uint8)
        cv2.fillPoly(m, [self._pts(p) for p in polys], 255, cv2.LINE_AA, 4)
        return m

    def stroke(self, paths, width: float, dash: tuple[float, float] | None = None, closed=False) -> np.ndarray:
        """Return a mask of ``paths`` stroked ``width`` pixels wide, optionally dashed."""
        m = np.zeros((self.H, self.W), np.uint8)
        if isinstance(paths, np.ndarray):
            paths = [paths]
        segs = []
        for path in paths:
            path = np.asarray(path, np.float64)
            if closed:
                path = np.vstack([path, path[:1]])
            if dash is None:
                segs.append(path)
                continue
            on, off = dash
            pts = _resample(path, 0.5)
            period = int(round((on + off) / 0.5))
            n_on = max(1, int(round(on / 0.5)))
            for i in range(0, len(pts) - 1, period):
                seg = pts[i : i + n_on + 1]
                if len(seg) >= 2:
                    segs.append(seg)
        thick = max(1, int(round(width * self.ss)))
        if segs:
            cv2.polylines(m, [self._pts(s) for s in segs], False, 255, thick, cv2.LINE_AA, 4)
        return m

    def circle(self, c, r: float) -> np.ndarray:
        """Return an anti-aliased disc mask."""
        m = np.zeros((self.H, self.W), np.uint8)
        cc = self._pts([c]).reshape(2)
        cv2.circle(m, (int(cc[0]), int(cc[1])), int(round(r * self.ss * 16)), 255, -1, cv2.LINE_AA, 4)
        return m

    @staticmethod
    def bbox(m: np.ndarray):
        x, y, w, h = cv2.boundingRect(m)
        if w == 0 or h == 0:
            return None
        return np.s_[y : y + h, x : x + w]

    # -- painting --------------------------------------------------------------
    def paint(self, m: np.ndarray, colour, opacity: float = 1.0, shaded: bool = True, sl=None):
        """Composite ``colour`` (rgb, array or ``f(xs, ys, sl)``) through mask ``m``."""
        sl = sl or self.bbox(m)
        if sl is None:
            return
        a = m[sl].astype(np.float32) * (opacity / 255.0)
        col = colour(self.xs[:, sl[1]], self.ys[sl[0], :], sl) if callable(colour) else colour
        col = np.asarray(col, np.float32)
        if col.ndim == 3 and col.shape[:2] == (self.H, self.W):
            col = col[sl]
        if shaded:
            f = (self.form[sl] * self.shade[sl])[..., None]
            col = col * f + (1.0 - col) * np.maximum(f - 1.0, 0.0) * 0.5
        a3 = a[..., None]
        self.prem[sl] = self.prem[sl] * (1 - a3) + col * a3
        self.alpha[sl] = self.alpha[sl] * (1 - a) + a

    def multiply(self, m: np.ndarray, factor, sl=None):
        """Darken (factor < 1) or lighten (> 1) what is under mask ``m``."""
        sl = sl or self.bbox(m)
        if sl is None:
            return
        a = m[sl].astype(np.float32) / 255.0
        f = factor[sl] if isinstance(factor, np.ndarray) and factor.shape == (self.H, self.W) else factor
        k = 1.0 + a * (np.asarray(f, np.float32) - 1.0)
        self.prem[sl] *= k[..., None]

    def set_form(self, m: np.ndarray, form: np.ndarray, sl):
        sub = self.form[sl]
        sel = m[sl] > 0
        sub[sel] = form[sel]

    def image(self, out: int = 1) -> Image.Image:
        """Return the canvas as an RGBA image at ``out`` x the output size."""
        size = (self.w * out, self.h * out)
        a = cv2.resize(self.alpha, size, interpolation=cv2.INTER_AREA)
        p = cv2.resize(self.prem, size, interpolation=cv2.INTER_AREA)
        rgb = p / np.maximum(a, 1e-6)[..., None]
        rgba = np.dstack([np.clip(rgb, 0, 1), np.clip(a, 0, 1)])
        rgba = np.round(rgba * 255).astype(np.uint8)
        rgba[..., 3][rgba[..., 3] < 2] = 0
        return Image.fromarray(rgba, "RGBA")


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-blur ``img`` by ``sigma`` pixels; large blurs run on a reduced copy."""
    f = int(min(8, sigma // 3))
    if f < 2:
        return cv2.GaussianBlur(img, (0, 0), sigma)
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / f)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _row_t(m: np.ndarray, smooth: int = 9) -> np.ndarray:
    """Return, per pixel, its position across its row of mask ``m`` in [-1, 1]."""
    on = m > 127
    has = on.any(1)
    W = m.shape[1]
    left = np.argmax(on, 1).astype(np.float32)
    right = (W - 1 - np.argmax(on[:, ::-1], 1)).astype(np.float32)
    if has.any():
        idx = np.flatnonzero(has)
        rows = np.arange(m.shape[0])
        left = np.interp(rows, idx, left[idx]).astype(np.float32)
        right = np.interp(rows, idx, right[idx]).astype(np.float32)
        k = np.ones(smooth, np.float32) / smooth
        pad = smooth // 2
        left = np.convolve(np.pad(left, pad, mode="edge"), k, "valid")
        right = np.convolve(np.pad(right, pad, mode="edge"), k, "valid")
    mid = (left + right) / 2
    half = np.maximum((right - left) / 2, 1.0)
    x = np.arange(W, dtype=np.float32)[None, :]
    return (x - mid[:, None]) / half[:, None]


# ---------------------------------------------------------------------------
# Cloth: pattern colour and texture, evaluated on fabric coordinates (u, v) in pixels


def _noise(rng, shape, cell: float, ss: int = 1) -> np.ndarray:
    """Return smooth unit-variance noise of ``shape`` with features ~``cell`` pixels."""
    h, w = shape
    sh = (max(2, int(h / cell) + 2), max(2, int(w / cell) + 2))
    n = rng.standard_normal(sh).astype(np.float32)
    n = cv2.resize(n, (w, h), interpolation=cv2.INTER_CUBIC)
    return n / max(float(n.std()), 1e-6)


def _plaid_sett(spec: GarmentSpec, ss: int) -> np.ndarray:
    """Return one repeat of a symmetric tartan sett as colours along a thread line."""
    red, green, navy = _rgb(spec.base), _rgb(spec.accent), _rgb(spec.trim or "#1c2340")
    black = np.array([0.09, 0.09, 0.1], np.float32)
    yellow = np.array([0.93, 0.8, 0.35], np.float32)
    half = [(red, 22), (black, 2), (red, 3), (navy, 12), (black, 2), (green, 16), (yellow, 1.5), (green, 4)]
    bands = half + half[::-1]
    out = []
    for col, width in bands:
        out += [col] * int(round(width * ss))
    return np.array(out, np.float32)


def _floral_tile(spec: GarmentSpec, ss: int, size: int = 96) -> np.ndarray:
    """Return an RGBA tile (float, premultiplied-free) of a scattered meadow print."""
    n = size * ss
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    rng = np.random.default_rng(_seed(spec.slug, "floral"))
    petal = tuple(int(c * 255) for c in _rgb(spec.accent))
    centre = tuple(int(c * 255) for c in _rgb(spec.trim or "#f2b93b"))
    leaf = (94, 128, 78)
    blue = (122, 146, 196)

    def flower(cx, cy, r, col, k=5):
        rot = rng.uniform(0, 2 * math.pi)
        for i in range(k):
            a = rot + 2 * math.pi * i / k
            pts = []
            for s in np.linspace(0, 1, 14):
                w = math.sin(math.pi * s) * r * 0.42
                along = s * r
                pts.append((along, w))
            pts += [(p[0], -p[1]) for p in reversed(pts)]
            poly = [
                (cx + px * math.cos(a) - py * math.sin(a), cy + px * math.sin(a) + py * math.cos(a)) for px, py in pts
            ]
            shade = tuple(int(c * (0.85 + 0.15 * (i % 2))) for c in col)
            for ox in (-n, 0, n):
                for oy in (-n, 0, n):
                    d.polygon([(x + ox, y + oy) for x, y in poly], fill=shade + (255,))
        for ox in (-n, 0, n):
            for oy in (-n, 0, n):
                rr = r * 0.26
                d.ellipse([cx - rr + ox, cy - rr + oy, cx + rr + ox, cy + rr + oy], fill=centre + (255,))

    def leaf_at(cx, cy, r):
        a = rng.uniform(0, 2 * math.pi)
        pts = []
        for s in np.linspace(0, 1, 12):
            pts.append((s * r, math.sin(math.pi * s) * r * 0.3))
        pts += [(p[0], -p[1]) for p in reversed(pts)]
        poly = [(cx + px * math.cos(a) - py * math.sin(a), cy + px * math.sin(a) + py * math.cos(a)) for px, py in pts]
        for ox in (-n, 0, n):
            for oy in (-n, 0, n):
                d.polygon([(x + ox, y + oy) for x, y in poly], fill=leaf + (255,))

    pts = []
    while len(pts) < 7:
        c = rng.uniform(0, n, 2)
        if all(
            np.min([np.linalg.norm(c - q + o) for o in ((0, 0), (n, 0), (-n, 0), (0, n), (0, -n))]) > n * 0.28
            for q in pts
        ):
            pts.append(c)
    for cx, cy in pts:
        for _ in range(2):
            ang = rng.uniform(0, 2 * math.pi)
            leaf_at(cx + math.cos(ang) * 7 * ss, cy + math.sin(ang) * 7 * ss, rng.uniform(9, 13) * ss)
    for i, (cx, cy) in enumerate(pts):
        col = petal if i % 3 else blue
        flower(cx, cy, rng.uniform(8, 11.5) * ss, col, 5)
    for _ in range(14):
        cx, cy = rng.uniform(0, n, 2)
        r = 1.3 * ss
        for ox in (-n, 0, n):
            for oy in (-n, 0, n):
                d.ellipse([cx - r + ox, cy - r + oy, cx + r + ox, cy + r + oy], fill=centre + (255,))
    return np.asarray(img, np.float32) / 255.0


def _sample_tile(tile: np.ndarray, u: np.ndarray, v: np.ndarray, ss: int) -> np.ndarray:
    th, tw = tile.shape[:2]
    mx = np.mod(u * ss, tw).astype(np.float32)
    my = np.mod(v * ss, th).astype(np.float32)
    return cv2.remap(tile, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


class _Cloth:
    """Colour and texture of one spec's fabric."""

    def __init__(self, spec: GarmentSpec, ss: int):
        self.spec, self.ss = spec, ss
        self.base = _rgb(spec.base)
        self.accent = _rgb(spec.accent)
        self.kind = spec.pattern
        self._tile = None
        if self.kind == "floral":
            self._tile = _floral_tile(spec, ss)
        elif self.kind == "plaid":
            self._sett = _plaid_sett(spec, ss)
        self.rng = np.random.default_rng(_seed(spec.slug, "cloth"))

    def colour(self, u: np.ndarray, v: np.ndarray, plain: bool = False) -> np.ndarray:
        """Return the printed/woven colour at fabric coordinates ``(u, v)``."""
        k, ss = self.kind, self.ss
        shape = np.broadcast(u, v).shape
        base = np.broadcast_to(self.base, shape + (3,)).astype(np.float32)
        if plain:
            return base
        aa = 0.75
        if k == "breton":
            p, w = 15.0, 6.0
            d = np.abs(np.mod(v, p) - p / 2)
            m = _smooth(w / 2 + aa, w / 2 - aa, d)[..., None]
            return _mix(base, self.accent, m)
        if k == "polka":
            sp, r = 23.0, 3.7
            row = np.floor(v / sp)
            du = np.mod(u - np.mod(row, 2) * sp / 2, sp) - sp / 2
            dv = np.mod(v, sp) - sp / 2
            m = _smooth(r + aa, r - aa, np.hypot(du, dv))[..., None]
            return _mix(base, self.accent, m)
        if k == "floral":
            t = _sample_tile(self._tile, u + 0 * v, v + 0 * u, ss)
            return _mix(base, t[..., :3], t[..., 3:4])
        if k == "plaid":
            sett = self._sett
            n = len(sett)
            iu = np.mod(np.floor(u * ss), n).astype(np.int32)
            iv = np.mod(np.floor(v * ss), n).astype(np.int32)
            warp, weft = sett[iu], sett[iv]
            twill = np.sign(np.sin((u + v) * math.pi / 1.1))[..., None]
            return (warp + weft) * 0.5 + (warp - weft) * 0.16 * twill
        if k == "houndstooth":
            # the real construction: 4 dark/4 light threads each way in a 2/2 twill
            cell = 1.8
            iu = np.floor(u / cell).astype(np.int32)
            iv = np.floor(v / cell).astype(np.int32)
            warp_on_top = np.mod(iu + iv, 4) < 2
            dark = np.where(warp_on_top, np.mod(iu, 8) < 4, np.mod(iv, 8) < 4)
            return _mix(base, self.accent, dark[..., None].astype(np.float32))
        return base

    def texture(self, u: np.ndarray, v: np.ndarray, rng) -> np.ndarray:
        """Return a multiplicative texture (around 1) at ``(u, v)``."""
        k = self.kind
        shape = np.broadcast(u, v).shape
        grain = _noise(rng, shape, 0.9 * self.ss) * 0.025
        mottle = _noise(rng, shape, 26 * self.ss) * 0.007
        t = 1.0 + grain + mottle
        if k == "rib":
            t = t + 0.07 * np.sin(u * 2 * math.pi / 3.2)
        elif k in ("denim",):
            twill = np.sin((u * 0.6 + v) * 2 * math.pi / 2.4)
            slub = _noise(rng, (max(2, shape[0] // 14), shape[1]), 1.0)
            slub = cv2.resize(slub, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
            t = t + 0.05 * twill + 0.045 * slub
        elif k in ("twill", "nylon"):
            t = t + 0.025 * np.sin((u + v) * 2 * math.pi / 2.2)
        elif k in ("wool", "plaid", "houndstooth"):
            t = t + _noise(rng, shape, 0.6 * self.ss) * 0.035
        elif k in ("jersey", "graphic", "breton"):
            t = t + 0.012 * np.sin(u * 2 * math.pi / 1.6)
        return t.astype(np.float32)


# ---------------------------------------------------------------------------
# Folds: soft dark valleys with a lit ridge beside them


@dataclass
class _Fold:
    pts: np.ndarray
    depth: float = 0.2
    width: float = 6.0


def _fold_field(w: int, h: int, folds: list[_Fold], ss: int) -> np.ndarray:
    """Return a multiplicative shading field (output size x ss) from ``folds``."""
    field = np.zeros((h, w), np.float32)
    groups: dict[int, list[_Fold]] = {}
    for f in folds:
        groups.setdefault(max(2, int(round(f.width))), []).append(f)
    light = np.array([-0.55, -0.83])
    for width, group in groups.items():
        dark = np.zeros((h, w), np.float32)
        lit = np.zeros((h, w), np.float32)
        for f in group:
            pts = _resample(f.pts, 2.0)
            if len(pts) < 2:
                continue
            n = len(pts)
            dirs = np.gradient(pts, axis=0)
            nrm = np.stack([dirs[:, 1], -dirs[:, 0]], 1)
            nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-9)
            sgn = np.where((nrm @ light) > 0, 1.0, -1.0)[:, None]
            hl = pts + nrm * sgn * width * 0.9
            for i in range(n - 1):
                s = (i + 0.5) / (n - 1)
                taper = math.sin(math.pi * s) ** 0.6
                thick = max(1, int(round(width * 0.55 * (0.4 + 0.6 * taper))))
                a, b = tuple(np.round(pts[i]).astype(int)), tuple(np.round(pts[i + 1]).astype(int))
                cv2.line(dark, a, b, float(f.depth * taper), thick)
                a, b = tuple(np.round(hl[i]).astype(int)), tuple(np.round(hl[i + 1]).astype(int))
                cv2.line(lit, a, b, float(f.depth * 0.6 * taper), thick)
        sigma = width * 0.55
        field += cv2.GaussianBlur(lit, (0, 0), sigma) - cv2.GaussianBlur(dark, (0, 0), sigma)
    field = cv2.resize(field, (w * ss, h * ss), interpolation=cv2.INTER_LINEAR)
    return 1.0 + field


# ---------------------------------------------------------------------------
# The renderer: one instance per render call


class _Art:
    """Shared machinery for drawing a garment."""

    def __init__(self, spec: GarmentSpec, size: tuple[int, int], ss: int):
        self.spec = spec
        self.c = _Canvas(size[0], size[1], ss, _seed(spec.slug))
        # what a ghost-mannequin photo shows through the openings: the garment's inside
        self.inner = _Canvas(size[0], size[1], ss, _seed(spec.slug, "inside"))
        self.cloth = _Cloth(spec, ss)
        self.rng = np.random.default_rng(_seed(spec.slug, "shapes"))
        self.trng = np.random.default_rng(_seed(spec.slug, "texture"))
        self.folds: list[_Fold] = []
        self.anchors: dict[str, tuple[int, int]] = {}
        self.focus = (size[0] / 2, size[1] / 2)
        self.base = _rgb(spec.base)
        self.trim = _rgb(spec.trim) if spec.trim else self.base
        self.thread = self.base * 0.78 if spec.pattern != "denim" else _rgb(spec.accent)

    def jitter(self, scale: float) -> float:
        return float(self.rng.uniform(-scale, scale))

    def fold(self, pts, depth=0.2, width=6.0):
        self.folds.append(_Fold(np.asarray(pts, np.float64), depth * 1.9, width))

    def finish_folds(self):
        c = self.c
        self.c.shade = _fold_field(c.w, c.h, self.folds, c.ss)
        # a touch of top light: garments read lighter at the shoulders
        self.c.shade *= (1.04 - 0.1 * (c.ys / c.h)).astype(np.float32)

    # -- fabric panels -----------------------------------------------------------
    def panel(self, m, uv=None, power=2.2, plain=False, tint=None, amb=_AMB):
        """Paint mask ``m`` with the cloth; ``uv(xs, ys) -> (u, v, t)`` gives fabric coords."""
        c = self.c
        sl = c.bbox(m)
        if sl is None:
            return
        X = np.broadcast_to(c.xs[:, sl[1]], (sl[0].stop - sl[0].start, sl[1].stop - sl[1].start))
        Y = np.broadcast_to(c.ys[sl[0], :], X.shape)
        if uv is None:
            u, v, t = X, Y, None
        else:
            u, v, t = uv(X, Y)
        if t is None:
            t = _row_t(m[sl])
        form = _lambert(t, power, amb)
        c.set_form(m, form, sl)
        bend = c.shade[sl] - 1.0  # the print rides over the folds
        u, v = u + 5.0 * bend, v + 9.0 * bend
        col = self.cloth.colour(u, v, plain=plain)
        if tint is not None:
            col = col * tint
        col = col * self.cloth.texture(u, v, self.trng)[..., None]
        c.paint(m, col, sl=sl)

    def sleeve_uv(self, origin, d, po, centre_fn, half_fn, side):
        """Return a ``uv`` function for a tube along ``d`` from ``origin``."""
        origin = np.asarray(origin, np.float32)

        def uv(X, Y):
            dx, dy = X - origin[0], Y - origin[1]
            v = dx * d[0] + dy * d[1]
            u = dx * po[0] + dy * po[1]
            t = (u - centre_fn(v)) / np.maximum(half_fn(v), 1.0)
            return u * side, v, t * side

        return uv

    # -- details --------------------------------------------------------------------
    def seam(self, path, strength=0.7, width=1.0):
        """Draw a sewn seam: a dark crease with a faint lit edge."""
        c = self.c
        path = np.asarray(path, np.float64)
        c.multiply(c.stroke(path, width), strength)
        c.multiply(c.stroke(_offset(path, 1.1), 0.8), 1.08)

    def stitch(self, path, colour=None, offset=0.0, width=0.9, opacity=0.85, dash=(2.6, 1.6)):
        """Draw a dashed line of topstitching parallel to ``path``."""
        col = self.thread if colour is None else colour
        path = _offset(np.asarray(path, np.float64), offset) if offset else np.asarray(path, np.float64)
        m = cv2.min(self.c.stroke(path, width, dash=dash), self._alpha8())
        self.c.paint(m, col, opacity)

    def _alpha8(self) -> np.ndarray:
        return (self.c.alpha * 255).astype(np.uint8)

    def tint(self, m, colour, amount):
        """Blend toward ``colour`` (a fade or wash) by ``amount`` (scalar or field) under mask ``m``."""
        c = self.c
        sl = c.bbox(m)
        if sl is None:
            return
        a = m[sl].astype(np.float32) / 255.0 * (amount[sl] if isinstance(amount, np.ndarray) else amount)
        prem = c.prem[sl]
        # keep the texture of what is there, move its colour toward ``colour``
        target = prem * 0.6 + np.asarray(colour, np.float32) * 0.5 * c.alpha[sl][..., None]
        c.prem[sl] = prem + (target - prem) * a[..., None]

    def edge_shadow(self, m, offset=(1.5, 3.0), blur=3.0, strength=0.55, under=None):
        """Darken what lies just below/right of mask ``m`` (a piece casting shadow)."""
        c = self.c
        ss = c.ss
        x, y, w, h = cv2.boundingRect(m)
        if w == 0:
            return
        pad = int((abs(offset[0]) + abs(offset[1]) + 3 * blur) * ss) + 2
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(c.W, x + w + pad), min(c.H, y + h + pad)
        sl = np.s_[y0:y1, x0:x1]
        sub = m[sl]
        M = np.float32([[1, 0, offset[0] * ss], [0, 1, offset[1] * ss]])
        sh = cv2.warpAffine(sub, M, (x1 - x0, y1 - y0))
        sh = _blur(sh.astype(np.float32), blur * ss) * (1 - sub.astype(np.float32) / 255)
        if under is not None:
            sh *= under[sl].astype(np.float32) / 255
        full = np.zeros((c.H, c.W), np.uint8)
        full[sl] = np.clip(sh, 0, 255).astype(np.uint8)
        c.multiply(full, 1 - strength, sl=sl)

    def button(self, centre, r, colour, kind="sew"):
        """Draw a button with a soft drop shadow: 'sew' (four holes) or 'shank' (metal)."""
        c = self.c
        col = np.asarray(colour, np.float32)
        disc = c.circle(centre, r)
        c.multiply(c.circle((centre[0] + 0.6, centre[1] + 1.2), r * 1.08), 0.55)
        cx, cy = centre

        def grad(X, Y, sl):
            dx, dy = (X - cx) / r, (Y - cy) / r
            g = 1.15 - 0.35 * (dx * 0.5 + dy * 0.8)
            ring = _smooth(0.62, 0.78, np.hypot(dx, dy)) * (1 - _smooth(0.86, 1.0, np.hypot(dx, dy)))
            if kind == "shank":
                g = g + 0.35 * np.exp(-((dx + 0.3) ** 2 + (dy + 0.35) ** 2) * 6) - 0.18 * ring
            else:
                g = g + 0.12 * ring
            return col * g[..., None]

        c.paint(disc, grad, shaded=False)
        if kind == "sew":
            for ox, oy in ((-0.28, -0.28), (0.28, -0.28), (-0.28, 0.28), (0.28, 0.28)):
                c.paint(c.circle((cx + ox * r, cy + oy * r), r * 0.14), col * 0.35, shaded=False)
        else:
            c.paint(
                c.stroke(np.array([[cx - r * 0.5, cy], [cx + r * 0.5, cy]]), max(0.6, r * 0.12)),
                col * 0.55,
                0.6,
                shaded=False,
            )

    def rib(self, m, u_fn, period=2.4, colour=None, depth=0.16):
        """Paint a ribbed-knit band through ``m``; ``u_fn(X, Y)`` runs across the ribs."""
        col = self.trim if colour is None else np.asarray(colour, np.float32)

        def f(X, Y, sl):
            u = u_fn(X, Y)
            ribs = 1.0 - depth * (0.5 + 0.5 * np.cos(u * 2 * math.pi / period))
            return col * ribs[..., None] * (1 + _noise(self.trng, ribs.shape, 1.5) * 0.02)[..., None]

        self.c.paint(m, f)

    @contextmanager
    def inside(self):
        """Draw on the inside layer (seen only in product photos) within this block."""
        outer, self.c = self.c, self.inner
        try:
            yield self.inner
        finally:
            self.c = outer

    def image(self, out: int = 1) -> Image.Image:
        return self.c.image(out)

    def ghost_image(self, out: int = 1) -> Image.Image:
        """Return the garment composited over its inside layer."""
        return Image.alpha_composite(self.inner.image(out), self.c.image(out))


# ---------------------------------------------------------------------------
# Tops: t-shirts, long-sleeves and jackets share one skeleton


class _TopGeo:
    """Skeleton of a top: shoulders, neck, underarms, sleeves and hem."""

    def __init__(
        self,
        cx,
        ys,
        sw,
        theta,
        *,
        chest=0.46,
        hip_half=0.44,
        hem=1.48,
        waist=0.0,
        uo=(0.12, 0.08),
        ui=(-0.24, -0.12),
        neck=0.42,
        drop=0.075,
    ):
        self.cx, self.ys, self.sw = cx, ys, sw
        th = math.radians(theta)
        self.sin, self.cos = math.sin(th), math.cos(th)
        self.uo, self.ui = uo, ui
        self.S = {s: _p(cx + s * sw / 2, ys) for s in (-1, 1)}
        self.N = {s: _p(cx + s * neck * sw / 2, ys - drop * sw) for s in (-1, 1)}
        self.d = {s: np.array([s * self.sin, self.cos]) for s in (-1, 1)}
        self.po = {s: np.array([s * self.cos, -self.sin]) for s in (-1, 1)}
        self.chest = chest
        self.hip_y = ys + 1.4 * sw
        self.hip_half = hip_half
        self.hem_y = ys + hem * sw
        self.waist = waist
        self.L = 1.7 * sw  # shoulder to wrist along the arm
        self.elbow_v = 0.9 * sw
        self.wrist_v = 1.7 * sw
        # underarm: where the sleeve's inner edge meets the torso side
        lo, hi = 0.0, self.L
        for _ in range(40):
            mid = (lo + hi) / 2
            x = sw / 2 + mid * self.sin + self.u_in(mid) * self.cos
            if x < chest * sw:
                lo = mid
            else:
                hi = mid
        self.under_v = lo
        self.U = {s: self.sp(s, lo, self.u_in(lo)) for s in (-1, 1)}

    def u_out(self, v):
        return (self.uo[0] + (self.uo[1] - self.uo[0]) * v / self.L) * self.sw

    def u_in(self, v):
        return (self.ui[0] + (self.ui[1] - self.ui[0]) * v / self.L) * self.sw

    def sp(self, s, v, u) -> np.ndarray:
        return self.S[s] + v * self.d[s] + u * self.po[s]

    def axis(self, s, v) -> np.ndarray:
        """Return the sleeve's centre at distance ``v`` along the arm."""
        return self.sp(s, v, (self.u_out(v) + self.u_in(v)) / 2)

    def armhole(self, s, n=16) -> np.ndarray:
        S, U = self.S[s], self.U[s]
        return _bez(S, S + _p(-s * 0.01 * self.sw, 0.16 * self.sw), U + _p(s * 0.015 * self.sw, -0.12 * self.sw), U, n)

    def side(self, s, bottom_y=None, bottom_half=None) -> np.ndarray:
        """Return the torso side from the underarm down to the hem corner."""
        U = self.U[s]
        by = self.hem_y if bottom_y is None else bottom_y
        bh = self.hip_half if bottom_half is None else bottom_half
        B = _p(self.cx + s * bh * self.sw, by)
        wy = self.ys + 0.95 * self.sw
        W = _p(self.cx + s * (min(self.chest, bh) - self.waist) * self.sw, wy)
        return _path(
            _bez(U, U + _p(0, 0.2 * self.sw), W + _p(0, -0.2 * self.sw), W, 14),
            _bez(W, W + _p(0, 0.2 * self.sw), B + _p(0, -0.2 * self.sw), B, 14),
        )

    def sleeve(self, s, v_end, cap=0.24) -> np.ndarray:
        """Return the polygon of the sleeve on side ``s``, ending ``v_end`` along the arm."""
        S, N = self.S[s], self.N[s]
        sh = (S - N) / np.linalg.norm(S - N)
        vc = cap * self.sw
        vc = min(vc, 0.8 * v_end)
        o1 = self.sp(s, vc, self.u_out(vc))
        cap_pts = _bez(S, S + sh * 0.06 * self.sw, o1 - self.d[s] * 0.4 * vc, o1, 14)
        outer = np.array([self.sp(s, v, self.u_out(v)) for v in np.linspace(vc, v_end, 8)])
        inner = np.array([self.sp(s, v, self.u_in(v)) for v in np.linspace(v_end, self.under_v, 6)])
        return _path(cap_pts, outer, inner, self.armhole(s)[::-1])

    def hem(self, bottom_y=None, bottom_half=None, sag=0.015) -> np.ndarray:
        by = self.hem_y if bottom_y is None else bottom_y
        bh = self.hip_half if bottom_half is None else bottom_half
        a, b = _p(self.cx - bh * self.sw, by), _p(self.cx + bh * self.sw, by)
        return _qbez(a, _p(self.cx, by + 2 * sag * self.sw), b, 20)

    def back_neck(self, rise=0.02) -> np.ndarray:
        N0, N1 = self.N[-1], self.N[1]
        return _qbez(N0, _p(self.cx, N0[1] + rise * self.sw), N1, 20)

    def top_anchors(self, kind: str) -> dict[str, tuple[int, int]]:
        A = {
            "right_shoulder": self.S[-1],
            "left_shoulder": self.S[1],
            "right_hip": _p(self.cx - 0.425 * self.sw, self.hip_y),
            "left_hip": _p(self.cx + 0.425 * self.sw, self.hip_y),
            "right_elbow": self.axis(-1, self.elbow_v),
            "left_elbow": self.axis(1, self.elbow_v),
            "right_wrist": self.axis(-1, self.wrist_v),
            "left_wrist": self.axis(1, self.wrist_v),
        }
        return {k: (int(round(A[k][0])), int(round(A[k][1]))) for k in _g.required_anchors(kind)}


def _neckline(g: _TopGeo, style: str) -> np.ndarray:
    """Return the front neckline from the wearer's right neck point to the left one."""
    N0, N1, sw, cx = g.N[-1], g.N[1], g.sw, g.cx
    if style == "vneck":
        apex = _p(cx, N0[1] + 0.36 * sw)
        return _path(
            _bez(N0, N0 + _p(0.0, 0.12 * sw), apex + _p(-0.05 * sw, -0.08 * sw), apex, 16),
            _bez(apex, apex + _p(0.05 * sw, -0.08 * sw), N1 + _p(0.0, 0.12 * sw), N1, 16),
        )
    depth = {"boat": 0.07, "crew": 0.15}.get(style, 0.15)
    a = (N1[0] - N0[0]) / 2
    phi = np.linspace(math.pi, 0, 40)
    return np.stack([cx + a * np.cos(phi), N0[1] + depth * sw * np.sin(phi)], 1)


class _TopArt(_Art):
    """T-shirts and long-sleeve tops."""

    def __init__(self, spec: GarmentSpec, ss: int):
        long = spec.kind == _g.LONGSLEEVE
        if long:
            W, H, sw, theta = 680, 560, 250, 22
        else:
            W, H, sw, theta = 600, 560, 270, 28
        neck = 0.58 if spec.style == "boat" else 0.40
        self.g = _TopGeo(
            W / 2,
            84,
            sw,
            theta,
            hem=1.5 if long else 1.48,
            neck=neck,
            waist=0.015 if long else 0.0,
            ui=(-0.24, -0.12) if long else (-0.22, -0.16),
            uo=(0.12, 0.075) if long else (0.12, 0.11),
        )
        super().__init__(spec, (W, H), ss)

    def draw(self):
        spec, kind, g = self.spec, self.spec.kind, self.g
        long = kind == _g.LONGSLEEVE
        W, sw = self.c.w, g.sw
        c, cx = self.c, g.cx
        v_end = g.wrist_v + 0.05 * sw if long else 0.46 * g.elbow_v
        neckline = _neckline(g, spec.style)

        torso = _path(
            [g.N[-1], g.S[-1]],
            g.armhole(-1),
            g.side(-1),
            g.hem(),
            g.side(1)[::-1],
            g.armhole(1)[::-1],
            [g.S[1], g.N[1]],
            neckline[::-1],
        )
        sleeves = {s: g.sleeve(s, v_end) for s in (-1, 1)}
        self._top_folds(g, long, v_end)
        self.finish_folds()

        with self.inside():
            self._ghost_neck(g, neckline)
        tm = c.poly(torso)
        self.panel(tm, power=1.8)
        if spec.pattern == "breton":
            # the classic sailor top keeps a plain yoke above the stripes
            yoke = c.poly(np.array([[0, 0], [W, 0], [W, g.ys + 0.2 * sw], [0, g.ys + 0.2 * sw]]))
            ym = cv2.min(tm, yoke)
            self.panel(ym, power=2.4, plain=True)
        for s in (-1, 1):
            sm = c.poly(sleeves[s])
            self.edge_shadow(sm, offset=(s * 2.5, 2.0), blur=4.0, strength=0.35, under=tm)
            uv = g_uv = self.sleeve_uv(
                g.S[s],
                g.d[s],
                g.po[s],
                lambda v: (g.u_out(v) + g.u_in(v)) / 2,
                lambda v: (g.u_out(v) - g.u_in(v)) / 2,
                s,
            )
            if spec.pattern == "breton":

                def uv(X, Y, _f=g_uv):
                    u, v, t = _f(X, Y)
                    return u, v + 1000.0 * (v < 0.22 * sw), t

            self.panel(sm, uv=uv, power=1.6)
            self.seam(g.armhole(s))
            self._sleeve_end(g, s, v_end, long)
        # shoulder seams
        for s in (-1, 1):
            self.seam(np.array([g.N[s], g.S[s]]), 0.8)
        self._hem(g.hem(), 0.045 * sw, g)
        self._collar(g, neckline, spec.style)
        if spec.pattern == "graphic":
            self._print(g)
        self.anchors = g.top_anchors(kind)
        self.focus = (cx, g.ys + 0.35 * sw)

    def _top_folds(self, g: _TopGeo, long: bool, v_end: float):
        sw, cx = g.sw, g.cx
        j = self.jitter
        for s in (-1, 1):
            U = g.U[s]
            for k in range(2):
                start = U + _p(-s * (0.03 + 0.04 * k) * sw, (0.04 + 0.1 * k) * sw)
                end = _p(cx + s * (0.2 + 0.08 * k + j(0.04)) * sw, g.ys + (0.8 + 0.18 * k + j(0.05)) * sw)
                ctrl = _p(start[0] - s * 0.05 * sw, (start[1] + end[1]) / 2)
                self.fold(_qbez(start, ctrl, end), depth=0.17 - 0.04 * k, width=0.05 * sw)
            # sleeve folds from the armpit across the sleeve
            for k in range(2 if not long else 3):
                v0 = g.under_v * (0.75 + 0.2 * k)
                a = g.sp(s, v0, g.u_in(v0) * 0.9)
                b = g.sp(s, v0 + 0.18 * sw, g.u_out(v0) * 0.3)
                self.fold(_line(a, b, 6), depth=0.14, width=0.035 * sw)
            if long:
                # elbow crease and bunching above the cuff
                for k in range(3):
                    v0 = g.elbow_v + (k - 1) * 0.07 * sw + j(0.02 * sw)
                    a = g.sp(s, v0 - 0.03 * sw, g.u_in(v0) * 0.9)
                    b = g.sp(s, v0 + 0.04 * sw, g.u_out(v0) * 0.7)
                    self.fold(_qbez(a, (a + b) / 2 + g.d[s] * 0.03 * sw, b), depth=0.18, width=0.03 * sw)
                for k in range(4):
                    v0 = v_end - (0.2 + 0.09 * k) * sw + j(0.015 * sw)
                    a = g.sp(s, v0 + (0.03 if k % 2 else -0.03) * sw, g.u_in(v0) * 0.95)
                    b = g.sp(s, v0 - (0.03 if k % 2 else -0.03) * sw, g.u_out(v0) * 0.9)
                    self.fold(_line(a, b, 5), depth=0.16, width=0.028 * sw)
        # gentle ripples above the hem and a soft centre drape
        for k in range(4):
            x = cx + (k - 1.5) * 0.22 * sw + j(0.04 * sw)
            self.fold(
                _line(_p(x, g.hem_y + 0.01 * sw), _p(x + j(0.05 * sw), g.hem_y - (0.18 + j(0.06)) * sw), 6),
                depth=0.1,
                width=0.045 * sw,
            )
        self.fold(
            _qbez(
                _p(cx - 0.25 * sw, g.ys + 1.12 * sw),
                _p(cx, g.ys + 1.08 * sw + j(4)),
                _p(cx + 0.3 * sw, g.ys + 1.15 * sw),
            ),
            depth=0.07,
            width=0.06 * sw,
        )

    def _sleeve_end(self, g: _TopGeo, s: int, v_end: float, long: bool):
        sw = g.sw
        c = self.c
        a, b = g.sp(s, v_end, g.u_out(v_end)), g.sp(s, v_end, g.u_in(v_end))
        if long and self.spec.style != "boat":
            cuff_w = 0.13 * sw
            va = v_end - cuff_w
            poly = np.array([g.sp(s, va, g.u_out(va)), a, b, g.sp(s, va, g.u_in(va))])
            m = c.poly(poly)
            S, po = g.S[s], g.po[s]
            self.rib(m, lambda X, Y: (X - S[0]) * po[0] + (Y - S[1]) * po[1], period=2.6, colour=self.trim * 0.97)
            self.seam(np.array([poly[0], poly[3]]), 0.72)
            return
        # turned hem with twin-needle stitching
        depth = 0.055 * sw if not long else 0.07 * sw
        for off in (depth, depth + 0.018 * sw):
            va = v_end - off
            self.stitch(np.array([g.sp(s, va, g.u_out(va) - 1), g.sp(s, va, g.u_in(va) + 1)]), opacity=0.6)
        c.multiply(c.stroke(np.array([a, b]), 1.4), 0.8)

    def _hem(self, hem: np.ndarray, depth: float, g: _TopGeo):
        self.stitch(_offset(hem, depth)[2:-2], opacity=0.6)
        self.stitch(_offset(hem, depth + 0.018 * g.sw)[2:-2], opacity=0.6)
        self.c.multiply(self.c.stroke(hem, 1.4), 0.82)

    def _collar(self, g: _TopGeo, neckline: np.ndarray, style: str):
        c, sw = self.c, g.sw
        if style == "boat":
            # a wide turned edge, no rib
            self.stitch(_offset(neckline, -0.035 * sw)[2:-2], opacity=0.6)
            c.multiply(c.stroke(neckline, 1.4), 0.8)
            return
        bw = 0.05 * sw
        outer = _offset(neckline, -bw)
        band = c.poly(_path(neckline, outer[::-1]))
        centre = _p(g.cx, g.N[-1][1] - 0.25 * sw)

        def u_fn(X, Y):
            ang = np.arctan2(Y - centre[1], X - centre[0])
            return ang * (0.6 * sw)

        self.rib(band, u_fn, period=2.4)
        self.edge_shadow(band, offset=(0.5, 2.0), blur=2.5, strength=0.35)
        self.seam(outer, 0.78)
        self.stitch(outer, offset=-1.6, opacity=0.55)
        if style == "vneck":
            apex = neckline[len(neckline) // 2]
            self.seam(np.array([apex, apex + _p(0, bw * 1.6)]), 0.7)
        c.multiply(c.stroke(neckline, 1.2), 0.85)

    def _ghost_neck(self, g: _TopGeo, neckline: np.ndarray):
        """Paint the inside back of the neck, seen through the opening (product photo only)."""
        c, sw = self.c, g.sw
        back = g.back_neck(rise=-0.012)
        inner = c.poly(_path(back, neckline[::-1]))
        cy0, cy1 = back[len(back) // 2][1], neckline[len(neckline) // 2][1]
        col = self.base * 0.62

        def f(X, Y, sl):
            t = np.clip((Y - cy0) / max(cy1 - cy0, 1), 0, 1)
            return col * (1.0 - 0.45 * t)[..., None]

        c.paint(inner, f, shaded=False)
        bw = 0.045 * sw
        band = cv2.min(c.poly(_path(back, (back + _p(0, bw))[::-1])), inner)
        if self.spec.style != "boat":
            centre = _p(g.cx, g.N[-1][1] - 0.25 * sw)
            self.rib(band, lambda X, Y: np.arctan2(Y - centre[1], X - centre[0]) * 0.6 * sw, colour=self.trim * 0.8)
        label = c.poly(
            np.array(
                [
                    [g.cx - 0.07 * sw, back[10][1] + bw * 0.8],
                    [g.cx + 0.07 * sw, back[10][1] + bw * 0.8],
                    [g.cx + 0.07 * sw, back[10][1] + bw * 2.2],
                    [g.cx - 0.07 * sw, back[10][1] + bw * 2.2],
                ]
            )
        )
        label = cv2.min(label, inner)
        c.paint(label, np.array([0.93, 0.92, 0.88], np.float32) * 0.8, shaded=False)

    def _print(self, g: _TopGeo):
        """Screen-print a sunset badge on the chest."""
        c, sw, ss = self.c, g.sw, self.c.ss
        size = int(0.5 * sw * ss)
        img = Image.new("RGBA", (size, int(size * 1.25)), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        r = size * 0.42
        cxp, cyp = size / 2, size * 0.46
        orange, cream = tuple(int(v * 255) for v in _rgb(self.spec.accent)), tuple(int(v * 255) for v in self.trim)
        pink = (226, 84, 98)
        # sun: banded disc fading from yellow to pink, with retro gaps
        sun = Image.new("L", img.size, 0)
        ImageDraw.Draw(sun).ellipse([cxp - r, cyp - r, cxp + r, cyp + r], fill=255)
        bands = Image.new("RGBA", img.size, (0, 0, 0, 0))
        bd = ImageDraw.Draw(bands)
        top, bot = cyp - r, cyp + r
        for i in range(int(top), int(bot)):
            t = (i - top) / (bot - top)
            col = tuple(int(a + (b - a) * t) for a, b in zip((250, 210, 90), pink))
            bd.line([(0, i), (size, i)], fill=col + (255,))
        gaps = ImageDraw.Draw(sun)
        y = cyp + r * 0.05
        gap = r * 0.04
        while y < cyp + r:
            gaps.rectangle([0, y, size, y + gap], fill=0)
            y += gap * 3.2
            gap *= 1.25
        img.paste(bands, (0, 0), sun)
        # mountains
        base_y = cyp + r * 0.72
        peaks = [
            (cxp - r * 1.15, base_y),
            (cxp - r * 0.45, cyp + r * 0.05),
            (cxp - r * 0.05, cyp + r * 0.4),
            (cxp + r * 0.45, cyp - r * 0.12),
            (cxp + r * 1.15, base_y),
        ]
        d.polygon(peaks, fill=(40, 52, 70, 255))
        snow = [
            (cxp + r * 0.45, cyp - r * 0.12),
            (cxp + r * 0.3, cyp + r * 0.08),
            (cxp + r * 0.42, cyp + r * 0.02),
            (cxp + r * 0.52, cyp + r * 0.1),
            (cxp + r * 0.6, cyp + r * 0.05),
        ]
        d.polygon(snow, fill=cream + (255,))
        d.rectangle([cxp - r * 1.15, base_y, cxp + r * 1.15, base_y + r * 0.06], fill=orange + (255,))
        for text, yy, col, fs in (
            ("SUNSET CLUB", cyp + r * 1.02, cream, 0.13),
            ("EST. 1987  ·  PACIFIC COAST", cyp + r * 1.32, orange, 0.055),
        ):
            f = _font(max(6, int(size * fs)))
            w = d.textlength(text, font=f)
            d.text(
                (cxp - w / 2, yy),
                text,
                font=f,
                fill=col + (255,),
                stroke_width=max(1, int(size * fs * 0.06)),
                stroke_fill=col + (255,),
            )
        arr = np.asarray(img, np.float32) / 255.0
        # a slightly cracked, soft-hand print
        crack = _noise(self.trng, arr.shape[:2], 1.2) > 1.9
        arr[..., 3] *= np.where(crack, 0.45, 0.93)
        x0 = int((g.cx - 0.25 * sw) * ss)
        y0 = int((g.ys + 0.13 * sw) * ss)
        h, w = arr.shape[:2]
        m = np.zeros((c.H, c.W), np.uint8)
        m[y0 : y0 + h, x0 : x0 + w] = np.round(arr[..., 3] * 255).astype(np.uint8)
        col = np.zeros((c.H, c.W, 3), np.float32)
        col[y0 : y0 + h, x0 : x0 + w] = arr[..., :3]
        m = cv2.min(m, (c.alpha * 255).astype(np.uint8))
        c.paint(m, col * 0.94)


# ---------------------------------------------------------------------------
# Public API

_ART_CLASSES: dict[str, type] = {}


class _JacketArt(_TopArt):
    """Jackets: the denim trucker, the zip bomber and the blazer."""

    def __init__(self, spec: GarmentSpec, ss: int):
        W, H, sw = 700, 600, 250
        st = spec.style
        if st == "blazer":
            g = _TopGeo(
                W / 2,
                80,
                sw,
                21,
                chest=0.49,
                hip_half=0.47,
                hem=1.6,
                waist=0.035,
                uo=(0.1, 0.085),
                ui=(-0.25, -0.13),
                neck=0.4,
            )
        elif st == "bomber":
            g = _TopGeo(
                W / 2,
                80,
                sw,
                24,
                chest=0.52,
                hip_half=0.46,
                hem=1.46,
                waist=-0.03,
                uo=(0.15, 0.11),
                ui=(-0.27, -0.15),
                neck=0.42,
            )
        else:
            g = _TopGeo(
                W / 2, 80, sw, 23, chest=0.5, hip_half=0.47, hem=1.45, uo=(0.13, 0.09), ui=(-0.26, -0.14), neck=0.42
            )
        self.g = g
        _Art.__init__(self, spec, (W, H), ss)
        self.lining = _rgb(spec.trim) if spec.trim else self.base * 0.55

    def draw(self):
        spec, g, c = self.spec, self.g, self.c
        sw, cx, st = g.sw, g.cx, spec.style
        v_end = g.wrist_v + (0.05 if st != "blazer" else 0.03) * sw
        apex_y = {"denim": 0.24, "bomber": -0.03, "blazer": 0.46}[st]
        apex = _p(cx, g.ys + apex_y * sw)
        if st == "bomber":
            neckline = _neckline(g, "crew")
        else:
            neckline = _path(
                _qbez(g.N[-1], _p(g.N[-1][0] + 0.02 * sw, (g.N[-1][1] + apex[1]) / 2), apex, 12),
                _qbez(apex, _p(g.N[1][0] - 0.02 * sw, (g.N[1][1] + apex[1]) / 2), g.N[1], 12),
            )
        hem = g.hem(sag=0.01)
        torso = _path(
            [g.N[-1], g.S[-1]],
            g.armhole(-1),
            g.side(-1),
            hem,
            g.side(1)[::-1],
            g.armhole(1)[::-1],
            [g.S[1], g.N[1]],
            neckline[::-1],
        )
        self._folds(g, v_end)
        self.finish_folds()
        with self.inside() as ci:
            back = g.back_neck(rise=-0.03)
            inner = ci.poly(_path(back, neckline[::-1]))
            ci.paint(inner, self.lining * 0.7, shaded=False)
            self.edge_shadow(ci.poly(neckline), offset=(0, -3), blur=5, strength=0.4, under=inner)
        tm = c.poly(torso)
        if st == "blazer":
            # a cutaway front: the fronts part below the lower button
            y2 = g.ys + 1.05 * sw
            gap = c.poly(
                np.array([[cx, y2], [cx - 0.09 * sw, g.hem_y + 0.05 * sw], [cx + 0.09 * sw, g.hem_y + 0.05 * sw]])
            )
            gap = cv2.GaussianBlur(gap, (0, 0), 0.6)
            tm = cv2.subtract(tm, gap)
        self.panel(tm, power=1.6)
        for s in (-1, 1):
            sm = c.poly(g.sleeve(s, v_end))
            self.edge_shadow(sm, offset=(s * 2.5, 2.5), blur=4.5, strength=0.4, under=tm)
            uv = self.sleeve_uv(
                g.S[s],
                g.d[s],
                g.po[s],
                lambda v: (g.u_out(v) + g.u_in(v)) / 2,
                lambda v: (g.u_out(v) - g.u_in(v)) / 2,
                s,
            )
            self.panel(sm, uv=uv, power=1.4)
            self.seam(g.armhole(s))
            if st == "denim":
                self.stitch(g.armhole(s), offset=s * 2.5)
            self.seam(np.array([g.N[s], g.S[s]]), 0.8)
        getattr(self, "_" + st)(g, neckline, hem, apex, v_end, tm)
        self.anchors = g.top_anchors(spec.kind)
        self.focus = (cx, g.ys + 0.35 * sw)

    # -- folds ---------------------------------------------------------------------
    def _folds(self, g, v_end):
        sw, cx, j = g.sw, g.cx, self.jitter
        soft = 0.6 if self.spec.style == "blazer" else 1.0
        for s in (-1, 1):
            U = g.U[s]
            for k in range(2):
                a = U + _p(-s * 0.04 * sw, (0.05 + 0.12 * k) * sw)
                b = _p(cx + s * (0.22 + 0.06 * k + j(0.03)) * sw, g.ys + (0.85 + 0.15 * k) * sw)
                self.fold(_qbez(a, _p(a[0] - s * 0.04 * sw, (a[1] + b[1]) / 2), b), 0.14 * soft, 0.05 * sw)
            for k in range(3):
                v0 = g.elbow_v + (k - 1) * 0.08 * sw + j(0.02 * sw)
                a = g.sp(s, v0 - 0.04 * sw, g.u_in(v0) * 0.9)
                b = g.sp(s, v0 + 0.05 * sw, g.u_out(v0) * 0.8)
                self.fold(_qbez(a, (a + b) / 2 + g.d[s] * 0.04 * sw, b), 0.2 * soft, 0.035 * sw)
            for k in range(3):
                v0 = g.under_v + (0.1 + 0.12 * k) * sw
                a = g.sp(s, v0, g.u_in(v0) * 0.9)
                b = g.sp(s, v0 + 0.2 * sw, g.u_out(v0) * 0.4)
                self.fold(_line(a, b, 6), 0.12 * soft, 0.04 * sw)
            if self.spec.style == "bomber":
                for k in range(4):
                    v0 = v_end - (0.2 + 0.07 * k) * sw
                    a = g.sp(s, v0 + (0.03 if k % 2 else -0.03) * sw, g.u_in(v0) * 0.95)
                    b = g.sp(s, v0 - (0.03 if k % 2 else -0.03) * sw, g.u_out(v0) * 0.95)
                    self.fold(_line(a, b, 5), 0.2, 0.03 * sw)
        if self.spec.style == "bomber":
            for k in range(9):
                x = cx + (k - 4) * 0.1 * sw + j(0.02 * sw)
                self.fold(
                    _line(_p(x, g.hem_y - 0.12 * sw), _p(x + j(0.02 * sw), g.hem_y - 0.32 * sw), 5), 0.18, 0.035 * sw
                )

    # -- the denim trucker -------------------------------------------------------------
    def _denim(self, g, neckline, hem, apex, v_end, tm):
        c, sw, cx = self.c, g.sw, g.cx
        gold = _rgb(self.spec.accent)
        copper = np.array([0.72, 0.5, 0.3], np.float32)
        ys = g.ys
        # worn-in fading on the chest and along the front
        fade = np.zeros((c.H, c.W), np.float32)
        for s in (-1, 1):
            cv2.ellipse(
                fade,
                (int((cx + s * 0.22 * sw) * c.ss), int((ys + 0.55 * sw) * c.ss)),
                (int(0.14 * sw * c.ss), int(0.3 * sw * c.ss)),
                0,
                0,
                360,
                1.0,
                -1,
            )
        fade = _blur(fade, 0.12 * sw * c.ss) * 1.25
        self.tint(tm, np.array([0.62, 0.7, 0.82], np.float32), 0.55 * np.clip(fade, 0, 1))
        # waistband
        wb_h = 0.09 * sw
        wb_top = _offset(hem, wb_h)
        self.seam(wb_top[1:-1], 0.7)
        for off in (1.8, 4.2):
            self.stitch(wb_top[1:-1], gold, offset=-off)
        self.stitch(hem[1:-1], gold, offset=2.2)
        # yoke with the pointed trucker seam
        ydefs = {}
        for s in (-1, 1):
            arm = g.armhole(s)
            a = arm[np.argmin(np.abs(arm[:, 1] - (ys + 0.16 * sw)))]
            point = _p(cx + s * 0.24 * sw, ys + 0.27 * sw)
            inner = _p(cx + s * 0.04 * sw, ys + 0.2 * sw)
            yoke = np.array([a, _p(cx + s * 0.36 * sw, ys + 0.2 * sw), point, inner])
            ydefs[s] = yoke
            self.seam(yoke, 0.68)
            self.stitch(yoke, gold, offset=s * 2.0)
            self.stitch(yoke, gold, offset=s * 4.3)
            # chest pocket and its pointed flap
            px = cx + s * 0.24 * sw
            pw = 0.11 * sw
            body = np.array(
                [
                    [px - pw, ys + 0.25 * sw],
                    [px - pw, ys + 0.47 * sw],
                    [px + pw, ys + 0.47 * sw],
                    [px + pw, ys + 0.25 * sw],
                ]
            )
            self.stitch(body[:3], gold, offset=-2.0)
            self.stitch(body[1:], gold, offset=-2.0)
            flap = np.array(
                [
                    [px - pw - 2, ys + 0.255 * sw],
                    [px + pw + 2, ys + 0.255 * sw],
                    [px + pw + 2, ys + 0.33 * sw],
                    [px, ys + 0.38 * sw],
                    [px - pw - 2, ys + 0.33 * sw],
                ]
            )
            fm = c.poly(flap)
            self.edge_shadow(fm, offset=(0.5, 2.5), blur=2.0, strength=0.5)
            c.multiply(fm, 1.06)
            self.seam(np.vstack([flap[2:], flap[:1]]), 0.75)
            self.stitch(np.vstack([flap[2:], flap[:1]]), gold, offset=2.2)
            self.button((px, ys + 0.35 * sw), 0.028 * sw, copper, "shank")
            # pleat seams running to the waistband
            for x in (cx + s * 0.1 * sw, cx + s * 0.38 * sw):
                top_y = ys + (0.22 if abs(x - cx) < 0.2 * sw else 0.2) * sw
                path = np.array([[x, top_y], [x + s * 0.01 * sw, g.hem_y - wb_h]])
                self.seam(path, 0.72)
                self.stitch(path, gold, offset=2.0)
                self.stitch(path, gold, offset=-2.0)
            # waistband adjuster button
            self.button((cx + s * 0.42 * sw, g.hem_y - wb_h / 2), 0.024 * sw, copper, "shank")
            # welt hand pockets
            wp = np.array([[cx + s * 0.2 * sw, ys + 0.98 * sw], [cx + s * 0.27 * sw, ys + 1.22 * sw]])
            self.seam(wp, 0.6, 1.4)
            self.stitch(wp, gold, offset=s * 3.0)
        # the front placket and the buttons
        pl = np.array([[cx - 0.035 * sw, apex[1] + 0.01 * sw], [cx - 0.035 * sw, g.hem_y]])
        self.edge_shadow(
            c.poly(
                np.array(
                    [
                        [cx - 0.035 * sw, apex[1]],
                        [cx + 0.4 * sw, apex[1]],
                        [cx + 0.4 * sw, g.hem_y],
                        [cx - 0.035 * sw, g.hem_y],
                    ]
                )
            ),
            offset=(-1.5, 0.5),
            blur=1.5,
            strength=0.45,
            under=tm,
        )
        self.seam(pl, 0.65)
        self.stitch(pl, gold, offset=-2.0)
        self.stitch(pl + _p(0.07 * sw, 0), gold)
        n = 5
        for i in range(n):
            y = apex[1] + 0.06 * sw + i * (g.hem_y - wb_h / 2 - apex[1] - 0.06 * sw) / (n - 1)
            self.button((cx + 0.002 * sw, y), 0.03 * sw, copper, "shank")
        # shirt collar: two leaves folding over the shoulders
        for s in (-1, 1):
            N = g.N[s]
            leaf = np.array(
                [
                    N + _p(-s * 0.025 * sw, -0.02 * sw),
                    N + _p(s * 0.05 * sw, 0.012 * sw),
                    _p(cx + s * 0.29 * sw, ys + 0.03 * sw),
                    _p(cx + s * 0.2 * sw, ys + 0.2 * sw),
                    _p(cx + s * 0.045 * sw, apex[1] - 0.02 * sw),
                ]
            )
            leaf = _path(
                leaf[:2],
                _qbez(leaf[1], leaf[1] + _p(s * 0.08 * sw, 0.0), leaf[2], 8),
                leaf[2:],
                _qbez(leaf[4], _p(cx + s * 0.06 * sw, N[1] + 0.04 * sw), leaf[0], 10),
            )
            lm = c.poly(leaf)
            self.edge_shadow(lm, offset=(s * 1.0, 3.5), blur=3.0, strength=0.55)
            self.panel(lm, power=1.2)
            c.multiply(lm, 1.08)
            self.stitch(leaf[1:-8], gold, offset=-s * 2.4)
        for s in (-1, 1):
            sleeve_cuff(self, g, s, v_end, 0.11 * sw, gold, copper)

    # -- the bomber ----------------------------------------------------------------------
    def _bomber(self, g, neckline, hem, apex, v_end, tm):
        c, sw, cx, ys = self.c, g.sw, g.cx, g.ys
        rib_col = self.trim
        # hem band
        band_h = 0.12 * sw
        band_top = _offset(hem, band_h)
        bm = cv2.min(c.poly(_path(hem, band_top[::-1])), tm)
        self.rib(bm, lambda X, Y: X, period=3.0, colour=rib_col, depth=0.3)
        self.edge_shadow(c.poly(_path(band_top, [(c.w, 0), (0, 0)])), offset=(0, 3), blur=3, strength=0.45, under=bm)
        # stand collar in rib
        top = _qbez(
            g.N[-1] + _p(0.01 * sw, -0.07 * sw), _p(cx, g.N[-1][1] + 0.02 * sw), g.N[1] + _p(-0.01 * sw, -0.07 * sw), 20
        )
        collar = c.poly(_path(top, [g.N[1]], neckline[::-1], [g.N[-1]]))
        self.edge_shadow(collar, offset=(0, 3.5), blur=3.5, strength=0.5)
        centre = _p(cx, ys - 0.6 * sw)
        self.rib(
            collar,
            lambda X, Y: np.arctan2(Y - centre[1], X - centre[0]) * 0.9 * sw,
            period=3.0,
            colour=rib_col,
            depth=0.3,
        )
        for s in (-1, 1):
            sleeve_cuff(self, g, s, v_end, 0.15 * sw, None, None, rib=True)
        # slanted flap pockets
        for s in (-1, 1):
            a = _p(cx + s * 0.18 * sw, ys + 0.98 * sw)
            b = _p(cx + s * 0.34 * sw, ys + 0.86 * sw)
            nvec = _p(0, 0.07 * sw)
            flap = np.array([a, b, b + nvec, a + nvec])
            fm = c.poly(flap)
            self.edge_shadow(fm, offset=(0.5, 3), blur=2.5, strength=0.5)
            c.multiply(fm, 1.05)
            self.seam(np.array([flap[1], flap[2], flap[3], flap[0]]), 0.75)
            self.stitch(np.array([flap[1], flap[2], flap[3], flap[0]]), self.base * 0.7, offset=2.0)
            self.button(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.045 * sw), 0.02 * sw, self.base * 0.6, "shank")
        # utility pocket on the left sleeve
        s = 1
        v0, v1 = 0.3 * sw, 0.52 * sw
        quad = np.array(
            [g.sp(s, v0, -0.1 * sw), g.sp(s, v0, 0.06 * sw), g.sp(s, v1, 0.06 * sw), g.sp(s, v1, -0.1 * sw)]
        )
        qm = c.poly(quad)
        self.edge_shadow(qm, offset=(1.5, 2.5), blur=2.0, strength=0.45)
        c.multiply(qm, 1.04)
        self.stitch(np.vstack([quad, quad[:1]]), self.base * 0.7, offset=-1.8)
        for k in range(3):
            vv = v0 + 0.04 * sw
            a = g.sp(s, vv, (-0.07 + 0.04 * k) * sw)
            self.seam(
                np.array([g.sp(s, v0, (-0.055 + 0.04 * k) * sw), g.sp(s, v0 - 0.05 * sw, (-0.055 + 0.04 * k) * sw)]),
                0.55,
                2.0,
            )
        zip_line = np.array([g.sp(s, v0 + 0.04 * sw, -0.08 * sw), g.sp(s, v0 + 0.04 * sw, 0.04 * sw)])
        self.c.paint(self.c.stroke(zip_line, 2.2), np.array([0.2, 0.2, 0.2], np.float32))
        self.c.paint(self.c.stroke(zip_line, 0.9, dash=(0.8, 0.8)), np.array([0.6, 0.6, 0.62], np.float32), 0.8)
        # centre zip
        zip_top = _p(cx, g.N[-1][1] + 0.0 * sw - 0.02 * sw)
        y0, y1 = zip_top[1], g.hem_y
        tape = c.poly(
            np.array([[cx - 0.022 * sw, y0], [cx + 0.022 * sw, y0], [cx + 0.022 * sw, y1], [cx - 0.022 * sw, y1]])
        )
        self.edge_shadow(tape, offset=(1.5, 0), blur=1.5, strength=0.4)
        c.paint(tape, self.base * 0.45)
        teeth = []
        y = y0 + 2
        k = 0
        while y < y1 - 2:
            x0 = cx - 0.012 * sw if k % 2 else cx - 0.001 * sw
            teeth.append(np.array([[x0, y], [x0 + 0.013 * sw, y], [x0 + 0.013 * sw, y + 1.6], [x0, y + 1.6]]))
            y += 2.4
            k += 1
        metal = np.array([0.78, 0.76, 0.7], np.float32)
        c.paint(c.poly(*teeth), metal * 0.95)
        slider = np.array(
            [
                [cx - 0.028 * sw, y0 + 0.02 * sw],
                [cx + 0.028 * sw, y0 + 0.02 * sw],
                [cx + 0.02 * sw, y0 + 0.085 * sw],
                [cx - 0.02 * sw, y0 + 0.085 * sw],
            ]
        )
        sm = c.poly(slider)
        self.edge_shadow(sm, offset=(1, 2), blur=1.5, strength=0.5)
        c.paint(sm, lambda X, Y, sl: metal * (1.2 - 0.5 * (Y - y0) / (0.1 * sw))[..., None], shaded=False)
        pull = np.array(
            [
                [cx - 0.012 * sw, y0 + 0.07 * sw],
                [cx + 0.012 * sw, y0 + 0.07 * sw],
                [cx + 0.016 * sw, y0 + 0.17 * sw],
                [cx - 0.016 * sw, y0 + 0.17 * sw],
            ]
        )
        pm = c.poly(pull)
        self.edge_shadow(pm, offset=(1.5, 2), blur=1.5, strength=0.5)
        c.paint(pm, lambda X, Y, sl: metal * (1.15 - 0.6 * (Y - y0 - 0.07 * sw) / (0.1 * sw))[..., None], shaded=False)
        c.paint(c.circle((cx, y0 + 0.145 * sw), 0.006 * sw), metal * 0.35, shaded=False)

    # -- the blazer ------------------------------------------------------------------------
    def _blazer(self, g, neckline, hem, apex, v_end, tm):
        c, sw, cx, ys = self.c, g.sw, g.cx, g.ys
        y2 = ys + 1.05 * sw
        # front edge of the overlapping left front and the cutaway
        edge = _path(
            _line(apex, _p(cx - 0.01 * sw, y2), 6),
            _qbez(
                _p(cx - 0.01 * sw, y2),
                _p(cx - 0.02 * sw, g.hem_y - 0.15 * sw),
                _p(cx - 0.09 * sw, g.hem_y + 0.04 * sw),
                10,
            ),
        )
        right_edge = _qbez(
            _p(cx, y2), _p(cx + 0.02 * sw, g.hem_y - 0.15 * sw), _p(cx + 0.09 * sw, g.hem_y + 0.04 * sw), 10
        )
        self.edge_shadow(
            c.poly(np.vstack([edge, [[c.w, c.h], [c.w, 0]]])), offset=(-2, 1), blur=2, strength=0.45, under=tm
        )
        self.seam(edge, 0.6, 1.2)
        self.seam(right_edge, 0.7)
        # darts
        for s in (-1, 1):
            self.seam(
                _qbez(
                    _p(cx + s * 0.2 * sw, ys + 0.55 * sw),
                    _p(cx + s * 0.19 * sw, ys + 0.9 * sw),
                    _p(cx + s * 0.2 * sw, ys + 1.12 * sw),
                    10,
                ),
                0.8,
            )
        # flap pockets
        for s in (-1, 1):
            px, py = cx + s * 0.27 * sw, ys + 1.16 * sw
            flap = np.array(
                [
                    [px - 0.15 * sw, py],
                    [px + 0.15 * sw, py + s * 0.01 * sw],
                    [px + 0.15 * sw, py + (0.08 + s * 0.01) * sw],
                    [px - 0.15 * sw, py + 0.08 * sw],
                ]
            )
            fm = c.poly(flap)
            self.edge_shadow(fm, offset=(0.5, 3), blur=2.5, strength=0.55)
            c.multiply(fm, 1.05)
            self.seam(flap[[0, 1]], 0.55, 1.4)
            self.stitch(flap[[1, 2, 3, 0]], self.base * 0.85, offset=2.0, dash=(0.8, 2.4))
        # breast welt and pocket square
        bx, by = cx + 0.27 * sw, ys + 0.4 * sw
        welt = np.array(
            [
                [bx - 0.1 * sw, by + 0.01 * sw],
                [bx + 0.1 * sw, by - 0.015 * sw],
                [bx + 0.1 * sw, by + 0.025 * sw],
                [bx - 0.1 * sw, by + 0.05 * sw],
            ]
        )
        sq = np.array(
            [
                [bx - 0.07 * sw, by + 0.01 * sw],
                [bx - 0.05 * sw, by - 0.06 * sw],
                [bx - 0.01 * sw, by - 0.03 * sw],
                [bx + 0.03 * sw, by - 0.075 * sw],
                [bx + 0.07 * sw, by - 0.01 * sw],
            ]
        )
        sqm = c.poly(sq)
        acc = _rgb(self.spec.accent)
        c.paint(sqm, lambda X, Y, sl: acc * (1.15 - 0.5 * (Y - (by - 0.075 * sw)) / (0.09 * sw))[..., None])
        self.seam(np.array([sq[1], _p(bx - 0.03 * sw, by)]), 0.7)
        self.seam(np.array([sq[3], _p(bx + 0.02 * sw, by)]), 0.7)
        wm = c.poly(welt)
        self.edge_shadow(wm, offset=(0, -1.5), blur=1.5, strength=0.4)
        c.paint(wm, self.base * 1.02)
        self.seam(welt[[0, 1]], 0.6)
        self.seam(welt[[3, 2]], 0.75)
        # notch lapels
        for s in (-1, 1):
            N = g.N[s]
            B = apex
            roll = _qbez(N + _p(-s * 0.035 * sw, 0.0), _p(cx + s * 0.07 * sw, ys + 0.3 * sw), B, 14)
            outer = _path(_qbez(B, _p(cx + s * 0.28 * sw, B[1] - 0.22 * sw), _p(cx + s * 0.34 * sw, ys + 0.13 * sw), 12))
            Q = _p(cx + s * 0.29 * sw, ys + 0.12 * sw)
            C = _p(cx + s * 0.31 * sw, ys + 0.06 * sw)
            T = N + _p(s * 0.04 * sw, 0.0)
            top = N + _p(-s * 0.03 * sw, -0.012 * sw)
            lapel = _path(
                _qbez(top, N + _p(-s * 0.035 * sw, 0.0), roll[0], 4),
                roll,
                outer[1:],
                [Q, C],
                _qbez(C, _p(cx + s * 0.25 * sw, ys - 0.01 * sw), T, 8),
            )
            lm = c.poly(lapel)
            self.edge_shadow(lm, offset=(s * 2.0, 3.0), blur=3.5, strength=0.6, under=tm)
            self.panel(lm, power=1.0)
            self.seam(np.array([Q, C]), 0.6, 1.2)
            self.seam(_path(outer, [Q]), 0.75)
            self.stitch(outer[2:], self.base * 0.85, offset=-s * 2.5, dash=(0.8, 2.4))
        self.c.multiply(
            self.c.stroke(np.array([_p(cx + 0.22 * sw, ys + 0.22 * sw), _p(cx + 0.25 * sw, ys + 0.2 * sw)]), 1.6), 0.5
        )
        # three buttons, the lapels rolling to the top one
        for k in range(3):
            y = apex[1] + 0.06 * sw + k * (y2 - 0.04 * sw - apex[1] - 0.06 * sw) / 2
            self.button((cx - 0.01 * sw, y), 0.032 * sw, self.lining * 1.2, "sew")
        for s in (-1, 1):
            for k in range(3):
                vv = v_end - (0.06 + 0.045 * k) * sw
                self.button(g.sp(s, vv, g.u_out(vv) - 0.04 * sw), 0.016 * sw, self.lining * 1.2, "sew")


def sleeve_cuff(art: _Art, g: _TopGeo, s: int, v_end: float, width: float, thread, button_col, rib=False):
    """Draw a sleeve's cuff band (denim cuff with button, or a knitted rib)."""
    c = art.c
    va = v_end - width
    shrink = 0.015 * g.sw if rib else 0.0
    poly = np.array(
        [
            g.sp(s, va, g.u_out(va) - shrink * 0.3),
            g.sp(s, v_end, g.u_out(v_end) - shrink),
            g.sp(s, v_end, g.u_in(v_end) + shrink),
            g.sp(s, va, g.u_in(va) + shrink * 0.3),
        ]
    )
    m = c.poly(poly)
    S, po = g.S[s], g.po[s]
    if rib:
        art.rib(m, lambda X, Y: (X - S[0]) * po[0] + (Y - S[1]) * po[1], period=3.0, colour=art.trim, depth=0.3)
        art.edge_shadow(
            c.poly(np.array([poly[0], poly[3], poly[3] - g.d[s] * 40, poly[0] - g.d[s] * 40])),
            offset=(0, 2.5),
            blur=2.5,
            strength=0.4,
            under=m,
        )
        return
    art.seam(np.array([poly[0], poly[3]]), 0.65)
    art.c.multiply(m, 1.05)
    for off in (2.0,):
        art.stitch(np.array([poly[0], poly[3]]), thread, offset=-s * off)
        art.stitch(np.array([poly[1], poly[2]]), thread, offset=s * off)
    mid = g.sp(s, v_end - width / 2, g.u_out(v_end) - 0.05 * g.sw)
    art.button(mid, 0.022 * g.sw, button_col, "shank")
    pl = np.array([g.sp(s, va, g.u_out(va) - 0.09 * g.sw), g.sp(s, va - 0.16 * g.sw, g.u_out(va) - 0.09 * g.sw)])
    art.seam(pl, 0.7)
    art.stitch(pl, thread, offset=2.0)


for _style in ("denim", "bomber", "blazer"):
    _ART_CLASSES[_style] = _JacketArt


# ---------------------------------------------------------------------------
# Dresses


class _DressArt(_Art):
    """The tea dress (V-neck, flutter sleeves, tie waist) and the tiered sundress (square neck, cap sleeves)."""

    def __init__(self, spec: GarmentSpec, ss: int):
        sw = 220
        self.tea = spec.style == "tea"
        W, H = 500, (700 if self.tea else 760)
        self.g = _TopGeo(
            W / 2,
            70,
            sw,
            26,
            chest=0.44,
            hip_half=0.5,
            neck=0.4 if self.tea else 0.46,
            uo=(0.11, 0.09),
            ui=(-0.2, -0.12),
        )
        super().__init__(spec, (W, H), ss)

    def draw(self):
        g, c, spec = self.g, self.c, self.spec
        sw, cx, ys = g.sw, g.cx, g.ys
        waist_y, waist_half = ys + 0.98 * sw, 0.36 * sw
        knee_y = g.hip_y + 1.1 * sw
        hem_y = knee_y + (0.14 if self.tea else 0.42) * sw
        hem_half = (0.8 if self.tea else 0.7) * sw
        W = {s: _p(cx + s * waist_half, waist_y) for s in (-1, 1)}
        side = {
            s: _bez(g.U[s], g.U[s] + _p(0, 0.2 * sw), W[s] + _p(s * 0.02 * sw, -0.15 * sw), W[s], 12) for s in (-1, 1)
        }
        if self.tea:
            neckline = _neckline(g, "vneck")
            top = [_path([g.N[s], g.S[s]], g.armhole(s)) for s in (-1, 1)]
        else:
            # A high square neck and short cap sleeves: the bodice covers the
            # chest and shoulders, as a summer dress does.
            sq_y = ys + 0.17 * sw
            neckline = np.array([g.N[-1], _p(g.N[-1][0], sq_y), _p(g.N[1][0], sq_y), g.N[1]])
            top = [_path([g.N[s], g.S[s]], g.armhole(s)) for s in (-1, 1)]
        bodice = _path(top[0], side[-1], side[1][::-1], top[1][::-1], neckline[::-1])
        # skirt with an undulating hem
        n_waves = 7
        xs = np.linspace(-hem_half, hem_half, 60)
        hem = np.stack(
            [
                cx + xs,
                hem_y + 0.03 * sw * np.cos(xs / hem_half * math.pi * n_waves / 2) - 0.02 * sw * (xs / hem_half) ** 2,
            ],
            1,
        )
        skirt_side = {
            s: _bez(
                W[s],
                W[s] + _p(s * 0.12 * sw, 0.25 * sw),
                _p(cx + s * hem_half * 0.95, hem_y - 0.5 * sw),
                hem[0 if s < 0 else -1],
                16,
            )
            for s in (-1, 1)
        }
        skirt = _path(skirt_side[-1], hem, skirt_side[1][::-1])

        self._folds(g, waist_y, hem_y, hem_half, hem, n_waves)
        self.finish_folds()
        with self.inside() as ci:
            if self.tea:
                back = g.back_neck(rise=0.0)
            else:
                by = ys + 0.07 * sw
                back = np.array([_p(g.N[-1][0], by), _p(g.N[1][0], by)])
            inner = ci.poly(_path(back, neckline[::-1]))
            y0, y1 = back[:, 1].min(), neckline[:, 1].max()
            col = self.base * 0.62
            ci.paint(
                inner, lambda X, Y, sl: col * (1.0 - 0.4 * np.clip((Y - y0) / (y1 - y0), 0, 1))[..., None], shaded=False
            )
        sm = c.poly(skirt)
        self.panel(sm, power=1.4)
        bm = c.poly(bodice)
        self.edge_shadow(bm, offset=(0, 3), blur=3, strength=0.35, under=sm)
        self.panel(bm, power=1.6)
        # flutter sleeves (tea dress) or short cap sleeves (sundress)
        sleeve_len = 0.3 * sw if self.tea else 0.2 * sw
        for s in (-1, 1):
            sl = c.poly(g.sleeve(s, sleeve_len, cap=0.2 if self.tea else 0.16))
            self.edge_shadow(sl, offset=(s * 2, 2), blur=3, strength=0.35, under=bm)
            uv = self.sleeve_uv(
                g.S[s],
                g.d[s],
                g.po[s],
                lambda v: (g.u_out(v) + g.u_in(v)) / 2,
                lambda v: (g.u_out(v) - g.u_in(v)) / 2,
                s,
            )
            self.panel(sl, uv=uv, power=1.4)
            self.seam(g.armhole(s), 0.75)
            a, b = g.sp(s, sleeve_len, g.u_out(sleeve_len)), g.sp(s, sleeve_len, g.u_in(sleeve_len))
            if self.tea:
                c.multiply(c.stroke(np.array([a, b]), 1.2), 0.75)
            else:
                # a narrow turned-back cuff
                a2, b2 = g.sp(s, sleeve_len - 0.035 * sw, g.u_out(sleeve_len)), g.sp(
                    s, sleeve_len - 0.035 * sw, g.u_in(sleeve_len)
                )
                c.multiply(c.stroke(np.array([a, b]), 1.3), 0.7)
                self.stitch(np.array([a2, b2]), opacity=0.45)
            self.seam(np.array([g.N[s], g.S[s]]), 0.8)
        if self.tea:
            self.stitch(_offset(neckline, -0.03 * sw), opacity=0.5)
            c.multiply(c.stroke(neckline, 1.2), 0.75)
            apex = neckline[len(neckline) // 2]
            for k in range(3):
                y = apex[1] + (0.08 + 0.14 * k) * sw
                if y < waist_y - 0.06 * sw:
                    self.button((cx, y), 0.022 * sw, _rgb(spec.accent) * 0.95, "sew")
            self._tie_belt(g, waist_y, waist_half)
        else:
            # a square neck and a smocked bodice
            c.multiply(c.stroke(neckline[1:3], 1.2), 0.75)
            self.stitch(_offset(neckline[1:3], -0.03 * sw), opacity=0.45)
            for k in range(7):
                y = ys + (0.3 + 0.08 * k) * sw
                if y > waist_y - 0.02 * sw:
                    break
                xs_ = np.linspace(cx - 0.5 * sw, cx + 0.5 * sw, 120)
                path = np.stack([xs_, y + 0.6 * np.sin(xs_ * 1.3)], 1)
                line = cv2.min(c.stroke(path, 0.9), bm)
                c.multiply(line, 0.72)
                pucker = cv2.min(c.stroke(path + _p(0, 0.04 * sw), 0.04 * sw * 2), bm)
                c.multiply(pucker, 1.05)
            self.seam(np.array([W[-1], W[1]]), 0.7, 1.2)
            tier_y = waist_y + 0.55 * (hem_y - waist_y)
            t = (tier_y - waist_y) / (hem_y - waist_y)
            xs_ = np.linspace(-hem_half * (0.5 + 0.5 * t) - 10, hem_half * (0.5 + 0.5 * t) + 10, 80)
            tier = np.stack([cx + xs_, tier_y + 0.006 * sw * np.cos(xs_ * 0.12)], 1)
            tm = cv2.min(c.stroke(tier, 1.4), sm)
            c.multiply(tm, 0.6)
            self.edge_shadow(
                cv2.min(c.poly(np.vstack([tier, [[c.w, 0], [0, 0]]])), sm),
                offset=(0, 2.5),
                blur=2.5,
                strength=0.35,
                under=sm,
            )
        self.stitch(_offset(hem, 0.035 * sw)[3:-3], opacity=0.5)
        c.multiply(c.stroke(hem, 1.3), 0.8)
        self.anchors = {
            "right_shoulder": g.S[-1],
            "left_shoulder": g.S[1],
            "right_hip": _p(cx - 0.425 * sw, g.hip_y),
            "left_hip": _p(cx + 0.425 * sw, g.hip_y),
            "right_knee": _p(cx - 0.29 * sw, knee_y),
            "left_knee": _p(cx + 0.29 * sw, knee_y),
        }
        self.anchors = {k: (int(round(v[0])), int(round(v[1]))) for k, v in self.anchors.items()}
        self.focus = (cx, ys + 0.6 * sw)

    def _folds(self, g, waist_y, hem_y, hem_half, hem, n_waves):
        sw, cx, j = g.sw, g.cx, self.jitter
        for k in range(n_waves + 1):
            f = (k - n_waves / 2) / (n_waves / 2)
            top = _p(cx + f * 0.3 * sw + j(0.03 * sw), waist_y + 0.1 * sw)
            bot_x = cx + f * hem_half * 0.93 + j(0.03 * sw)
            bot = _p(bot_x, hem_y + 0.02 * sw)
            self.fold(_qbez(top, _p((top[0] + bot[0]) / 2, (top[1] + bot[1]) / 2 + j(10)), bot), 0.24, 0.06 * sw)
        for s in (-1, 1):
            self.fold(
                _qbez(
                    g.U[s] + _p(-s * 0.03 * sw, 0.04 * sw),
                    g.U[s] + _p(-s * 0.1 * sw, 0.2 * sw),
                    _p(cx + s * 0.22 * sw, waist_y - 0.05 * sw),
                ),
                0.12,
                0.04 * sw,
            )
        if not self.tea:
            tier_y = waist_y + 0.55 * (hem_y - waist_y)
            for k in range(16):
                x = cx + (k - 7.5) * 0.085 * sw + j(0.02 * sw)
                self.fold(
                    _line(_p(x, tier_y + 0.01 * sw), _p(x + j(0.02 * sw), tier_y + 0.12 * sw), 4), 0.16, 0.025 * sw
                )
            for k in range(12):
                x = cx + (k - 5.5) * 0.07 * sw
                self.fold(_line(_p(x, waist_y + 0.01 * sw), _p(x, waist_y + 0.1 * sw), 4), 0.14, 0.022 * sw)

    def _tie_belt(self, g, waist_y, waist_half):
        c, sw, cx = self.c, g.sw, g.cx
        h = 0.035 * sw
        band = np.array(
            [
                [cx - waist_half - 2, waist_y - h],
                [cx + waist_half + 2, waist_y - h],
                [cx + waist_half + 2, waist_y + h],
                [cx - waist_half - 2, waist_y + h],
            ]
        )
        bm = cv2.min(c.poly(band), (c.alpha * 255).astype(np.uint8))
        self.edge_shadow(bm, offset=(0, 2.5), blur=2.5, strength=0.45)
        self.panel(bm, power=1.5)
        self.seam(band[[0, 1]], 0.8)
        self.seam(band[[3, 2]], 0.7)
        kx, ky = cx + 0.14 * sw, waist_y
        pieces = []
        for s in (-1, 1):
            loop = _path(
                _bez(
                    _p(kx, ky - 0.01 * sw),
                    _p(kx + s * 0.08 * sw, ky - 0.12 * sw),
                    _p(kx + s * 0.17 * sw, ky - 0.06 * sw),
                    _p(kx + s * 0.15 * sw, ky + 0.0 * sw),
                    12,
                ),
                _bez(
                    _p(kx + s * 0.15 * sw, ky),
                    _p(kx + s * 0.13 * sw, ky + 0.06 * sw),
                    _p(kx + s * 0.06 * sw, ky + 0.05 * sw),
                    _p(kx, ky + 0.01 * sw),
                    12,
                ),
            )
            tail = np.array(
                [
                    [kx - s * 0.005 * sw, ky],
                    [kx + s * 0.03 * sw, ky + 0.02 * sw],
                    [kx + s * (0.07 + 0.02 * s) * sw, ky + 0.34 * sw],
                    [kx + s * (0.02 + 0.02 * s) * sw, ky + 0.33 * sw],
                ]
            )
            pieces.append((tail, 0.3))
            pieces.append((loop, 0.35))
        for poly, strength in pieces:
            m = c.poly(poly)
            self.edge_shadow(m, offset=(1.0, 3.0), blur=3, strength=strength)
            self.panel(m, power=1.2)
            self.seam(poly, 0.8)
        knot = c.circle((kx, ky), 0.035 * sw)
        self.edge_shadow(knot, offset=(1, 2), blur=2, strength=0.4)
        self.panel(knot, power=1.0)


# ---------------------------------------------------------------------------
# Trousers and skirts


class _LowerGeo:
    """Skeleton of a lower garment: waist, hips, crotch, knees, ankles."""

    def __init__(self, cx, hip_y, sw):
        self.cx, self.sw = cx, sw
        self.hip_y = hip_y
        self.waist_y = hip_y - 0.3 * sw
        self.crotch_y = hip_y + 0.24 * sw
        self.knee_y = hip_y + 1.1 * sw
        self.ankle_y = self.knee_y + 1.05 * sw
        self.knee_x = 0.29 * sw
        self.ankle_x = 0.33 * sw

    def anchors(self, kind: str) -> dict[str, tuple[int, int]]:
        cx, sw = self.cx, self.sw
        A = {
            "right_hip": (cx - 0.425 * sw, self.hip_y),
            "left_hip": (cx + 0.425 * sw, self.hip_y),
            "right_knee": (cx - self.knee_x, self.knee_y),
            "left_knee": (cx + self.knee_x, self.knee_y),
            "right_ankle": (cx - self.ankle_x, self.ankle_y),
            "left_ankle": (cx + self.ankle_x, self.ankle_y),
        }
        return {k: (int(round(A[k][0])), int(round(A[k][1]))) for k in _g.required_anchors(kind)}


class _TrouserArt(_Art):
    """Jeans and chinos."""

    def __init__(self, spec: GarmentSpec, ss: int):
        sw = 250
        self.L = _LowerGeo(210, 110, sw)
        super().__init__(spec, (420, 700), ss)

    def leg(self, s: int) -> np.ndarray:
        L, sw, cx = self.L, self.L.sw, self.L.cx
        hem_y = L.ankle_y + 0.07 * sw
        wc = _p(cx + s * 0.42 * sw, L.waist_y)
        hip = _p(cx + s * 0.455 * sw, L.hip_y)
        knee_o = _p(cx + s * (L.knee_x + 0.17 * sw), L.knee_y)
        hem_o = _p(cx + s * (L.ankle_x + 0.155 * sw), hem_y)
        hem_i = _p(cx + s * (L.ankle_x - 0.155 * sw), hem_y)
        knee_i = _p(cx + s * (L.knee_x - 0.165 * sw), L.knee_y)
        crotch = _p(cx + s * 0.005 * sw, L.crotch_y)
        outer = _path(
            _bez(wc, wc + _p(s * 0.03 * sw, 0.1 * sw), hip + _p(0, -0.1 * sw), hip, 10),
            _bez(hip, hip + _p(0, 0.3 * sw), knee_o + _p(0, -0.3 * sw), knee_o, 12),
            _line(knee_o, hem_o, 6),
        )
        hem = _line(hem_o, hem_i, 6) + np.array([[0, 0], [0, 1.5], [0, 2.5], [0, 2.5], [0, 1.5], [0, 0]])
        inner = _path(
            _line(hem_i, knee_i, 6),
            _bez(knee_i, knee_i + _p(0, -0.35 * sw), crotch + _p(s * 0.06 * sw, 0.02 * sw), crotch, 12),
        )
        return _path(outer, hem, inner, [_p(cx, L.crotch_y - 0.02 * sw), _p(cx, L.waist_y)])

    def draw(self):
        L, c, spec = self.L, self.c, self.spec
        sw, cx = L.sw, L.cx
        jeans = spec.style == "jeans"
        legs = {s: self.leg(s) for s in (-1, 1)}
        self._folds(jeans)
        self.finish_folds()
        masks = {s: c.poly(legs[s]) for s in (-1, 1)}
        union = cv2.max(masks[-1], masks[1])
        t_all = _row_t(union)
        blend = _smooth(L.crotch_y - 0.2 * sw, L.crotch_y + 0.05 * sw, c.ys)
        for s in (-1, 1):
            t_leg = _row_t(masks[s])
            t = _mix(t_all, t_leg, blend).astype(np.float32)

            def uv(X, Y, _t=t, _m=masks[s]):
                return X, Y, _t[c.bbox(_m)]

            self.panel(masks[s], uv=uv, power=1.5)
        waist = _qbez(_p(cx - 0.42 * sw, L.waist_y), _p(cx, L.waist_y + 0.03 * sw), _p(cx + 0.42 * sw, L.waist_y), 20)
        wb_h = 0.1 * sw
        wb_low = waist + _p(0, wb_h)
        if jeans:
            self._jeans(union, waist, wb_low)
        else:
            self._chino(union, waist, wb_low)
        self.anchors = L.anchors(spec.kind)
        self.focus = (cx - 0.2 * sw, L.waist_y + 0.3 * sw)

    def _folds(self, jeans):
        L, sw, cx, j = self.L, self.L.sw, self.L.cx, self.jitter
        for s in (-1, 1):
            # crotch 'smile' folds
            for k in range(3):
                a = _p(cx + s * 0.03 * sw, L.crotch_y - (0.1 - 0.05 * k) * sw)
                b = _p(cx + s * (0.2 + 0.04 * k) * sw, L.crotch_y - (0.12 - 0.08 * k) * sw + j(4))
                self.fold(_qbez(a, _p((a[0] + b[0]) / 2, a[1] + 0.03 * sw), b), 0.14, 0.03 * sw)
            # knee breaks
            for k in range(3):
                y = L.knee_y + (k - 1) * 0.09 * sw + j(0.02 * sw)
                a = _p(cx + s * (L.knee_x - 0.12 * sw), y + 0.02 * sw)
                b = _p(cx + s * (L.knee_x + 0.1 * sw), y - 0.03 * sw + j(5))
                self.fold(_line(a, b, 5), 0.13, 0.03 * sw)
            # stacking above the hem
            for k in range(4 if jeans else 2):
                y = L.ankle_y - (0.06 + 0.11 * k) * sw
                up = 0.03 * sw if k % 2 else -0.03 * sw
                a = _p(cx + s * (L.ankle_x - 0.13 * sw), y + up)
                b = _p(cx + s * (L.ankle_x + 0.13 * sw), y - up)
                self.fold(_line(a, b, 5), 0.18, 0.032 * sw)
            # long vertical drape
            self.fold(
                _line(
                    _p(cx + s * (L.knee_x - 0.06 * sw), L.crotch_y + 0.2 * sw),
                    _p(cx + s * (L.knee_x - 0.04 * sw), L.knee_y - 0.12 * sw),
                    6,
                ),
                0.08,
                0.05 * sw,
            )

    def _waistband(self, union, waist, wb_low, thread, loops=True):
        c, sw, cx = self.c, self.L.sw, self.L.cx
        band = cv2.min(c.poly(_path(waist, wb_low[::-1])), union)
        c.multiply(band, 1.05)
        self.edge_shadow(band, offset=(0, 2.5), blur=2.5, strength=0.4, under=union)
        self.seam(wb_low, 0.7)
        self.stitch(wb_low, thread, offset=2.0)
        self.stitch(waist[1:-1], thread, offset=-2.0)
        if loops:
            for x in (-0.43, -0.26, 0.26, 0.43):
                x0 = cx + x * sw
                y0 = waist[0][1] - 0.012 * sw
                lw = 0.028 * sw
                poly = np.array(
                    [
                        [x0 - lw, y0],
                        [x0 + lw, y0],
                        [x0 + lw, wb_low[0][1] + 0.02 * sw],
                        [x0 - lw, wb_low[0][1] + 0.02 * sw],
                    ]
                )
                lm = cv2.min(c.poly(poly), cv2.dilate(union, np.ones((9, 9), np.uint8)))
                self.edge_shadow(lm, offset=(1.0, 2.0), blur=2, strength=0.5)
                self.panel(lm, power=1.0, plain=self.spec.pattern != "denim")
                c.multiply(lm, 1.06)
                self.stitch(np.array([[x0 - lw, y0 + 2], [x0 + lw, y0 + 2]]), thread)
                self.stitch(np.array([[x0 - lw, poly[2][1] - 2], [x0 + lw, poly[2][1] - 2]]), thread)
        return band

    def _jeans(self, union, waist, wb_low):
        L, c, sw, cx = self.L, self.c, self.L.sw, self.L.cx
        gold = _rgb(self.spec.accent)
        copper = np.array([0.74, 0.5, 0.3], np.float32)
        # fading on the thighs and knees, whiskers at the crotch
        fade = np.zeros((c.H, c.W), np.float32)
        for s in (-1, 1):
            for xo, yo, rx, ry in ((L.knee_x * 0.9, L.crotch_y + 0.3 * sw, 0.12, 0.3), (L.knee_x, L.knee_y, 0.1, 0.16)):
                cv2.ellipse(
                    fade,
                    (int((cx + s * xo) * c.ss), int(yo * c.ss)),
                    (int(rx * sw * c.ss), int(ry * sw * c.ss)),
                    0,
                    0,
                    360,
                    1.0,
                    -1,
                )
        fade = _blur(fade, 0.1 * sw * c.ss)
        self.tint(union, np.array([0.62, 0.7, 0.82], np.float32), 0.6 * np.clip(fade, 0, 1))
        for s in (-1, 1):
            for k in range(4):
                a = _p(cx + s * 0.04 * sw, L.crotch_y - (0.14 - 0.035 * k) * sw)
                b = _p(cx + s * (0.2 + 0.03 * k) * sw, L.crotch_y - (0.2 - 0.02 * k) * sw)
                m = c.stroke(_qbez(a, _p((a[0] + b[0]) / 2, a[1] + 0.02 * sw), b), 2.0)
                m = cv2.GaussianBlur(m, (0, 0), 1.5 * c.ss)
                self.tint(cv2.min(m, union), np.array([0.7, 0.76, 0.86], np.float32), 0.55)
        self._waistband(union, waist, wb_low, gold)
        # fly and J-stitch
        fy0, fy1 = wb_low[10][1], L.crotch_y - 0.03 * sw
        fly = np.array([[cx, fy0], [cx, fy1]])
        self.seam(fly, 0.6, 1.2)
        j = _path(
            _line(_p(cx + 0.075 * sw, fy0), _p(cx + 0.075 * sw, fy1 - 0.08 * sw), 4),
            _qbez(
                _p(cx + 0.075 * sw, fy1 - 0.08 * sw), _p(cx + 0.075 * sw, fy1), _p(cx + 0.005 * sw, fy1 + 0.01 * sw), 10
            ),
        )
        self.stitch(j, gold)
        self.stitch(j, gold, offset=2.2)
        self.edge_shadow(
            c.poly(np.array([[cx, fy0], [cx + 0.3 * sw, fy0], [cx + 0.3 * sw, fy1], [cx, fy1]])),
            offset=(-1.2, 0),
            blur=1.2,
            strength=0.4,
            under=union,
        )
        self.button((cx, (waist[10][1] + wb_low[10][1]) / 2), 0.035 * sw, copper, "shank")
        for s in (-1, 1):
            # scoop pocket
            top = _p(cx + s * 0.24 * sw, wb_low[0][1] + 0.005 * sw)
            side = _p(cx + s * 0.445 * sw, L.hip_y - 0.02 * sw)
            opening = _bez(top, top + _p(0, 0.12 * sw), side + _p(-s * 0.12 * sw, 0.0), side, 14)
            pocket_region = c.poly(_path(opening, [_p(cx + s * 0.5 * sw, L.hip_y), _p(cx + s * 0.5 * sw, top[1])]))
            self.edge_shadow(cv2.min(pocket_region, union), offset=(-s * 1.5, 2.0), blur=2, strength=0.55, under=union)
            self.seam(opening, 0.65, 1.2)
            self.stitch(opening, gold, offset=-s * 2.2)
            self.stitch(opening, gold, offset=-s * 4.4)
            for p in (opening[0] + _p(0, 2), opening[-1] + _p(-s * 3, 0)):
                self.button(p, 0.013 * sw, copper, "shank")
            # outseam and inseam topstitching
            leg = self.leg(s)
            outer = leg[(leg[:, 1] > L.hip_y) & (np.abs(leg[:, 0] - cx) > 0.3 * sw)]
            if len(outer) > 2:
                self.stitch(outer[:-1], gold, offset=-s * 3.0 if s > 0 else 3.0, opacity=0.7)
            hem_y = L.ankle_y + 0.07 * sw
            hem = np.array([[cx + s * (L.ankle_x + 0.155 * sw), hem_y], [cx + s * (L.ankle_x - 0.155 * sw), hem_y]])
            self.stitch(hem + _p(0, -0.04 * sw), gold)
            c.multiply(c.stroke(hem, 1.4), 0.75)
        # coin pocket
        cp = np.array(
            [
                [cx - 0.37 * sw, wb_low[0][1] + 0.02 * sw],
                [cx - 0.27 * sw, wb_low[0][1] + 0.02 * sw],
                [cx - 0.27 * sw, wb_low[0][1] + 0.12 * sw],
                [cx - 0.37 * sw, wb_low[0][1] + 0.12 * sw],
            ]
        )
        self.stitch(cp[[0, 3, 2, 1]], gold, offset=0)
        self.seam(cp[[0, 1]], 0.7)

    def _chino(self, union, waist, wb_low):
        L, c, sw, cx = self.L, self.c, self.L.sw, self.L.cx
        thread = self.base * 0.8
        self._waistband(union, waist, wb_low, thread)
        fy0, fy1 = wb_low[10][1], L.crotch_y - 0.03 * sw
        self.seam(np.array([[cx, fy0], [cx, fy1]]), 0.6, 1.2)
        self.stitch(
            _path(
                _line(_p(cx + 0.07 * sw, fy0), _p(cx + 0.07 * sw, fy1 - 0.07 * sw), 4),
                _qbez(
                    _p(cx + 0.07 * sw, fy1 - 0.07 * sw),
                    _p(cx + 0.07 * sw, fy1),
                    _p(cx + 0.005 * sw, fy1 + 0.01 * sw),
                    10,
                ),
            ),
            thread,
        )
        self.button((cx, (waist[10][1] + wb_low[10][1]) / 2), 0.03 * sw, self.base * 0.55, "sew")
        for s in (-1, 1):
            top = _p(cx + s * 0.3 * sw, wb_low[0][1])
            side = _p(cx + s * 0.45 * sw, L.hip_y + 0.02 * sw)
            pocket_region = c.poly(np.array([top, side, _p(cx + s * 0.5 * sw, side[1]), _p(cx + s * 0.5 * sw, top[1])]))
            self.edge_shadow(cv2.min(pocket_region, union), offset=(-s * 1.5, 1.5), blur=1.8, strength=0.5, under=union)
            self.seam(np.array([top, side]), 0.65, 1.2)
            self.stitch(np.array([top, side]), thread, offset=-s * 2.2)
            # pressed crease down the front of the leg
            x0, x1 = cx + s * (L.knee_x - 0.03 * sw), cx + s * L.ankle_x
            crease = np.array([[cx + s * 0.24 * sw, L.hip_y + 0.05 * sw], [x0, L.knee_y], [x1, L.ankle_y - 0.04 * sw]])
            hl = cv2.GaussianBlur(c.stroke(crease, 1.5), (0, 0), 1.2 * c.ss)
            c.multiply(cv2.min(hl, union), 1.18)
            sh = cv2.GaussianBlur(c.stroke(crease + _p(s * 2.5, 0), 2.0), (0, 0), 2.0 * c.ss)
            c.multiply(cv2.min(sh, union), 0.86)
            # turn-up
            hem_y = L.ankle_y + 0.07 * sw
            top_y = hem_y - 0.1 * sw
            xo, xi = cx + s * (L.ankle_x + 0.16 * sw), cx + s * (L.ankle_x - 0.16 * sw)
            cuff = np.array([[xo, top_y], [xi, top_y], [xi, hem_y + 1], [xo, hem_y + 1]])
            cm = cv2.min(c.poly(cuff + _p(0, 0)), union)
            self.edge_shadow(cm, offset=(0, 2.5), blur=2, strength=0.45, under=union)
            c.multiply(cm, 1.07)
            c.multiply(c.stroke(cuff[[0, 1]], 1.2), 0.7)
            c.multiply(c.stroke(cuff[[2, 3]], 1.2), 0.75)


class _SkirtArt(_Art):
    """The kilt-pleated tartan skirt and the houndstooth A-line."""

    def __init__(self, spec: GarmentSpec, ss: int):
        sw = 250
        self.L = _LowerGeo(210, 110, sw)
        super().__init__(spec, (420, 440), ss)

    def draw(self):
        L, c, spec = self.L, self.c, self.spec
        sw, cx = L.sw, L.cx
        pleated = spec.style == "pleated"
        hem_y = L.knee_y + 0.05 * sw
        hem_half = (0.6 if pleated else 0.66) * sw
        waist_half = 0.4 * sw
        n = 13
        xs = np.linspace(-hem_half, hem_half, 80)
        if pleated:
            wave = 0.012 * sw * np.abs(np.sin((xs / hem_half + 1) * math.pi * n / 2))
        else:
            wave = 0.02 * sw * np.cos(xs / hem_half * math.pi * 2.5)
        hem = np.stack([cx + xs, hem_y + wave - 0.015 * sw * (xs / hem_half) ** 2], 1)
        sides = {}
        for s in (-1, 1):
            wc = _p(cx + s * waist_half, L.waist_y)
            hip = _p(cx + s * 0.455 * sw, L.hip_y)
            sides[s] = _path(
                _bez(wc, wc + _p(s * 0.03 * sw, 0.1 * sw), hip + _p(0, -0.1 * sw), hip, 10),
                _line(hip, hem[0 if s < 0 else -1], 8),
            )
        waist = _qbez(_p(cx - waist_half, L.waist_y), _p(cx, L.waist_y + 0.02 * sw), _p(cx + waist_half, L.waist_y), 20)
        outline = _path(waist, sides[1], hem[::-1], sides[-1][::-1])
        yoke_y = L.hip_y + 0.02 * sw
        self._folds(pleated, hem, hem_y, hem_half, yoke_y, n)
        self.finish_folds()
        m = c.poly(outline)

        def frame(X, Y):
            t = None
            if not pleated:
                return X, Y, t
            # position across the pleats at this height
            f = np.clip((Y - yoke_y) / (hem_y - yoke_y), 0, 1)
            half = 0.455 * sw + (hem_half - 0.455 * sw) * f
            p = (X - cx) / half * (n / 2) + n / 2
            idx = np.floor(p)
            below = Y > yoke_y
            u = np.where(below, X + idx * 9.0, X)
            return u, Y, t

        self.panel(m, uv=frame, power=1.2, amb=0.2)
        if pleated:
            # each pleat: lit on its face, shadowed where the next one folds over it
            f = np.clip((c.ys - yoke_y) / (hem_y - yoke_y), 0, 1)
            half = 0.455 * sw + (hem_half - 0.455 * sw) * f
            p = (c.xs - cx) / half * (n / 2) + n / 2
            frac = p - np.floor(p)
            fade_in = _smooth(yoke_y - 0.01 * sw, yoke_y + 0.1 * sw, c.ys)
            saw = 1.0 + (0.12 - 0.3 * _smooth(0.75, 1.0, frac) + 0.1 * _smooth(0.0, 0.06, frac) - 0.1) * fade_in
            c.multiply(m, saw.astype(np.float32))
            self.seam(np.array([[cx - 0.46 * sw, yoke_y], [cx + 0.46 * sw, yoke_y]]) + _p(0, 0), 0.85, 0.6)
        else:
            for s in (-1, 1):
                for x in (0.2, 0.3):
                    dart = np.array(
                        [[cx + s * x * sw, L.waist_y + 0.09 * sw], [cx + s * (x - 0.01) * sw, L.waist_y + 0.3 * sw]]
                    )
                    self.seam(dart, 0.75)
        wb_low = waist + _p(0, 0.085 * sw)
        band = cv2.min(c.poly(_path(waist, wb_low[::-1])), m)
        self.panel(
            band,
            power=1.4,
            uv=lambda X, Y: (Y * 1.0, X * 1.0, None),
            plain=not pleated,
            tint=None if pleated else _rgb(spec.accent) / np.maximum(self.base, 1e-3),
        )
        self.edge_shadow(band, offset=(0, 2.5), blur=2.5, strength=0.45, under=m)
        self.seam(wb_low, 0.7)
        thread = self.base * 0.6 if pleated else _rgb(spec.accent) * 1.2
        self.stitch(wb_low, thread, offset=2.0, opacity=0.5)
        self.stitch(_offset(hem, 0.04 * sw)[3:-3], thread, opacity=0.45)
        c.multiply(c.stroke(hem, 1.3), 0.8)
        if pleated:
            # a leather strap and buckle at the wearer's left, and a kilt pin
            bx, by = cx + 0.3 * sw, (waist[15][1] + wb_low[15][1]) / 2
            strap = np.array(
                [
                    [bx - 0.12 * sw, by - 0.022 * sw],
                    [bx + 0.08 * sw, by - 0.022 * sw],
                    [bx + 0.08 * sw, by + 0.022 * sw],
                    [bx - 0.12 * sw, by + 0.022 * sw],
                ]
            )
            sm = c.poly(strap)
            self.edge_shadow(sm, offset=(1, 2), blur=1.5, strength=0.5)
            c.paint(sm, np.array([0.3, 0.18, 0.1], np.float32))
            buckle = c.poly(
                np.array(
                    [
                        [bx - 0.035 * sw, by - 0.04 * sw],
                        [bx + 0.035 * sw, by - 0.04 * sw],
                        [bx + 0.035 * sw, by + 0.04 * sw],
                        [bx - 0.035 * sw, by + 0.04 * sw],
                    ]
                )
            )
            hole = c.poly(
                np.array(
                    [
                        [bx - 0.022 * sw, by - 0.027 * sw],
                        [bx + 0.022 * sw, by - 0.027 * sw],
                        [bx + 0.022 * sw, by + 0.027 * sw],
                        [bx - 0.022 * sw, by + 0.027 * sw],
                    ]
                )
            )
            ring = cv2.subtract(buckle, hole)
            self.edge_shadow(ring, offset=(1, 1.5), blur=1.2, strength=0.5)
            c.paint(
                ring,
                lambda X, Y, sl: np.array([0.85, 0.72, 0.4], np.float32)
                * (1.25 - 0.5 * (Y - by + 0.04 * sw) / (0.08 * sw))[..., None],
            )
            px, py = cx + 0.3 * sw, hem_y - 0.22 * sw
            pin = np.array(
                [
                    [px - 0.005 * sw, py - 0.09 * sw],
                    [px + 0.008 * sw, py - 0.09 * sw],
                    [px + 0.008 * sw, py + 0.05 * sw],
                    [px - 0.005 * sw, py + 0.05 * sw],
                ]
            )
            pm = c.poly(pin)
            self.edge_shadow(pm, offset=(1.5, 1.5), blur=1.2, strength=0.5)
            c.paint(pm, np.array([0.9, 0.78, 0.45], np.float32), shaded=False)
            self.button((px + 0.001 * sw, py + 0.06 * sw), 0.014 * sw, np.array([0.9, 0.78, 0.45], np.float32), "shank")
        else:
            self.button(
                (cx + 0.33 * sw, (waist[15][1] + wb_low[15][1]) / 2), 0.022 * sw, _rgb(spec.accent) * 1.4, "sew"
            )
        self.anchors = L.anchors(spec.kind)
        self.focus = (cx, L.hip_y + 0.3 * sw)

    def _folds(self, pleated, hem, hem_y, hem_half, yoke_y, n):
        L, sw, cx, j = self.L, self.L.sw, self.L.cx, self.jitter
        if pleated:
            return
        for k in range(6):
            f = (k - 2.5) / 2.5
            top = _p(cx + f * 0.3 * sw + j(0.02 * sw), L.hip_y + 0.05 * sw)
            bot = _p(cx + f * hem_half * 0.9 + j(0.02 * sw), hem_y + 0.02 * sw)
            self.fold(_line(top, bot, 6), 0.26, 0.07 * sw)


for _style in ("tea", "sundress"):
    _ART_CLASSES[_style] = _DressArt
for _style in ("jeans", "chino"):
    _ART_CLASSES[_style] = _TrouserArt
for _style in ("pleated", "aline"):
    _ART_CLASSES[_style] = _SkirtArt


@lru_cache(maxsize=4)
def _render(spec: GarmentSpec, ss: int = SS, out: int = 1):
    if spec.kind in (_g.TSHIRT, _g.LONGSLEEVE):
        cls = _TopArt
    else:
        cls = _ART_CLASSES[spec.style]
    art = cls(spec, ss)
    art.draw()
    missing = _g.missing_anchors(spec.kind, art.anchors)
    assert not missing, missing
    return art.image(out), art.ghost_image(out), dict(art.anchors), tuple(art.focus)


def render_overlay(spec: GarmentSpec) -> tuple[Image.Image, dict[str, tuple[int, int]]]:
    """Render the try-on overlay for ``spec``: an RGBA image and its anchor points.

    The anchors are exactly ``tryon.garments.required_anchors(spec.kind)``, as
    ``(x, y)`` integer pixels inside the image. Openings a wearer shows
    through (the neck, an open jacket front) are transparent.
    """
    overlay, _, anchors, _ = _render(spec)
    return overlay.copy(), dict(anchors)


def _backdrop(size: tuple[int, int], seed: int) -> np.ndarray:
    """Return a soft studio sweep: warm light grey, brighter behind the subject."""
    w, h = size
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    top, bottom = np.array([0.965, 0.957, 0.945], np.float32), np.array([0.88, 0.868, 0.852], np.float32)
    bg = top + (bottom - top) * (y**1.4)[..., None]
    glow = np.exp(-((x / 0.8) ** 2 + ((y - 0.42) / 0.55) ** 2))[..., None]
    bg = bg * (0.95 + 0.07 * glow)
    grain = np.random.default_rng(seed).standard_normal((h, w, 1)).astype(np.float32) * 0.004
    return np.clip(bg + grain, 0, 1)


def _on_backdrop(
    garment: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float], seed: int
) -> Image.Image:
    """Place RGBA ``garment`` scaled into ``box`` (fractions l, t, r, b) on a backdrop, with a drop shadow."""
    w, h = size
    bw, bh = (box[2] - box[0]) * w, (box[3] - box[1]) * h
    k = min(bw / garment.width, bh / garment.height)
    gw, gh = max(1, round(garment.width * k)), max(1, round(garment.height * k))
    g = np.asarray(garment.resize((gw, gh), Image.Resampling.LANCZOS), np.float32) / 255.0
    x0 = int(round(box[0] * w + (bw - gw) / 2))
    y0 = int(round(box[1] * h + (bh - gh) / 2))
    alpha = np.zeros((h, w), np.float32)
    rgb = np.zeros((h, w, 3), np.float32)
    ys, xs = slice(max(0, y0), min(h, y0 + gh)), slice(max(0, x0), min(w, x0 + gw))
    gy, gx = slice(ys.start - y0, ys.stop - y0), slice(xs.start - x0, xs.stop - x0)
    alpha[ys, xs] = g[gy, gx, 3]
    rgb[ys, xs] = g[gy, gx, :3]
    bg = _backdrop(size, seed)
    diag = math.hypot(w, h)
    for dx, dy, blur, strength in ((0.006, 0.016, 0.018, 0.22), (0.002, 0.005, 0.004, 0.18)):
        M = np.float32([[1, 0, dx * diag], [0, 1, dy * diag]])
        sh = cv2.warpAffine(alpha, M, (w, h))
        sh = _blur(sh, blur * diag)
        bg = bg * (1 - strength * sh)[..., None]
    out = bg * (1 - alpha[..., None]) + rgb * alpha[..., None]
    return Image.fromarray(np.round(np.clip(out, 0, 1) * 255).astype(np.uint8), "RGB")


def render_product_photo(spec: GarmentSpec, size: tuple[int, int] = (800, 1000)) -> Image.Image:
    """Render a catalogue photo of ``spec``: the garment, ghost-mannequin style, on a studio backdrop."""
    _, ghost, _, _ = _render(spec)
    ghost = ghost.crop(ghost.getchannel("A").getbbox())
    return _on_backdrop(ghost, size, (0.1, 0.09, 0.9, 0.89), _seed(spec.slug, "photo"))


def render_detail_photo(spec: GarmentSpec, size: tuple[int, int] = (800, 1000)) -> Image.Image:
    """Render a close-up of ``spec``'s fabric and details (collar, print, pockets) for the gallery."""
    _, ghost, _, focus = _render(spec, 3, 2)
    fw, fh = ghost.width / 2, ghost.height / 2
    cw = min(fw, fh * size[0] / size[1]) * 0.62
    ch = cw * size[1] / size[0]
    cx = min(max(focus[0], cw / 2), fw - cw / 2)
    cy = min(max(focus[1], ch / 2), fh - ch / 2)
    crop = ghost.crop(tuple(int(round(v * 2)) for v in (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)))
    return _on_backdrop(crop, size, (0.0, 0.0, 1.0, 1.0), _seed(spec.slug, "detail"))
