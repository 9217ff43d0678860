// The shared scene-shading vectors (tests/vectors/shading), checked against the browser's
// renderer static/tryon/js/draw.js, as tests/unit/test_shading_vectors.py checks the server's.
// Run: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { shadeCells, shadingGrid } from "../../static/tryon/js/draw.js";
import { vectors } from "./vectors.mjs";

const shared = JSON.parse(readFileSync(new URL("../../static/tryon/shading.json", import.meta.url), "utf8"));

for (const doc of vectors("shading", 5)) {
  test(`shading vector ${doc.name}`, () => {
    for (const [name, value] of Object.entries(doc.params)) assert.equal(shared[name], value, name);
    const { width, height, rgba } = doc.cells;
    const got = shadeCells(rgba, width, height, doc.radius, doc.params);
    assert.equal(got.length, doc.expected.length);
    let off = 0;
    got.forEach((v, i) => {
      // float32 sums in a different order may put a value on the other side of a rounding edge
      assert.ok(Math.abs(v - doc.expected[i]) <= 1, `cell ${i}: ${v} vs ${doc.expected[i]}`);
      if (v !== doc.expected[i]) off++;
    });
    assert.ok(off <= Math.ceil(got.length / 50), `${off} of ${got.length} cells off by one`);
    for (const [scale, cell, radius] of doc.grids) assert.deepEqual(shadingGrid(doc.params, scale), { cell, radius }, `scale ${scale}`);
  });
}
