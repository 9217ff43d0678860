// The shared smoothing vectors (tests/vectors/smoothing), checked against the
// browser twin static/tryon/js/smoothing.js. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { LandmarkSmoother } from "../../static/tryon/js/smoothing.js";
import { vectors } from "./vectors.mjs";


for (const doc of vectors("smoothing", 3)) {
  test(`smoothing vector ${doc.name}`, () => {
    const p = doc.params;
    const smoother = new LandmarkSmoother({ minCutoff: p.min_cutoff, beta: p.beta, dCutoff: p.d_cutoff });
    assert.equal(doc.frames.length, doc.expected.length);
    doc.frames.forEach((/** @type {{t: number, landmarks: number[][]}} */ frame, /** @type {number} */ f) => {
      const got = smoother.apply(frame.landmarks, frame.t);
      const expected = doc.expected[f];
      assert.equal(got.length, expected.length);
      got.forEach((lm, i) => {
        for (let j = 0; j < 4; j++) {
          assert.ok(Math.abs(lm[j] - expected[i][j]) <= 1e-7, `frame ${f} landmark ${i}[${j}]: ${lm[j]} vs ${expected[i][j]}`);
        }
      });
    });
  });
}
