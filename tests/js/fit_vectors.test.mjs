// The shared fit vectors (tests/vectors/fit), checked against the browser twin
// static/tryon/js/geometry.js. tests/unit/test_fit_vectors.py checks the same
// files against tryon/geometry.py. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { fitGarment, garmentTopology } from "../../static/tryon/js/geometry.js";
import { vectors } from "./vectors.mjs";

const TOLERANCE_PX = 0.5;

const docs = vectors("fit", 6);

for (const doc of docs) {
  test(`fit vector ${doc.name}`, () => {
    const expected = doc.expected;
    const got = fitGarment(doc.landmarks, doc.frame[0], doc.frame[1], doc.garment);
    assert.notEqual(got, null);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
    assert.equal(got.kind, expected.kind);
    assert.deepEqual(got.triangles, expected.triangles, "topology differs");
    assert.deepEqual(got.layers, expected.layers, "layers differ");
    assert.deepEqual(got.estimated, expected.estimated);
    assert.ok(Math.abs(got.scale - expected.scale) <= TOLERANCE_PX, `scale ${got.scale} vs ${expected.scale}`);
    for (const key of ["src", "dst"]) {
      assert.equal(got[key].length, expected[key].length);
      let worst = 0;
      got[key].forEach((p, i) => {
        const q = expected[key][i];
        worst = Math.max(worst, Math.abs(p[0] - q[0]), Math.abs(p[1] - q[1]));
      });
      assert.ok(worst <= TOLERANCE_PX, `${key} off by ${worst.toFixed(3)} px`);
    }
    const topo = garmentTopology(doc.garment);
    assert.deepEqual(topo.src, got.src);
    assert.deepEqual(topo.triangles, got.triangles);
    assert.deepEqual(topo.layers, got.layers);
  });
}

test("hidden shoulders drop a top, malformed garments throw", () => {
  const doc = docs.find((d) => d.name.startsWith("tshirt")); // the first T-shirt vector, by file name
  const landmarks = doc.landmarks.map((/** @type {number[]} */ lm) => lm.slice());
  landmarks[11][3] = 0.1;
  assert.equal(fitGarment(landmarks, doc.frame[0], doc.frame[1], doc.garment), null);
  assert.equal(fitGarment(null, doc.frame[0], doc.frame[1], doc.garment), null);
  assert.throws(() => fitGarment(doc.landmarks, 640, 480, { ...doc.garment, kind: "cape" }), RangeError);
});
