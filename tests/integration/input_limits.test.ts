/**
 * Inputs that used to end in "internal error", a 10 MB message, or a create
 * that succeeded only for start to fail: each is now one line on stderr
 * naming the field or flag, exit 1, and nothing left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { cgroupVersion, defaultCgroupParents } from "./containers.ts";
import { leftovers } from "./leftovers.ts";
import { hasCommand, isRoot, runt, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** `create` of a bundle edited by `edit`: its one error line, after checking exit 1 and that nothing remains. */
function createFails(id: string, edit: Parameters<typeof makeBundle>[1], rawConfig?: (json: string) => string): string {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"], edit);
  try {
    if (rawConfig) writeFileSync(join(b.dir, "config.json"), rawConfig(JSON.stringify(b.spec)));
    const r = runt(["--root", root.path, "create", "--bundle", b.dir, id], { files: true });
    assert.equal(r.status, 1, r.stderr.slice(0, 500));
    assert.equal(r.errLines.length, 1, r.stderr.slice(0, 500));
    assert.deepEqual(leftovers(root.path, id, [b.dir]), []);
    for (const dir of defaultCgroupParents()) assert.equal(existsSync(join(dir, id)), false, `cgroup ${dir}/${id} remains`);
    return r.errLines[0];
  } finally {
    b.cleanup();
    root.cleanup();
  }
}

test("a config nested 100000 levels deep: one line naming the file, not a stack overflow", { skip }, () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const line = createFails("deep", () => {}, (json) => json.slice(0, -1) + `,"x-unknown":${deep}}`);
  assert.match(line, /^runt: \/\S+\/config\.json: nested too deeply \(more than \d+ levels of arrays and objects\)$/);
});

test("--root that is a regular file or on /proc: one line naming --root for create, list and state", { skip }, () => {
  const tmp = tempDir();
  const b = makeBundle(["true"]);
  try {
    const file = join(tmp.path, "file");
    writeFileSync(file, "");
    for (const [root, why] of [[file, "not a directory"], ["/proc", "on the kernel's proc filesystem"]]) {
      for (const args of [["create", "--bundle", b.dir, "c1"], ["list"], ["state", "c1"]]) {
        const r = runt(["--root", root, ...args], { files: true });
        assert.equal(r.status, 1, `${root} ${args[0]}: ${r.stderr}`);
        assert.equal(r.errLines.length, 1, r.stderr);
        assert.ok(r.errLines[0].startsWith(`runt: --root ${root}: ${why}`), r.errLines[0]);
      }
    }
  } finally {
    b.cleanup();
    tmp.cleanup();
  }
});

test("a 10 MB hostname is quoted shortened in the error, not echoed whole", { skip }, () => {
  const line = createFails("longhost", (s) => (s.hostname = "h".repeat(10_000_000)));
  assert.ok(line.length < 200, `${line.length} characters: ${line.slice(0, 200)}`);
  assert.match(line, /hostname "h{80}…"/);
});

test("NUL bytes in process.env, args and cwd are refused at create, naming the field", { skip }, () => {
  const cases: Array<[string, Parameters<typeof makeBundle>[1], string]> = [
    ["nulenv", (s) => s.process!.env!.push("A=b\0c"), `process.env[2]: must not contain a NUL byte, got "A=b\\u0000c"`],
    ["nularg", (s) => (s.process!.args = ["tr\0ue"]), `process.args[0]: must not contain a NUL byte, got "tr\\u0000ue"`],
    ["nulcwd", (s) => (s.process!.cwd = "/tm\0p"), `process.cwd: must not contain a NUL byte, got "/tm\\u0000p"`],
  ];
  for (const [id, edit, expected] of cases) {
    const line = createFails(id, edit);
    assert.ok(line.startsWith("runt: /") && line.endsWith(`/config.json: ${expected}`), line);
  }
});

test("linux.resources.cpu.shares of 2^31 is refused naming the field, as runc refuses it", { skip }, () => {
  const line = createFails("shares", (s) => (s.linux!.resources = { cpu: { shares: 2 ** 31 } }));
  assert.match(line, /config\.json: linux\.resources\.cpu\.shares: expected 0 \(unset\) or an integer from 2 to 262144, got 2147483648$/);
  if (!hasCommand("runc") || cgroupVersion === "v2") return;
  // runc writes the value, reads back the kernel's clamped 262144 and refuses the container.
  const root = tempDir("runc-root-");
  const b = makeBundle(["true"], (s) => (s.linux!.resources = { cpu: { shares: 2 ** 31 } }));
  try {
    const r = runt(["--root", root.path, "run", "--bundle", b.dir, "shares"], { argv: ["runc"] });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the maximum allowed cpu-shares is 262144/);
  } finally {
    runt(["--root", root.path, "delete", "--force", "shares"], { argv: ["runc"] });
    b.cleanup();
    root.cleanup();
  }
});
