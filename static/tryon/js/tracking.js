// @ts-check
// When a video pose tracker has locked onto an impossible body, and must start again (browser twin).
//
// The JavaScript twin of tryon/tracking.py; read its docstring for why. The shared vectors in
// tests/vectors/tracking are checked by both test suites: change both files together.

import { LANDMARK_INDEX } from "./garments.js";
import { landmarkSeen } from "./geometry.js";

export const MIN_TORSO_RATIO = 1.0;
export const RESET_INTERVAL_MS = 500;

const TORSO = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"];

/** @typedef {"ok" | "drop" | "reset"} TrackingDecision */

/**
 * Whether both shoulders and both hips are seen with the torso too short to be a body
 * (shoulder midpoint to hip midpoint under MIN_TORSO_RATIO shoulder widths, in frame pixels).
 * @param {number[][] | null} landmarks 33 MediaPipe [x, y, z, visibility], normalised
 * @param {number} frameWidth
 * @param {number} frameHeight
 * @param {number} [minRatio] "too short": under this many shoulder widths
 */
export function implausibleTorso(landmarks, frameWidth, frameHeight, minRatio = MIN_TORSO_RATIO) {
  if (!landmarks || landmarks.length < 33) return false;
  const [ls, rs, lh, rh] = TORSO.map((name) => landmarks[LANDMARK_INDEX[name]]);
  if (!(landmarkSeen(ls) && landmarkSeen(rs) && landmarkSeen(lh) && landmarkSeen(rh))) return false;
  const sx = (ls[0] - rs[0]) * frameWidth;
  const sy = (ls[1] - rs[1]) * frameHeight;
  const tx = (lh[0] + rh[0] - (ls[0] + rs[0])) * 0.5 * frameWidth;
  const ty = (lh[1] + rh[1] - (ls[1] + rs[1])) * 0.5 * frameHeight;
  return Math.sqrt(tx * tx + ty * ty) < minRatio * Math.sqrt(sx * sx + sy * sy);
}

/** Per video stream: decide whether each pose may be used, and when to reset the tracker. */
export class TrackingGuard {
  /**
   * @param {number} [resetIntervalMs]
   * @param {number} [minTorsoRatio]
   */
  constructor(resetIntervalMs = RESET_INTERVAL_MS, minTorsoRatio = MIN_TORSO_RATIO) {
    this.resetIntervalMs = resetIntervalMs;
    this.minTorsoRatio = minTorsoRatio;
    /** @type {number | null} */
    this.lastResetMs = null;
    this.resets = 0;
  }

  /**
   * "ok" (use the pose), "drop" (draw no garment on it) or "reset" (drop it and make the tracker
   * lose the person so the next frame runs the detector afresh). No pose is "ok".
   * @param {number[][] | null} landmarks
   * @param {number} frameWidth
   * @param {number} frameHeight
   * @param {number} timestampMs the frame's stream time, non-decreasing
   * @returns {TrackingDecision}
   */
  check(landmarks, frameWidth, frameHeight, timestampMs) {
    if (!implausibleTorso(landmarks, frameWidth, frameHeight, this.minTorsoRatio)) return "ok";
    if (this.lastResetMs !== null && timestampMs - this.lastResetMs < this.resetIntervalMs) return "drop";
    this.lastResetMs = timestampMs;
    this.resets++;
    return "reset";
  }
}
