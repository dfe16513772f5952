import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OCI_VERSION } from "../../runtime/version.ts";
import { hasCommand, runt, runtOk, tempDir } from "./runt.ts";

/** The fields where runt deliberately differs from `runc spec`. */
const OWN_FIELDS = { ociVersion: OCI_VERSION, hostname: "runt" };

function runcSpec(rootless: boolean): Record<string, unknown> {
  const dir = tempDir("runc-spec-");
  try {
    const r = spawnSync("runc", ["spec", ...(rootless ? ["--rootless"] : [])], { cwd: dir.path, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(readFileSync(join(dir.path, "config.json"), "utf8"));
  } finally {
    dir.cleanup();
  }
}

function runtSpec(args: string[]): Record<string, unknown> {
  const dir = tempDir();
  try {
    const r = runt(["spec", "--bundle", dir.path, ...args]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    return JSON.parse(readFileSync(join(dir.path, "config.json"), "utf8"));
  } finally {
    dir.cleanup();
  }
}

/** Every leaf path where two JSON values differ, e.g. `linux.namespaces[1].type`. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return Object.is(a, b) ? [] : [path || "(root)"];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    return differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
  });
}

const noRunc = hasCommand("runc") ? false : "runc is not installed";

for (const rootless of [false, true]) {
  const label = rootless ? "runt spec --rootless" : "runt spec";
  test(`${label} equals runc's output field by field, apart from ociVersion and hostname`, { skip: noRunc }, () => {
    const ours = runtSpec(rootless ? ["--rootless"] : []);
    const theirs = runcSpec(rootless);
    assert.deepEqual(differences(ours, theirs).sort(), Object.keys(OWN_FIELDS).sort());
    for (const [k, v] of Object.entries(OWN_FIELDS)) assert.equal(ours[k], v);
    // Same key order too, so the two files diff cleanly.
    assert.deepEqual(
      JSON.stringify({ ...ours, ...OWN_FIELDS }, null, "\t"),
      JSON.stringify({ ...theirs, ...OWN_FIELDS }, null, "\t"),
    );
  });
}

test("runt spec writes a config that runt validate accepts", () => {
  const dir = tempDir();
  try {
    runtOk(["spec", "-b", dir.path]);
    const r = runt(["validate", "--bundle", dir.path]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
  } finally {
    dir.cleanup();
  }
});

test("runt spec defaults to the current directory, uses tabs like runc and ends with a newline", () => {
  const dir = tempDir();
  try {
    runtOk(["spec"], { cwd: dir.path });
    const text = readFileSync(join(dir.path, "config.json"), "utf8");
    assert.match(text, /^{\n\t"ociVersion": /);
    assert.ok(text.endsWith("}\n"));
  } finally {
    dir.cleanup();
  }
});

test("runt spec refuses to overwrite an existing config.json and leaves it untouched", () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, "config.json");
    writeFileSync(file, "{ \"mine\": true }");
    const r = runt(["spec", "--bundle", dir.path]);
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, [`runt: ${file} already exists; remove it first`]);
    assert.equal(readFileSync(file, "utf8"), "{ \"mine\": true }");
  } finally {
    dir.cleanup();
  }
});

test("runt spec into a missing bundle directory is one line naming it", () => {
  const dir = tempDir();
  try {
    const missing = join(dir.path, "nope");
    const r = runt(["spec", "--bundle", missing]);
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, [`runt: bundle ${missing}: no such directory`]);
    const file = join(dir.path, "file");
    writeFileSync(file, "");
    assert.deepEqual(runt(["spec", "-b", file]).errLines, [`runt: bundle ${file}: not a directory`]);
  } finally {
    dir.cleanup();
  }
});
