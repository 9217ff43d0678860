// Size advice on the device: body measurements and the size that fits (browser twin).
//
// JavaScript twin of tryon/sizing.py: same model file (static/tryon/sizing-model.json, fitted on
// ANSUR II by tools/fit_sizing_model.py), same operations in the same order, same vectors
// (tests/vectors/sizing). Read the Python module's docstring for the method. Nothing here sends
// anything anywhere: the shopper's height, weight and measurements stay in the page.

export const HEIGHT_CM = [100.0, 250.0];
export const WEIGHT_KG = [25.0, 300.0];
const CM_PER_INCH = 2.54;
const KG_PER_LB = 0.45359237;
export const MEASURES = ["chest", "waist", "hips", "inseam", "shoulder_breadth"];
const CAMERA_INPUTS = ["width", "depth"];

/** @type {Record<string, string[]>} */
export const ZONES_BY_KIND = {
  tshirt: ["chest", "waist"],
  longsleeve: ["chest", "waist"],
  jacket: ["chest", "waist"],
  dress: ["chest", "waist", "hips"],
  skirt: ["waist", "hips"],
  trousers: ["waist", "hips"],
};
/** @type {Record<string, string>} */
const LENGTH_BY_KIND = { trousers: "inseam" };
const LENGTH_TOLERANCE_CM = 2.5;
const BETWEEN_SIZES = 0.25;
const OUT_OF_CHART = 0.5;
const SINGLE_SIZE_STEP_CM = 4.0;

/** A shopper's input that cannot be used; `message` is the text to show. */
export class BodyInputError extends Error {
  /** @param {string} field @param {string} message */
  constructor(field, message) {
    super(message);
    this.field = field;
    this.message = message;
  }
}

/** Round half up to a whole number, as the Python twin does. @param {number} value */
function fmt(value) {
  return String(Math.floor(value + 0.5));
}

/** A probability as a whole percent, at most 99: the model is never certain. @param {number} p */
function percentOf(p) {
  return String(Math.min(99, Math.floor(100 * p + 0.5)));
}

const FEET_INCHES = /^(\d+(?:\.\d+)?)\s*(?:'|’|ft|feet|foot)\s*(?:(\d+(?:\.\d+)?)\s*(?:"|”|''|in|inch|inches)?)?$/;
const WITH_UNIT = /^([-+]?\d+(?:\.\d+)?)\s*(cm|m|in|inch|inches|"|kg|lb|lbs)?$/;

/** @param {unknown} text */
function clean(text) {
  return String(text ?? "").trim().toLowerCase();
}

/**
 * `value`, or the message saying it is outside `bounds` (a wrong unit, usually).
 * @param {string} field @param {number} value @param {string} unit @param {number[]} bounds
 */
function within(field, value, unit, bounds) {
  const [low, high] = bounds;
  if (!(low <= value && value <= high)) {
    throw new BodyInputError(field, `A ${field} of ${fmt(value)} ${unit} is outside ${fmt(low)}–${fmt(high)} ${unit}: check the number and the unit.`);
  }
  return value;
}

/**
 * A height in centimetres from "172", "172 cm", "1.72 m", "5'8\"", "5 ft 8", "68 in".
 * @param {unknown} text
 * @returns {number}
 */
export function parseHeight(text) {
  const raw = clean(text);
  if (!raw) throw new BodyInputError("height", "Enter your height, in cm (e.g. 172) or feet and inches (e.g. 5'8\").");
  /** @type {number | null} */
  let cm = null;
  let match = FEET_INCHES.exec(raw);
  if (match) {
    cm = (parseFloat(match[1]) * 12 + parseFloat(match[2] ?? "0")) * CM_PER_INCH;
  } else if ((match = WITH_UNIT.exec(raw))) {
    const value = parseFloat(match[1]);
    const unit = match[2] ?? "cm";
    if (["in", "inch", "inches", '"'].includes(unit)) cm = value * CM_PER_INCH;
    else if (unit === "m") cm = value * 100;
    else if (unit === "cm") cm = value;
  }
  if (cm === null || !Number.isFinite(cm)) {
    throw new BodyInputError("height", "Enter your height as a number, in cm (e.g. 172) or feet and inches (e.g. 5'8\").");
  }
  return within("height", cm, "cm", HEIGHT_CM);
}

/**
 * A weight in kilograms from "68", "68 kg", "150 lb", or null when left empty.
 * @param {unknown} text
 * @returns {number | null}
 */
export function parseWeight(text) {
  const raw = clean(text);
  if (!raw) return null;
  const match = WITH_UNIT.exec(raw);
  const unit = match ? (match[2] ?? "kg") : null;
  if (!match || !["kg", "lb", "lbs"].includes(/** @type {string} */ (unit))) {
    throw new BodyInputError("weight", "Enter your weight as a number, in kg (e.g. 68) or lb (e.g. 150 lb), or leave it empty.");
  }
  const kg = parseFloat(match[1]) * (unit === "lb" || unit === "lbs" ? KG_PER_LB : 1.0);
  if (kg <= 0) throw new BodyInputError("weight", "Weight must be more than 0: enter it in kg or lb, or leave it empty.");
  return within("weight", kg, "kg", WEIGHT_KG);
}

/**
 * "female", "male", or null for "", "any" or not given.
 * @param {unknown} text
 * @returns {string | null}
 */
export function parseSex(text) {
  const raw = clean(text);
  if (["", "any", "unspecified", "none"].includes(raw)) return null;
  if (raw === "female" || raw === "male") return raw;
  throw new BodyInputError("sex", "Choose female, male, or leave it unspecified.");
}

/**
 * @typedef {{inputs: string[], coef: number[], half80: number}} FittedModel
 * @typedef {{z80: number, models: Record<string, Record<string, FittedModel[]>>}} SizingModel
 * @typedef {{value: number, sd: number, low: number, high: number, inputs: string[], camera: string}} Measurement
 * @typedef {{width?: number | null, width_sd?: number, depth?: number | null, depth_sd?: number}} Observation
 */

/**
 * @param {FittedModel} model @param {number} z80
 * @param {Record<string, number | null | undefined>} values @param {Record<string, number>} sds
 * @returns {[number, number] | null}
 */
function candidate(model, z80, values, sds) {
  let total = model.coef[0];
  let spread = model.half80 ** 2;
  for (let i = 0; i < model.inputs.length; i++) {
    const name = model.inputs[i];
    const coef = model.coef[i + 1];
    const x = values[name];
    if (x === null || x === undefined) return null;
    total += coef * x;
    if (CAMERA_INPUTS.includes(name)) spread += (z80 * coef * (sds[name] ?? 0.0)) ** 2;
  }
  return [total, Math.sqrt(spread)];
}

/**
 * Predict each body measure with its 80% interval (see tryon/sizing.py estimate).
 * @param {SizingModel} model
 * @param {number} height
 * @param {number | null} [weight]
 * @param {string | null} [sex]
 * @param {Record<string, Observation>} [observed]
 * @returns {Record<string, Measurement>}
 */
export function estimate(model, height, weight = null, sex = null, observed = {}) {
  const z80 = model.z80;
  const fitted = model.models[sex || "any"];
  /** @type {Record<string, Measurement>} */
  const out = {};
  for (const measure of MEASURES) {
    const seen = observed[measure] || {};
    const values = { height, weight, width: seen.width ?? null, depth: seen.depth ?? null };
    const sds = { width: seen.width_sd ?? 0.0, depth: seen.depth_sd ?? 0.0 };
    /** @type {[number, number, string[]] | null} */
    let best = null;
    for (const c of fitted[measure]) {
      const got = candidate(c, z80, values, sds);
      if (got !== null && (best === null || got[1] < best[1])) best = [got[0], got[1], c.inputs];
    }
    const [value, half, inputs] = /** @type {[number, number, string[]]} */ (best);
    let camera = "not measured";
    if (inputs.includes("width")) camera = "used";
    else if (seen.width !== null && seen.width !== undefined) camera = "adds nothing";
    out[measure] = { value, sd: half / z80, low: value - half, high: value + half, inputs: [...inputs], camera };
  }
  return out;
}

/** Standard normal CDF, Abramowitz & Stegun 7.1.26, as in Python. @param {number} x */
export function normalCdf(x) {
  const z = Math.abs(x) / Math.sqrt(2.0);
  const t = 1.0 / (1.0 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1.0 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1.0 + erf) : 0.5 * (1.0 - erf);
}

/** @param {number[]} values */
function edgesOf(values) {
  if (values.length === 1) return [values[0] - SINGLE_SIZE_STEP_CM / 2, values[0] + SINGLE_SIZE_STEP_CM / 2];
  const inner = values.slice(1).map((b, i) => (values[i] + b) / 2);
  const n = values.length;
  return [values[0] - (values[1] - values[0]) / 2, ...inner, values[n - 1] + (values[n - 1] - values[n - 2]) / 2];
}

/**
 * @typedef {{size: string, chest?: number | null, waist?: number | null, hips?: number | null, length?: number | null}} ChartRow
 * @typedef {{status: string, size: string | null, confidence: number | null,
 *   alternative: {size: string, confidence: number, fit: string} | null, message: string,
 *   probabilities: Record<string, number>, zones: Record<string, {fit: string, body: number, chart: number}>,
 *   notes: string[]}} Advice
 */

/** @param {string} status @param {string} message @param {string[]} notes @returns {Advice} */
function noAdvice(status, message, notes) {
  return { status, size: null, confidence: null, alternative: null, message, probabilities: {}, zones: {}, notes };
}

/** @param {number[]} xs */
function product(xs) {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/**
 * The chart zones the kind's size depends on that the chart gives for every size and the body has,
 * or a reason the chart cannot be used.
 * @param {Record<string, Measurement>} measurements @param {ChartRow[]} chart @param {string} kind @param {string[]} notes
 * @returns {[string, number[]][] | string} the zones with their values, or a bad chart's message
 */
function usableZones(measurements, chart, kind, notes) {
  const sizes = chart.map((row) => row.size);
  /** @type {[string, number[]][]} */
  const zones = [];
  for (const zone of ZONES_BY_KIND[kind] || ["chest", "waist", "hips"]) {
    const given = chart.map((row) => /** @type {any} */ (row)[zone] !== null && /** @type {any} */ (row)[zone] !== undefined);
    if (!given.some(Boolean)) continue;
    if (!given.every(Boolean)) {
      const lacking = sizes.filter((_, i) => !given[i]).join(", ");
      notes.push(`The size chart gives no ${zone} for ${lacking}, so ${zone} was not used.`);
      continue;
    }
    const values = chart.map((row) => Number(/** @type {any} */ (row)[zone]));
    if (values.slice(1).some((b, i) => b <= values[i])) {
      return `The size chart's ${zone} does not grow from ${sizes[0]} to ${sizes[sizes.length - 1]}, so we cannot advise a size.`;
    }
    if (!measurements[zone]) {
      notes.push(`Your ${zone} was not measured, so ${zone} was not used.`);
      continue;
    }
    zones.push([zone, values]);
  }
  return zones;
}

/**
 * Each zone's fit in the size at index `k`: regular where the body falls in that size's range,
 * loose where a smaller size would do, tight where it needs a larger one; and the length.
 * @param {Record<string, Measurement>} measurements @param {ChartRow[]} chart @param {string} kind
 * @param {[string, number[]][]} zones @param {number} k
 * @returns {Record<string, {fit: string, body: number, chart: number}>}
 */
function zoneFit(measurements, chart, kind, zones, k) {
  /** @type {Record<string, {fit: string, body: number, chart: number}>} */
  const out = {};
  for (const [zone, values] of zones) {
    const body = measurements[zone].value;
    const edges = edgesOf(values);
    const fit = body > edges[k + 1] ? "tight" : body < edges[k] ? "loose" : "regular";
    out[zone] = { fit, body, chart: values[k] };
  }
  const bodyLength = LENGTH_BY_KIND[kind];
  const row = /** @type {any} */ (chart[k]);
  if (bodyLength && measurements[bodyLength] && row.length !== null && row.length !== undefined) {
    const body = measurements[bodyLength].value;
    const length = Number(row.length);
    const fit = length - body > LENGTH_TOLERANCE_CM ? "long" : body - length > LENGTH_TOLERANCE_CM ? "short" : "regular";
    out.length = { fit, body, chart: length };
  }
  return out;
}

/**
 * The per-zone fit of any one size of the chart (for the size switcher's tint), as recommend()
 * gives it for the size it advises. Empty where the chart or the body gives nothing to compare.
 * @param {Record<string, Measurement>} measurements @param {ChartRow[]} chart @param {string} kind @param {string} size
 */
export function fitAt(measurements, chart, kind, size) {
  const k = chart.findIndex((row) => row.size === size);
  const zones = k < 0 ? [] : usableZones(measurements, chart, kind, []);
  return typeof zones === "string" ? {} : zoneFit(measurements, chart, kind, zones, k);
}

/**
 * Advise a size from `estimate`'s measurements and a size chart (see tryon/sizing.py recommend).
 * @param {Record<string, Measurement>} measurements
 * @param {ChartRow[]} chart sizes smallest first
 * @param {string} kind
 * @param {string[] | null} [offered]
 * @returns {Advice}
 */
export function recommend(measurements, chart, kind, offered = null) {
  /** @type {string[]} */
  const notes = [];
  if (!chart || chart.length === 0) return noAdvice("no_chart", "This product has no size chart, so we cannot advise a size.", notes);
  const sizes = chart.map((row) => row.size);
  if (new Set(sizes).size !== sizes.length) {
    return noAdvice("bad_chart", "The size chart lists a size twice, so we cannot advise a size.", notes);
  }
  const missing = (offered || []).filter((s) => !sizes.includes(s));
  if (missing.length) {
    return noAdvice("bad_chart", `The size chart has no row for ${missing.join(", ")}, so we cannot advise a size.`, notes);
  }
  const usable = usableZones(measurements, chart, kind, notes);
  if (typeof usable === "string") return noAdvice("bad_chart", usable, notes);
  const zones = usable;
  if (zones.length === 0) {
    return noAdvice("no_chart", "The size chart has no measurement we can compare with yours, so we cannot advise a size.", notes);
  }
  const n = sizes.length;
  const cumulative = zones.map(([zone, values]) => {
    const m = measurements[zone];
    return edgesOf(values).map((edge) => normalCdf((edge - m.value) / m.sd));
  });
  const joint = [];
  for (let j = 0; j <= n; j++) joint.push(product(cumulative.map((f) => f[j])));
  const below = joint[0];
  const above = 1.0 - joint[n];
  /** @type {Record<string, number>} */
  const probabilities = {};
  for (let k = 0; k < n; k++) probabilities[sizes[k]] = joint[k + 1] - joint[k];

  if (above >= OUT_OF_CHART || below >= OUT_OF_CHART) {
    let i = 0;
    let where;
    let end;
    if (above >= below) {
      for (let j = 1; j < zones.length; j++) if (1.0 - cumulative[j][n] > 1.0 - cumulative[i][n]) i = j;
      where = "above the largest";
      end = n - 1;
    } else {
      for (let j = 1; j < zones.length; j++) if (cumulative[j][0] < cumulative[i][0]) i = j;
      where = "below the smallest";
      end = 0;
    }
    const [zone, values] = zones[i];
    const message = `Your ${zone} (about ${fmt(measurements[zone].value)} cm) is ${where} size on this chart ` +
      `(${sizes[end]}: ${fmt(values[end])} cm), so we cannot advise a size.`;
    const result = noAdvice("out_of_chart", message, notes);
    result.probabilities = probabilities;
    return result;
  }

  let best = 0;
  for (let k = 1; k < n; k++) if (probabilities[sizes[k]] > probabilities[sizes[best]]) best = k;
  /** @type {{size: string, confidence: number, fit: string} | null} */
  let alternative = null;
  const neighbours = [best - 1, best + 1].filter((k) => k >= 0 && k < n);
  if (neighbours.length) {
    let other = neighbours[0];
    for (const k of neighbours.slice(1)) if (probabilities[sizes[k]] > probabilities[sizes[other]]) other = k;
    if (probabilities[sizes[other]] >= BETWEEN_SIZES) {
      alternative = { size: sizes[other], confidence: probabilities[sizes[other]], fit: other > best ? "looser" : "closer" };
    }
  }
  const size = sizes[best];
  const percent = percentOf(probabilities[size]);
  let message = `${size} fits you, ${percent}% sure`;
  if (alternative) {
    message = `${size}, or ${alternative.size} for a ${alternative.fit} fit (${percent}% / ${percentOf(alternative.confidence)}% sure)`;
  }

  const zoneFits = zoneFit(measurements, chart, kind, zones, best);
  return { status: "ok", size, confidence: probabilities[size], alternative, message, probabilities, zones: zoneFits, notes };
}
