// Which forearms and hands are in front of the garment: the twin of tryon/occlusion.py, operation
// for operation, held to it by tests/vectors/occlusion. A forearm or hand whose centre line enters
// the garment's body region (the torso for tops and dresses, hips to knees for trousers and
// skirts) is in front of it: a capsule around elbow->wrist and the hand (capsules from the wrist to
// the pinky, index and thumb, and their hull) stay uncovered. Long sleeves cover the forearm
// themselves. The page erases these shapes from the drawn garment (eraseOccluders); the server
// fills them into a mask, intersected with its person segmentation.

import { LOWER_KINDS, REQUIRED_ANCHORS } from "./garments.js";
import { MIN_VISIBILITY } from "./geometry.js";

const OCCLUDER_VISIBILITY = 0.8;
const FOREARM_RADIUS = 0.075;
const TORSO_HEIGHT = 1.2;
const THIGH_HEIGHT = 1.1;
const PROBES = 16;

const L_SHOULDER = 11, R_SHOULDER = 12, L_ELBOW = 13, R_ELBOW = 14, L_WRIST = 15, R_WRIST = 16;
const L_HAND = [17, 19, 21], R_HAND = [18, 20, 22];
const L_HIP = 23, R_HIP = 24, L_KNEE = 25, R_KNEE = 26;
// Kinds whose own sleeve covers the forearm (their art runs to the wrists): nothing occludes them.
const SLEEVED_KINDS = Object.keys(REQUIRED_ANCHORS).filter((kind) => REQUIRED_ANCHORS[kind].includes("left_wrist"));

/**
 * @typedef {{radius: number, segments: number[][][], hulls: number[][][]}} Occluders
 */

/** @param {number[][]} px @param {boolean[]} seen @param {string} kind @param {number} scale */
function bodyRegion(px, seen, kind, scale) {
  let upper, lower, height;
  if (LOWER_KINDS.includes(kind)) {
    upper = [L_HIP, R_HIP]; lower = [L_KNEE, R_KNEE]; height = THIGH_HEIGHT;
  } else {
    upper = [L_SHOULDER, R_SHOULDER]; lower = [L_HIP, R_HIP]; height = TORSO_HEIGHT;
  }
  if (!(seen[upper[0]] && seen[upper[1]])) return null;
  const a = px[upper[0]], b = px[upper[1]];
  if (seen[lower[0]] && seen[lower[1]]) return [a, b, px[lower[1]], px[lower[0]]];
  const ax = b[0] - a[0], ay = b[1] - a[1];
  const length = (ax * ax + ay * ay) ** 0.5;
  if (length === 0) return null;
  let dx = -ay / length, dy = ax / length;
  if (dy < 0) { dx = -dx; dy = -dy; }
  const reach = height * scale;
  return [a, b, [b[0] + dx * reach, b[1] + dy * reach], [a[0] + dx * reach, a[1] + dy * reach]];
}

/** Whether `p` is inside polygon `poly` or on its boundary. @param {number[][]} poly @param {number[]} p */
function inside(poly, p) {
  const [x, y] = p;
  let isIn = false;
  const n = poly.length;
  for (let i = 0; i < n; i++) {
    const [x0, y0] = poly[i], [x1, y1] = poly[(i + 1) % n];
    const cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
    if (cross === 0 && Math.min(x0, x1) <= x && x <= Math.max(x0, x1) && Math.min(y0, y1) <= y && y <= Math.max(y0, y1)) {
      return true;
    }
    if ((y0 > y) !== (y1 > y)) {
      const xc = x0 + ((y - y0) * (x1 - x0)) / (y1 - y0);
      if (x < xc) isIn = !isIn;
    }
  }
  return isIn;
}

/** The convex hull of `points` (Andrew's monotone chain), as tryon.occlusion._hull. @param {number[][]} points */
function hull(points) {
  const uniq = new Map();
  for (const p of points) uniq.set(`${p[0]},${p[1]}`, p);
  const pts = [...uniq.values()].sort((a, b) => (a[0] - b[0]) || (a[1] - b[1]));
  if (pts.length < 3) return pts;
  const cross = (/** @type {number[]} */ o, /** @type {number[]} */ a, /** @type {number[]} */ b) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  /** @type {number[][]} */ const lower = [], upper = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  for (const p of [...pts].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Return the forearms and hands in front of a garment of `kind`, in frame pixels, as
 * tryon.occlusion.occluding_forearms: keep a capsule of `radius` around each segment and each
 * hull uncovered.
 * @param {number[][]} landmarksPx 33 [x, y, visibility] in frame pixels
 * @param {string} kind @param {number} scale the fit's body scale (frame px)
 * @returns {Occluders}
 */
export function occludingForearms(landmarksPx, kind, scale) {
  const radius = FOREARM_RADIUS * scale;
  /** @type {Occluders} */
  const out = { radius, segments: [], hulls: [] };
  if (SLEEVED_KINDS.includes(kind)) return out;
  /** @type {number[][]} */ const px = [];
  /** @type {boolean[]} */ const seen = [], sure = [];
  for (const lm of landmarksPx) {
    const x = Number(lm[0]), y = Number(lm[1]), vis = Number(lm[2]);
    const ok = Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(vis);
    px.push(ok ? [x, y] : [0, 0]);
    seen.push(ok && vis >= MIN_VISIBILITY);
    sure.push(ok && vis >= OCCLUDER_VISIBILITY);
  }
  const region = bodyRegion(px, seen, kind, scale);
  if (region === null) return out;
  for (const [elbow, wrist, hand] of /** @type {[number, number, number[]][]} */ ([[L_ELBOW, L_WRIST, L_HAND], [R_ELBOW, R_WRIST, R_HAND]])) {
    const path = sure[elbow] && sure[wrist] ? [px[elbow], px[wrist]] : [];
    const palm = [wrist, ...hand].filter((i) => sure[i]).map((i) => px[i]);
    if (path.length === 0 && palm.length === 0) continue;
    const probe = [...path];
    if (path.length) {
      const [[x0, y0], [x1, y1]] = path;
      for (let k = 0; k <= PROBES; k++) probe.push([x0 + (x1 - x0) * (k / PROBES), y0 + (y1 - y0) * (k / PROBES)]);
    }
    probe.push(...palm);
    if (!probe.some((p) => inside(region, p))) continue;
    if (path.length) out.segments.push([[...path[0]], [...path[1]]]);
    for (const p of palm) out.segments.push([[...palm[0]], [...p]]);
    if (palm.length >= 3) out.hulls.push(hull(palm).map((p) => [...p]));
  }
  return out;
}

/** Whether `occ` keeps anything uncovered. @param {Occluders|null} occ */
export function hasOccluders(occ) {
  return !!occ && (occ.segments.length > 0 || occ.hulls.length > 0);
}

/**
 * Erase `occ` from what `ctx` holds (its transform maps frame px to the canvas): the forearms and
 * hands in front of the garment show the picture under it again.
 * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx @param {Occluders} occ
 */
export function eraseOccluders(ctx, occ) {
  if (!hasOccluders(occ)) return;
  ctx.save();
  ctx.globalCompositeOperation = "destination-out";
  ctx.fillStyle = ctx.strokeStyle = "#000";
  ctx.lineCap = "round";
  ctx.lineWidth = 2 * occ.radius;
  for (const [p, q] of occ.segments) {
    ctx.beginPath();
    if (p[0] === q[0] && p[1] === q[1]) {
      // A canvas prunes a zero-length line before stroking it: draw the capsule's disc itself.
      ctx.arc(p[0], p[1], occ.radius, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(p[0], p[1]);
    ctx.lineTo(q[0], q[1]);
    ctx.stroke();
  }
  for (const h of occ.hulls) {
    ctx.beginPath();
    h.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}
