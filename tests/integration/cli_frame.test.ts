import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runt, tempDir } from "./runt.ts";

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));

test("--version names runt, the spec version and the JS runtime", () => {
  const r = runt(["--version"]);
  assert.equal(r.status, 0);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], `runt version ${pkg.version}`);
  assert.match(lines[2], /^spec: 1\.\d+\.\d+$/);
  assert.match(lines[3], /^(deno|bun): \d+\.\d+\.\d+/);
  assert.equal(runt(["-v"]).stdout, r.stdout);
});

test("--help lists only the implemented commands and runc's global flags", () => {
  const r = runt(["--help"]);
  assert.equal(r.status, 0);
  for (const cmd of ["spec", "features", "validate"]) assert.match(r.stdout, new RegExp(`^   ${cmd} `, "m"));
  for (const flag of ["--root", "--log", "--log-format", "--debug", "--systemd-cgroup", "--rootless"]) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
  assert.equal(runt([]).stdout, r.stdout, "no arguments shows the same help");
  assert.equal(runt(["help"]).stdout, r.stdout);
});

test("COMMAND --help and help COMMAND show the command's flags", () => {
  const a = runt(["spec", "--help"]);
  assert.equal(a.status, 0);
  assert.match(a.stdout, /^NAME:\n {3}runt spec - create a new specification file/);
  assert.match(a.stdout, /--bundle DIR, -b DIR/);
  assert.match(a.stdout, /--rootless/);
  assert.equal(runt(["help", "spec"]).stdout, a.stdout);
  assert.equal(runt(["spec", "-h"]).stdout, a.stdout);
});

test("an unknown command is one line and exit status 3, as runc's", () => {
  const r = runt(["frobnicate"]);
  assert.equal(r.status, 3);
  assert.deepEqual(r.errLines, [`runt: No help topic for 'frobnicate'`]);
  assert.equal(r.stdout, "");
});

test("an unknown global flag is one line and exit status 1", () => {
  const r = runt(["--frob", "spec"]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.errLines, ["runt: unknown flag --frob for runt"]);
});

test("an unknown command flag is one line naming the command", () => {
  const r = runt(["spec", "--frob"]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.errLines, [`runt: unknown flag --frob for "runt spec"`]);
});

test("a flag missing its value is one line", () => {
  const r = runt(["spec", "--bundle"]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.errLines, [`runt: flag --bundle of "runt spec" needs a value (DIR)`]);
});

test("a bad --log-format and a bad --rootless value are refused", () => {
  const a = runt(["--log-format", "xml", "features"]);
  assert.equal(a.status, 1);
  assert.deepEqual(a.errLines, [`runt: --log-format: expected text or json, got "xml"`]);
  const b = runt(["--rootless", "maybe", "features"]);
  assert.equal(b.status, 1);
  assert.deepEqual(b.errLines, [`runt: --rootless: expected true, false or auto, got "maybe"`]);
});

test("an unexpected argument is refused", () => {
  const r = runt(["features", "extra"]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.errLines, [`runt: "runt features" got unexpected argument "extra" (usage: runt features)`]);
});

test("runc's global flags are accepted before the command, in both spellings", () => {
  const dir = tempDir();
  try {
    const r = runt([
      "--root", join(dir.path, "state"), "--log=" + join(dir.path, "log"), "--log-format", "json",
      "--debug", "--systemd-cgroup", "--rootless=false", "--criu", "/usr/sbin/criu", "features",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).ociVersionMin, "1.0.0");
  } finally {
    dir.cleanup();
  }
});

test("with --log FILE --log-format json, an error reaches the file as JSON and stderr as text", () => {
  const dir = tempDir();
  try {
    const logFile = join(dir.path, "runt.log");
    const r = runt(["--log", logFile, "--log-format", "json", "nope"]);
    assert.equal(r.status, 3);
    assert.deepEqual(r.errLines, [`runt: No help topic for 'nope'`]);
    const entries = readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].level, "error");
    assert.equal(entries[0].msg, `No help topic for 'nope'`);
    assert.ok(!Number.isNaN(Date.parse(entries[0].time)));
  } finally {
    dir.cleanup();
  }
});
