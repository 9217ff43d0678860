// Draw a fitted garment mesh on a 2D canvas: one affine-mapped, clipped image draw per triangle
// (triangles over wholly transparent parts of the overlay are skipped).
//
// The mesh comes from fitGarment (geometry.js). Each triangle is clipped slightly
// enlarged around its centroid so antialiased clip edges of neighbours overlap
// instead of leaving hairline seams.

const SEAM_PX = 0.6;
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
    const cx = (d0[0] + d1[0] + d2[0]) / 3, cy = (d0[1] + d1[1] + d2[1]) / 3;
    ctx.save();
    ctx.beginPath();
    for (const [n, p] of [d0, d1, d2].entries()) {
      const dx = p[0] - cx, dy = p[1] - cy;
      const len = Math.hypot(dx, dy) || 1;
      const x = p[0] + (dx / len) * grow, y = p[1] + (dy / len) * grow;
      if (n === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.closePath();
    ctx.clip();
    ctx.transform(m[0], m[1], m[2], m[3], m[4], m[5]);
    // Only the triangle's source rectangle needs sampling.
    const sx = Math.max(0, Math.floor(Math.min(s0[0], s1[0], s2[0])) - 1);
    const sy = Math.max(0, Math.floor(Math.min(s0[1], s1[1], s2[1])) - 1);
    const ex = Math.min(/** @type {number} */ (image.width), Math.ceil(Math.max(s0[0], s1[0], s2[0])) + 1);
    const ey = Math.min(/** @type {number} */ (image.height), Math.ceil(Math.max(s0[1], s1[1], s2[1])) + 1);
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
