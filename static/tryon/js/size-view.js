// Draw a garment at a size's true scale on the shopper's body.
//
// The fitted mesh (geometry.js) dresses the body in a garment cut for exactly that body. A size
// is a garment cut for the chart's body: drawn on this shopper, it is wider (or narrower) by the
// chart's measurement over the shopper's, around the torso's middle line. So an S is visibly
// narrower than an XL, by the chart's difference between them.

import { ZONES_BY_KIND } from "./sizing.js";

/** The chart zone whose width sets how wide each kind of garment is drawn. */
/** @type {Record<string, string>} */
export const WIDTH_ZONE = { tshirt: "chest", longsleeve: "chest", jacket: "chest", dress: "chest", skirt: "hips", trousers: "hips" };
/** A size is never drawn narrower or wider than this against the body (a chart far off the body). */
export const MIN_SCALE = 0.8;
export const MAX_SCALE = 1.25;

/**
 * How much wider than the body a size is drawn: chart / body in the kind's width zone (or, where
 * the chart or the measurements lack it, the next zone the kind depends on). Null: no basis.
 * @param {string} kind
 * @param {Record<string, {value: number}>} measurements sizing.js estimate()
 * @param {Record<string, any>} row a chart row ({size, chest, waist, hips, length})
 * @returns {number | null}
 */
export function sizeScale(kind, measurements, row) {
  const zones = [WIDTH_ZONE[kind] || "chest", ...(ZONES_BY_KIND[kind] || [])];
  for (const zone of zones) {
    const chart = row?.[zone];
    const body = measurements?.[zone]?.value;
    if (chart !== null && chart !== undefined && body > 0) {
      return Math.min(MAX_SCALE, Math.max(MIN_SCALE, Number(chart) / body));
    }
  }
  return null;
}

/**
 * The mesh widened by `factor` about the torso's middle line (the shoulders' middle to the hips'
 * middle, in frame pixels, extended above and below). Returns a new mesh; `mesh` is unchanged.
 * @param {{dst: number[][]} & Record<string, any>} mesh geometry.js fitGarment()
 * @param {number[][]} landmarks normalised, the frame the mesh was fitted in
 * @param {number} width @param {number} height frame size
 * @param {number} factor
 */
export function scaleMesh(mesh, landmarks, width, height, factor) {
  if (!mesh || factor === 1) return mesh;
  const mid = (/** @type {number} */ a, /** @type {number} */ b) => [
    (landmarks[a][0] + landmarks[b][0]) / 2 * width, (landmarks[a][1] + landmarks[b][1]) / 2 * height,
  ];
  const [sx, sy] = mid(11, 12);
  const [hx, hy] = mid(23, 24);
  const dy = hy - sy || 1;
  const dst = mesh.dst.map(([x, y]) => {
    const cx = sx + (hx - sx) * (y - sy) / dy;
    return [cx + factor * (x - cx), y];
  });
  return { ...mesh, dst };
}

/** Where each zone sits along the torso, from the shoulders' middle (0) to the hips' middle (1). */
const ZONE_AT = { chest: 0.3, waist: 0.7, hips: 1.0 };
const ZONE_BAND = 0.18; // of the torso's length, each band's height
const TINT = { tight: "rgba(230, 40, 40, 0.38)", loose: "rgba(40, 110, 230, 0.32)" };

/**
 * Tint the garment where the shown size is tight (red) or loose (blue), zone by zone. Draws only
 * over what is already on `ctx` (the garment; source-atop), in frame pixels like the mesh.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number[][]} landmarks normalised, as the mesh was fitted
 * @param {number} width @param {number} height frame size
 * @param {Record<string, {fit: string}>} zones sizing.js recommend()'s per-zone fit at that size
 */
export function tintZones(ctx, landmarks, width, height, zones) {
  const mid = (/** @type {number} */ a, /** @type {number} */ b) => [
    (landmarks[a][0] + landmarks[b][0]) / 2 * width, (landmarks[a][1] + landmarks[b][1]) / 2 * height,
  ];
  const [sx, sy] = mid(11, 12);
  const [hx, hy] = mid(23, 24);
  const torso = Math.hypot(hx - sx, hy - sy);
  if (!(torso > 0)) return;
  const reach = 1.5 * Math.hypot((landmarks[11][0] - landmarks[12][0]) * width, (landmarks[11][1] - landmarks[12][1]) * height) + torso;
  ctx.save();
  ctx.globalCompositeOperation = "source-atop";
  for (const [zone, at] of Object.entries(ZONE_AT)) {
    const colour = TINT[/** @type {"tight" | "loose"} */ (zones[zone]?.fit)];
    if (!colour) continue;
    const cx = sx + (hx - sx) * at, cy = sy + (hy - sy) * at;
    ctx.save();
    ctx.translate(cx, cy);
    ctx.rotate(Math.atan2(hy - sy, hx - sx) - Math.PI / 2);
    ctx.fillStyle = colour;
    ctx.fillRect(-reach, -ZONE_BAND * torso / 2, 2 * reach, ZONE_BAND * torso);
    ctx.restore();
  }
  ctx.restore();
}
