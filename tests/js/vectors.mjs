// Read one folder of the shared vectors (tests/vectors/<kind>) for the *_vectors.test.mjs files,
// and check that it holds at least as many as it should.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

/**
 * Return the parsed vectors of tests/vectors/<kind>, in file name order, after registering a test
 * that there are at least `atLeast` of them.
 * @param {string} kind
 * @param {number} atLeast
 * @returns {any[]}
 */
export function vectors(kind, atLeast) {
  const dir = new URL(`../vectors/${kind}/`, import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  test(`there are ${kind} vectors`, () => {
    assert.ok(files.length >= atLeast);
  });
  return files.map((file) => JSON.parse(readFileSync(new URL(file, dir), "utf8")));
}
