import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigValidationError, parseConfig, validateConfig } from "../../runtime/spec/validate.ts";
import { RuntError } from "../../runtime/errors.ts";
import { loadCorpus } from "./spec_support.ts";

const valid = loadCorpus("valid");
const invalid = loadCorpus("invalid");

test("the corpus has at least 10 valid and 30 invalid configs, each invalid one with expected lines", () => {
  assert.ok(valid.length >= 10, `${valid.length} valid configs`);
  assert.ok(invalid.length >= 30, `${invalid.length} invalid configs`);
  for (const entry of invalid) assert.ok(entry.expected.length > 0, `${entry.name} has no .expect lines`);
});

for (const { name, config } of valid) {
  test(`${name} is accepted and parses to an equal document`, () => {
    const result = validateConfig(config);
    assert.deepEqual(result.ok ? [] : result.issues, []);
    // Nothing dropped, nothing added: unknown properties survive (config.md "Extensibility").
    assert.deepEqual(parseConfig(config), config);
  });
}

for (const { name, config, expected } of invalid) {
  test(`${name} reports exactly its expected lines`, () => {
    const result = validateConfig(config);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`), expected);
    assert.throws(() => parseConfig(config), (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError && e instanceof RuntError);
      assert.deepEqual(e.lines(), expected);
      assert.deepEqual(e.issues.map((i) => `${i.path}: ${i.message}`), expected);
      return true;
    });
  });
}
