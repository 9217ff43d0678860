// Body widths from camera frames, on the device (browser twin).
//
// JavaScript twin of tryon/bodymeasure.py: same constants, same operations in the same order,
// same vectors (tests/vectors/bodymeasure). Read the Python module's docstring for the method.
// The mask is row-major, `width * height` values in 0..1 (MPMask.getAsFloat32Array()). Nothing
// here leaves the page.

const NOSE = 0, L_SHOULDER = 11, R_SHOULDER = 12, L_ELBOW = 13, R_ELBOW = 14, L_WRIST = 15, R_WRIST = 16;
const L_HIP = 23, R_HIP = 24, L_KNEE = 25, R_KNEE = 26, L_ANKLE = 27, R_ANKLE = 28;
const FEET = [27, 28, 29, 30, 31, 32];
const ARMS = [[L_SHOULDER, L_ELBOW, L_WRIST], [R_SHOULDER, R_ELBOW, R_WRIST]];
const LEGS = [[L_HIP, L_KNEE, L_ANKLE], [R_HIP, R_KNEE, R_ANKLE]];
export const ZONES = ["chest", "waist", "hips"];

const VISIBLE = 0.5;
const INSIDE = 0.5;
const EDGE_MARGIN = 0.01;
export const MIN_BODY_PX = 200;
const MIN_SHOULDER_RATIO = 0.14;
const FRONT_SHOULDER_RATIO = 0.19;
const MAX_NOSE_OFFSET = 0.35;
const HAND_LENGTH = 0.11;
const ARM_MARGIN = 0.015;
const SIDE_ARM_REACH = 0.025 + ARM_MARGIN;
const BAND = 0.005;
const FOOT_SEARCH = 0.06;

// Standing straight: each way of not standing so may cost at most POSTURE_BUDGET (see the Python twin).
const POSTURE_BUDGET = 0.01;
const LEG_LENGTH = 0.48;
const MAX_LEG_TILT_DEG = degrees(Math.acos(1.0 - POSTURE_BUDGET / LEG_LENGTH));
const MIN_KNEE_DEG = 180.0 - 2.0 * MAX_LEG_TILT_DEG;
const MAX_LEAN_DEG = degrees(Math.acos(1.0 / (1.0 + POSTURE_BUDGET)));

// The side view (see the Python twin for the geometry).
const SIDE_WIDTH_OVER_DEPTH = 1.443;
const MAX_SIDE_TURN_SIN = Math.sqrt(((1.0 + POSTURE_BUDGET) ** 2 - 1.0) / (SIDE_WIDTH_OVER_DEPTH ** 2 - 1.0));
const MAX_SIDE_SHOULDER_RATIO = FRONT_SHOULDER_RATIO * MAX_SIDE_TURN_SIN;

export const CAPTURE_MS = 2000.0;
export const MIN_FRAMES = 8;
const STILL_DRIFT = 0.015;
const MAX_GAP_MS = 500.0;
const SCALE_SD = 0.02;
const EDGE_SD_CM = 0.7;
const SINGLE_FRAME_SD_CM = 1.0;

/** @type {Record<string, string>} */
export const MESSAGES = {
  no_person: "Step into the camera's view, your whole body in the picture.",
  step_back: "Step back until your head and feet are in view.",
  come_closer: "Come a little closer: you are small in the picture.",
  face_camera: "Face the camera, feet apart, standing straight.",
  stand_straight: "Stand up straight, knees straight, feet hip-width apart.",
  turn_side: "Turn to your side, left or right, standing straight.",
  side_arms: "Let your arms hang straight down by your sides.",
  arms_away: "Hold your arms a little away from your body.",
  hold_still: "Hold still…",
  ok: "Measuring…",
};

/**
 * @typedef {{status: string, message: string, widths: Record<string, number>, rows: Record<string, number>,
 *   blocked: Record<string, string>, height_px: number | null, cm_per_px: number | null}} Reading
 */
/**
 * @typedef {{status: string, message: string, depths: Record<string, number>, rows: Record<string, number>,
 *   blocked: Record<string, string>, height_px: number | null, cm_per_px: number | null}} SideReading
 */

/** Radians to degrees, as Python's math.degrees. @param {number} radians */
function degrees(radians) {
  return radians / (Math.PI / 180.0);
}

/** Degrees the line from `top` down to `bottom` is out of plumb. @param {number[]} top @param {number[]} bottom */
function tilt(top, bottom) {
  return degrees(Math.atan2(Math.abs(bottom[0] - top[0]), bottom[1] - top[1]));
}

/** The hip-knee-ankle angle in the picture, in degrees. @param {number[]} hip @param {number[]} knee @param {number[]} ankle */
function kneeAngle(hip, knee, ankle) {
  const ax = hip[0] - knee[0], ay = hip[1] - knee[1];
  const bx = ankle[0] - knee[0], by = ankle[1] - knee[1];
  const norm = Math.hypot(ax, ay) * Math.hypot(bx, by);
  if (norm === 0) return 180.0;
  return degrees(Math.acos(Math.max(-1.0, Math.min(1.0, (ax * bx + ay * by) / norm))));
}

/**
 * How a pose (landmarks in pixels) is not standing straight, or null (see tryon/bodymeasure.py posture).
 * @param {number[][]} px
 * @returns {"knees_bent" | "legs_apart" | "leaning" | null}
 */
export function posture(px) {
  for (const [hip, knee, ankle] of LEGS) if (kneeAngle(px[hip], px[knee], px[ankle]) < MIN_KNEE_DEG) return "knees_bent";
  for (const [hip, , ankle] of LEGS) if (tilt(px[hip], px[ankle]) > MAX_LEG_TILT_DEG) return "legs_apart";
  const midShoulder = [(px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2];
  const midHip = [(px[L_HIP][0] + px[R_HIP][0]) / 2, (px[L_HIP][1] + px[R_HIP][1]) / 2];
  if (tilt(midShoulder, midHip) > MAX_LEAN_DEG) return "leaning";
  return null;
}

/** Round half up (Math.round), as the Python twin's _nearest. @param {number} x */
function nearest(x) {
  return Math.floor(x + 0.5);
}

/** @param {string} code @returns {Reading} */
function coaching(code) {
  return { status: code, message: MESSAGES[code], widths: {}, rows: {}, blocked: {}, height_px: null, cm_per_px: null };
}

/** @param {number[] | undefined} lm */
function seen(lm) {
  return lm !== undefined && lm !== null && lm[3] >= VISIBLE;
}

/**
 * @param {ArrayLike<number>} mask @param {number} y @param {number} x @param {number} width
 * @returns {[number, number, number] | null}
 */
function run(mask, y, x, width) {
  const base = y * width;
  if (mask[base + x] < INSIDE) return null;
  let left = x;
  while (left > 0 && mask[base + left - 1] >= INSIDE) left -= 1;
  let right = x;
  while (right < width - 1 && mask[base + right + 1] >= INSIDE) right += 1;
  let soft = 0.0;
  const end = Math.min(width - 1, right + 1);
  for (let i = Math.max(0, left - 1); i <= end; i++) soft += mask[base + i];
  return [left, right, soft];
}

/** @param {[number, number][]} arm @param {number} y */
function armX(arm, y) {
  for (let i = 0; i + 1 < arm.length; i++) {
    const [x0, y0] = arm[i];
    const [x1, y1] = arm[i + 1];
    if (Math.min(y0, y1) <= y && y <= Math.max(y0, y1) && y0 !== y1) return x0 + (x1 - x0) * (y - y0) / (y1 - y0);
  }
  return null;
}

/** @param {ArrayLike<number>} mask @param {number} y @param {number} x0 @param {number} x1 @param {number} width */
function rowHasPerson(mask, y, x0, x1, width) {
  const base = y * width;
  for (let x = x0; x <= x1; x++) if (mask[base + x] >= INSIDE) return true;
  return false;
}

/**
 * The rows of the top of the head and of the floor under the feet, or null (see the Python twin).
 * @param {ArrayLike<number>} mask @param {number[][]} px @param {number[]} feet
 * @param {number} width @param {number} height @param {number} headHalf @param {number} footHalf
 * @returns {[number, number] | null}
 */
function headAndFloor(mask, px, feet, width, height, headHalf, footHalf) {
  const edge = EDGE_MARGIN * height;
  const [noseX, noseY] = px[NOSE];
  const x0 = Math.max(0, Math.floor(noseX - headHalf));
  const x1 = Math.min(width - 1, Math.floor(noseX + headHalf));
  let top = null;
  for (let y = 0; y < Math.max(0, Math.min(height, Math.floor(noseY))); y++) {
    if (rowHasPerson(mask, y, x0, x1, width)) {
      top = y;
      break;
    }
  }
  if (top === null || top <= edge) return null;
  const footX0 = Math.max(0, Math.floor(Math.min(...feet.map((i) => px[i][0])) - footHalf));
  const footX1 = Math.min(width - 1, Math.floor(Math.max(...feet.map((i) => px[i][0])) + footHalf));
  const lowest = Math.max(...feet.map((i) => px[i][1]));
  const rough = lowest - top;
  let floor = Math.floor(lowest);
  const end = Math.min(height, Math.floor(lowest + FOOT_SEARCH * rough) + 1);
  for (let y = Math.floor(lowest); y < end; y++) if (rowHasPerson(mask, y, footX0, footX1, width)) floor = y;
  if (floor >= height - 1 - edge) return null;
  return [top, floor];
}

/**
 * Each arm as a polyline: shoulder, elbow, wrist and the hand's end along the forearm.
 * @param {number[][]} px @param {number} bodyPx @param {number[][]} arms
 * @returns {[number, number][][]}
 */
function armLines(px, bodyPx, arms) {
  return arms.map(([shoulder, elbow, wrist]) => {
    const [sx, sy] = px[shoulder];
    const [ex, ey] = px[elbow];
    const [wx, wy] = px[wrist];
    const fx = wx - ex, fy = wy - ey;
    const norm = Math.hypot(fx, fy) || 1.0;
    const tip = /** @type {[number, number]} */ ([wx + fx / norm * HAND_LENGTH * bodyPx, wy + fy / norm * HAND_LENGTH * bodyPx]);
    return /** @type {[number, number][]} */ ([[sx, sy], [ex, ey], [wx, wy], tip]);
  });
}

/**
 * Each zone's run across the torso in cm, its row, and why a zone could not be read.
 * @param {ArrayLike<number>} mask @param {number[][]} px @param {number} width @param {number} height
 * @param {number} heightCm @param {Record<string, number>} levels @param {Record<string, number[]>} ranges
 * @param {number} floor @param {number} bodyPx @param {[number, number][][]} arms
 * @param {(ax: number, left: number, right: number) => boolean} touches
 * @returns {[Record<string, number>, Record<string, number>, Record<string, string>]}
 */
function zoneRuns(mask, px, width, height, heightCm, levels, ranges, floor, bodyPx, arms, touches) {
  const midShoulder = [(px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2];
  const midHip = [(px[L_HIP][0] + px[R_HIP][0]) / 2, (px[L_HIP][1] + px[R_HIP][1]) / 2];
  const cmPerPx = heightCm / bodyPx;
  const band = Math.max(1, nearest(BAND * bodyPx));
  /** @type {Record<string, number>} */
  const runs = {};
  /** @type {Record<string, number>} */
  const rows = {};
  /** @type {Record<string, string>} */
  const blocked = {};
  for (const zone of ZONES) {
    const yZone = floor - levels[zone] * bodyPx;
    rows[zone] = yZone;
    const t = (yZone - midShoulder[1]) / ((midHip[1] - midShoulder[1]) || 1.0);
    const cx = Math.min(width - 1, Math.max(0, nearest(midShoulder[0] + (midHip[0] - midShoulder[0]) * t)));
    if (zone === "chest" && arms.some((arm) => arm[1][1] < yZone)) {
      blocked[zone] = "arms_raised";
      continue;
    }
    let total = 0.0;
    let count = 0;
    for (let y = nearest(yZone) - band; y < nearest(yZone) + band + 1; y++) {
      if (!(y >= 0 && y < height)) continue;
      const r = run(mask, y, cx, width);
      if (r === null) continue;
      const [left, right, soft] = r;
      if (arms.some((arm) => {
        const ax = armX(arm, y);
        return ax !== null && touches(ax, left, right);
      })) {
        blocked[zone] = "arms";
        break;
      }
      total += soft;
      count += 1;
    }
    if (zone in blocked) continue;
    if (count === 0) {
      blocked[zone] = "no_body";
      continue;
    }
    const runCm = total / count * cmPerPx;
    const [low, high] = ranges[zone];
    if (!(low <= runCm / heightCm && runCm / heightCm <= high)) {
      blocked[zone] = "implausible";
      continue;
    }
    runs[zone] = runCm;
  }
  return [runs, rows, blocked];
}

/**
 * Measure one frame, or say which instruction would make it measurable (see tryon/bodymeasure.py).
 * @param {number[][] | null} landmarks 33 [x, y, z, visibility], normalised
 * @param {ArrayLike<number> | null} mask row-major, width * height
 * @param {number} width @param {number} height @param {number} heightCm
 * @param {Record<string, number>} levels @param {Record<string, number[]>} ranges
 * @returns {Reading}
 */
export function readFrame(landmarks, mask, width, height, heightCm, levels, ranges) {
  if (!landmarks || !mask) return coaching("no_person");
  const px = landmarks.map((lm) => [lm[0] * width, lm[1] * height]);
  if (!(seen(landmarks[L_SHOULDER]) && seen(landmarks[R_SHOULDER]))) return coaching("no_person");
  const feet = FEET.filter((i) => seen(landmarks[i]));
  const edge = EDGE_MARGIN * height;
  const hips = seen(landmarks[L_HIP]) && seen(landmarks[R_HIP]);
  if (!hips || !seen(landmarks[NOSE]) || feet.length < 2 || feet.some((i) => px[i][1] > height - 1 - edge)) {
    return coaching("step_back");
  }
  const shoulderPx = Math.hypot(px[L_SHOULDER][0] - px[R_SHOULDER][0], px[L_SHOULDER][1] - px[R_SHOULDER][1]);
  const found = headAndFloor(mask, px, feet, width, height, shoulderPx / 2, shoulderPx / 4);
  if (found === null) return coaching("step_back");
  const [top, floor] = found;
  const bodyPx = floor - top + 1;
  if (bodyPx < MIN_BODY_PX) return coaching("come_closer");
  const noseX = px[NOSE][0];
  const midShoulder = [(px[L_SHOULDER][0] + px[R_SHOULDER][0]) / 2, (px[L_SHOULDER][1] + px[R_SHOULDER][1]) / 2];
  if (shoulderPx / bodyPx < MIN_SHOULDER_RATIO || Math.abs(noseX - midShoulder[0]) > MAX_NOSE_OFFSET * shoulderPx) {
    return coaching("face_camera");
  }
  if (posture(px) !== null) return coaching("stand_straight");
  for (const [, elbow, wrist] of ARMS) if (!(seen(landmarks[elbow]) && seen(landmarks[wrist]))) return coaching("arms_away");
  const arms = armLines(px, bodyPx, ARMS);
  const margin = ARM_MARGIN * bodyPx;
  const [widths, rows, blocked] = zoneRuns(mask, px, width, height, heightCm, levels, ranges, floor, bodyPx, arms,
    (ax, left, right) => left - margin <= ax && ax <= right + margin);
  const needed = ["waist", "hips"].filter((z) => z in blocked).map((z) => blocked[z]);
  if (needed.length) return { ...coaching(needed.includes("arms") ? "arms_away" : "face_camera"), blocked };
  return { status: "ok", message: MESSAGES.ok, widths, rows, blocked, height_px: bodyPx, cm_per_px: heightCm / bodyPx };
}

/** @param {string} code @returns {SideReading} */
function sideCoaching(code) {
  const { widths, ...rest } = coaching(code);
  return { ...rest, depths: widths };
}

/**
 * Measure each zone's depth on a side view, or say which instruction would make it measurable
 * (see tryon/bodymeasure.py read_side). `ranges`: each zone's plausible depth over height.
 * @param {number[][] | null} landmarks @param {ArrayLike<number> | null} mask
 * @param {number} width @param {number} height @param {number} heightCm
 * @param {Record<string, number>} levels @param {Record<string, number[]>} ranges
 * @returns {SideReading}
 */
export function readSide(landmarks, mask, width, height, heightCm, levels, ranges) {
  if (!landmarks || !mask) return sideCoaching("no_person");
  const px = landmarks.map((lm) => [lm[0] * width, lm[1] * height]);
  if (!(seen(landmarks[L_SHOULDER]) || seen(landmarks[R_SHOULDER]))) return sideCoaching("no_person");
  const feet = FEET.filter((i) => seen(landmarks[i]));
  const edge = EDGE_MARGIN * height;
  const hips = seen(landmarks[L_HIP]) || seen(landmarks[R_HIP]);
  if (!hips || !seen(landmarks[NOSE]) || feet.length < 2 || feet.some((i) => px[i][1] > height - 1 - edge)) {
    return sideCoaching("step_back");
  }
  const span = FRONT_SHOULDER_RATIO * (Math.max(...feet.map((i) => px[i][1])) - px[NOSE][1]);
  const found = headAndFloor(mask, px, feet, width, height, span / 2, span / 4);
  if (found === null) return sideCoaching("step_back");
  const [top, floor] = found;
  const bodyPx = floor - top + 1;
  if (bodyPx < MIN_BODY_PX) return sideCoaching("come_closer");
  if (Math.abs(px[L_SHOULDER][0] - px[R_SHOULDER][0]) / bodyPx > MAX_SIDE_SHOULDER_RATIO) return sideCoaching("turn_side");
  if (posture(px) !== null) return sideCoaching("stand_straight");
  const seenArms = ARMS.filter((arm) => seen(landmarks[arm[1]]) && seen(landmarks[arm[2]]));
  const arms = armLines(px, bodyPx, seenArms);
  const reach = SIDE_ARM_REACH * bodyPx;
  const [depths, rows, blocked] = zoneRuns(mask, px, width, height, heightCm, levels, ranges, floor, bodyPx, arms,
    (ax, front, back) => !(front + reach <= ax && ax <= back - reach));
  const needed = ["waist", "hips"].filter((z) => z in blocked).map((z) => blocked[z]);
  if (needed.length) return { ...sideCoaching(needed.includes("arms") ? "side_arms" : "turn_side"), blocked };
  return { status: "ok", message: MESSAGES.ok, depths, rows, blocked, height_px: bodyPx, cm_per_px: heightCm / bodyPx };
}

/** @param {number[]} values */
function median(values) {
  const ordered = [...values].sort((a, b) => a - b);
  const n = ordered.length;
  return n % 2 ? ordered[(n - 1) / 2] : (ordered[n / 2 - 1] + ordered[n / 2]) / 2;
}

/**
 * Each zone's width (median over frames) and its 1-sigma uncertainty, for sizing.estimate;
 * with name "depth", a side view's depths (keys `name` and `name + "_sd"`).
 * @param {Record<string, number>[]} widthsPerFrame @param {string} [name]
 * @returns {Record<string, Record<string, number>>}
 */
export function observedWidths(widthsPerFrame, name = "width") {
  /** @type {Record<string, Record<string, number>>} */
  const out = {};
  if (!widthsPerFrame.length) return out;
  for (const zone of ZONES) {
    const values = widthsPerFrame.filter((w) => zone in w).map((w) => w[zone]);
    if (!values.length) continue;
    const m = median(values);
    const spread = values.length > 1
      ? 1.4826 * median(values.map((v) => Math.abs(v - m))) / Math.sqrt(values.length)
      : SINGLE_FRAME_SD_CM;
    const sd = Math.sqrt(spread ** 2 + (SCALE_SD * m) ** 2 + EDGE_SD_CM ** 2);
    out[zone] = { [name]: m, [`${name}_sd`]: sd };
  }
  return out;
}

/**
 * The front view's widths with the side view's depths, zone by zone (a depth counts only with its width).
 * @param {Record<string, Record<string, number>>} observed @param {Record<string, Record<string, number>> | null} depths
 * @returns {Record<string, Record<string, number>>}
 */
export function withDepths(observed, depths) {
  const d = depths || {};
  return Object.fromEntries(Object.entries(observed).map(([zone, o]) => [zone, zone in d ? { ...o, ...d[zone] } : { ...o }]));
}

/** Collect still, measurable frames; coach until there are enough (see tryon/bodymeasure.py). */
export class MeasureSession {
  /** @param {number} [captureMs] @param {number} [minFrames] @param {string} [name] "width", or "depth" (readSide) */
  constructor(captureMs = CAPTURE_MS, minFrames = MIN_FRAMES, name = "width") {
    this.captureMs = captureMs;
    this.minFrames = minFrames;
    this.name = name;
    this.reset();
  }

  reset() {
    /** @type {Record<string, number>[]} */
    this.frames = [];
    /** @type {number | null} */
    this.startMs = null;
    /** @type {number[][] | null} */
    this.anchor = null;
    /** @type {number | null} */
    this.lastMs = null;
    /** @type {Record<string, Record<string, number>> | null} */
    this.observed = null;
  }

  /** @param {number[][]} landmarks @param {number} bodyPx @param {number} width @param {number} height */
  moved(landmarks, bodyPx, width, height) {
    const anchor = /** @type {number[][]} */ (this.anchor);
    let worst = 0.0;
    for (const i of [L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]) {
      const dx = (landmarks[i][0] - anchor[i][0]) * width;
      const dy = (landmarks[i][1] - anchor[i][1]) * height;
      worst = Math.max(worst, Math.hypot(dx, dy));
    }
    return worst > STILL_DRIFT * bodyPx;
  }

  /**
   * @param {Reading | SideReading} reading @param {number[][] | null} landmarks @param {number} tMs
   * @param {number} width @param {number} height
   * @returns {{status: string, message: string, progress: number}}
   */
  add(reading, landmarks, tMs, width, height) {
    if (this.observed !== null) return { status: "done", message: "Measured.", progress: 1.0 };
    const status = reading.status;
    const gap = this.lastMs !== null && tMs - this.lastMs > MAX_GAP_MS;
    this.lastMs = tMs;
    if (status !== "ok") {
      this.frames = [];
      this.startMs = null;
      this.anchor = null;
      return { status, message: MESSAGES[status], progress: 0.0 };
    }
    const lms = /** @type {number[][]} */ (landmarks);
    if (gap || this.anchor === null || this.moved(lms, /** @type {number} */ (reading.height_px), width, height)) {
      const restart = this.anchor !== null;
      this.frames = [];
      this.startMs = null;
      this.anchor = lms;
      if (restart) return { status: "hold_still", message: MESSAGES.hold_still, progress: 0.0 };
    }
    if (this.startMs === null) this.startMs = tMs;
    this.frames.push(/** @type {any} */ (reading)[`${this.name}s`]);
    const elapsed = tMs - this.startMs;
    const progress = Math.min(1.0, elapsed / this.captureMs, this.frames.length / this.minFrames);
    if (progress >= 1.0) {
      this.observed = observedWidths(this.frames, this.name);
      return { status: "done", message: "Measured.", progress: 1.0 };
    }
    return { status: "measuring", message: MESSAGES.ok, progress };
  }
}
