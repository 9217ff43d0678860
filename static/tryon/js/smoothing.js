// Smooth streams of pose landmarks with a One Euro filter (browser twin).
//
// JavaScript twin of tryon/smoothing.py: same parameters, same operations,
// same vectors (tests/vectors/smoothing). Read the Python module's docstring
// for the filter and for why the defaults are what they are (measured by
// tests/unit/test_smoothing.py: jitter reduced about 4x on a still pose,
// about one frame of lag at 0.3 frame widths per second, 30 fps).

/** Cutoff (Hz) while still: a still shopper's landmarks are averaged over ~1.6 s. */
export const MIN_CUTOFF = 0.1;
/** Cutoff increase per (frame width / s) of speed: ~1 frame of lag at walking pace. */
export const BETA = 8.0;
/** Cutoff (Hz) of the speed estimate. */
export const D_CUTOFF = 0.7;
/** A longer gap between frames (ms) restarts the filter. */
export const RESET_GAP_MS = 500.0;

/** @param {number} cutoff @param {number} dt */
function alpha(cutoff, dt) {
  const tau = 1.0 / (2.0 * Math.PI * cutoff);
  return 1.0 / (1.0 + tau / dt);
}

/**
 * Filter each landmark's x and y with a One Euro filter; z and visibility pass
 * through. Use one smoother per video stream. `apply` returns new arrays.
 */
export class LandmarkSmoother {
  /**
   * @param {{minCutoff?: number, beta?: number, dCutoff?: number, resetGapMs?: number}} [options]
   */
  constructor({ minCutoff = MIN_CUTOFF, beta = BETA, dCutoff = D_CUTOFF, resetGapMs = RESET_GAP_MS } = {}) {
    this.minCutoff = Number(minCutoff);
    this.beta = Number(beta);
    this.dCutoff = Number(dCutoff);
    this.resetGapMs = Number(resetGapMs);
    if (!(this.minCutoff > 0 && this.dCutoff > 0 && this.beta >= 0)) {
      throw new RangeError("cutoffs must be positive and beta not negative");
    }
    this.reset();
  }

  /** Forget the stream: the next frame is passed through and starts a new one. */
  reset() {
    /** @type {number|null} */
    this.t = null;
    /** @type {number[]} */
    this.x = [];
    /** @type {number[]} */
    this.dx = [];
    /** @type {number[][]} */
    this.out = [];
  }

  /**
   * Return `landmarks` smoothed, given the frame's capture time in milliseconds.
   * @param {ArrayLike<ArrayLike<number>>} landmarks
   * @param {number} timestampMs
   * @returns {number[][]}
   */
  apply(landmarks, timestampMs) {
    const t = Number(timestampMs);
    const n = landmarks.length;
    if (this.t !== null && (t < this.t || t - this.t > this.resetGapMs || n * 2 !== this.x.length)) this.reset();
    if (this.t === null) {
      this.t = t;
      this.x = [];
      this.dx = [];
      for (let i = 0; i < n; i++) {
        this.x.push(Number(landmarks[i][0]), Number(landmarks[i][1]));
        this.dx.push(0.0, 0.0);
      }
      this.out = this.emit(landmarks);
      return this.out.map((r) => r.slice());
    }
    if (t === this.t) return this.out.map((r) => r.slice());
    const dt = (t - this.t) / 1000.0;
    this.t = t;
    const aD = alpha(this.dCutoff, dt);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 2; j++) {
        const k = 2 * i + j;
        const x = Number(landmarks[i][j]);
        const prev = this.x[k];
        const dx = (x - prev) / dt;
        const edx = this.dx[k] + aD * (dx - this.dx[k]);
        const cutoff = this.minCutoff + this.beta * Math.abs(edx);
        this.dx[k] = edx;
        this.x[k] = prev + alpha(cutoff, dt) * (x - prev);
      }
    }
    this.out = this.emit(landmarks);
    return this.out.map((r) => r.slice());
  }

  /** @param {ArrayLike<ArrayLike<number>>} landmarks */
  emit(landmarks) {
    const out = [];
    for (let i = 0; i < landmarks.length; i++) {
      const lm = landmarks[i];
      const z = lm.length > 2 ? Number(lm[2]) : 0.0;
      const vis = lm.length > 3 ? Number(lm[3]) : 1.0;
      out.push([this.x[2 * i], this.x[2 * i + 1], z, vis]);
    }
    return out;
  }
}
