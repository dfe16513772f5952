/**
 * Keys runc reads case-insensitively (Go's encoding/json) and device access
 * strings it reads leniently: runt reads them the same way, with one
 * warning each. The corpus under fixtures/configs/folded/ pairs each config
 * with the warnings it gives and the config it is read as.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { foldKeys } from "../../runtime/spec/case_fold.ts";
import { accessLetters } from "../../runtime/spec/device_access.ts";
import { fieldOf, foldName } from "../../runtime/spec/fold_name.ts";
import { formatIssue } from "../../runtime/spec/issues.ts";
import { ConfigValidationError, parseConfig, validateConfig } from "../../runtime/spec/validate.ts";
import { clone, CONFIGS_DIR } from "./spec_support.ts";

const DIR = join(CONFIGS_DIR, "folded");
const read = (file: string) => readFileSync(join(DIR, file), "utf8");
const cases = readdirSync(DIR).filter((f) => f.endsWith(".json") && !f.endsWith(".canonical.json")).sort();

test("the folded corpus has its cases", () => assert.ok(cases.length >= 3, cases.join(", ")));

for (const file of cases) {
  const base = file.replace(/\.json$/, "");
  test(`folded/${file}: valid, read as ${base}.canonical.json, warning as ${base}.expect`, () => {
    const config = JSON.parse(read(file));
    const before = clone(config);
    const result = validateConfig(config);
    assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), []);
    assert.deepEqual(result.warnings.map(formatIssue), read(`${base}.expect`).split("\n").filter((l) => l !== ""));
    const warned: string[] = [];
    assert.deepEqual(parseConfig(config, (w) => warned.push(formatIssue(w))), JSON.parse(read(`${base}.canonical.json`)));
    assert.deepEqual(warned, result.warnings.map(formatIssue));
    assert.deepEqual(config, before, "the input is not changed");
    // What it is read as reads as itself: keys left as unknown properties stay so.
    const canonical = JSON.parse(read(`${base}.canonical.json`));
    assert.deepEqual(parseConfig(canonical), canonical);
  });
}

test("Go's folding: ASCII case, KELVIN SIGN as k, LONG S as s; nothing else", () => {
  assert.equal(foldName("PageSize"), "pagesize");
  assert.equal(foldName("\u212aernel"), "kernel");
  assert.equal(foldName("Proce\u017fs"), "process");
  assert.equal(foldName("ÜBER"), "Über");
  // U+0130 (İ) lower-cases to "i̇" in JavaScript but Go's decoder does not fold it.
  assert.notEqual(foldName("L\u0130NUX"), "linux");
});

test("a config whose keys all match exactly comes back as the same object, with no notes", () => {
  const config = JSON.parse(readFileSync(join(CONFIGS_DIR, "valid", "full.json"), "utf8"));
  const folded = foldKeys(config);
  assert.equal(folded.config, config);
  assert.deepEqual(folded.notes, []);
});

test("errors in a folded field name the field, after the warning naming the key", () => {
  const config = { ociVersion: "1.3.0", root: { path: "rootfs" }, linux: { resources: { hugepageLimits: [{ pagesize: "2XB", limit: 1 }] } } };
  const result = validateConfig(config);
  assert.equal(result.ok, false);
  assert.deepEqual(result.warnings.map(formatIssue), ['linux.resources.hugepageLimits[0].pagesize: read as "pageSize"']);
  assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), [
    'linux.resources.hugepageLimits[0].pageSize: expected a page size like "2MB" or "1GB", got "2XB"',
  ]);
  const warned: string[] = [];
  assert.throws(() => parseConfig(config, (w) => warned.push(formatIssue(w))), ConfigValidationError);
  assert.equal(warned.length, 1, "warnings come out of a failing parse too");
});

test("keys of maps, unknown properties and __proto__ are left as they are", () => {
  const config = JSON.parse(
    '{"ociVersion":"1.3.0","root":{"path":"r"},"annotations":{"Hostname":"a"},"x-Vendor":{"Hostname":"b"},' +
      '"linux":{"resources":{"rdma":{"Hostname":{"hcaHandles":1}}}},"__proto__":{"hostname":"c"}}',
  );
  const result = validateConfig(config);
  assert.deepEqual(result.warnings, []);
  assert.ok(result.ok);
  assert.equal(result.spec.hostname, undefined);
  assert.deepEqual(result.spec.annotations, { Hostname: "a" });
  assert.equal(Object.getPrototypeOf(foldKeys({ ...config, Hostname: "h" }).config), Object.prototype);
});

test("fieldOf reads what validation reads: the exact key first, else the last folded one", () => {
  assert.equal(fieldOf({ linux: 1, LINUX: 2 }, "linux"), 1);
  assert.equal(fieldOf({ LINUX: 2, Linux: 3 }, "linux"), 3);
  assert.equal(fieldOf({ cgroupspath: "/a" }, "cgroupsPath"), "/a");
  assert.equal(fieldOf(["linux"], "linux"), undefined);
  assert.equal(fieldOf(null, "linux"), undefined);
});

test("device access as runc 1.1 reads it: r, w and m in any order and number, other letters ignored", () => {
  assert.equal(accessLetters("rwm"), "rwm");
  assert.equal(accessLetters("mwr"), "rwm");
  assert.equal(accessLetters("rwa"), "rw");
  assert.equal(accessLetters("rrr"), "r");
  assert.equal(accessLetters("rwmx"), "rwm");
  assert.equal(accessLetters("x"), "");
  const empty = validateConfig({ ociVersion: "1.3.0", root: { path: "r" }, linux: { resources: { devices: [{ allow: true, access: "" }] } } });
  assert.deepEqual(empty.ok ? [] : empty.issues.map(formatIssue), [
    "linux.resources.devices[0].access: must not be empty, expected some of r, w and m",
  ]);
});
