// Draw a fitted garment mesh on a 2D canvas: one affine-mapped, clipped image draw per triangle
// (triangles over wholly transparent parts of the overlay are skipped).
//
// The mesh comes from fitGarment (geometry.js). Each triangle's clip is grown SEAM_PX canvas
// pixels past each of its edges (growTriangle), and the overlay is sampled under the grown
// clip, so the antialiased clips of neighbours overlap instead of leaving hairline seams.
//
// Scene shading (SceneShading): the camera frame's folds and shadows under the garment darken it,
// with the formula of tryon/render.py and the constants of static/tryon/shading.json (the page
// gets them in its config): the frame is area-averaged into cells by canvas halvings (each an
// exact 2x2 mean), shadeCells turns the cells into S = clamp((L + eps) / (B + eps), floor, 1) **
// (strength * gate) (B: the luminance around from cells of a like colour; the gate fades it out
// at colour edges and over dark clothes), and S is drawn over the garment "source-atop" as black
// with alpha 1 - S, enlarged bilinearly: the garment's premultiplied colour times S, alpha kept.

import { eraseOccluders, hasOccluders } from "./occlusion.js";

const SEAM_PX = 0.75;
// A triangle is drawn only when some overlay pixel within this distance (px) of it is not
// fully transparent (margins around the garment are meshed too, and mostly empty).
const ALPHA_REACH = 2;

/** @type {WeakMap<object, {key: string, visible: Uint8Array}>} */
const visibleCache = new WeakMap();

/**
 * Return 1 per triangle whose part of `image` (grown by ALPHA_REACH px) has any alpha > 0.
 * Computed once per image and topology; 1 for every triangle when the pixels cannot be read.
 * @param {CanvasImageSource} image
 * @param {number[][]} src @param {number[][]} triangles
 * @returns {Uint8Array}
 */
export function visibleTriangles(image, src, triangles) {
  const key = `${triangles.length}:${src.map((p) => `${p[0]},${p[1]}`).join(";")}`;
  const hit = visibleCache.get(/** @type {object} */ (image));
  if (hit && hit.key === key) return hit.visible;
  const visible = new Uint8Array(triangles.length).fill(1);
  const w = /** @type {number} */ (image.width), h = /** @type {number} */ (image.height);
  let alpha = null;
  try {
    const canvas = new OffscreenCanvas(w, h);
    const c = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
    c.drawImage(image, 0, 0);
    alpha = c.getImageData(0, 0, w, h).data;
  } catch (_) {
    alpha = null; // no OffscreenCanvas or a tainted image: draw everything
  }
  if (alpha) {
    triangles.forEach(([i, j, k], t) => {
      const pts = [src[i], src[j], src[k]];
      // Edge lines as unit normals pointing inward: a pixel counts within ALPHA_REACH of every edge.
      const area = (pts[1][0] - pts[0][0]) * (pts[2][1] - pts[0][1]) - (pts[2][0] - pts[0][0]) * (pts[1][1] - pts[0][1]);
      const sign = area < 0 ? -1 : 1;
      const edges = [];
      for (let e = 0; e < 3; e++) {
        const a = pts[e], b = pts[(e + 1) % 3];
        const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
        edges.push([(-(b[1] - a[1]) * sign) / len, ((b[0] - a[0]) * sign) / len, a[0], a[1]]);
      }
      const x0 = Math.max(0, Math.floor(Math.min(pts[0][0], pts[1][0], pts[2][0])) - ALPHA_REACH);
      const y0 = Math.max(0, Math.floor(Math.min(pts[0][1], pts[1][1], pts[2][1])) - ALPHA_REACH);
      const x1 = Math.min(w - 1, Math.ceil(Math.max(pts[0][0], pts[1][0], pts[2][0])) + ALPHA_REACH);
      const y1 = Math.min(h - 1, Math.ceil(Math.max(pts[0][1], pts[1][1], pts[2][1])) + ALPHA_REACH);
      let any = 0;
      for (let y = y0; y <= y1 && !any; y++) {
        for (let x = x0; x <= x1; x++) {
          if (alpha[4 * (y * w + x) + 3] === 0) continue;
          let inside = true;
          for (const [nx, ny, ax, ay] of edges) {
            if (nx * (x - ax) + ny * (y - ay) < -ALPHA_REACH) { inside = false; break; }
          }
          if (inside) { any = 1; break; }
        }
      }
      visible[t] = any;
    });
  }
  visibleCache.set(/** @type {object} */ (image), { key, visible });
  return visible;
}

/**
 * Return the affine [a, b, c, d, e, f] (canvas setTransform order) mapping src triangle to dst.
 * @param {number[]} s0 @param {number[]} s1 @param {number[]} s2
 * @param {number[]} d0 @param {number[]} d1 @param {number[]} d2
 * @returns {number[]|null}
 */
export function triangleAffine(s0, s1, s2, d0, d1, d2) {
  const ux = s1[0] - s0[0], uy = s1[1] - s0[1];
  const vx = s2[0] - s0[0], vy = s2[1] - s0[1];
  const det = ux * vy - vx * uy;
  if (Math.abs(det) < 1e-9) return null;
  const px = d1[0] - d0[0], py = d1[1] - d0[1];
  const qx = d2[0] - d0[0], qy = d2[1] - d0[1];
  // Solve M * [u v] = [p q] for the 2x2 linear part M = [[a c], [b d]].
  const a = (px * vy - qx * uy) / det;
  const c = (qx * ux - px * vx) / det;
  const b = (py * vy - qy * uy) / det;
  const d = (qy * ux - py * vx) / det;
  const e = d0[0] - a * s0[0] - c * s0[1];
  const f = d0[1] - b * s0[0] - d * s0[1];
  return [a, b, c, d, e, f];
}

/**
 * Return the outline of triangle d0 d1 d2 grown by `grow`: every edge moved `grow` outward
 * (perpendicular to itself), whole, the moved edges joined by bevels at the corners (six
 * points). Every point of every edge is then covered `grow` beyond it. Moving the corners
 * away from the centroid instead leaves a long, thin triangle's long edges (a quad's
 * diagonal) almost where they were, and mitring them shoots a sliver's sharp corner far
 * out; with either, the antialiased clips of two neighbours meet along some of a shared
 * edge at part coverage each: a light hairline.
 * @param {number[]} d0 @param {number[]} d1 @param {number[]} d2 @param {number} grow
 * @returns {number[][]}
 */
export function growTriangle(d0, d1, d2, grow) {
  const pts = [d0, d1, d2];
  const area = (d1[0] - d0[0]) * (d2[1] - d0[1]) - (d2[0] - d0[0]) * (d1[1] - d0[1]);
  const sign = area < 0 ? -1 : 1;
  const out = [];
  for (let e = 0; e < 3; e++) {
    const a = pts[e], b = pts[(e + 1) % 3];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    // Outward unit normal of the edge from corner e to corner e + 1.
    const nx = ((b[1] - a[1]) * sign) / len, ny = (-(b[0] - a[0]) * sign) / len;
    out.push([a[0] + nx * grow, a[1] + ny * grow], [b[0] + nx * grow, b[1] + ny * grow]);
  }
  return out;
}

/**
 * Draw `image` warped by `mesh` onto `ctx`, whose current transform maps frame pixels to the canvas.
 * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
 * @param {CanvasImageSource} image
 * @param {{src: number[][], dst: number[][], triangles: number[][]}} mesh
 */
export function drawMesh(ctx, image, mesh) {
  const base = ctx.getTransform();
  const scale = Math.hypot(base.a, base.b) || 1;
  const grow = SEAM_PX / scale;
  const visible = visibleTriangles(image, mesh.src, mesh.triangles);
  for (const [t, [i, j, k]] of mesh.triangles.entries()) {
    if (!visible[t]) continue;
    const s0 = mesh.src[i], s1 = mesh.src[j], s2 = mesh.src[k];
    const d0 = mesh.dst[i], d1 = mesh.dst[j], d2 = mesh.dst[k];
    const m = triangleAffine(s0, s1, s2, d0, d1, d2);
    if (m === null) continue;
    const det = m[0] * m[3] - m[1] * m[2];
    if (!(Math.abs(det) > 1e-12)) continue; // flattened to a line on the frame: nothing to draw
    // Only the source rectangle under the grown clip needs sampling: the grown corners mapped
    // back to the overlay. The triangle's own source box is not enough where the garment is
    // drawn smaller than its art (a phone's usual case): there SEAM_PX canvas pixels reach
    // several overlay pixels beyond it, and the clip's enlargement would show nothing, leaving
    // the very hairline seams it is there to close.
    let sx = Infinity, sy = Infinity, ex = -Infinity, ey = -Infinity;
    ctx.save();
    ctx.beginPath();
    const grown = growTriangle(d0, d1, d2, grow);
    for (const [n, [x, y]] of grown.entries()) {
      if (n === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      const rx = x - m[4], ry = y - m[5];
      const u = (m[3] * rx - m[2] * ry) / det, v = (m[0] * ry - m[1] * rx) / det;
      sx = Math.min(sx, u); sy = Math.min(sy, v); ex = Math.max(ex, u); ey = Math.max(ey, v);
    }
    ctx.closePath();
    ctx.clip();
    ctx.transform(m[0], m[1], m[2], m[3], m[4], m[5]);
    sx = Math.max(0, Math.floor(sx) - 1);
    sy = Math.max(0, Math.floor(sy) - 1);
    ex = Math.min(/** @type {number} */ (image.width), Math.ceil(ex) + 1);
    ey = Math.min(/** @type {number} */ (image.height), Math.ceil(ey) + 1);
    if (ex > sx && ey > sy) ctx.drawImage(image, sx, sy, ex - sx, ey - sy, sx, sy, ex - sx, ey - sy);
    ctx.restore();
  }
}

/**
 * Return the transform mapping video-frame pixels onto a canvas showing the video with object-fit: cover.
 * @param {number} videoW @param {number} videoH @param {number} canvasW @param {number} canvasH
 * @returns {{scale: number, dx: number, dy: number}}
 */
export function coverTransform(videoW, videoH, canvasW, canvasH) {
  const scale = Math.max(canvasW / videoW, canvasH / videoH);
  return { scale, dx: (canvasW - videoW * scale) / 2, dy: (canvasH - videoH * scale) / 2 };
}

const MIRROR_PAIRS = [[1, 4], [2, 5], [3, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16], [17, 18], [19, 20], [21, 22], [23, 24], [25, 26], [27, 28], [29, 30], [31, 32]];

/**
 * Return landmarks of the mirror image: x flipped and left/right swapped, so the mirrored
 * person is again a person facing the camera and garment prints stay readable.
 * @param {number[][]} landmarks
 * @returns {number[][]}
 */
export function mirrorLandmarks(landmarks) {
  const out = landmarks.map((p) => [1 - p[0], p[1], p[2], p[3]]);
  for (const [l, r] of MIRROR_PAIRS) {
    const t = out[l];
    out[l] = out[r];
    out[r] = t;
  }
  return out;
}

/**
 * @typedef {{cells_per_scale: number, max_level: number, blur_scale: number, alike: number,
 *   unlike: number, chroma_alike: number, chroma_unlike: number, edge_reach: number,
 *   dark_off: number, dark_full: number, eps: number, floor: number, strength: number}} ShadingParams
 *   static/tryon/shading.json
 */

/**
 * Return the shading cell side (frame px, a power of two) and the base's blur radius (cells) for
 * body scale `scale` (frame px), as tryon.render.Shading.grid.
 * @param {ShadingParams} params @param {number} scale
 * @returns {{cell: number, radius: number}}
 */
export function shadingGrid(params, scale) {
  const level = roundHalfEven(Math.log2(Math.max(scale, 1e-6) / params.cells_per_scale));
  const cell = 2 ** Math.min(Math.max(level, 0), params.max_level);
  return { cell, radius: Math.max(1, roundHalfEven((params.blur_scale * scale) / cell)) };
}

/** Python's round(): halves to even. @param {number} x */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Return the 8-bit shading 255 * S of a grid of cell means, as tryon.render.shade_cells (there in
 * float32, here float64): S = clamp((L + eps) / (B + eps), floor, 1) ** (strength * gate), B the
 * cross-bilateral mean of L (rows, then columns; neighbours weighted by how alike their luminance
 * and chromaticity are: fully up to `alike`, not at all from `unlike`; cells off the grid do not
 * count), the gate fading it out where a colour edge crosses the cells within edge_reach and
 * where the base is dark.
 * @param {ArrayLike<number>} rgba the cells, 4 bytes each (alpha ignored), row by row
 * @param {number} width @param {number} height cells
 * @param {number} radius the base's radius in cells
 * @param {ShadingParams} params
 * @returns {Uint8Array}
 */
export function shadeCells(rgba, width, height, radius, params) {
  const n = width * height;
  const a = scratch(n);
  const { lum, log, c0, c1, c2 } = a;
  const eps = params.eps, third = eps / 3;
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
    const total = r + g + b;
    lum[i] = total / 3;
    log[i] = Math.log(lum[i] + eps);
    // Colour apart from brightness: 1/3 each for any grey, dark cells pulled towards grey.
    c0[i] = (r + third) / (total + eps);
    c1[i] = (g + third) / (total + eps);
    c2[i] = (b + third) / (total + eps);
  }
  const k = {
    far: Math.log(params.unlike), ramp: 1 / (Math.log(params.unlike) - Math.log(params.alike)),
    chromaFar: params.chroma_unlike, chromaRamp: 1 / (params.chroma_unlike - params.chroma_alike),
  };
  // Cross-bilateral base: rows (step 1), then columns (step width), guided by the cells' colours.
  basePass(lum, null, a.num1, a.den1, log, c0, c1, c2, width, height, radius, 1, k);
  basePass(a.num1, a.den1, a.num, a.den, log, c0, c1, c2, width, height, radius, width, k);
  // The ranges of ln(L + eps) and of the chromaticities over the cells within edge_reach.
  const reach = params.edge_reach;
  const range = windowRange(log, a.range, a.lo, a.hi, width, height, reach, false);
  const chroma = windowRange(c0, a.chroma, a.lo, a.hi, width, height, reach, false);
  windowRange(c1, chroma, a.lo, a.hi, width, height, reach, true);
  windowRange(c2, chroma, a.lo, a.hi, width, height, reach, true);
  const darkRamp = 1 / (params.dark_full - params.dark_off);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const base = a.num[i] / a.den[i];
    // A colour edge crosses the cells around (they are a mix, darker than the light side's base),
    // or the base is dark (dark clothes: noise and the fabric's texture, not the light): fade out.
    const gate = Math.min(alikeWeight(range[i], chroma[i], k), clamp01((base - params.dark_off) * darkRamp));
    const ratio = Math.min(Math.max((lum[i] + eps) / (base + eps), params.floor), 1);
    out[i] = Math.round(ratio ** (params.strength * gate) * 255);
  }
  return out;
}

/**
 * How alike (1 … 0) two cells are from their log-luminance and chromaticity (L1) differences:
 * the smaller of two ramps, each 1 up to "alike" and 0 from "unlike".
 * @param {number} dlog @param {number} dchroma
 * @param {{far: number, ramp: number, chromaFar: number, chromaRamp: number}} k
 */
function alikeWeight(dlog, dchroma, k) {
  let a = (k.far - dlog) * k.ramp;
  a = a < 0 ? 0 : a > 1 ? 1 : a;
  let b = (k.chromaFar - dchroma) * k.chromaRamp;
  b = b < 0 ? 0 : b > 1 ? 1 : b;
  return a < b ? a : b;
}

/**
 * One pass of the base along rows (`step` 1) or columns (`step` width): outNum[i] = the sum over
 * d = 0, -1, 1, -2, 2 … ±radius (in that order, as tryon.render does) of w(i, i + d) * num[i + d],
 * outDen likewise of den (1 when null). w is symmetric, so each pair's weight is computed once.
 * @param {Float64Array} num @param {Float64Array|null} den
 * @param {Float64Array} outNum @param {Float64Array} outDen
 * @param {Float64Array} log @param {Float64Array} c0 @param {Float64Array} c1 @param {Float64Array} c2
 * @param {number} width @param {number} height @param {number} radius @param {number} step
 * @param {{far: number, ramp: number, chromaFar: number, chromaRamp: number}} k
 */
function basePass(num, den, outNum, outDen, log, c0, c1, c2, width, height, radius, step, k) {
  const n = width * height;
  for (let i = 0; i < n; i++) {
    outNum[i] = num[i];
    outDen[i] = den === null ? 1 : den[i];
  }
  const lines = step === 1 ? height : width, along = step === 1 ? width : height, across = step === 1 ? width : 1;
  for (let d = 1; d <= radius; d++) {
    // Pairs (i, i + d) along a row or column, i ascending: each cell gets its -d neighbour (as
    // the pair's second) before its +d one (as the pair's first).
    const off = d * step;
    for (let at = 0; at + d < along; at++) {
      for (let line = 0; line < lines; line++) {
        const i = line * across + at * step, j = i + off;
        const w = alikeWeight(Math.abs(log[j] - log[i]), Math.abs(c0[j] - c0[i]) + Math.abs(c1[j] - c1[i]) + Math.abs(c2[j] - c2[i]), k);
        outNum[i] += w * num[j];
        outNum[j] += w * num[i];
        outDen[i] += den === null ? w : w * den[j];
        outDen[j] += den === null ? w : w * den[i];
      }
    }
  }
}

/** @param {number} x */
const clamp01 = (x) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** @type {Record<string, Float64Array>} */
let scratchArrays = {};
/** Return shadeCells' float64 scratch arrays, at least `n` long (reused: allocating is slow). @param {number} n */
function scratch(n) {
  if (!scratchArrays.lum || scratchArrays.lum.length < n) {
    const size = Math.max(n, Math.ceil((scratchArrays.lum?.length ?? 0) * 1.5));
    scratchArrays = Object.fromEntries(["lum", "log", "c0", "c1", "c2", "num1", "den1", "num", "den", "range", "chroma", "lo", "hi"]
      .map((k) => [k, new Float64Array(size)]));
  }
  return scratchArrays;
}

/**
 * Write (or, with `add`, add) into `out` and return max - min of `v` over the (2r+1)² window around
 * each cell, cells off the grid not counting (as cv2.dilate - cv2.erode): rows, then columns.
 * @param {Float64Array} v @param {Float64Array} out @param {Float64Array} lo @param {Float64Array} hi
 * @param {number} w @param {number} h @param {number} r @param {boolean} add
 */
function windowRange(v, out, lo, hi, w, h, r, add) {
  const n = w * h;
  const colLo = scratchLine("colLo", n), colHi = scratchLine("colHi", n);
  for (let y = 0; y < h; y++) slide(v, v, lo, hi, y * w, 1, w, r);
  for (let x = 0; x < w; x++) slide(lo, hi, colLo, colHi, x, w, h, r);
  for (let i = 0; i < n; i++) out[i] = add ? out[i] + (colHi[i] - colLo[i]) : colHi[i] - colLo[i];
  return out;
}

/** @type {Record<string, Float64Array>} */
const lines = {};
/** Return a reused float64 scratch array `name` of at least `n`. @param {string} name @param {number} n */
function scratchLine(name, n) {
  if (!lines[name] || lines[name].length < n) lines[name] = new Float64Array(n);
  return lines[name];
}

/**
 * Sliding min of `srcLo` and max of `srcHi` over [c - r, c + r] along one line of `n` cells from
 * `start` by `step` (cells off the line not counting), into `dstLo` and `dstHi`: van Herk /
 * Gil-Werman, blocks of 2r + 1 with running extremes forwards and backwards, a few comparisons a
 * cell whatever r. The line is copied padded with its end cells (which change no extreme).
 * @param {Float64Array} srcLo @param {Float64Array} srcHi @param {Float64Array} dstLo @param {Float64Array} dstHi
 * @param {number} start @param {number} step @param {number} n @param {number} r
 */
function slide(srcLo, srcHi, dstLo, dstHi, start, step, n, r) {
  const k = 2 * r + 1, m = n + 2 * r;
  const a = scratchLine("a", m), b = scratchLine("b", m);
  const ga = scratchLine("ga", m), gb = scratchLine("gb", m), qa = scratchLine("qa", m), qb = scratchLine("qb", m);
  for (let p = 0; p < m; p++) {
    const c = p < r ? 0 : p - r >= n ? n - 1 : p - r;
    a[p] = srcLo[start + c * step];
    b[p] = srcHi[start + c * step];
  }
  for (let p0 = 0; p0 < m; p0 += k) {
    const p1 = Math.min(p0 + k, m);
    let lo = a[p0], hi = b[p0];
    ga[p0] = lo;
    gb[p0] = hi;
    for (let p = p0 + 1; p < p1; p++) {
      if (a[p] < lo) lo = a[p];
      if (b[p] > hi) hi = b[p];
      ga[p] = lo;
      gb[p] = hi;
    }
    lo = a[p1 - 1];
    hi = b[p1 - 1];
    qa[p1 - 1] = lo;
    qb[p1 - 1] = hi;
    for (let p = p1 - 2; p >= p0; p--) {
      if (a[p] < lo) lo = a[p];
      if (b[p] > hi) hi = b[p];
      qa[p] = lo;
      qb[p] = hi;
    }
  }
  // Cell c's window is padded [c, c + 2r]: q from its start, g to its end.
  for (let c = 0; c < n; c++) {
    const e = c + 2 * r;
    dstLo[start + c * step] = qa[c] < ga[e] ? qa[c] : ga[e];
    dstHi[start + c * step] = qb[c] > gb[e] ? qb[c] : gb[e];
  }
}

/**
 * Return a 2D canvas (an OffscreenCanvas where there is one) of at least 1x1.
 * @param {number} w @param {number} h
 * @returns {OffscreenCanvas|HTMLCanvasElement}
 */
function makeCanvas(w, h) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(Math.max(1, w), Math.max(1, h));
  const c = document.createElement("canvas");
  c.width = Math.max(1, w);
  c.height = Math.max(1, h);
  return c;
}

/**
 * Return a 2D context of `canvas`, at least w x h (exactly, when `exact`: it is drawn whole),
 * smoothing bilinear, composite "copy". Scratch canvases only grow: reallocating one every
 * frame costs more than what is drawn on it.
 * @param {OffscreenCanvas|HTMLCanvasElement} canvas @param {number} w @param {number} h
 * @param {{read?: boolean, exact?: boolean}} [opts] read: for getImageData
 */
function context2d(canvas, w, h, { read = false, exact = false } = {}) {
  if (exact ? canvas.width !== w : canvas.width < w) canvas.width = w;
  if (exact ? canvas.height !== h : canvas.height < h) canvas.height = h;
  const c = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", read ? { willReadFrequently: true } : undefined));
  c.setTransform(1, 0, 0, 1, 0, 0);
  c.globalCompositeOperation = "copy";
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = "low"; // bilinear, no mipmaps: a 2:1 draw is an exact 2x2 mean
  return c;
}

/** The bounding box of the mesh's destination points, in frame px. @param {{dst: number[][]}} mesh */
function meshBox(mesh) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of mesh.dst) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/**
 * The frame's shading under a garment, measured once per drawn frame: scratch canvases are kept
 * between frames. `measure` samples the picture under the garment; `apply` darkens a canvas
 * holding the garment alone; `drawMesh` draws a shaded garment over a canvas that holds more.
 */
export class SceneShading {
  /** @param {ShadingParams} params */
  constructor(params) {
    this.params = params;
    /** @type {(OffscreenCanvas|HTMLCanvasElement)[]} */
    this.levels = [];
    this.read = makeCanvas(1, 1);
    this.shade = makeCanvas(1, 1);
    this.layer = new GarmentLayer();
  }

  /**
   * Measure the shading under `mesh` from `source`, the picture shown under the garment
   * (`frameW` x `frameH` frame px, the mesh's frame; drawn mirrored when `mirrored`). Return the
   * shade to `apply` ({x, y, w, h}: the frame rectangle it covers), or null.
   * @param {CanvasImageSource} source
   * @param {number} frameW @param {number} frameH
   * @param {{dst: number[][], scale: number}} mesh
   * @param {boolean} [mirrored]
   * @returns {{x: number, y: number, w: number, h: number}|null}
   */
  measure(source, frameW, frameH, mesh, mirrored = false) {
    if (!(mesh.scale > 0) || !mesh.dst.length) return null;
    const { cell, radius } = shadingGrid(this.params, mesh.scale);
    const reach = radius;
    const box = meshBox(mesh);
    const bx0 = Math.max(Math.floor(box.x0), 0), by0 = Math.max(Math.floor(box.y0), 0);
    const bx1 = Math.min(Math.ceil(box.x1) + 1, frameW), by1 = Math.min(Math.ceil(box.y1) + 1, frameH);
    if (bx1 <= bx0 || by1 <= by0) return null;
    const cx0 = Math.max(Math.floor(bx0 / cell) - reach, 0), cy0 = Math.max(Math.floor(by0 / cell) - reach, 0);
    const cx1 = Math.min(Math.ceil(bx1 / cell) + reach, Math.floor(frameW / cell));
    const cy1 = Math.min(Math.ceil(by1 / cell) + reach, Math.floor(frameH / cell));
    const gw = cx1 - cx0, gh = cy1 - cy0;
    if (gw <= 0 || gh <= 0) return null;
    const rx = cx0 * cell, ry = cy0 * cell, rw = gw * cell, rh = gh * cell;
    const any = /** @type {any} */ (source);
    const sw = /** @type {number} */ (any.videoWidth || any.naturalWidth || any.width);
    const sh = /** @type {number} */ (any.videoHeight || any.naturalHeight || any.height);
    const fx = sw / frameW, fy = sh / frameH;
    // Halve until one pixel is one cell: the first draw reads the source, mirrored if it is shown so.
    let w = cell > 1 ? rw / 2 : rw, h = cell > 1 ? rh / 2 : rh;
    if (!this.levels[0]) this.levels[0] = makeCanvas(w, h);
    let c = context2d(this.levels[0], w, h);
    if (mirrored) c.setTransform(-1, 0, 0, 1, w, 0);
    const sx = mirrored ? frameW - rx - rw : rx;
    c.drawImage(source, sx * fx, ry * fy, rw * fx, rh * fy, 0, 0, w, h);
    let last = this.levels[0];
    for (let k = 1; w > gw; k++) {
      w /= 2;
      h /= 2;
      if (!this.levels[k]) this.levels[k] = makeCanvas(w, h);
      c = context2d(this.levels[k], w, h);
      c.drawImage(last, 0, 0, w * 2, h * 2, 0, 0, w, h);
      last = this.levels[k];
    }
    const r = context2d(this.read, gw, gh, { read: true });
    r.drawImage(last, 0, 0, gw, gh, 0, 0, gw, gh);
    const s8 = shadeCells(r.getImageData(0, 0, gw, gh).data, gw, gh, radius, this.params);
    const shade = context2d(this.shade, gw, gh, { exact: true });
    const img = shade.createImageData(gw, gh);
    for (let i = 0; i < s8.length; i++) img.data[4 * i + 3] = 255 - s8[i]; // black, alpha 1 - S
    shade.putImageData(img, 0, 0);
    return { x: rx, y: ry, w: rw, h: rh };
  }

  /**
   * Darken what `ctx` holds by the shade last measured (source-atop: only where something is
   * drawn, alpha kept), in frame px under `ctx`'s transform. `ctx` must hold the garment alone.
   * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
   * @param {{x: number, y: number, w: number, h: number}|null} shade from measure()
   */
  apply(ctx, shade) {
    if (!shade) return;
    ctx.save();
    ctx.globalCompositeOperation = "source-atop";
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "low";
    ctx.drawImage(this.shade, shade.x, shade.y, shade.w, shade.h);
    ctx.restore();
  }

  /**
   * Draw `image` warped by `mesh` onto `ctx` (whose transform maps frame px to the canvas), shaded,
   * over what `ctx` already holds: the garment is drawn and shaded on a layer first, and `occluders`
   * (occlusion.js) are erased from it.
   * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
   * @param {CanvasImageSource} image
   * @param {{src: number[][], dst: number[][], triangles: number[][], scale: number}} mesh
   * @param {{x: number, y: number, w: number, h: number}|null} shade from measure()
   * @param {import("./occlusion.js").Occluders|null} [occluders]
   */
  drawMesh(ctx, image, mesh, shade, occluders = null) {
    if (!shade && !hasOccluders(occluders)) return drawMesh(ctx, image, mesh);
    this.layer.drawMesh(ctx, image, mesh, (layer) => {
      this.apply(layer, shade);
      if (occluders) eraseOccluders(layer, occluders);
    });
  }
}

/**
 * A garment drawn over a canvas that already holds the picture, through a scratch layer (kept
 * between frames) on which it can be shaded and have the forearms in front of it erased.
 */
export class GarmentLayer {
  constructor() {
    this.canvas = makeCanvas(1, 1);
  }

  /**
   * Draw `image` warped by `mesh` onto `ctx` (whose transform maps frame px to the canvas): on the
   * layer, then `finish(layer)` (the layer's transform maps frame px to it), then over `ctx`.
   * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
   * @param {CanvasImageSource} image
   * @param {{src: number[][], dst: number[][], triangles: number[][]}} mesh
   * @param {(layer: CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D) => void} finish
   */
  drawMesh(ctx, image, mesh, finish) {
    const m = ctx.getTransform();
    const box = meshBox(mesh);
    const xs = [], ys = [];
    for (const [x, y] of [[box.x0, box.y0], [box.x1, box.y0], [box.x0, box.y1], [box.x1, box.y1]]) {
      xs.push(m.a * x + m.c * y + m.e);
      ys.push(m.b * x + m.d * y + m.f);
    }
    const cw = /** @type {number} */ (ctx.canvas.width), ch = /** @type {number} */ (ctx.canvas.height);
    const lx = Math.max(Math.floor(Math.min(...xs)) - 2, 0), ly = Math.max(Math.floor(Math.min(...ys)) - 2, 0);
    const lw = Math.min(Math.ceil(Math.max(...xs)) + 2, cw) - lx, lh = Math.min(Math.ceil(Math.max(...ys)) + 2, ch) - ly;
    if (lw <= 0 || lh <= 0) return;
    const layer = context2d(this.canvas, lw, lh);
    layer.globalCompositeOperation = "source-over";
    layer.clearRect(0, 0, lw, lh);
    layer.setTransform(m.a, m.b, m.c, m.d, m.e - lx, m.f - ly);
    drawMesh(layer, image, mesh);
    finish(layer);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.canvas, 0, 0, lw, lh, lx, ly, lw, lh);
    ctx.restore();
  }
}
