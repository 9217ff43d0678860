// The shared size-advice vectors (tests/vectors/sizing), checked against the browser twin
// static/tryon/js/sizing.js with the same model file the page loads. Run: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { BodyInputError, estimate, parseHeight, parseSex, parseWeight, recommend } from "../../static/tryon/js/sizing.js";
import { close, vectors } from "./vectors.mjs";

const model = JSON.parse(readFileSync(new URL("../../static/tryon/sizing-model.json", import.meta.url), "utf8"));
/** @type {Record<string, (text: unknown) => unknown>} */
const PARSERS = { height: parseHeight, weight: parseWeight, sex: parseSex };

for (const doc of vectors("sizing", 20)) {
  if (doc.name === "parse") {
    test("sizing parse vectors", () => {
      for (const c of doc.cases) {
        const parse = PARSERS[c.field];
        if ("error" in c) {
          assert.throws(() => parse(c.input), (/** @type {any} */ e) => e instanceof BodyInputError && e.message === c.error && e.field === c.field,
            `${c.field} ${JSON.stringify(c.input)}`);
        } else {
          close(parse(c.input), c.value, `${c.field} ${JSON.stringify(c.input)}`);
        }
      }
    });
  } else if ("chart" in doc) {
    test(`sizing recommend vector ${doc.name}`, () => {
      close(recommend(doc.measurements, doc.chart, doc.kind, doc.offered), doc.expected);
    });
  } else {
    test(`sizing estimate vector ${doc.name}`, () => {
      close(estimate(model, doc.height, doc.weight, doc.sex, doc.observed), doc.expected);
    });
  }
}
