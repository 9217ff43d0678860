// The shared tracking vectors (tests/vectors/tracking), checked against the
// browser twin static/tryon/js/tracking.js. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { TrackingGuard } from "../../static/tryon/js/tracking.js";
import { vectors } from "./vectors.mjs";


for (const doc of vectors("tracking", 3)) {
  test(`tracking vector ${doc.name}`, () => {
    const guard = new TrackingGuard();
    const [width, height] = doc.frame;
    const got = doc.frames.map((/** @type {{t: number, landmarks: number[][] | null}} */ f) =>
      guard.check(f.landmarks, width, height, f.t));
    assert.deepEqual(got, doc.expected);
  });
}
