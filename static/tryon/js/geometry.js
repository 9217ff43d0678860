// Fit a garment overlay onto a body pose as a small triangle mesh (browser twin).
//
// This is the JavaScript twin of tryon/geometry.py: the same layout, bindings
// and float operations in the same order, so browser and server put the
// garment on the body identically. The shared vectors in tests/vectors/fit are
// checked by both test suites. Read the Python module's docstring for the
// design; change both files together and regenerate the vectors with
// tools/make_fit_vectors.py.
//
// fitGarment(landmarks, frameWidth, frameHeight, garment) returns
//   { kind, src: [[u, v]...] (overlay px), dst: [[x, y]...] (frame px),
//     triangles: [[i, j, k]...], layers: [layer per triangle], scale,
//     estimated: [sorted joint names] }
// or null when the body cannot carry the garment. src and triangles depend
// only on the garment (see garmentTopology); triangles are listed back to
// front (margins, body, sleeves).

import { LANDMARK_INDEX, REQUIRED_ANCHORS } from "./garments.js";

/**
 * @typedef {[number, number]} Point
 * @typedef {{kind: string, width: number, height: number, anchors: Record<string, number[]>}} Garment
 * @typedef {{kind: string, src: number[][], dst: number[][], triangles: number[][], layers: number[], scale: number, estimated: string[]}} Fit
 * @typedef {Array<string|number>} Binding
 */

// Constants: see tryon/geometry.py for why each has its value.
export const MIN_VISIBILITY = 0.5;
export const OFF_FRAME_MARGIN = 0.1;
export const TRUST_VISIBILITY_RAMP = 0.2;
export const TRUST_EDGE_RAMP = 0.1;
export const TORSO_RATIO = 1.4;
export const HIP_WIDTH_RATIO = 0.6;
export const SHOULDER_SEAM_OUT = 0.1;
export const SHOULDER_SEAM_UP = 0.08;
export const HIP_SIDE_OUT = 0.3;
const TORSO_SIDE = 0.25;
const UPPER_ARM_HALF_WIDTH = 0.19;
const FOREARM_HALF_WIDTH = 0.17;
// A short sleeve's underarm point: this share of the way from the torso's side at row 2 to the
// sleeve's bone at mid upper arm (see SHORT_UNDERARM in tryon/geometry.py).
const SHORT_UNDERARM = 0.6;
// Cuff row past the wrist, in art shoulder widths, and the least share of it kept.
const CUFF_LENGTH = FOREARM_HALF_WIDTH;
const CUFF_MIN = 0.25;
const SKIRT_HIP_SIDE = 0.35;
const SKIRT_FLARE = 0.5;
const TROUSER_HALF_WIDTHS = [0.5, 0.45, 0.36, 0.34, 0.32];
const CROTCH_DROP = 0.6;
const INNER_KEEP = 0.75;
const INSET = 1.0;
const EDGE_GAP = 0.04;
// Top layouts tried in order: [side panel reach, sleeve width factor, gusset, cuff row];
// every shape with the cuff row first, then every shape without it.
const TOP_SHAPES = [
  [TORSO_SIDE, 1.0, true],
  [TORSO_SIDE, 1.0, false],
  [0.1, 1.0, true],
  [0.1, 1.0, false],
  [0.02, 0.6, true],
  [0.02, 0.6, false],
];
const TOP_LAYOUTS = [...TOP_SHAPES.map((s) => [...s, true]), ...TOP_SHAPES.map((s) => [...s, false])];
// Short sleeves (no cuff row): the shapes with the gusset, where they hang from the shoulder
// seam, before those without, at full sleeve width first (see tryon/geometry.py).
const SHORT_SLEEVE_LAYOUTS = [
  [TORSO_SIDE, 1.0, true, false],
  [0.1, 1.0, true, false],
  [TORSO_SIDE, 1.0, false, false],
  [0.1, 1.0, false, false],
  [0.02, 0.6, true, false],
  [0.02, 0.6, false, false],
];
// Lower-garment layouts: a factor on everything reaching outward from the joints.
const LOWER_LAYOUTS = [1.0, 0.5, 0.2];
const MARGIN = 0;
const SLEEVE_END = 1;
const BODY = 2;
const LIMB = 3;
const TINY = 1e-9;

// --- Small vector helpers --------------------------------------------------------

/** @param {number} t @returns {number} t clamped to [0, 1] */
function ramp(t) {
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/**
 * Whether a landmark [x, y, z, visibility] (normalised) is trusted as seen (see Python's landmark_seen).
 * @param {number[]} landmark
 */
export function landmarkSeen(landmark) {
  const vis = landmark.length > 3 ? Number(landmark[3]) : 1.0;
  const x = Number(landmark[0]);
  const y = Number(landmark[1]);
  const lo = -OFF_FRAME_MARGIN;
  const hi = 1.0 + OFF_FRAME_MARGIN;
  return vis >= MIN_VISIBILITY && lo <= x && x <= hi && lo <= y && y <= hi;
}

/** How far a landmark (normalised, with visibility) is trusted, 0..1 (see Python's _trust_weight). */
export function trustWeight(/** @type {number} */ x, /** @type {number} */ y, /** @type {number} */ vis) {
  const wv = ramp((vis - MIN_VISIBILITY) / TRUST_VISIBILITY_RAMP + 0.5);
  const lo = -OFF_FRAME_MARGIN;
  const hi = 1.0 + OFF_FRAME_MARGIN;
  const out = Math.max(lo - x, x - hi, lo - y, y - hi); // > 0 beyond the edge margin
  return wv * ramp(0.5 - out / TRUST_EDGE_RAMP);
}

/** @param {Point} a @param {Point} b @param {number} t @returns {Point} */
function lerp(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

/** @param {Point[]} quad @param {number} s @param {number} t @returns {Point} */
function bilinearPoint(quad, s, t) {
  const top = lerp(quad[0], quad[1], s);
  const bottom = lerp(quad[3], quad[2], s);
  return lerp(top, bottom, t);
}

/** @param {Point} a @param {Point} b */
function dist(a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return Math.sqrt(dx * dx + dy * dy);
}

/** @param {Point} a @param {Point} b */
function dist2(a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return dx * dx + dy * dy;
}

/** @param {number} x @param {number} y @returns {Point|null} */
function unit(x, y) {
  const n = Math.sqrt(x * x + y * y);
  if (n < TINY) return null;
  return [x / n, y / n];
}

/** Twice the signed area of triangle abc. @param {Point} a @param {Point} b @param {Point} c */
function cross(a, b, c) {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/** @param {Point} a @param {Point} side @param {Point} up @returns {Point} */
function outward(a, side, up) {
  let nx = -a[1];
  let ny = a[0];
  if (nx * (side[0] + up[0]) + ny * (side[1] + up[1]) < 0) {
    nx = a[1];
    ny = -a[0];
  }
  return [nx, ny];
}

/** @param {Point} p0 @param {Point} p1 @param {Point} side @returns {Point} */
function outwardLine(p0, p1, side) {
  const d = unit(p1[0] - p0[0], p1[1] - p0[1]);
  if (d === null) return side;
  let nx = -d[1];
  let ny = d[0];
  if (nx * side[0] + ny * side[1] < 0) {
    nx = d[1];
    ny = -d[0];
  }
  return [nx, ny];
}

/** @param {Point} p @param {Point} nIn @param {number} w @param {Point} origin @param {Point} normal */
function innerWidth(p, nIn, w, origin, normal) {
  const d = (p[0] - origin[0]) * normal[0] + (p[1] - origin[1]) * normal[1];
  const toward = nIn[0] * normal[0] + nIn[1] * normal[1];
  if (toward >= 0) return w;
  if (d <= 0) return 0.0;
  return Math.min(w, (INNER_KEEP * d) / -toward);
}

/** @param {string} side */
function limbParts(side) {
  const s = side[0];
  return [s + "_upper", s + "_fore", s + "_thigh", s + "_shin"];
}

// --- Mesh construction (pose-independent) ----------------------------------------

class Mesh {
  /** @param {number} width @param {number} height */
  constructor(width, height) {
    this.w = width;
    this.h = height;
    /** @type {Point[]} */
    this.src = [];
    /** @type {Binding[]} */
    this.bind = [];
    /** @type {[string, string][]} */
    this.parts = [];
    /** @type {number[][]} */
    this.tris = [];
  }

  /** @param {Point} p @param {Binding} binding @param {[string, string]} parts */
  push(p, binding, parts) {
    this.src.push(p);
    this.bind.push(binding);
    this.parts.push(parts);
    return this.src.length - 1;
  }

  /** @param {Point} p @returns {Point} */
  inside(p) {
    return [Math.min(Math.max(p[0], INSET), this.w - INSET), Math.min(Math.max(p[1], INSET), this.h - INSET)];
  }

  /** @param {string} name @param {Point} p @param {string} part */
  joint(name, p, part) {
    return this.push(this.inside(p), ["joint", name], [part, part]);
  }

  /** @param {Point[]} quad @param {number} s @param {number} t */
  bilinear(quad, s, t) {
    return this.push(bilinearPoint(quad, s, t), ["bilinear", s, t], ["torso", "torso"]);
  }

  /**
   * @param {Point} p @param {number} a @param {number} b @param {string} part
   * @param {boolean} [edge] @param {[string, string]} [parts]
   */
  segment(p, a, b, part, edge = false, parts = undefined) {
    if (!edge) p = this.inside(p);
    const pa = this.src[a];
    const pb = this.src[b];
    const vx = pb[0] - pa[0];
    const vy = pb[1] - pa[1];
    const dx = p[0] - pa[0];
    const dy = p[1] - pa[1];
    const t = (dx * vx + dy * vy) / (vx * vx + vy * vy);
    const u = /** @type {Point} */ (unit(vx, vy));
    const off = dx * -u[1] + dy * u[0];
    return this.push(p, ["segment", a, b, part, t, off], parts || [part, part]);
  }

  /** @param {Point} p @param {number} v @param {string} part1 @param {string} part2 @param {boolean} [edge] */
  attach(p, v, part1, part2, edge = false) {
    if (!edge) p = this.inside(p);
    const q = this.src[v];
    return this.push(p, ["attach", v, part1, part2, p[0] - q[0], p[1] - q[1]], [part1, part2]);
  }

  /** @param {number} a @param {number} b @param {number} w @param {string} part */
  lerp(a, b, w, part) {
    return this.push(lerp(this.src[a], this.src[b], w), ["lerp", a, b, w], [part, part]);
  }

  /** @param {number} a @param {number} b @param {number} c @param {number} layer */
  tri(a, b, c, layer) {
    if (cross(this.src[a], this.src[b], this.src[c]) < 0) [b, c] = [c, b];
    this.tris.push([layer, a, b, c]);
  }

  /** @param {number} a @param {number} b @param {number} c @param {number} d @param {number} layer */
  quad(a, b, c, d, layer) {
    const p = this.src;
    const eps = TINY * this.w * this.h;
    const s1 = cross(p[a], p[b], p[c]);
    const s2 = cross(p[a], p[c], p[d]);
    const s3 = cross(p[a], p[b], p[d]);
    const s4 = cross(p[b], p[c], p[d]);
    let ok1 = (s1 > eps && s2 > eps) || (s1 < -eps && s2 < -eps);
    let ok2 = (s3 > eps && s4 > eps) || (s3 < -eps && s4 < -eps);
    if (ok1 && ok2) {
      ok2 = dist2(p[b], p[d]) < dist2(p[a], p[c]);
      ok1 = !ok2;
    }
    if (ok1) {
      this.tri(a, b, c, layer);
      this.tri(a, c, d, layer);
    } else if (ok2) {
      this.tri(a, b, d, layer);
      this.tri(b, c, d, layer);
    } else {
      throw new RangeError("garment anchors give a folded mesh (anchors too close together, or on the overlay border)");
    }
  }

  /** @param {number[]} left @param {number[]} right @param {number} layer */
  zip(left, right, layer) {
    const p = this.src;
    this.tri(left[0], left[1], right[1], layer);
    let i = 1;
    let j = 1;
    while (i < left.length - 1 || j < right.length - 1) {
      let stepLeft;
      if (i === left.length - 1) stepLeft = false;
      else if (j === right.length - 1) stepLeft = true;
      else stepLeft = dist2(p[left[i + 1]], p[right[j]]) <= dist2(p[left[i]], p[right[j + 1]]);
      if (stepLeft) {
        this.tri(left[i], left[i + 1], right[j], layer);
        i += 1;
      } else {
        this.tri(left[i], right[j], right[j + 1], layer);
        j += 1;
      }
    }
  }

  /** Twice the signed area of the polygon `polygon` (vertex ids). @param {number[]} polygon */
  area2(polygon) {
    const p = this.src;
    const n = polygon.length;
    let area2 = 0.0;
    for (let i = 0; i < n; i++) {
      const a = p[polygon[i]];
      const b = p[polygon[(i + 1) % n]];
      area2 += a[0] * b[1] - b[0] * a[1];
    }
    return area2;
  }

  /**
   * The margin between two chains that start at the same vertex: a strip, or
   * where its triangles would overlap (a chain turning back along the other)
   * the polygon between them, ear-clipped. @param {number[]} left @param {number[]} right
   */
  gusset(left, right) {
    const p = this.src;
    const n0 = this.tris.length;
    this.zip(left, right, MARGIN);
    let total = 0.0;
    for (const [, a, b, c] of this.tris.slice(n0)) {
      total += cross(p[a], p[b], p[c]);
    }
    const polygon = [...left, ...right.slice(1).reverse()];
    if (total - Math.abs(this.area2(polygon)) > 1e-9 * this.w * this.h) {
      this.tris.length = n0;
      this.fill(polygon);
    }
  }

  /** Ear-clip a simple polygon, best-shaped ear first. @param {number[]} polygon */
  fill(polygon) {
    const p = this.src;
    const eps = TINY * this.w * this.h;
    const ids = polygon.slice();
    if (this.area2(ids) < 0) ids.reverse();
    while (ids.length > 3) {
      const n = ids.length;
      let best = -1;
      let bestQ = 0.0;
      for (let i = 0; i < n; i++) {
        const ia = ids[(i + n - 1) % n];
        const ib = ids[i];
        const ic = ids[(i + 1) % n];
        const a = p[ia];
        const b = p[ib];
        const c = p[ic];
        const cr = cross(a, b, c);
        if (cr <= eps) continue;
        let blocked = false;
        for (let j = 0; j < n; j++) {
          const v = ids[j];
          if (v === ia || v === ib || v === ic) continue;
          const q = p[v];
          if (cross(a, b, q) >= -eps && cross(b, c, q) >= -eps && cross(c, a, q) >= -eps) {
            blocked = true;
            break;
          }
        }
        if (blocked) continue;
        const q = cr / (dist2(a, b) + dist2(b, c) + dist2(c, a));
        if (q > bestQ) {
          bestQ = q;
          best = i;
        }
      }
      if (best < 0) throw new RangeError("garment anchors give a margin that cannot be meshed");
      this.tri(ids[(best + n - 1) % n], ids[best], ids[(best + 1) % n], MARGIN);
      ids.splice(best, 1);
    }
    if (cross(p[ids[0]], p[ids[1]], p[ids[2]]) <= eps) {
      throw new RangeError("garment anchors give a margin that cannot be meshed");
    }
    this.tri(ids[0], ids[1], ids[2], MARGIN);
  }

  /** @param {number[]} chain @param {number} edgeX */
  sideMargin(chain, edgeX) {
    const p = this.src;
    const gap = EDGE_GAP * this.h;
    /** @type {[number, number][]} */
    const marks = [];
    for (const v of chain.slice(1, -1)) marks.push([p[v][1], v]);
    marks.sort((m1, m2) => m1[0] - m2[0] || m1[1] - m2[1]);
    const edge = [];
    let last = 0.0;
    for (const [y, v] of marks) {
      if (y - last >= gap && this.h - y >= gap) {
        const parts = this.parts[v];
        edge.push(this.attach([edgeX, y], v, parts[0], parts[1], true));
        last = y;
      }
    }
    const corners = [];
    for (const cy of [0.0, this.h]) {
      let best = chain[0];
      let bestD = -1.0;
      for (const v of chain) {
        const d = dist2(p[v], [edgeX, cy]);
        if (bestD < 0 || d < bestD) {
          bestD = d;
          best = v;
        }
      }
      const parts = this.parts[best];
      corners.push(this.attach([edgeX, cy], best, parts[0], parts[1], true));
    }
    edge.reverse();
    this.fill([...chain, corners[1], ...edge, corners[0]]);
  }

  checkCover() {
    const eps = TINY * this.w * this.h;
    let total = 0.0;
    for (const [, a, b, c] of this.tris) {
      const cr = cross(this.src[a], this.src[b], this.src[c]);
      if (cr <= eps) throw new RangeError("garment anchors give a degenerate triangle");
      total += cr;
    }
    if (Math.abs(total * 0.5 - this.w * this.h) > 1e-6 * this.w * this.h) {
      throw new RangeError("garment anchors give overlapping mesh parts");
    }
  }

  /** Return [triangles, layers] back to front: by layer, then in order of creation. */
  orderedTriangles() {
    const out = [];
    const layers = [];
    for (const layer of [MARGIN, SLEEVE_END, BODY, LIMB]) {
      for (const t of this.tris) {
        if (t[0] === layer) {
          out.push([t[1], t[2], t[3]]);
          layers.push(layer);
        }
      }
    }
    return [out, layers];
  }
}

/**
 * Mesh a top or a dress (see _build_top in tryon/geometry.py).
 * @param {Mesh} m @param {Record<string, Point>} a @param {readonly string[]} names
 * @param {(number|boolean)[]} layout one of TOP_LAYOUTS (SHORT_SLEEVE_LAYOUTS)
 */
function buildTop(m, a, names, layout) {
  const reach = /** @type {number} */ (layout[0]);
  const widen = /** @type {number} */ (layout[1]);
  const gusset = layout[2];
  const cuff = layout[3];
  const rs = a.right_shoulder;
  const ls = a.left_shoulder;
  const rh = a.right_hip;
  const lh = a.left_hip;
  const sw = dist(rs, ls);
  const quad = [rs, ls, lh, rh];
  const sleeves = names.includes("right_elbow");
  const forearms = names.includes("right_wrist");
  const shmid = lerp(rs, ls, 0.5);
  const hipmid = lerp(rh, lh, 0.5);
  const up = unit(shmid[0] - hipmid[0], shmid[1] - hipmid[1]);
  if (sw < TINY || up === null || dist(rh, lh) < TINY) throw new RangeError("garment shoulders or hips coincide");

  /** @type {Record<string, string>} */
  const cornerNames = { "0,0": "right_shoulder", "0,3": "left_shoulder", "3,0": "right_hip", "3,3": "left_hip" };
  /** @type {number[][]} */
  const grid = [];
  for (let r = 0; r < 4; r++) {
    const row = [];
    for (let c = 0; c < 4; c++) {
      const name = cornerNames[`${r},${c}`];
      if (name !== undefined) row.push(m.joint(name, a[name], "torso"));
      else row.push(m.bilinear(quad, c / 3, r / 3));
    }
    grid.push(row);
  }
  /** @type {Record<string, number>} */
  const side = {};
  for (const r of [2, 3]) {
    const part = r === 2 ? "torso" : "hipline";
    for (const [sname, s] of /** @type {[string, number][]} */ ([["right", -reach], ["left", 1 + reach]])) {
      const p = bilinearPoint(quad, s, r / 3);
      side[`${sname},${r}`] = m.segment(p, grid[r][0], grid[r][3], part, false, ["torso", "torso"]);
    }
  }
  // A short sleeve hangs from the shoulder seam (SHORT_UNDERARM): the side
  // panel starts at row 2, below the gusset that takes its place.
  const hinge = sleeves && !forearms && gusset;
  const collar = [];
  for (let c = 0; c < 4; c++) {
    const x = m.src[grid[0][c]][0];
    collar.push(m.segment([x, 0.0], grid[0][0], grid[0][3], "torso", true));
  }
  for (let c = 0; c < 3; c++) m.quad(collar[c], collar[c + 1], grid[0][c + 1], grid[0][c], BODY);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m.quad(grid[r][c], grid[r][c + 1], grid[r + 1][c + 1], grid[r + 1][c], BODY);
  }
  const hipRow = [side["right,3"], ...grid[3], side["left,3"]];
  for (const [sname, col] of /** @type {[string, number][]} */ ([["right", 0], ["left", 3]])) {
    if (!hinge) m.tri(grid[1][col], grid[2][col], side[`${sname},2`], BODY);
    m.quad(side[`${sname},2`], grid[2][col], grid[3][col], side[`${sname},3`], BODY);
  }

  /** @type {Record<string, number[]>} */
  const chains = {};
  for (const [sname, col, other] of /** @type {[string, number, Point][]} */ ([["right", 0, ls], ["left", 3, rs]])) {
    const shoulder = grid[0][col];
    const armpit = grid[1][col];
    const x2 = side[`${sname},2`];
    const x3 = side[`${sname},3`];
    if (!sleeves) {
      chains[sname] = [collar[col], shoulder, armpit, x2, x3];
      continue;
    }
    const sPt = m.src[shoulder];
    const own = /** @type {Point} */ (unit(sPt[0] - other[0], sPt[1] - other[1]));
    const [upper, fore] = limbParts(sname);
    const eName = sname + "_elbow";
    const ePt = a[eName];
    const ua = unit(ePt[0] - sPt[0], ePt[1] - sPt[1]);
    if (ua === null) throw new RangeError("garment shoulder and elbow coincide");
    const n = outward(ua, own, up);
    const wu = UPPER_ARM_HALF_WIDTH * widen * sw;
    const pit = m.src[armpit];
    const px2 = m.src[x2];
    const keepU = outwardLine(pit, px2, own);
    const keepF = outwardLine(px2, m.src[x3], own);
    const elbow = m.joint(eName, ePt, forearms ? fore : upper);
    const cap = m.attach([sPt[0] + n[0] * wu, sPt[1] + n[1] * wu], shoulder, "torso", upper);
    const mid = lerp(sPt, ePt, 0.5);
    const mOut = m.segment([mid[0] + n[0] * wu, mid[1] + n[1] * wu], shoulder, elbow, upper);
    const mBone = m.segment(mid, shoulder, elbow, upper);
    let eOut;
    let eIn;
    let wName = "";
    /** @type {Point} */
    let wPt = [0, 0];
    /** @type {Point} */
    let nf = [0, 0];
    /** @type {Point} */
    let fa = [0, 0];
    if (forearms) {
      wName = sname + "_wrist";
      wPt = a[wName];
      const faOrNull = unit(wPt[0] - ePt[0], wPt[1] - ePt[1]);
      if (faOrNull === null) throw new RangeError("garment elbow and wrist coincide");
      fa = faOrNull;
      nf = outward(fa, own, up);
      if (nf[0] * n[0] + nf[1] * n[1] < 0) nf = [-nf[0], -nf[1]];
      const ne = unit(n[0] + nf[0], n[1] + nf[1]) ?? n;
      const wi = innerWidth(ePt, [-ne[0], -ne[1]], wu, pit, keepU);
      eOut = m.attach([ePt[0] + ne[0] * wu, ePt[1] + ne[1] * wu], elbow, upper, fore);
      eIn = m.attach([ePt[0] - ne[0] * wi, ePt[1] - ne[1] * wi], elbow, upper, fore);
    } else {
      let wi = innerWidth(ePt, [-n[0], -n[1]], wu, pit, keepU);
      // The gusset closes from this corner straight to the side panel's foot,
      // so the corner stays outside the side panel's outer edge too.
      if (hinge) wi = Math.min(wi, innerWidth(ePt, [-n[0], -n[1]], wu, px2, keepF));
      eOut = m.segment([ePt[0] + n[0] * wu, ePt[1] + n[1] * wu], shoulder, elbow, upper);
      eIn = m.segment([ePt[0] - n[0] * wi, ePt[1] - n[1] * wi], shoulder, elbow, upper);
    }
    // The inner rail's root: the armpit, or for a short sleeve hanging from
    // the shoulder seam an underarm point that turns with the arm.
    const root = hinge
      ? m.segment(lerp(m.src[grid[2][col]], m.src[mBone], SHORT_UNDERARM), shoulder, elbow, upper)
      : armpit;
    const mIn = m.segment(lerp(m.src[root], m.src[eIn], 0.5), shoulder, elbow, upper);
    m.tri(collar[col], shoulder, cap, BODY);
    // A short sleeve's inner half and the half toward the elbow (mostly
    // transparent) go under the body; see tryon/geometry.py.
    const lower = forearms ? LIMB : SLEEVE_END;
    m.quad(cap, shoulder, mBone, mOut, LIMB);
    m.quad(mOut, mBone, elbow, eOut, lower);
    m.quad(shoulder, root, mIn, mBone, lower);
    m.quad(mBone, mIn, eIn, elbow, lower);
    const outer = [collar[col], cap, mOut, eOut];
    const inner = [root, mIn, eIn];
    if (forearms) {
      const wrist = m.joint(wName, wPt, fore);
      const wf = FOREARM_HALF_WIDTH * widen * sw;
      const rails = [];
      for (const [isWrist, pBone] of /** @type {[boolean, Point][]} */ ([[false, lerp(ePt, wPt, 0.5)], [true, wPt]])) {
        const wi = innerWidth(pBone, [-nf[0], -nf[1]], wf, px2, keepF);
        const bone = isWrist ? wrist : m.segment(pBone, elbow, wrist, fore);
        const out = m.segment([pBone[0] + nf[0] * wf, pBone[1] + nf[1] * wf], elbow, wrist, fore);
        const inn = m.segment([pBone[0] - nf[0] * wi, pBone[1] - nf[1] * wi], elbow, wrist, fore);
        rails.push([out, bone, inn]);
      }
      const [[fOut, fBone, fIn], [wOut, , wIn]] = rails;
      m.quad(eOut, elbow, fBone, fOut, LIMB);
      m.quad(fOut, fBone, wrist, wOut, LIMB);
      m.quad(elbow, eIn, fIn, fBone, LIMB);
      m.quad(fBone, fIn, wIn, wrist, LIMB);
      outer.push(fOut, wOut);
      const ends = cuff ? cuffRow(m, [wOut, wrist, wIn], fa, CUFF_LENGTH * sw) : null;
      if (ends === null) {
        outer.push(wrist);
      } else {
        // The wrist row moved on along the forearm, as far as it fits.
        const cOut = m.segment(ends[0], elbow, wrist, fore);
        const cBone = m.segment(ends[1], elbow, wrist, fore);
        const cIn = m.segment(ends[2], elbow, wrist, fore);
        m.quad(wOut, wrist, cBone, cOut, LIMB);
        m.quad(wrist, wIn, cIn, cBone, LIMB);
        outer.push(cOut, cBone, cIn);
      }
      inner.push(fIn, wIn);
    } else {
      outer.push(elbow);
    }
    if (hinge) {
      m.gusset([shoulder, ...inner], [shoulder, armpit, grid[2][col], x2, x3]);
      chains[sname] = [...outer, inner[inner.length - 1], x3];
    } else if (gusset) {
      m.zip(inner, [armpit, x2, x3], MARGIN);
      chains[sname] = [...outer, inner[inner.length - 1], x3];
    } else {
      chains[sname] = [...outer, ...inner.slice().reverse(), x2, x3];
    }
  }

  let outline;
  if (names.includes("right_knee")) {
    outline = buildSkirt(m, a, hipRow, widen);
  } else {
    const bottom = [];
    for (const v of hipRow) bottom.push(m.segment([m.src[v][0], m.h], grid[3][0], grid[3][3], "hipline", true));
    for (let c = 0; c < 5; c++) m.quad(hipRow[c], hipRow[c + 1], bottom[c + 1], bottom[c], BODY);
    outline = bottom.map((v) => [v]);
  }
  m.sideMargin([...chains.right, ...outline[0]], 0.0);
  m.sideMargin([...chains.left, ...outline[outline.length - 1]], m.w);
  return { ref: sw, torso_len: dist(shmid, hipmid) };
}

/**
 * Return the points of `row` (vertex ids) moved by `length` along unit `d`, shortened to stay
 * INSET inside the overlay, or null when less than CUFF_MIN of `length` fits (see _cuff_row).
 * @param {Mesh} m @param {number[]} row @param {Point} d @param {number} length
 * @returns {Point[]|null}
 */
function cuffRow(m, row, d, length) {
  let room = length;
  for (const v of row) {
    const q = m.src[v];
    for (const [i, hi] of /** @type {[number, number][]} */ ([[0, m.w - INSET], [1, m.h - INSET]])) {
      if (d[i] > 0.0) room = Math.min(room, (hi - q[i]) / d[i]);
      else if (d[i] < 0.0) room = Math.min(room, (INSET - q[i]) / d[i]);
    }
  }
  if (room < CUFF_MIN * length) return null;
  /** @type {Point[]} */
  const out = [];
  for (const v of row) {
    const q = m.src[v];
    out.push([q[0] + d[0] * room, q[1] + d[1] * room]);
  }
  return out;
}

/** @param {Mesh} m @param {Record<string, Point>} a @param {number[]} hipRow @param {number} widen */
function buildSkirt(m, a, hipRow, widen) {
  const rkPt = a.right_knee;
  const lkPt = a.left_knee;
  const hw = dist(a.right_hip, a.left_hip);
  const uk = unit(lkPt[0] - rkPt[0], lkPt[1] - rkPt[1]);
  if (uk === null) throw new RangeError("garment knees coincide");
  const flare = SKIRT_FLARE * widen * hw;
  const rk = m.joint("right_knee", rkPt, "r_thigh");
  const lk = m.joint("left_knee", lkPt, "l_thigh");
  const k1 = m.segment(lerp(rkPt, lkPt, 1 / 3), rk, lk, "hipline");
  const k2 = m.segment(lerp(rkPt, lkPt, 2 / 3), rk, lk, "hipline");
  const koR = m.attach([rkPt[0] - uk[0] * flare, rkPt[1] - uk[1] * flare], rk, "r_thigh", "r_thigh");
  const koL = m.attach([lkPt[0] + uk[0] * flare, lkPt[1] + uk[1] * flare], lk, "l_thigh", "l_thigh");
  const kneeRow = [koR, rk, k1, k2, lk, koL];
  const parts = ["r_thigh", "r_thigh", "hipline", "hipline", "l_thigh", "l_thigh"];
  const midRow = [];
  for (let c = 0; c < 6; c++) midRow.push(m.lerp(hipRow[c], kneeRow[c], 0.5, parts[c]));
  const bottom = [];
  for (let c = 0; c < 6; c++) {
    const v = kneeRow[c];
    bottom.push(m.attach([m.src[v][0], m.h], v, parts[c], parts[c], true));
  }
  for (const [upper, lower] of [[hipRow, midRow], [midRow, kneeRow], [kneeRow, bottom]]) {
    for (let c = 0; c < 5; c++) m.quad(upper[c], upper[c + 1], lower[c + 1], lower[c], BODY);
  }
  const out = [];
  for (let c = 0; c < 6; c++) out.push([midRow[c], kneeRow[c], bottom[c]]);
  return out;
}

/** @param {Mesh} m @param {number[]} hipRow @param {number} rh @param {number} lh */
function waist(m, hipRow, rh, lh) {
  const top = [];
  for (const v of hipRow) top.push(m.segment([m.src[v][0], 0.0], rh, lh, "torso", true));
  for (let c = 0; c < hipRow.length - 1; c++) m.quad(top[c], top[c + 1], hipRow[c + 1], hipRow[c], BODY);
  return top;
}

/**
 * Mesh trousers or a skirt.
 * @param {Mesh} m @param {Record<string, Point>} a @param {readonly string[]} names @param {number} widen
 */
function buildLower(m, a, names, widen) {
  const rhPt = a.right_hip;
  const lhPt = a.left_hip;
  const hw = dist(rhPt, lhPt);
  const u = unit(lhPt[0] - rhPt[0], lhPt[1] - rhPt[1]);
  const kmid = lerp(a.right_knee, a.left_knee, 0.5);
  const hipmid = lerp(rhPt, lhPt, 0.5);
  const down = unit(kmid[0] - hipmid[0], kmid[1] - hipmid[1]);
  if (u === null || down === null) throw new RangeError("garment hips or knees coincide");
  const ref = { ref: hw, thigh: { right: dist(rhPt, a.right_knee), left: dist(lhPt, a.left_knee) } };
  const rh = m.joint("right_hip", rhPt, "torso");
  const lh = m.joint("left_hip", lhPt, "torso");
  if (!names.includes("right_ankle")) {
    const hipRow = [];
    for (const t of [-SKIRT_HIP_SIDE * widen, 0.0, 1 / 3, 2 / 3, 1.0, 1 + SKIRT_HIP_SIDE * widen]) {
      if (t === 0.0) hipRow.push(rh);
      else if (t === 1.0) hipRow.push(lh);
      else hipRow.push(m.segment(lerp(rhPt, lhPt, t), rh, lh, "torso"));
    }
    const top = waist(m, hipRow, rh, lh);
    const outline = buildSkirt(m, a, hipRow, widen);
    m.sideMargin([top[0], hipRow[0], ...outline[0]], 0.0);
    m.sideMargin([top[top.length - 1], hipRow[hipRow.length - 1], ...outline[outline.length - 1]], m.w);
    return ref;
  }

  const h0 = TROUSER_HALF_WIDTHS[0] * widen * hw;
  const xr = m.attach([rhPt[0] - u[0] * h0, rhPt[1] - u[1] * h0], rh, "torso", "r_thigh");
  const mid = m.segment(hipmid, rh, lh, "torso");
  const xl = m.attach([lhPt[0] + u[0] * h0, lhPt[1] + u[1] * h0], lh, "torso", "l_thigh");
  const top = waist(m, [xr, rh, mid, lh, xl], rh, lh);
  const drop = CROTCH_DROP * hw;
  const crotch = m.segment([hipmid[0] + down[0] * drop, hipmid[1] + down[1] * drop], rh, lh, "torso");
  m.tri(rh, mid, crotch, BODY);
  m.tri(mid, lh, crotch, BODY);
  /** @type {Point} */
  const up = [-down[0], -down[1]];
  /** @type {Record<string, number[]>} */
  const chains = {};
  /** @type {Record<string, number[]>} */
  const inner = {};
  /** @type {[string, string, number, number, Point][]} */
  const legs = [["right", "left", rh, xr, [-u[0], -u[1]]], ["left", "right", lh, xl, u]];
  for (const [sname, other, hip, outer, own] of legs) {
    const [, , thigh, shin] = limbParts(sname);
    const hPt = m.src[hip];
    const kPt = a[sname + "_knee"];
    const anPt = a[sname + "_ankle"];
    const ta = unit(kPt[0] - hPt[0], kPt[1] - hPt[1]);
    const sa = unit(anPt[0] - kPt[0], anPt[1] - kPt[1]);
    if (ta === null || sa === null) throw new RangeError("garment hip, knee and ankle must differ");
    const nt = outward(ta, own, up);
    let ns = outward(sa, own, up);
    if (ns[0] * nt[0] + ns[1] * nt[1] < 0) ns = [-ns[0], -ns[1]];
    const nk = unit(nt[0] + ns[0], nt[1] + ns[1]) ?? nt;
    const knee = m.joint(sname + "_knee", kPt, shin);
    const ankle = m.joint(sname + "_ankle", anPt, shin);
    const rows = [];
    /** @type {[Point, Point, number][]} */
    const specs = [
      [lerp(hPt, kPt, 0.5), nt, TROUSER_HALF_WIDTHS[1]],
      [kPt, nk, TROUSER_HALF_WIDTHS[2]],
      [lerp(kPt, anPt, 0.5), ns, TROUSER_HALF_WIDTHS[3]],
      [anPt, ns, TROUSER_HALF_WIDTHS[4]],
    ];
    const oh = a[other + "_hip"];
    const ok = a[other + "_knee"];
    const oa = a[other + "_ankle"];
    const facing = [lerp(oh, ok, 0.5), ok, lerp(ok, oa, 0.5), oa];
    for (let i = 0; i < specs.length; i++) {
      const [pBone, n, frac] = specs[i];
      const w = frac * widen * hw;
      // The inner rail keeps off the line halfway between the two legs.
      const q = facing[i];
      const apart = unit(pBone[0] - q[0], pBone[1] - q[1]) ?? own;
      const wi = innerWidth(pBone, [-n[0], -n[1]], w, lerp(pBone, q, 0.5), apart);
      /** @type {Point} */
      const pOut = [pBone[0] + n[0] * w, pBone[1] + n[1] * w];
      /** @type {Point} */
      const pIn = [pBone[0] - n[0] * wi, pBone[1] - n[1] * wi];
      let bone;
      let out;
      let inn;
      if (i === 0) {
        bone = m.segment(pBone, hip, knee, thigh);
        out = m.segment(pOut, hip, knee, thigh);
        inn = m.segment(pIn, hip, knee, thigh);
      } else if (i === 1) {
        bone = knee;
        out = m.attach(pOut, knee, thigh, shin);
        inn = m.attach(pIn, knee, thigh, shin);
      } else {
        bone = i === 3 ? ankle : m.segment(pBone, knee, ankle, shin);
        out = m.segment(pOut, knee, ankle, shin);
        inn = m.segment(pIn, knee, ankle, shin);
      }
      rows.push([out, bone, inn]);
    }
    const bottom = [];
    for (const v of rows[3]) bottom.push(m.attach([m.src[v][0], m.h], v, shin, shin, true));
    rows.push(bottom);
    m.quad(outer, hip, rows[0][1], rows[0][0], BODY);
    m.quad(hip, crotch, rows[0][2], rows[0][1], BODY);
    for (let i = 0; i < 4; i++) {
      const [o0, b0, i0] = rows[i];
      const [o1, b1, i1] = rows[i + 1];
      m.quad(o0, b0, b1, o1, BODY);
      m.quad(b0, i0, i1, b1, BODY);
    }
    chains[sname] = [outer, ...rows.map((r) => r[0])];
    inner[sname] = rows.map((r) => r[2]);
  }
  m.sideMargin([top[0], ...chains.right], 0.0);
  m.sideMargin([top[top.length - 1], ...chains.left], m.w);
  m.fill([crotch, ...inner.right, ...inner.left.slice().reverse()]);
  return ref;
}

/** @param {Record<string, Point>} a @param {readonly string[]} names @param {boolean} top */
function partSources(a, names, top) {
  /** @type {Record<string, Point>} */
  const dirs = {};
  /** @param {string} part @param {string} p0 @param {string} p1 */
  const put = (part, p0, p1) => {
    dirs[part] = /** @type {Point} */ (unit(a[p1][0] - a[p0][0], a[p1][1] - a[p0][1]));
  };
  if (top) put("torso", "right_shoulder", "left_shoulder");
  else put("torso", "right_hip", "left_hip");
  put("hipline", "right_hip", "left_hip");
  for (const sname of ["right", "left"]) {
    const [upper, fore, thigh, shin] = limbParts(sname);
    if (names.includes(sname + "_elbow")) put(upper, sname + "_shoulder", sname + "_elbow");
    if (names.includes(sname + "_wrist")) put(fore, sname + "_elbow", sname + "_wrist");
    if (names.includes(sname + "_knee")) put(thigh, sname + "_hip", sname + "_knee");
    if (names.includes(sname + "_ankle")) put(shin, sname + "_knee", sname + "_ankle");
  }
  return dirs;
}

/** @param {Garment} garment */
function checkGarment(garment) {
  const kind = garment.kind;
  if (!Object.prototype.hasOwnProperty.call(REQUIRED_ANCHORS, kind)) {
    throw new RangeError(`unknown garment kind ${JSON.stringify(kind)}`);
  }
  const width = Number(garment.width);
  const height = Number(garment.height);
  if (!(width >= 4 && height >= 4)) throw new RangeError("garment overlay is too small");
  const given = garment.anchors || {};
  /** @type {Record<string, Point>} */
  const anchors = {};
  for (const name of REQUIRED_ANCHORS[kind]) {
    if (!Object.prototype.hasOwnProperty.call(given, name)) throw new RangeError(`garment lacks anchor '${name}'`);
    const x = Number(given[name][0]);
    const y = Number(given[name][1]);
    if (!(x >= 0 && x <= width && y >= 0 && y <= height)) {
      throw new RangeError(`garment anchor '${name}' lies outside the overlay`);
    }
    anchors[name] = [x, y];
  }
  return { kind, width, height, anchors };
}

/** @type {Map<string, any>} */
const meshCache = new Map();
const MESH_CACHE_SIZE = 128;

/** @param {Garment} garment */
function meshFor(garment) {
  const { kind, width, height, anchors } = checkGarment(garment);
  const names = REQUIRED_ANCHORS[kind];
  const key = JSON.stringify([kind, width, height, names.map((n) => anchors[n])]);
  const cached = meshCache.get(key);
  if (cached !== undefined) {
    meshCache.delete(key);
    meshCache.set(key, cached);
    return cached;
  }
  const top = names.includes("right_shoulder");
  let m;
  let ref;
  let mid0;
  let mid1;
  if (top) {
    const short = names.includes("right_elbow") && !names.includes("right_wrist");
    const layouts = short ? SHORT_SLEEVE_LAYOUTS : TOP_LAYOUTS;
    for (let i = 0; i < layouts.length; i++) {
      m = new Mesh(width, height);
      try {
        ref = buildTop(m, anchors, names, layouts[i]);
        m.checkCover();
        break;
      } catch (err) {
        if (!(err instanceof RangeError) || i === layouts.length - 1) throw err;
      }
    }
    mid0 = lerp(anchors.right_shoulder, anchors.left_shoulder, 0.5);
    mid1 = lerp(anchors.right_hip, anchors.left_hip, 0.5);
  } else {
    for (let i = 0; i < LOWER_LAYOUTS.length; i++) {
      m = new Mesh(width, height);
      try {
        ref = buildLower(m, anchors, names, LOWER_LAYOUTS[i]);
        m.checkCover();
        break;
      } catch (err) {
        if (!(err instanceof RangeError) || i === LOWER_LAYOUTS.length - 1) throw err;
      }
    }
    mid0 = lerp(anchors.right_hip, anchors.left_hip, 0.5);
    mid1 = lerp(anchors.right_knee, anchors.left_knee, 0.5);
  }
  const dirs = partSources(anchors, names, top);
  const t = dirs.torso;
  const hand = -t[1] * (mid1[0] - mid0[0]) + t[0] * (mid1[1] - mid0[1]) < 0 ? -1.0 : 1.0;
  const [triangles, layers] = m.orderedTriangles();
  const mesh = {
    kind,
    top,
    names,
    anchors,
    src: m.src,
    triangles,
    layers,
    bind: m.bind,
    ref,
    dirs,
    hand,
  };
  meshCache.set(key, mesh);
  if (meshCache.size > MESH_CACHE_SIZE) meshCache.delete(meshCache.keys().next().value);
  return mesh;
}

/**
 * Return the pose-independent part of a fit: {kind, src, triangles}.
 * Throws RangeError when the garment is malformed or cannot be meshed.
 * @param {Garment} garment
 */
export function garmentTopology(garment) {
  const mesh = meshFor(garment);
  return {
    kind: mesh.kind,
    src: mesh.src.map((/** @type {Point} */ p) => [p[0], p[1]]),
    triangles: mesh.triangles.map((/** @type {number[]} */ t) => [t[0], t[1], t[2]]),
    layers: mesh.layers.slice(),
  };
}

// --- Fitting to a pose ------------------------------------------------------------

class Body {
  /** @param {number} k @param {number} hand @param {Record<string, Point>} srcDirs */
  constructor(k, hand, srcDirs) {
    /** @type {Record<string, Point>} */
    this.joints = {};
    /** @type {string[]} */
    this.estimated = [];
    this.k = k;
    this.hand = hand;
    this.srcDirs = srcDirs;
    /** @type {Record<string, Point>} */
    this.dstDirs = {};
  }

  /** @param {string} part @param {number} dx @param {number} dy @returns {Point} */
  turn(part, dx, dy) {
    const a = this.srcDirs[part];
    const b = this.dstDirs[part];
    const along = dx * a[0] + dy * a[1];
    const across = (dx * -a[1] + dy * a[0]) * this.hand;
    return [(b[0] * along - b[1] * across) * this.k, (b[1] * along + b[0] * across) * this.k];
  }

  /** @param {string} part1 @param {string} part2 @param {number} dx @param {number} dy @returns {Point} */
  turn2(part1, part2, dx, dy) {
    const d1 = this.turn(part1, dx, dy);
    if (part2 === part1) return d1;
    const d2 = this.turn(part2, dx, dy);
    const mx = (d1[0] + d2[0]) * 0.5;
    const my = (d1[1] + d2[1]) * 0.5;
    const lm = Math.sqrt(mx * mx + my * my);
    if (lm < TINY) return d1;
    const s = Math.sqrt(d1[0] * d1[0] + d1[1] * d1[1]) / lm;
    return [mx * s, my * s];
  }
}

/** @param {Point} p0 @param {Point} p1 @param {Point} fallback @returns {Point} */
function direction(p0, p1, fallback) {
  const d = unit(p1[0] - p0[0], p1[1] - p0[1]);
  return d === null ? fallback : d;
}

/** @param {Point} u @param {Point} cue */
function downHand(u, cue) {
  return -u[1] * cue[0] + u[0] * cue[1] < 0 ? -1.0 : 1.0;
}

/** @param {Point} shmid @param {Point|null} rh @param {Point|null} lh @param {Point|null} nose @returns {Point} */
function bodyCue(shmid, rh, lh, nose) {
  if (rh !== null && lh !== null) {
    const h = lerp(rh, lh, 0.5);
    return [h[0] - shmid[0], h[1] - shmid[1]];
  }
  if (rh !== null || lh !== null) {
    const h = /** @type {Point} */ (rh !== null ? rh : lh);
    return [h[0] - shmid[0], h[1] - shmid[1]];
  }
  if (nose !== null) return [shmid[0] - nose[0], shmid[1] - nose[1]];
  return [0.0, 1.0];
}

/**
 * The hips estimated from the shoulders (see Python's _estimated_hips).
 * @param {Point} rs @param {Point} ls @param {Point} u @param {number} hand @param {number} hipWidth
 * @returns {[Point, Point]}
 */
function estimatedHips(rs, ls, u, hand, hipWidth) {
  const shmid = lerp(rs, ls, 0.5);
  const drop = TORSO_RATIO * dist(rs, ls);
  /** @type {Point} */
  const mid = [shmid[0] - u[1] * hand * drop, shmid[1] + u[0] * hand * drop];
  const half = hipWidth * 0.5;
  return [
    [mid[0] - u[0] * half, mid[1] - u[1] * half],
    [mid[0] + u[0] * half, mid[1] + u[1] * half],
  ];
}

/**
 * The hips below the seen shoulders, each blended from its estimate to its landmark by its trust,
 * the two trust weights and the body width (see Python's _trusted_hips).
 * @param {Point} rs @param {Point} ls @param {Point} u @param {number} hand
 * @param {(name: string) => [Point, number]} trust @param {string[]} estimated
 * @returns {[Point, Point, number, number, number]} [rh, lh, wr, wl, bw]
 */
function trustedHips(rs, ls, u, hand, trust, estimated) {
  const [[orh, wr], [olh, wl]] = [trust("right_hip"), trust("left_hip")];
  const sw = dist(rs, ls);
  const [er, el] = estimatedHips(rs, ls, u, hand, sw * HIP_WIDTH_RATIO);
  const sx = el[0] - er[0];
  const sy = el[1] - er[1];
  const r1 = lerp(er, orh, wr);
  const l1 = lerp(el, olh, wl);
  const rh = lerp(r1, [l1[0] - sx, l1[1] - sy], wl * (1.0 - wr));
  const lh = lerp(l1, [r1[0] + sx, r1[1] + sy], wr * (1.0 - wl));
  if (wr < 0.5) estimated.push("right_hip");
  if (wl < 0.5) estimated.push("left_hip");
  const bw = sw + (Math.max(sw, dist(lerp(rs, ls, 0.5), lerp(rh, lh, 0.5)) / TORSO_RATIO) - sw) * (wr * wl);
  return [rh, lh, wr, wl, bw];
}

/**
 * Return the shoulder seams for shoulder joints rs, ls (see Python's _seams).
 * @param {Point} rs @param {Point} ls @param {Point} up @param {number} bw
 * @returns {[Point, Point]}
 */
function seams(rs, ls, up, bw) {
  const ox = (ls[0] - rs[0]) * SHOULDER_SEAM_OUT;
  const oy = (ls[1] - rs[1]) * SHOULDER_SEAM_OUT;
  const dx = up[0] * SHOULDER_SEAM_UP * bw;
  const dy = up[1] * SHOULDER_SEAM_UP * bw;
  return [
    [rs[0] - ox + dx, rs[1] - oy + dy],
    [ls[0] + ox + dx, ls[1] + oy + dy],
  ];
}

/**
 * Return the body's sides at hip height for hip joints rh, lh (see Python's _hip_sides).
 * @param {Point} rh @param {Point} lh @param {Point} u @param {number} bw
 * @returns {[Point, Point]}
 */
function hipSides(rh, lh, u, bw) {
  const d = unit(lh[0] - rh[0], lh[1] - rh[1]) ?? u;
  const o = HIP_SIDE_OUT * Math.max(dist(rh, lh), HIP_WIDTH_RATIO * bw);
  return [
    [rh[0] - d[0] * o, rh[1] - d[1] * o],
    [lh[0] + d[0] * o, lh[1] + d[1] * o],
  ];
}

/**
 * @param {any} mesh
 * @param {(name: string) => Point|null} seen the joint in frame pixels if trusted, else null
 * @param {(name: string) => [Point, number]} trust the joint and its weight (trustWeight)
 * @returns {Body|null}
 */
function poseBody(mesh, seen, trust) {
  const ref = mesh.ref;
  const nose = seen("nose");
  let rs = seen("right_shoulder");
  let ls = seen("left_shoulder");
  let rh = seen("right_hip");
  let lh = seen("left_hip");
  /** @type {string[]} */
  const estimated = [];
  let su = null;
  if (rs !== null && ls !== null) su = unit(ls[0] - rs[0], ls[1] - rs[1]);
  /** @type {Point} */
  let shmid = [0, 0];
  let sw = 0;
  if (su !== null) {
    shmid = lerp(/** @type {Point} */ (rs), /** @type {Point} */ (ls), 0.5);
    sw = dist(/** @type {Point} */ (rs), /** @type {Point} */ (ls));
  }
  let u;
  let k;
  let handD;
  if (mesh.top) {
    if (su === null) return null;
    u = su;
    handD = downHand(u, bodyCue(shmid, rh, lh, nose));
    let wr, wl, bw;
    [rh, lh, wr, wl, bw] = trustedHips(/** @type {Point} */ (rs), /** @type {Point} */ (ls), u, handD, trust, estimated);
    const both = wr * wl; // how far both hips are trusted
    /** @type {Point} */
    const square = [u[1] * handD, -u[0] * handD];
    const hm = lerp(rh, lh, 0.5);
    const axis = unit(shmid[0] - hm[0], shmid[1] - hm[1]) ?? square;
    const up = unit(square[0] + (axis[0] - square[0]) * both, square[1] + (axis[1] - square[1]) * both) ?? square;
    [rs, ls] = seams(/** @type {Point} */ (rs), /** @type {Point} */ (ls), up, bw);
    [rh, lh] = hipSides(rh, lh, u, bw);
    k = dist(rs, ls) / ref.ref;
    k += (Math.max(k, dist(lerp(rs, ls, 0.5), lerp(rh, lh, 0.5)) / ref.torso_len) - k) * both;
  } else {
    let bw = 0.0;
    let wr = 1.0;
    let wl = 1.0;
    if (su !== null) {
      // With the shoulders to estimate from, the hips are trusted gradually, as a top's are.
      const handS = downHand(su, bodyCue(shmid, rh, lh, nose));
      [rh, lh, wr, wl, bw] = trustedHips(/** @type {Point} */ (rs), /** @type {Point} */ (ls), su, handS, trust, estimated);
    } else if (rh === null || lh === null) {
      return null;
    }
    const uu = unit(lh[0] - rh[0], lh[1] - rh[1]);
    if (uu === null) return null;
    u = uu;
    [rh, lh] = hipSides(rh, lh, u, bw);
    const hipmid = lerp(rh, lh, 0.5);
    /** @type {Record<string, Point|null>} */
    const knees = { right: seen("right_knee"), left: seen("left_knee") };
    /** @type {Point} */
    let cue;
    if (su !== null) {
      cue = [hipmid[0] - shmid[0], hipmid[1] - shmid[1]];
    } else if (knees.right !== null || knees.left !== null) {
      let kk = /** @type {Point} */ (knees.right !== null ? knees.right : knees.left);
      if (knees.right !== null && knees.left !== null) kk = lerp(knees.right, knees.left, 0.5);
      cue = [kk[0] - hipmid[0], kk[1] - hipmid[1]];
    } else if (nose !== null) {
      cue = [hipmid[0] - nose[0], hipmid[1] - nose[1]];
    } else {
      cue = [0.0, 1.0];
    }
    handD = downHand(u, cue);
    k = dist(rh, lh) / ref.ref;
    for (const [sname, hip, wh] of /** @type {[string, Point, number][]} */ ([["right", rh, wr], ["left", lh, wl]])) {
      // Hips foreshorten when the shopper turns; thighs do not. As far as hip and knee are trusted.
      const [knee, w] = trust(sname + "_knee");
      k += (Math.max(k, dist(hip, knee) / ref.thigh[sname]) - k) * w * wh;
    }
  }
  if (!(k > TINY)) return null;
  const body = new Body(k, handD * mesh.hand, mesh.dirs);
  body.estimated = estimated;
  if (mesh.top) {
    body.joints.right_shoulder = /** @type {Point} */ (rs);
    body.joints.left_shoulder = /** @type {Point} */ (ls);
  }
  body.joints.right_hip = rh;
  body.joints.left_hip = lh;
  body.dstDirs.torso = u;
  body.dstDirs.hipline = direction(rh, lh, u);
  const art = mesh.anchors;
  const names = mesh.names;

  /** @param {string} child @param {string} parent @param {string} part @param {string} newPart */
  const place = (child, parent, part, newPart) => {
    const [o, w] = trust(child);
    const q = body.joints[parent];
    const d = body.turn(part, art[child][0] - art[parent][0], art[child][1] - art[parent][1]);
    const p = lerp([q[0] + d[0], q[1] + d[1]], o, w);
    if (w < 0.5) estimated.push(child);
    body.joints[child] = p;
    const a = body.srcDirs[newPart];
    const f = body.turn(part, a[0], a[1]);
    body.dstDirs[newPart] = direction(q, p, unit(f[0], f[1]) ?? body.dstDirs[part]);
  };

  for (const sname of ["right", "left"]) {
    const [upper, fore, thigh, shin] = limbParts(sname);
    if (names.includes(sname + "_elbow")) place(sname + "_elbow", sname + "_shoulder", "torso", upper);
    if (names.includes(sname + "_wrist")) place(sname + "_wrist", sname + "_elbow", upper, fore);
    if (names.includes(sname + "_knee")) place(sname + "_knee", sname + "_hip", "hipline", thigh);
    if (names.includes(sname + "_ankle")) place(sname + "_ankle", sname + "_knee", thigh, shin);
  }
  return body;
}

/**
 * Place `garment` on the body given by 33 MediaPipe landmarks ([x, y, z, visibility],
 * normalised) in a frame of the given size. Returns the fit, or null when the body
 * cannot carry the garment (shoulders unusable for a top; hips and shoulders unusable
 * for trousers or a skirt). Hidden joints are estimated and listed in `estimated`.
 * Throws RangeError for a malformed garment.
 * @param {ArrayLike<ArrayLike<number>>|null|undefined} landmarks
 * @param {number} frameWidth
 * @param {number} frameHeight
 * @param {Garment} garment
 * @returns {Fit|null}
 */
export function fitGarment(landmarks, frameWidth, frameHeight, garment) {
  const mesh = meshFor(garment);
  if (landmarks === null || landmarks === undefined || landmarks.length < 33) return null;
  const fw = Number(frameWidth);
  const fh = Number(frameHeight);

  /** @param {string} name @returns {Point|null} */
  const seen = (name) => {
    const lm = landmarks[LANDMARK_INDEX[name]];
    return landmarkSeen(lm) ? [Number(lm[0]) * fw, Number(lm[1]) * fh] : null;
  };

  /** @param {string} name @returns {[Point, number]} the joint in frame pixels and how far it is trusted */
  const trust = (name) => {
    const lm = landmarks[LANDMARK_INDEX[name]];
    const vis = lm.length > 3 ? Number(lm[3]) : 1.0;
    const x = Number(lm[0]);
    const y = Number(lm[1]);
    return [[x * fw, y * fh], trustWeight(x, y, vis)];
  };

  const body = poseBody(mesh, seen, trust);
  if (body === null) return null;
  const joints = body.joints;
  /** @type {Point[]} */
  let quad = [];
  if (mesh.top) quad = [joints.right_shoulder, joints.left_shoulder, joints.left_hip, joints.right_hip];
  /** @type {Point[]} */
  const dst = [];
  for (const binding of mesh.bind) {
    const op = binding[0];
    /** @type {Point} */
    let p;
    if (op === "joint") {
      p = joints[binding[1]];
    } else if (op === "bilinear") {
      p = bilinearPoint(quad, binding[1], binding[2]);
    } else if (op === "segment") {
      const [, va, vb, part, t, off] = binding;
      const pa = dst[va];
      const pb = dst[vb];
      const d = body.dstDirs[part];
      const o = off * body.k * body.hand;
      p = [pa[0] + (pb[0] - pa[0]) * t - d[1] * o, pa[1] + (pb[1] - pa[1]) * t + d[0] * o];
    } else if (op === "attach") {
      const [, v, part1, part2, dx, dy] = binding;
      const q = dst[v];
      const d = body.turn2(part1, part2, dx, dy);
      p = [q[0] + d[0], q[1] + d[1]];
    } else {
      p = lerp(dst[binding[1]], dst[binding[2]], binding[3]);
    }
    dst.push(p);
  }
  return {
    kind: mesh.kind,
    src: mesh.src.map((/** @type {Point} */ q) => [q[0], q[1]]),
    dst: dst.map((q) => [q[0], q[1]]),
    triangles: mesh.triangles.map((/** @type {number[]} */ t) => [t[0], t[1], t[2]]),
    layers: mesh.layers.slice(),
    scale: body.k * mesh.ref.ref,
    estimated: body.estimated.slice().sort(),
  };
}
