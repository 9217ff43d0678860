"""Warp a garment overlay onto a camera frame and composite it.

This module has no Django import: the web server, the fit-quality tool and the
tests all use it directly. It needs numpy and OpenCV only.

Mesh format
-----------
``mesh`` is a dict produced by :mod:`tryon.geometry`::

    {"kind": str,
     "src": [[u, v], ...],        # overlay pixel coordinates (floats)
     "dst": [[x, y], ...],        # frame pixel coordinates (floats)
     "triangles": [[i, j, k], ...],  # indices into src / dst
     "scale": float,              # body scale in frame px (tops: shoulder-seam width)
     "estimated": [names]}

Pixel coordinates follow OpenCV: ``(0, 0)`` is the *centre* of the top-left
pixel. ``dst`` may lie partly or wholly outside the frame. An optional
``"layers"`` list (one int per triangle, as :func:`tryon.geometry.fit_garment`
gives: margins, short-sleeve ends, body, limbs) draws the garment layer by
layer, lowest first, each layer composited *over* the ones below, so where a
sleeve crossing the chest is transparent or sheer the body shows through, and
the body's transparent underarm gap does not cut into a folded margin. Within
a layer, where destination triangles overlap (a fold), later
triangles replace earlier ones, except that triangles thinner than one pixel
are drawn first and slivers thinner than a quarter pixel (and degenerate
triangles) are skipped: their inverse maps extrapolate wildly and their pixels
belong to their neighbours. Triangles whose part of the overlay is wholly
transparent are not drawn at all (they could only replace art with nothing);
which ones they are is computed once per overlay and topology.

Colour order
------------
The renderer never converts colours. ``frame`` is ``uint8`` ``HxWx3`` in
either BGR or RGB order, and ``overlay`` must be ``uint8`` ``hxwx4`` with the
*same* three colour channels followed by straight (non-premultiplied) alpha:
a PNG read with ``cv2.imread(path, cv2.IMREAD_UNCHANGED)`` (BGRA) goes with a
BGR frame; a PNG read with Pillow as ``RGBA`` goes with an RGB frame.

Design
------
:func:`composite` works on the destination bounding box only (clipped to the
frame) and makes one resampling pass for the whole garment:

1. Every pixel of the box gets exactly one triangle id: the triangles are
   rasterised into a ``uint8`` label image (``uint16`` beyond 255 triangles)
   with ``cv2.fillConvexPoly`` (8-bit sub-pixel vertices, boundary pixels
   included, later triangles overwrite earlier ones).
   Adjacent triangles therefore leave no gaps and nothing is blended twice, so
   no seams can show. The label image has a one-pixel margin because OpenCV's
   polygon fill can miss the first row when it clips vertices with negative
   coordinates.
2. Each triangle's inverse affine map (frame -> overlay) goes into 256-entry
   tables; ``cv2.LUT`` expands the label image into per-pixel coefficients and
   ``cv2.accumulateProduct`` with x / y grids gives the source coordinates of
   every pixel (pixels outside every triangle map outside the overlay).
3. One ``cv2.remap`` (bilinear, constant transparent border) resamples the
   *premultiplied* overlay. Interpolating premultiplied colour avoids the dark
   or coloured fringes that straight alpha gives at the garment's edge.
   With layers, the labels are kept as they were before each layer is
   rasterised; where a pixel of a higher layer is not opaque and replaced a
   lower triangle, just those pixels (usually a few hundred) are resampled
   from the lower triangle and put under it.
4. ``out = fg + bg * (255 - a) / 255`` in 8-bit integer arithmetic
   (``cv2.multiply`` rounds, ``cv2.add`` saturates) on the box only.

When the garment is drawn larger than the overlay (linear scale above 1.15),
the warp runs at the overlay's own scale on a correspondingly smaller box and
the result is enlarged once with ``cv2.resize`` (bilinear): the art has no
detail beyond its pixels, so the picture is practically the same (mean
difference 0.1/255 on bench/render.py's 1280x720 frame) and a 2.4x enlarged
garment costs a fifth of the resampling.

When the garment is drawn smaller than the overlay (linear scale below
1/sqrt(2)) the overlay is first reduced by the nearest power of two with area
averaging (a cached mip pyramid). That anti-aliases thin stripes and prints
and makes the remap cheaper (a smaller texture stays in cache: a tee drawn at
0.58 of its art composited in 3.2 instead of 3.9 ms). The premultiplied overlay and its pyramid are cached per overlay
array (a small LRU keyed by the array's memory address, shape and strides,
holding a reference to the array so the address cannot be reused), so an
overlay must not be modified in place after it has been drawn; call
:func:`clear_cache` if it is. Pass the same array every frame: a fresh copy
per frame would be premultiplied again each time.

Scratch buffers are kept per thread and reused, because page-faulting fresh
megabyte arrays in on every frame costs more than the arithmetic on them. The
functions are safe to call from several threads.

A per-triangle ``cv2.warpAffine`` of each triangle's bounding box was measured
as well and is slower: the boxes overlap (about twice the pixels are
resampled) and there are several OpenCV calls per triangle; see
``bench/composite_micro.py``.

Shading
-------
A garment drawn with the overlay's colours alone reads as a sticker: the
scene's light does not fall on it. With ``shading`` (the default)
:func:`composite` darkens the garment where the frame under it is darker than
its surroundings (folds, creases, the shadowed side of an arm or waist): the
shading ``S`` of :func:`shading_map` multiplies the garment's premultiplied
colour, never its alpha, so hue and print are kept and only their brightness
follows the body. The formula and its constants are in
``static/tryon/shading.json``, which the browser's renderer
(``static/tryon/js/draw.js``) reads too, so both draw the same garment:

1. The frame over the garment's box (grown by the base's radius) is
   area-averaged into square cells of ``2**level`` pixels, ``level`` from the
   body scale (17 to 34 cells across the shoulders), by repeated halvings (the
   browser halves on a canvas; each halving is an exact 2x2 mean). Twice that
   many (cells_per_scale 48) carried the small creases of the clothes under
   the garment (a tee bunched at a waistband, a crumpled suit) onto it as dark,
   sharp-edged blotches that read as stains; a worn garment drapes over such
   creases and takes only the broader light of the body under it.
2. ``L = (R + G + B) / 3`` per cell: the same for BGR and RGB frames.
3. The base ``B`` is a cross-bilateral mean of ``L`` (a separable box of
   about an eighth of the body scale, rows then columns), in which cells
   more than ``alike`` (1.5) times lighter or darker than the cell count less
   and less, and from ``unlike`` (2) times not at all, and likewise cells of
   another chromaticity (``(rgb + eps / 3) / (R + G + B + eps)``, L1 distance
   from ``chroma_alike`` to ``chroma_unlike``): the light on the body around
   the cell, from clothes of its colour. Shading changes brightness and keeps
   chromaticity; a badge, a print or another garment changes both. Where the
   cells within ``edge_reach`` differ by that much (a colour edge cuts them
   into mixes, darker than the light side's base), and where the base is
   dark (``dark_full`` down to ``dark_off``: over dark clothes the camera's
   noise and the fabric's own texture outweigh the light), it fades out.
4. ``S = clamp((L + eps) / (B + eps), floor, 1) ** (strength * gate)``, 8 bits,
   enlarged bilinearly to frame pixels. Flat light gives ``S = 1`` (the
   garment's colours exactly); a fold darker than its surroundings gives
   ``S < 1`` there. ``S`` stays <= 1: a 2D canvas can darken what it drew
   and keep its alpha, not brighten it, and white cannot get brighter.

A ratio to the local base is independent of the colour of the clothes under
the garment, which a global factor (the base relative to a fixed grey) is
not: a black shirt under a virtual white tee would dim the tee. A plain box
base was tried first and failed on tests/media/fullbody_woman.png, whose
black denim jacket is open over a white shirt: the jacket's panels, darker
than the mean of jacket and shirt around them, turned a white tee grey, and
its seams and pockets showed through. The likeness weights keep such edges
out of the base. A box base faded out wherever its window was not one cloth
was cheaper but shaded next to nothing on either test photo. What the
weights cannot tell from shading is a low-contrast print or colour edge
underneath, which still shades a band along it; shadows darker than
``1 / unlike`` of their surroundings go unshaded with the edges.

The base is computed in some forty numpy operations whatever the radius:
the cells lie in flat planes padded by the radius, where the neighbour
``d`` cells on is ``d`` elements (or rows) on, so each step works on all
cells and offsets at once, and each pair's weight is computed once and
used both ways. Only the bounding box of the pixels it darkens (S < 255
and alpha > 0) is multiplied. Measured with bench/render.py (OpenCV on one
thread, each composite right after a detection as in the pipeline, on this
shared two-core machine, three runs with 17-34 cells across the shoulders)
it costs 0.58-0.77 ms a frame at 640x480 and 1.02-1.05 ms at 1280x720,
x1.25-1.30 and x1.40-1.43 the composite step without it, and x0.99-1.06 the
whole photo pipeline (pose, fit, composite), i.e. within the machine's noise.
With twice the cells (34-68) it was 0.84-1.02 and 1.02-1.30 ms (x1.35-1.49;
x1.02-1.05 the pipeline). Right after a detection most of that is the cost
of code gone cold, not arithmetic: on bench/render.py's grids the base and
gate take 0.15 and 0.24 ms with warm caches and 0.37 and 0.49 ms after a
detection (0.2 ms of it comes back if the same code has just run on a 5 x 5
grid; each OpenCV function costs 25-70 us the first time it is called after
a detection, a numpy ufunc some 8 us), the halvings 0.07 and 0.16 ms warm
and 0.13 and 0.23 ms cold, the enlargement (cv2.warpAffine: cv2.resize's
bilinear rounds 0.02-11% of the pixels the other way) and the multiply
the rest. The browser's is timed in its stats
(``shadeMs``, bench/browser.py).

Occlusion
---------
``occluders`` is a ``uint8`` ``HxW`` mask, 255 where the original frame pixel
must stay in front of the garment (0 = garment may cover it; values in between
give a proportional soft edge). :func:`arm_occlusion_mask` builds one from the
pose: a forearm or hand whose centre line enters the garment's body region
(the torso for tops and dresses, hips to knees for trousers and skirts) is
assumed to be *in front of* that garment, and a capsule of radius
``0.075 * scale`` around elbow->wrist, plus the hand (the wrist and the pinky,
index and thumb landmarks, dilated by the same radius), is kept, intersected
with the person segmentation when one is given. Only forearm and hand
landmarks with visibility >= 0.8 count: a guessed hand would cut a hole
through the garment where there is no hand. Long-sleeve kinds (longsleeve,
jacket) return an empty mask: there the forearm is covered by the garment's
own sleeve, which the mesh already draws over the torso, so keeping the bare
frame pixels would cut a hole through the sleeve. Short sleeves (tshirt) and
sleeveless dresses leave the forearm bare, so it occludes. Which forearms and
hands count, and their shapes, are :func:`tryon.occlusion.occluding_forearms`,
which the browser's twin (``static/tryon/js/occlusion.js``) shares; the browser
erases the same shapes from its drawn garment, without a person mask.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from tryon import garments
from tryon.occlusion import occluding_forearms

__all__ = [
    "Shading",
    "composite",
    "shade_cells",
    "shading_params",
    "shading_map",
    "garment_mask",
    "arm_occlusion_mask",
    "clear_cache",
]

# Sub-pixel bits for cv2.fillConvexPoly vertices.
_SHIFT = 8
_ONE = 1 << _SHIFT
# Source coordinate given to pixels outside every triangle: far enough outside
# the overlay that bilinear sampling only sees the transparent border.
_OUTSIDE = -16.0
# Destination triangles thinner than this (px) or with a smaller doubled area
# (px^2) are not drawn; see _warp_box.
_MIN_ALTITUDE = 0.25
_MIN_AREA = 1e-6
# Largest number of triangles a uint8 label image can hold (0 = none); larger
# meshes use uint16 labels and a slower numpy gather.
_MAX_TRIANGLES_U8 = 255
# Vertices farther than this (px) outside the box are clipped before filling,
# so the fixed-point coordinates cannot overflow int32.
_GUARD = 1 << 16
# Mip pyramid: overlays cached, and the smallest level kept.
_CACHE_SIZE = 8
_MIN_LEVEL_SIDE = 8
# Scene shading constants, shared with static/tryon/js/draw.js.
SHADING_PATH = Path(__file__).resolve().parent.parent / "static" / "tryon" / "shading.json"
# Triangles with no alpha within this many overlay pixels are not drawn: they
# could only paint transparent pixels (and, painted over other triangles, would
# replace their art with nothing).
_ALPHA_REACH = 2
_TOPOLOGIES_PER_OVERLAY = 4
# Garments drawn smaller than this use the mip level nearest their scale
# (1/sqrt(2): level 1 from there down to half size, and so on).
_MIP_FROM = 1.0 / math.sqrt(2.0)
# Garments drawn more than this much larger than their art are warped at the
# art's scale, then enlarged (see _warp_box).
_MAGNIFY_FROM = 1.15
# Pixels resampled per row when the back layers are composited under the top.
_UNDER_ROW = 1024

# MediaPipe BlazePose landmarks; which forearms occlude is tryon.occlusion's.
_NUM_LANDMARKS = 33


# ---------------------------------------------------------------- validation


def _check_frame(frame: np.ndarray) -> None:
    """Raise ValueError unless ``frame`` is a writeable uint8 HxWx3 array."""
    if not isinstance(frame, np.ndarray):
        raise ValueError("frame must be a numpy array")
    if frame.dtype != np.uint8:
        raise ValueError(f"frame must be uint8, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame must be HxWx3, got shape {frame.shape}")
    if frame.shape[0] < 1 or frame.shape[1] < 1:
        raise ValueError("frame must not be empty")
    if not frame.flags.writeable:
        raise ValueError("frame must be writeable (it is drawn on in place)")


def _check_overlay(overlay: np.ndarray) -> None:
    """Raise ValueError unless ``overlay`` is a uint8 hxwx4 array."""
    if not isinstance(overlay, np.ndarray):
        raise ValueError("overlay must be a numpy array")
    if overlay.dtype != np.uint8:
        raise ValueError(f"overlay must be uint8, got {overlay.dtype}")
    if overlay.ndim != 3 or overlay.shape[2] != 4:
        raise ValueError(
            f"overlay must be hxwx4 (colour + alpha), got shape {overlay.shape}"
        )
    if overlay.shape[0] < 1 or overlay.shape[1] < 1:
        raise ValueError("overlay must not be empty")


def _check_shape(shape) -> tuple[int, int]:
    """Return ``(height, width)`` from an image shape, or raise ValueError."""
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a sequence of ints, got {shape!r}") from None
    if len(dims) not in (2, 3) or dims[0] < 1 or dims[1] < 1:
        raise ValueError(f"shape must be (H, W) or (H, W, C), got {shape!r}")
    return dims[0], dims[1]


def _mesh_arrays(mesh) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(src, dst, triangles, layers)`` arrays from ``mesh``, or raise ValueError."""
    if not isinstance(mesh, dict):
        raise ValueError("mesh must be a dict")
    missing = [k for k in ("src", "dst", "triangles") if k not in mesh]
    if missing:
        raise ValueError(f"mesh lacks {', '.join(missing)}")
    try:
        src = np.asarray(mesh["src"], dtype=np.float64)
        dst = np.asarray(mesh["dst"], dtype=np.float64)
        tri = np.asarray(mesh["triangles"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"mesh arrays are malformed: {exc}") from None
    if src.size == 0:
        src = src.reshape(0, 2)
    if dst.size == 0:
        dst = dst.reshape(0, 2)
    if src.ndim != 2 or src.shape[1] != 2:
        raise ValueError(f"mesh src must be a list of [u, v], got shape {src.shape}")
    if dst.ndim != 2 or dst.shape[1] != 2:
        raise ValueError(f"mesh dst must be a list of [x, y], got shape {dst.shape}")
    if len(src) != len(dst):
        raise ValueError(
            f"mesh src and dst differ in length ({len(src)} != {len(dst)})"
        )
    if tri.size == 0:
        tri = tri.reshape(0, 3)
    if tri.ndim != 2 or tri.shape[1] != 3:
        raise ValueError(f"mesh triangles must be [i, j, k] rows, got shape {tri.shape}")
    if tri.dtype.kind not in "iu":
        if tri.dtype.kind == "f" and np.all(tri == np.round(tri)):
            tri = tri.astype(np.int64)
        else:
            raise ValueError("mesh triangle indices must be integers")
    if tri.size and (tri.min() < 0 or tri.max() >= len(src)):
        raise ValueError("mesh triangle index out of range")
    if not (np.isfinite(src).all() and np.isfinite(dst).all()):
        raise ValueError("mesh coordinates must be finite")
    layers = mesh.get("layers")
    if layers is None:
        layers = np.zeros(len(tri), np.intp)
    else:
        try:
            layers = np.asarray(layers)
        except (TypeError, ValueError):
            raise ValueError("mesh layers must be integers") from None
        if layers.shape != (len(tri),) or (layers.size and layers.dtype.kind not in "iu"):
            raise ValueError("mesh layers must be one integer per triangle")
        layers = layers.astype(np.intp, copy=False)
    return src, dst, tri.astype(np.intp, copy=False), layers


def _mesh_scale(mesh: dict) -> float | None:
    """Return the mesh's body scale in frame pixels, or None when it has none usable (no shading)."""
    try:
        scale = float(mesh.get("scale"))
    except (TypeError, ValueError):
        return None
    return scale if math.isfinite(scale) and scale > 0 else None


# ------------------------------------------------------------ overlay cache


class _Pyramid:
    """Hold a premultiplied overlay and its lazily built reduced levels."""

    __slots__ = ("overlay", "levels", "scales", "lock", "reach", "visible_by_topology")

    def __init__(self, overlay: np.ndarray) -> None:
        """Premultiply ``overlay`` and keep a reference to the original."""
        self.overlay = overlay  # keeps the cache key's memory alive
        colour = np.ascontiguousarray(overlay[:, :, :3])
        alpha = np.ascontiguousarray(overlay[:, :, 3])
        alpha3 = cv2.merge([alpha, alpha, alpha])
        premul = cv2.multiply(colour, alpha3, scale=1.0 / 255.0)
        self.levels = [cv2.merge([premul, alpha])]
        # scales[k] = (sx, sy): u_k + 0.5 = (u_0 + 0.5) * sx.
        self.scales = [(1.0, 1.0)]
        self.lock = threading.Lock()
        self.reach = None  # alpha dilated by the resampling footprint, built on demand
        self.visible_by_topology: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def visible(self, src: np.ndarray, tri: np.ndarray) -> np.ndarray:
        """Return a bool per triangle: can it draw any non-transparent pixel?

        A triangle counts as visible when any overlay pixel within
        ``_ALPHA_REACH`` px of it has alpha > 0, which covers what bilinear
        sampling and the mip levels can pull in. The answer depends only on the
        overlay and the garment's topology, so it is cached per topology.
        """
        key = (src.tobytes(), tri.tobytes())
        with self.lock:
            vis = self.visible_by_topology.get(key)
            if vis is not None:
                self.visible_by_topology.move_to_end(key)
                return vis
            if self.reach is None:
                size = 2 * _ALPHA_REACH + 1
                kernel = np.ones((size, size), np.uint8)
                self.reach = cv2.dilate(np.ascontiguousarray(self.levels[0][:, :, 3]), kernel)
        reach = self.reach
        h, w = reach.shape
        vis = np.zeros(len(tri), bool)
        for t, pts in enumerate(src[tri]):
            lo = np.floor(pts.min(axis=0)).astype(int) - 1
            hi = np.ceil(pts.max(axis=0)).astype(int) + 2
            x0, y0 = max(lo[0], 0), max(lo[1], 0)
            x1, y1 = min(hi[0], w), min(hi[1], h)
            if x1 <= x0 or y1 <= y0:
                continue
            roi = reach[y0:y1, x0:x1]
            if not roi.any():
                continue
            inside = np.zeros(roi.shape, np.uint8)
            corners = np.round((pts - (x0, y0)) * _ONE).astype(np.int32)
            cv2.fillConvexPoly(inside, corners, 1, cv2.LINE_8, _SHIFT)
            vis[t] = bool(inside.any()) and cv2.minMaxLoc(roi, inside)[1] > 0
        with self.lock:
            self.visible_by_topology[key] = vis
            while len(self.visible_by_topology) > _TOPOLOGIES_PER_OVERLAY:
                self.visible_by_topology.popitem(last=False)
        return vis

    def level(self, k: int) -> tuple[np.ndarray, float, float]:
        """Return level ``k`` (or the smallest available) with its scale."""
        if len(self.levels) <= k:
            with self.lock:
                self._build(k)
        k = min(k, len(self.levels) - 1)
        sx, sy = self.scales[k]
        return self.levels[k], sx, sy

    def _build(self, k: int) -> None:
        """Append reduced levels until level ``k`` exists or the image is tiny."""
        while len(self.levels) <= k:
            prev = self.levels[-1]
            h, w = prev.shape[:2]
            if min(h, w) < 2 * _MIN_LEVEL_SIDE:
                break
            nw, nh = (w + 1) // 2, (h + 1) // 2
            self.levels.append(cv2.resize(prev, (nw, nh), interpolation=cv2.INTER_AREA))
            h0, w0 = self.levels[0].shape[:2]
            self.scales.append((nw / w0, nh / h0))


_cache: OrderedDict[tuple, _Pyramid] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached premultiplied overlay and mip pyramid."""
    with _cache_lock:
        _cache.clear()


def _pyramid(overlay: np.ndarray) -> _Pyramid:
    """Return the cached pyramid of ``overlay``, building it when new."""
    # The entry holds a reference to the array, so while it is cached its
    # memory cannot be reused by another array with the same key.
    key = (overlay.__array_interface__["data"][0], overlay.shape, overlay.strides)
    with _cache_lock:
        pyr = _cache.get(key)
        if pyr is not None:
            _cache.move_to_end(key)
            return pyr
    pyr = _Pyramid(overlay)
    with _cache_lock:
        _cache[key] = pyr
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return pyr


# ----------------------------------------------------------------- warping


def _warp_box(height: int, width: int, overlay: np.ndarray, mesh):
    """Return ``(x0, y0, fg)``: the warped premultiplied overlay over its box.

    ``fg`` is uint8 ``hxwx4`` (premultiplied colour + alpha) covering frame
    rows ``y0:y0+h`` and columns ``x0:x0+w``; it is None when the garment
    misses the frame.
    """
    src, dst, tri, layers = _mesh_arrays(mesh)
    if len(tri) == 0:
        return 0, 0, None
    pyramid = _pyramid(overlay)

    # Destination triangles, their signed doubled areas and least altitudes.
    d = dst[tri]  # (T, 3, 2)
    e = d[:, [1, 2, 2]] - d[:, [0, 0, 1]]  # edges 01, 02, 12
    det = e[:, 0, 0] * e[:, 1, 1] - e[:, 0, 1] * e[:, 1, 0]
    det2 = det * det
    longest2 = np.einsum("tec,tec->te", e, e).max(axis=1)
    # altitude = |det| / longest edge. Slivers thinner than _MIN_ALTITUDE are
    # dropped: every pixel centre they contain is also on a neighbour's
    # boundary, and their inverse map would extrapolate wildly. Thin ones are
    # drawn first so that regular neighbours win the boundary pixels they share.
    drawable = (det2 >= _MIN_ALTITUDE**2 * longest2) & (det2 > _MIN_AREA**2)
    drawable &= pyramid.visible(src, tri)
    regular = det2 >= longest2
    # Layer by layer, back to front; thin triangles first within a layer.
    idx = np.flatnonzero(drawable)
    if len(idx) == 0:
        return 0, 0, None
    idx = idx[np.argsort(layers[idx] * 2 + regular[idx], kind="stable")]
    drawn_layers = layers[idx]
    # Index into idx where each layer after the first begins.
    starts = (np.flatnonzero(drawn_layers[1:] != drawn_layers[:-1]) + 1).tolist()
    d, s, det = d[idx], src[tri[idx]], det[idx]

    # Bounding box of the drawable triangles, clipped to the frame.
    lo = d.min(axis=(0, 1))
    hi = d.max(axis=(0, 1))
    x0 = max(math.floor(lo[0]), 0)
    y0 = max(math.floor(lo[1]), 0)
    x1 = min(math.ceil(hi[0]) + 1, width)
    y1 = min(math.ceil(hi[1]) + 1, height)
    if x1 <= x0 or y1 <= y0:
        return 0, 0, None
    bw, bh = x1 - x0, y1 - y0

    # Mip level from the mean linear scale dst/src.
    f = s[:, 1:] - s[:, :1]
    src_area = np.abs(f[:, 0, 0] * f[:, 1, 1] - f[:, 0, 1] * f[:, 1, 0]).sum()
    level = 0
    lin = math.sqrt(np.abs(det).sum() / src_area) if src_area > 0 else 1.0
    if lin < _MIP_FROM:
        level = int(round(math.log2(1.0 / lin)))  # the nearest level, as GPUs choose
    image, sx, sy = pyramid.level(level)
    if level:
        s = (s + 0.5) * (sx, sy) - 0.5

    # A garment drawn larger than its art has no detail beyond the art's
    # pixels: warp it at the art's own scale and enlarge the result once.
    bw_out, bh_out = bw, bh
    local = d - (x0, y0)
    if lin > _MAGNIFY_FROM:
        bw, bh = max(1, math.ceil(bw / lin)), max(1, math.ceil(bh / lin))
        local = (local + 0.5) * (bw / bw_out, bh / bh_out) - 0.5

    # Inverse affine per triangle in box-local destination coordinates: the
    # 2x3 map M with M @ [x, y, 1]^T = [u, v]^T at the three vertices. With
    # edge matrices P (rows p1 - p0, p2 - p0; det != 0) and Q (the same of the
    # source), the linear part is P^-1 Q and the offset q0 - p0 @ P^-1 Q.
    mt = _inverse_affines(local, s)  # (T, 3, 2): rows d/dx, d/dy, offset; cols u, v

    # Tables indexed by label: u then v as (offset, d/dx, d/dy); label 0 means
    # no triangle and maps outside the overlay.
    n = len(idx) + 1
    small = n <= _MAX_TRIANGLES_U8 + 1
    luts = np.zeros((6, 256 if small else n), np.float32)
    luts[0, 0] = luts[3, 0] = _OUTSIDE
    luts[:, 1:n] = mt[:, [2, 0, 1], :].transpose(2, 1, 0).reshape(6, n - 1)

    # Rasterise labels with a one-pixel margin (see module docstring).
    ws = _workspace()
    padded = ws.get("labels", (bh + 2, bw + 2), np.uint8 if small else np.uint16)
    padded.fill(0)
    polys = local + 1.0
    # Labels as they were before each layer after the first was drawn.
    snapshots = []
    guarded = max(x0 - lo[0], y0 - lo[1], hi[0] - x0, hi[1] - y0) + 1.0 <= _GUARD
    if guarded:
        polys = np.round(polys * _ONE).astype(np.int32)
    snap_at = {start + 1 for start in starts}
    for t, poly in enumerate(polys, 1):
        if t in snap_at:
            snapshot = ws.get(f"under{len(snapshots)}", padded.shape, padded.dtype)
            np.copyto(snapshot, padded)
            snapshots.append(snapshot)
        if not guarded:
            if np.abs(poly).max() > _GUARD:
                poly = _clip_polygon(poly, bw + 2, bh + 2)
                if len(poly) < 3:
                    continue
            poly = np.round(poly * _ONE).astype(np.int32)
        cv2.fillConvexPoly(padded, poly, t, cv2.LINE_8, _SHIFT)
    labels = padded[1:-1, 1:-1]

    # Per-pixel source coordinates: table[label] offset + slopes * (x, y).
    gx, gy = _grids(bh, bw)
    tmp = ws.get("tmp", (bh, bw), np.float32)
    maps = []
    for name, lut in (("map_u", luts[:3]), ("map_v", luts[3:])):
        m = _lookup(labels, lut[0], ws.get(name, (bh, bw), np.float32))
        cv2.accumulateProduct(_lookup(labels, lut[1], tmp), gx, m)
        cv2.accumulateProduct(_lookup(labels, lut[2], tmp), gy, m)
        maps.append(m)
    fg = cv2.remap(
        image,
        maps[0],
        maps[1],
        cv2.INTER_LINEAR,
        dst=ws.get("fg", (bh, bw, 4), np.uint8),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    # Each layer's labels under the layers above it, top down: where the
    # next layer up replaced a triangle, put that triangle under the pixel.
    above = labels
    for start, under in zip(reversed(starts), reversed(snapshots)):
        under = under[1:-1, 1:-1]
        # Only where the layers above were drawn.
        lo = np.maximum(np.floor(local[start:].min(axis=(0, 1))).astype(int), 0)
        hi = np.ceil(local[start:].max(axis=(0, 1))).astype(int) + 1
        cut = np.s_[lo[1] : min(hi[1], bh), lo[0] : min(hi[0], bw)]
        if labels[cut].size:
            _composite_under(fg[cut], above[cut], under[cut], luts, image, lo)
        above = under
    if (bw, bh) != (bw_out, bh_out):
        fg = cv2.resize(fg, (bw_out, bh_out), dst=ws.get("fg_out", (bh_out, bw_out, 4), np.uint8),
                        interpolation=cv2.INTER_LINEAR)
    return x0, y0, fg


def _inverse_affines(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Return (T, 3, 2) maps from (T, 3, 2) destination to source triangles (closed form)."""
    p0 = dst[:, 0]
    e1 = dst[:, 1] - p0
    e2 = dst[:, 2] - p0
    q0 = src[:, 0]
    f1 = src[:, 1] - q0
    f2 = src[:, 2] - q0
    inv_det = 1.0 / (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    out = np.empty((len(dst), 3, 2))
    # P^-1 = [[e2y, -e1y], [-e2x, e1x]] / det; rows of P^-1 Q are d/dx and d/dy.
    out[:, 0] = (e2[:, 1, None] * f1 - e1[:, 1, None] * f2) * inv_det[:, None]
    out[:, 1] = (e1[:, 0, None] * f2 - e2[:, 0, None] * f1) * inv_det[:, None]
    out[:, 2] = q0 - p0[:, 0, None] * out[:, 0] - p0[:, 1, None] * out[:, 1]
    return out


def _composite_under(fg, labels, under, luts, image, origin) -> None:
    """Composite a layer under the layers above it where those are not opaque.

    ``labels`` are the labels after the layers above were rasterised,
    ``under`` the labels before. Where a triangle above replaced one below and
    ``fg`` is not fully opaque there (a sleeve's antialiased edge or its
    transparent rails over the torso, the gap under the arm over a margin), the
    replaced triangle's pixel is resampled and put under ``fg`` with
    premultiplied "over". Only those pixels are resampled, usually a few
    hundred. The arrays are views of the box at ``origin`` (x, y) in the label
    tables' coordinates.
    """
    # Replaced (labels != under) a triangle (under != 0): few passes over the box, then
    # the opacity test on the pixels found only.
    todo = cv2.compare(labels, under, cv2.CMP_NE)
    if under.dtype == np.uint8:
        cv2.min(todo, under, dst=todo)
    else:
        cv2.bitwise_and(todo, cv2.compare(under, 0, cv2.CMP_NE), dst=todo)
    found = cv2.findNonZero(todo)  # much faster than np.nonzero on uint8
    if found is None:
        return
    found = found.reshape(-1, 2)
    found = found[fg[found[:, 1], found[:, 0], 3] < 255]
    if len(found) == 0:
        return
    xs, ys = found[:, 0], found[:, 1]
    lab = under[ys, xs]
    n = len(lab)
    # Source coordinates of the replaced triangles: one gather of their
    # coefficients, then u and v together.
    coef = luts[:, lab]  # (6, n): u offset, d/dx, d/dy, then v's
    maps = coef[0::3] + coef[1::3] * (xs + origin[0]).astype(np.float32) + coef[2::3] * (
        ys + origin[1]
    ).astype(np.float32)
    # remap wants maps under 32767 on a side: rows of _UNDER_ROW pixels.
    cols = min(n, _UNDER_ROW)
    rows = -(-n // cols)
    if rows * cols != n:
        maps = np.concatenate([maps, np.full((2, rows * cols - n), _OUTSIDE, np.float32)], axis=1)
    back = cv2.remap(
        image, maps[0].reshape(rows, cols), maps[1].reshape(rows, cols), cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0),
    ).reshape(-1, 4)[:n]
    top = fg[ys, xs]
    # top + back * (255 - alpha) / 255, rounded and saturated.
    keep = (255 - top[:, 3:4]).astype(np.uint16)
    fg[ys, xs] = cv2.add(top, ((back * keep + 127) // 255).astype(np.uint8))


def _lookup(labels: np.ndarray, table: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write ``table[labels]`` into ``out`` and return it."""
    if labels.dtype == np.uint8:
        return cv2.LUT(labels, table, dst=out)
    np.take(table, labels, out=out)
    return out


def _clip_polygon(poly: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return convex ``poly`` clipped to the rectangle grown by a 4 px margin."""
    lo, hi = -4.0, (width + 3.0, height + 3.0)
    for axis in (0, 1):
        for limit, sign in ((lo, 1.0), (hi[axis], -1.0)):
            if len(poly) == 0:
                return poly
            inside = sign * (poly[:, axis] - limit) >= 0
            out = []
            for i in range(len(poly)):
                p, q = poly[i], poly[(i + 1) % len(poly)]
                pin, qin = inside[i], inside[(i + 1) % len(poly)]
                if pin:
                    out.append(p)
                if pin != qin:
                    t = (limit - p[axis]) / (q[axis] - p[axis])
                    out.append(p + (q - p) * t)
            poly = np.array(out).reshape(-1, 2)
    return poly


class _Workspace:
    """Reuse scratch buffers between calls.

    Fresh multi-megabyte arrays are page-faulted in on every frame, which costs
    more than the arithmetic done on them; views of grown buffers do not.
    """

    def __init__(self) -> None:
        """Start with no buffers."""
        self._flat: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """Return a C-contiguous ``shape`` view of buffer ``name`` (contents undefined)."""
        size = math.prod(shape)
        flat = self._flat.get(name)
        if flat is None or flat.dtype != dtype or flat.size < size:
            grow = flat.size * 3 // 2 if flat is not None and flat.dtype == dtype else 0
            flat = np.empty(max(size, grow), dtype)
            self._flat[name] = flat
        return flat[:size].reshape(shape)


_local = threading.local()


def _workspace() -> _Workspace:
    """Return this thread's scratch buffers."""
    ws = getattr(_local, "workspace", None)
    if ws is None:
        ws = _local.workspace = _Workspace()
    return ws


def _grids(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 ``height`` x ``width`` views of the pixel x and y indices."""
    grids = getattr(_local, "grids", None)
    if grids is None or grids[0].shape[0] < height or grids[0].shape[1] < width:
        old = grids[0].shape if grids is not None else (0, 0)
        gh, gw = max(height, old[0]), max(width, old[1])
        gy, gx = np.indices((gh, gw), dtype=np.float32)
        grids = _local.grids = (gx, gy)
    return grids[0][:height, :width], grids[1][:height, :width]


def _rows_contiguous(a: np.ndarray) -> bool:
    """Return whether OpenCV can use ``a`` in place (packed pixels, positive row step)."""
    item = a.itemsize
    return a.strides[-1] == item and a.strides[1] == item * a.shape[2] and a.strides[0] > 0


# ----------------------------------------------------------------- shading


@dataclass(frozen=True)
class Shading:
    """The scene-shading constants (``static/tryon/shading.json``; see the module docstring)."""

    cells_per_scale: float
    max_level: int
    blur_scale: float
    alike: float
    unlike: float
    chroma_alike: float
    chroma_unlike: float
    edge_reach: int
    dark_off: float
    dark_full: float
    eps: float
    floor: float
    strength: float

    def grid(self, scale: float) -> tuple[int, int]:
        """Return ``(cell, radius)``: the cell side in frame pixels and the blur radius in cells."""
        level = round(math.log2(max(scale, 1e-6) / self.cells_per_scale))
        cell = 1 << min(max(level, 0), self.max_level)
        return cell, max(1, round(self.blur_scale * scale / cell))


@lru_cache(maxsize=1)
def shading_params() -> Shading:
    """Return the shading constants read from ``static/tryon/shading.json``."""
    data = json.loads(SHADING_PATH.read_text())
    return Shading(**{name: data[name] for name in Shading.__dataclass_fields__})


def _shade_cells(frame: np.ndarray, x0: int, y0: int, bw: int, bh: int, scale: float, params: Shading, ws):
    """Return ``(s8, gx, gy, cell)``: 8-bit shading per cell and where its grid starts, or None.

    The grid covers whole cells inside the frame over the box grown by the
    base's radius (so the base over the box does not depend on where the grid
    ends); ``(gx, gy)`` is its top-left corner in frame pixels.
    """
    height, width = frame.shape[:2]
    cell, radius = params.grid(scale)
    cx0, cy0 = max(x0 // cell - radius, 0), max(y0 // cell - radius, 0)
    cx1 = min(-(-(x0 + bw) // cell) + radius, width // cell)
    cy1 = min(-(-(y0 + bh) // cell) + radius, height // cell)
    if cx1 <= cx0 or cy1 <= cy0:
        return None
    small = frame[cy0 * cell : cy1 * cell, cx0 * cell : cx1 * cell]
    side, level = cell, 0
    while side > 1:  # exact 2x2 means, as the browser's canvas halvings
        side //= 2
        level += 1
        h, w = small.shape[0] // 2, small.shape[1] // 2
        small = cv2.resize(small, (w, h), dst=ws.get(f"halve{level}", (h, w, 3), np.uint8),
                           interpolation=cv2.INTER_AREA)
    return _shade(small, radius, params, ws), cx0 * cell, cy0 * cell, cell


def shade_cells(cells: np.ndarray, radius: int, params: Shading) -> np.ndarray:
    """Return the 8-bit shading ``255 * S`` of ``cells`` (uint8 ``h x w x 3``, the frame's cell means).

    ``radius`` is the base's radius in cells. The browser's ``shadeCells``
    (draw.js) computes the same in float64, where this uses float32 (several
    times faster here): a cell's 8-bit value may round the other way now and
    then. tests/vectors/shading holds both to it.
    """
    if not isinstance(cells, np.ndarray) or cells.dtype != np.uint8 or cells.ndim != 3 or cells.shape[2] != 3:
        raise ValueError("cells must be a uint8 h x w x 3 array")
    return _shade(cells, radius, params, _Workspace()).copy()


# Largest R + G + B of a cell.
_MAX_TOTAL = 3 * 255


class _Alike:
    """How alike two cells' colours are: 1 up to ``alike``, falling to 0 at ``unlike``.

    The differences are taken of guide planes scaled by the ramps' slopes
    (``log_slope * ln(L + eps)`` and ``chroma_slope * c``), so that a weight is
    ``clamp(min(log_off - |dlog|, chroma_off - |dc|_1), 0, 1)``.
    """

    def __init__(self, params: Shading) -> None:
        far = math.log(params.unlike)
        ramp = 1.0 / (far - math.log(params.alike))
        chroma_ramp = 1.0 / (params.chroma_unlike - params.chroma_alike)
        self.log_slope, self.log_off = np.float32(ramp), np.float32(far * ramp)
        self.chroma_slope = np.float32(chroma_ramp)
        self.chroma_off = np.float32(params.chroma_unlike * chroma_ramp)
        self.kernel = np.ones((2 * params.edge_reach + 1,) * 2, np.uint8)
        self.dark = np.float32(1.0 / (params.dark_full - params.dark_off))
        # The log guide plane, log_slope * ln(L + eps), by R + G + B (a cell's channels are
        # integers): the same float32 values as computing it per cell, by a lookup.
        lum_eps = np.arange(_MAX_TOTAL + 1, dtype=np.float32) * np.float32(1.0 / 3.0) + np.float32(params.eps)
        self.log_guide = cv2.log(lum_eps.reshape(1, -1)).ravel() * self.log_slope

    def weigh(self, dif: np.ndarray) -> np.ndarray:
        """Turn ``dif`` (``4 x ...``: |differences| of the four planes) into weights, in place.

        Return the ``...`` weights (a view of ``dif[0]``). The planes come first so that each
        operation runs over whole contiguous planes (numpy's cost per call is lower then).
        """
        x, y = dif[0], dif[1]
        y += dif[2]
        y += dif[3]
        np.subtract(self.log_off, x, out=x)
        np.subtract(self.chroma_off, y, out=y)
        np.minimum(x, y, out=x)
        return np.minimum(np.maximum(x, 0.0, out=x), 1.0, out=x)


@lru_cache(maxsize=4)
def _alike(params: Shading) -> _Alike:
    """Return the likeness constants of ``params`` (computed once)."""
    return _Alike(params)


def _shade(cells: np.ndarray, radius: int, params: Shading, ws) -> np.ndarray:
    """Return :func:`shade_cells` of ``cells`` in a buffer of ``ws``.

    The cells lie in planes padded by ``radius`` cells on the right and below
    and are handled as flat arrays, in which the neighbour ``d`` cells to the
    right is ``d`` elements on and the one ``d`` cells down ``d`` rows on: each
    step below is one operation over all cells and offsets at once. A pair's
    weight is computed once and used both ways (it is symmetric). The padding's
    num and den are zero, so cells off the grid count nothing.

    The grid is small (some 20 x 40 cells), so the cost of each call is much of
    the time, the more so right after a pose detection has evicted the caches
    (each OpenCV function then costs some 30 us the first time it is called):
    the weights of both passes and the gate's likeness (the same ramps of the
    guide planes' spread within edge_reach) are computed by one set of
    operations, on planes stored first so that each runs over whole contiguous
    planes, and ln(L + eps) is looked up by R + G + B. Every float32 value is
    the same as computed one pass at a time with cv2.log per cell.
    """
    alike = _alike(params)
    r = radius
    eps = np.float32(params.eps)
    h, w = cells.shape[:2]
    hp, wp = h + r, w + r
    n = hp * wp  # cells of a padded plane
    lead = r * wp  # padding before and after the flat planes: r rows
    rgb = cells.astype(np.float32)
    total = rgb[..., 0] + rgb[..., 1]
    total += rgb[..., 2]  # exact: sums of integers
    lum = total * np.float32(1.0 / 3.0)
    lum_eps = lum + eps
    # Guide planes: ln(L + eps) and the three chromaticities, scaled by their slopes.
    g = ws.get("guide", (4 * n + lead,), np.float32)
    g.fill(0.0)
    guide = g[: 4 * n].reshape(4, hp, wp)[:, :h, :w]
    guide[0] = alike.log_guide[total.astype(np.intp)]
    np.add(rgb.transpose(2, 0, 1), eps / np.float32(3.0), out=guide[1:])
    guide[1:] *= alike.chroma_slope / (total + eps)
    # |Differences| of each plane: to the r neighbours right (rows 0..r-1), to the r below
    # (rows r..2r-1), and the spread (max - min) within edge_reach (row 2r), all turned into
    # likeness weights at once. Where the cells within edge_reach differ (a colour edge cuts them
    # into mixes, darker than the light side's base) the spread's weight, the gate, is low.
    # Only the m cells of the grid's rows are computed, not those of the padding rows below,
    # whose num and den stay zero.
    m = h * wp
    dif = ws.get("dif", (4, 2 * r + 1, m), np.float32)
    planes = g[: 4 * n].reshape(4, n)[:, None, :m]
    np.subtract(_view(g, 1, (4, r, m), (n, 1, 1)), planes, out=dif[:, :r])
    np.subtract(_view(g, wp, (4, r, m), (n, wp, 1)), planes, out=dif[:, r : 2 * r])
    np.abs(dif[:, : 2 * r], out=dif[:, : 2 * r])
    merged = ws.get("merged", (h, w, 4), np.float32)
    np.copyto(merged, guide.transpose(1, 2, 0))  # (cv2.merge is one more OpenCV function to call cold)
    spread = cv2.morphologyEx(merged, cv2.MORPH_GRADIENT, alike.kernel)  # dilated - eroded
    spread_planes = dif[:, 2 * r]
    spread_planes.fill(0.0)  # the padding columns: finite values for the weights' operations
    np.copyto(spread_planes.reshape(4, h, wp)[:, :, :w], spread.transpose(2, 0, 1))
    weights = alike.weigh(dif)  # (2r + 1) x m
    # Cross-bilateral base: rows, then columns, of (num, den) = (L, 1) over the cells.
    nd = ws.get("nd", (2, lead + n + lead), np.float32)
    nd.fill(0.0)
    cells_nd = nd[:, lead : lead + n].reshape(2, hp, wp)[:, :h, :w]
    cells_nd[0] = lum
    cells_nd[1] = 1.0
    prod = ws.get("prod", (2, r, lead + m), np.float32)
    prod[:, :, :lead] = 0.0  # stays zero: the passes write prod[:, :, lead:] only
    nd[:, lead : lead + m] = _base_pass(nd, weights[:r], r, 1, m, lead, prod)
    out = _base_pass(nd, weights[r : 2 * r], r, wp, m, lead, prod)
    out = out.reshape(2, h, wp)[:, :, :w]
    base = out[0] / out[1]  # den >= 1: a cell always counts itself fully
    ratio = lum_eps / (base + eps)
    np.minimum(np.maximum(ratio, params.floor, out=ratio), 1.0, out=ratio)
    # The gate also fades where the base is dark (dark clothes: the camera's noise and the
    # fabric's own texture, not the light).
    gate = weights[2 * r].reshape(h, wp)[:, :w]
    dark = np.multiply(np.subtract(base, params.dark_off, out=base), alike.dark, out=base)
    np.minimum(gate, np.minimum(np.maximum(dark, 0.0, out=dark), 1.0, out=dark), out=gate)
    if params.strength != 1.0:
        gate = gate * np.float32(params.strength)
    s = np.power(ratio, gate, out=ratio)
    return cv2.convertScaleAbs(s, dst=ws.get("s8", (h, w), np.uint8), alpha=255.0)  # rounds to even, as rint


def _base_pass(nd: np.ndarray, weight: np.ndarray, r: int, step: int, n: int, lead: int,
               prod: np.ndarray) -> np.ndarray:
    """Return the weighted sums over offsets -r..r of ``nd``'s first ``n`` cells (each plane zero padded).

    Offset ``d`` is ``d * step`` elements; ``weight[d - 1, i]`` is the weight
    of cells ``i`` and ``i + d * step``. ``prod`` (2 x r x (lead + n)) is
    scratch whose first ``lead`` columns are zero.
    """
    here = nd[:, lead : lead + n]
    body = prod[:, :, lead:]
    # From the cells after: sum over d of weight[d - 1, i] * nd[i + d * step].
    after = _view(nd, lead + step, (2, r, n), (nd.shape[1], step, 1))
    np.multiply(weight, after, out=body)
    out = np.add(here, body.sum(axis=1))
    # From the cells before: sum over d of weight[d - 1, i - d * step] * nd[i - d * step], read
    # from the products at i along a skewed view (zeros before the first cell).
    np.multiply(weight, here[:, None, :], out=body)
    _, rows, cols = prod.shape
    out += _view(prod, lead - step, (2, r, n), (rows * cols, cols - step, 1)).sum(axis=1)
    return out


def _view(a: np.ndarray, offset: int, shape: tuple, strides: tuple) -> np.ndarray:
    """Return a view of C-contiguous ``a``'s elements from ``offset`` with ``strides`` in elements.

    The same as numpy's ``as_strided`` (the caller keeps it inside ``a``), at a quarter of its cost.
    """
    item = a.itemsize
    return np.ndarray(shape, a.dtype, buffer=a, offset=offset * item, strides=tuple(s * item for s in strides))


def _shade_box(frame, x0, y0, bw, bh, scale, params, ws):
    """Return ``(shade, (x, y))``: 255 * S (uint8) over the part of the box it changes, or None.

    ``(x, y)`` is that part's top-left corner in box coordinates. Outside it S
    is 1: only the cells below 255 (and their neighbours, for the bilinear
    enlargement) are enlarged, and nothing is when S is 1 everywhere (flat
    light).
    """
    cells = _shade_cells(frame, x0, y0, bw, bh, scale, params, ws)
    if cells is None:
        return None
    s8, gx, gy, cell = cells
    # The cells below 255: their bounding box (columns c0..c1 - 1, rows r0..r1 - 1).
    c0, r0, cw, ch = cv2.boundingRect(cv2.compare(s8, 255, cv2.CMP_LT))
    if cw == 0:
        return None
    c1, r1 = c0 + cw, r0 + ch
    gh, gw = s8.shape
    # Box and grid in grid pixels (the grid starts at or before the box); the part of the box
    # within one cell of a shaded cell (a pixel samples the two cells around its centre).
    lx0, ly0 = x0 - gx, y0 - gy
    px0, py0 = max(lx0, (c0 - 1) * cell), max(ly0, (r0 - 1) * cell)
    px1 = min(lx0 + bw, gw * cell, (c1 + 1) * cell)
    py1 = min(ly0 + bh, gh * cell, (r1 + 1) * cell)
    if px1 <= px0 or py1 <= py0:
        return None
    if cell == 1:
        part = s8[py0:py1, px0:px1]
    else:
        # Enlarge (bilinear, edges clamped, as a canvas draws it) only the cells the part needs.
        c0x, c0y = max(px0 // cell - 1, 0), max(py0 // cell - 1, 0)
        c1x, c1y = min(-(-px1 // cell) + 1, gw), min(-(-py1 // cell) + 1, gh)
        sub = np.ascontiguousarray(s8[c0y:c1y, c0x:c1x])
        # Grid pixel p samples cell (p + 0.5) / cell - 0.5; here p counts from the part.
        m = np.array([[1.0 / cell, 0, (px0 + 0.5) / cell - 0.5 - c0x],
                      [0, 1.0 / cell, (py0 + 0.5) / cell - 0.5 - c0y]])
        part = cv2.warpAffine(sub, m, (px1 - px0, py1 - py0), dst=ws.get("shade", (py1 - py0, px1 - px0), np.uint8),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    # Beyond the grid's last whole cell at the frame's edge the box stays unshaded, as in the browser.
    return part, (px0 - lx0, py0 - ly0)


# ------------------------------------------------------------------ public


def composite(
    frame: np.ndarray,
    overlay: np.ndarray,
    mesh: dict,
    *,
    occluders: np.ndarray | None = None,
    shading: bool | Shading = True,
) -> np.ndarray:
    """Draw the garment ``overlay`` warped by ``mesh`` onto ``frame`` in place.

    ``frame`` is ``uint8`` ``HxWx3`` (BGR or RGB); ``overlay`` is ``uint8``
    ``hxwx4`` in the same colour order plus straight alpha. Only pixels in the
    garment's destination bounding box (clipped to the frame) are written.
    Where ``occluders`` (``uint8`` ``HxW``) is 255 the frame pixel is kept;
    intermediate values keep it proportionally. With ``shading`` (True: the
    constants of :func:`shading_params`, or a :class:`Shading`) the frame's
    folds and shadows under the garment darken it (see the module docstring);
    False draws the overlay's colours as they are. Return ``frame``.
    """
    _check_frame(frame)
    _check_overlay(overlay)
    height, width = frame.shape[:2]
    if occluders is not None:
        if not isinstance(occluders, np.ndarray) or occluders.dtype != np.uint8:
            raise ValueError("occluders must be a uint8 numpy array")
        if occluders.shape != (height, width):
            raise ValueError(
                f"occluders must be HxW {(height, width)}, got shape {occluders.shape}"
            )
    x0, y0, fg = _warp_box(height, width, overlay, mesh)
    if fg is None:
        return frame
    bh, bw = fg.shape[:2]
    box = frame[y0 : y0 + bh, x0 : x0 + bw]

    ws = _workspace()
    if occluders is not None:
        occ = occluders[y0 : y0 + bh, x0 : x0 + bw]
        if occ.any():
            keep = cv2.bitwise_not(occ, dst=ws.get("keep", (bh, bw), np.uint8))
            keep4 = cv2.merge([keep, keep, keep, keep], dst=ws.get("keep4", (bh, bw, 4), np.uint8))
            fg = cv2.multiply(fg, keep4, dst=fg, scale=1.0 / 255.0)

    # out = fg + bg * (255 - a) / 255, rounded and saturated in 8 bits.
    alpha = cv2.extractChannel(fg, 3, dst=ws.get("inv", (bh, bw), np.uint8))
    colour = cv2.cvtColor(fg, cv2.COLOR_BGRA2BGR, dst=ws.get("colour", (bh, bw, 3), np.uint8))
    if shading:
        params = shading if isinstance(shading, Shading) else shading_params()
        scale = _mesh_scale(mesh)
        shaded = _shade_box(frame, x0, y0, bw, bh, scale, params, ws) if scale else None
        if shaded is not None:
            _apply_shade(colour, alpha, shaded, ws)
    inv = cv2.bitwise_not(alpha, dst=alpha)
    inv3 = cv2.cvtColor(inv, cv2.COLOR_GRAY2BGR, dst=ws.get("inv3", (bh, bw, 3), np.uint8))
    if _rows_contiguous(box):
        bg = cv2.multiply(box, inv3, dst=inv3, scale=1.0 / 255.0)
        out = cv2.add(colour, bg, dst=box)
        if out is not box:
            box[...] = out
    else:
        bg = cv2.multiply(np.ascontiguousarray(box), inv3, dst=inv3, scale=1.0 / 255.0)
        box[...] = cv2.add(colour, bg, dst=colour)
    return frame


def _apply_shade(colour: np.ndarray, alpha: np.ndarray, shaded, ws) -> None:
    """Multiply the premultiplied ``colour`` of the box by S (``shaded``, from :func:`_shade_box`) in place.

    S <= 1, so the colour stays <= ``alpha``, which is untouched. Only over the
    pixels' bounding box where S < 255 and alpha > 0 (about a third of the
    shaded part on bench/render.py's frames): elsewhere S or the colour is 0
    or identity. The mask is made with bitwise_not and min, which the
    composite calls anyway: right after a pose detection each OpenCV function
    called for the first time costs some 30 us of its own (cv2.max did).
    """
    shade, (sx, sy) = shaded
    sh, sw = shade.shape
    # (The mask and the three-channel S share one buffer: memory the frame has touched
    # once already is cheaper to write than a second buffer gone cold.)
    scratch = ws.get("shade3", (3 * sh * sw,), np.uint8)
    todo = cv2.bitwise_not(shade, dst=scratch[: sh * sw].reshape(sh, sw))
    todo = cv2.min(todo, alpha[sy : sy + sh, sx : sx + sw], dst=todo)
    x, y, w, h = cv2.boundingRect(todo)
    if w:
        shade3 = cv2.cvtColor(shade[y : y + h, x : x + w], cv2.COLOR_GRAY2BGR,
                              dst=scratch[: 3 * h * w].reshape(h, w, 3))
        part = colour[sy + y : sy + y + h, sx + x : sx + x + w]
        out = cv2.multiply(part, shade3, dst=part, scale=1.0 / 255.0)  # in place (packed rows)
        if out is not part:
            part[...] = out


def shading_map(frame: np.ndarray, box: tuple[int, int, int, int], scale: float,
                params: Shading | None = None) -> np.ndarray:
    """Return the 8-bit shading ``255 * S`` that :func:`composite` applies over ``box``.

    ``box`` is ``(x, y, width, height)`` in frame pixels (inside the frame),
    ``scale`` the body scale in frame pixels (a mesh's ``"scale"``). 255 means
    the garment's colour is kept; see the module docstring for the formula.
    """
    _check_frame(frame)
    x, y, w, h = (int(v) for v in box)
    height, width = frame.shape[:2]
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"box must lie inside the {width}x{height} frame, got {box}")
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be positive and finite, got {scale}")
    out = np.full((h, w), 255, np.uint8)
    shaded = _shade_box(frame, x, y, w, h, float(scale), params or shading_params(), _Workspace())
    if shaded is not None:
        shade, (sx, sy) = shaded
        out[sy : sy + shade.shape[0], sx : sx + shade.shape[1]] = shade
    return out


def garment_mask(shape, overlay: np.ndarray, mesh: dict) -> np.ndarray:
    """Return where the composited garment's alpha is >= 128.

    ``shape`` is the frame's ``(H, W)`` or ``(H, W, C)``. The result is a
    ``uint8`` ``HxW`` array of 0 and 255, computed by the same warp as
    :func:`composite` (before occlusion).
    """
    height, width = _check_shape(shape)
    _check_overlay(overlay)
    mask = np.zeros((height, width), np.uint8)
    x0, y0, fg = _warp_box(height, width, overlay, mesh)
    if fg is not None:
        bh, bw = fg.shape[:2]
        alpha = cv2.extractChannel(fg, 3)
        _, mask[y0 : y0 + bh, x0 : x0 + bw] = cv2.threshold(
            alpha, 127, 255, cv2.THRESH_BINARY
        )
    return mask


def arm_occlusion_mask(
    shape,
    landmarks_px,
    person_mask: np.ndarray | None = None,
    *,
    garment_kind: str,
    scale: float,
) -> np.ndarray:
    """Return a uint8 HxW mask (255 = keep frame) of forearms in front of the garment.

    ``landmarks_px`` holds 33 ``(x, y, visibility)`` in frame pixels; points
    with visibility < 0.5 are ignored. ``person_mask`` (float ``HxW`` in
    [0, 1]) limits the mask to pixels > 0.5. ``scale`` is the body scale in
    frame pixels (a fit's ``"scale"``: for tops the shoulder-seam width). Long-sleeve kinds give an empty mask; see
    the module docstring for the rules.
    """
    height, width = _check_shape(shape)
    garments.required_anchors(garment_kind)  # ValueError for unknown kinds
    try:
        scale = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a number, got {scale!r}") from None
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be positive and finite, got {scale}")
    try:
        lm = np.array(landmarks_px, dtype=np.float64)  # a copy: clipped below
    except (TypeError, ValueError):
        raise ValueError("landmarks_px must be 33 (x, y, visibility) rows") from None
    if lm.shape != (_NUM_LANDMARKS, 3):
        raise ValueError(
            f"landmarks_px must be 33 (x, y, visibility) rows, got shape {lm.shape}"
        )
    if person_mask is not None:
        if not isinstance(person_mask, np.ndarray) or person_mask.shape != (height, width):
            raise ValueError(f"person_mask must be an HxW {(height, width)} array")
        if person_mask.dtype.kind not in "fiub":
            raise ValueError(f"person_mask must be numeric, got {person_mask.dtype}")

    mask = np.zeros((height, width), np.uint8)
    finite = np.isfinite(lm).all(axis=1)
    # Absurd coordinates would overflow the fixed-point drawing calls.
    lm[:, :2] = np.clip(np.nan_to_num(lm[:, :2]), -_GUARD, _GUARD)
    scale = min(scale, float(_GUARD))
    rows = [tuple(float(v) for v in row) if ok else (math.nan, math.nan, math.nan) for row, ok in zip(lm, finite)]
    shapes = occluding_forearms(rows, garment_kind, scale)
    for p, q in shapes["segments"]:
        _draw_capsule(mask, np.array(p, np.float64), np.array(q, np.float64), shapes["radius"])
    for hull in shapes["hulls"]:
        cv2.fillConvexPoly(mask, np.round(np.array(hull, np.float64) * _ONE).astype(np.int32), 255, cv2.LINE_8, _SHIFT)
    if (shapes["segments"] or shapes["hulls"]) and person_mask is not None:
        mask[~(person_mask > 0.5)] = 0
    return mask


def _draw_capsule(mask: np.ndarray, p: np.ndarray, q: np.ndarray, radius: float) -> None:
    """Fill the capsule of ``radius`` around segment ``p``-``q`` into ``mask``."""
    r = max(int(round(radius * _ONE)), 1)
    pf = (int(round(p[0] * _ONE)), int(round(p[1] * _ONE)))
    qf = (int(round(q[0] * _ONE)), int(round(q[1] * _ONE)))
    cv2.circle(mask, pf, r, 255, -1, cv2.LINE_8, _SHIFT)
    cv2.circle(mask, qf, r, 255, -1, cv2.LINE_8, _SHIFT)
    seg = np.asarray(q, np.float64) - np.asarray(p, np.float64)
    length = float(np.hypot(*seg))
    if length == 0:
        return
    n = np.array([-seg[1], seg[0]]) / length * radius
    quad = np.array([p + n, q + n, q - n, p - n])
    cv2.fillConvexPoly(mask, np.round(quad * _ONE).astype(np.int32), 255, cv2.LINE_8, _SHIFT)
