// The shared forearm-occlusion vectors (tests/vectors/occlusion), checked against the browser
// twin static/tryon/js/occlusion.js. Run: node --test tests/js/
import { test } from "node:test";

import { occludingForearms } from "../../static/tryon/js/occlusion.js";
import { close, vectors } from "./vectors.mjs";

for (const doc of vectors("occlusion", 3)) {
  test(`occlusion vector ${doc.name}`, () => {
    for (const c of doc.cases) close(occludingForearms(c.landmarks, c.kind, c.scale), c.expected, c.kind);
  });
}
