import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runt, tempDir } from "./runt.ts";

const CONFIGS = join(REPO, "tests/fixtures/configs");
const jsonFiles = (dir: string) => readdirSync(join(CONFIGS, dir)).filter((f) => f.endsWith(".json")).sort();

test("the corpus has at least 30 invalid configs, each with its expected lines", () => {
  const invalid = jsonFiles("invalid");
  assert.ok(invalid.length >= 30, `${invalid.length} invalid configs`);
  for (const f of invalid) assert.ok(existsSync(join(CONFIGS, "invalid", f.replace(/\.json$/, ".expect"))), f);
});

// One CLI run per file: what a new user sees for each broken config.
for (const file of jsonFiles("invalid")) {
  test(`runt validate: invalid/${file} gives one line per error naming the JSON path`, () => {
    const path = join(CONFIGS, "invalid", file);
    const expected = readFileSync(path.replace(/\.json$/, ".expect"), "utf8").split("\n").filter(Boolean);
    const r = runt(["validate", "--config", path]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.deepEqual(r.errLines, expected.map((line) => `runt: ${path}: ${line}`));
  });
}

test("runt validate accepts every valid config in the corpus", () => {
  for (const file of jsonFiles("valid")) {
    const r = runt(["validate", "--config", join(CONFIGS, "valid", file)]);
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    assert.equal(r.stderr, "");
  }
});

test("runt validate names a file that is not JSON, and a missing one", () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, "config.json");
    writeFileSync(file, "{ not json");
    const r = runt(["validate", "--bundle", dir.path]);
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1);
    assert.match(r.errLines[0], new RegExp(`^runt: ${file}: not valid JSON: `));
    const missing = runt(["validate", "--config", join(dir.path, "nope.json")]);
    assert.equal(missing.status, 1);
    assert.deepEqual(missing.errLines, [`runt: ${join(dir.path, "nope.json")}: no such file`]);
  } finally {
    dir.cleanup();
  }
});
