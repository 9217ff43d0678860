// The shared body-measurement vectors (tests/vectors/bodymeasure), checked against the browser
// twin static/tryon/js/bodymeasure.js. Run: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { inflateSync } from "node:zlib";

import { MeasureSession, readFrame, readSide, withDepths } from "../../static/tryon/js/bodymeasure.js";
import { close, vectors } from "./vectors.mjs";

const model = JSON.parse(readFileSync(new URL("../../static/tryon/sizing-model.json", import.meta.url), "utf8"));

/** The 33 landmarks of a session step: the torso's, zeros elsewhere. @param {Record<string, number[]> | null} torso */
function landmarksOf(torso) {
  if (torso === null) return null;
  return Array.from({ length: 33 }, (_, i) => (String(i) in torso ? torso[String(i)] : [0, 0, 0, 0]));
}

for (const doc of vectors("bodymeasure", 12)) {
  if (doc.name && "mask" in doc) {
    test(`bodymeasure frame vector ${doc.name}`, () => {
      const bytes = inflateSync(Buffer.from(doc.mask, "base64"));
      const mask = Float64Array.from(bytes, (b) => b / 255.0);
      const [w, h] = doc.frame;
      const got = doc.view === "side"
        ? readSide(doc.landmarks, mask, w, h, doc.height_cm, model.levels[doc.sex], model.depth_range[doc.sex])
        : readFrame(doc.landmarks, mask, w, h, doc.height_cm, model.levels[doc.sex], model.width_range[doc.sex]);
      close(got, doc.expected);
    });
  } else {
    test(`bodymeasure session vector ${doc.name}`, () => {
      const session = new MeasureSession(undefined, undefined, doc.measure);
      const [w, h] = doc.frame;
      assert.equal(doc.steps.length, doc.expected.length);
      doc.steps.forEach((/** @type {any} */ step, /** @type {number} */ i) => {
        close(session.add(step.reading, landmarksOf(step.torso), step.t, w, h), doc.expected[i], `step ${i}`);
      });
      close(session.observed, doc.observed, "observed");
    });
  }
}

test("withDepths joins a side view's depths to the front's widths, zone by zone", () => {
  const front = { waist: { width: 30, width_sd: 1 }, hips: { width: 35, width_sd: 1 } };
  const side = { waist: { depth: 21, depth_sd: 0.9 }, chest: { depth: 22, depth_sd: 0.9 } };
  assert.deepEqual(withDepths(front, side), {
    waist: { width: 30, width_sd: 1, depth: 21, depth_sd: 0.9 }, hips: { width: 35, width_sd: 1 },
  });
  assert.deepEqual(withDepths(front, null), front);
});
