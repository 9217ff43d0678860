// The shared tracking vectors (tests/vectors/tracking), checked against the
// browser twin static/tryon/js/tracking.js. Run: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

import { TrackingGuard } from "../../static/tryon/js/tracking.js";

const DIR = new URL("../vectors/tracking/", import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

test("there are tracking vectors", () => {
  assert.ok(files.length >= 3);
});

for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, DIR), "utf8"));
  test(`tracking vector ${doc.name}`, () => {
    const guard = new TrackingGuard();
    const [width, height] = doc.frame;
    const got = doc.frames.map((/** @type {{t: number, landmarks: number[][] | null}} */ f) =>
      guard.check(f.landmarks, width, height, f.t));
    assert.deepEqual(got, doc.expected);
  });
}
