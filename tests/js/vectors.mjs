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

/**
 * Assert `got` equals a vector's `expected`: same keys and items, numbers within 1e-9.
 * @param {any} got @param {any} expected @param {string} [path]
 */
export function close(got, expected, path = "") {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    assert.ok(got !== null && typeof got === "object", path);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort(), path);
    for (const key of Object.keys(expected)) close(got[key], expected[key], `${path}.${key}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(got) && got.length === expected.length, path);
    expected.forEach((e, i) => close(got[i], e, `${path}[${i}]`));
  } else if (typeof expected === "number") {
    assert.ok(Math.abs(got - expected) <= 1e-9, `${path}: ${got} vs ${expected}`);
  } else {
    assert.equal(got, expected, path);
  }
}
