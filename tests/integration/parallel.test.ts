/** Many containers at once: every one is created, started and deleted, and nothing leaks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { mountsMentioning, processesOf } from "./leftovers.ts";
import { isRoot, runtArgv, tempDir } from "./runt.ts";

const COUNT = 50;

/** Runs runt without waiting on its stdio, which a created container keeps open. */
function runtAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const [cmd, ...pre] = runtArgv();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...pre, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

test(`${COUNT} containers created, started and deleted in parallel`, { skip: isRoot ? false : "needs root" }, async () => {
  const root = tempDir("runt-root-");
  const tag = `RUNT_TEST=${process.pid}-parallel`;
  const b = makeBundle(["sleep", "60"], (s) => s.process!.env!.push(tag));
  try {
    const ids = Array.from({ length: COUNT }, (_, i) => `par-${i}`);
    const lifecycle = async (id: string) => {
      for (const step of [["create", "-b", b.dir, id], ["start", id], ["delete", "--force", id]]) {
        const r = await runtAsync(["--root", root.path, ...step]);
        if (r.code !== 0) return `${id}: ${step[0]} exited ${r.code}: ${r.stderr.trim()}`;
      }
      return "";
    };
    const failures = (await Promise.all(ids.map(lifecycle))).filter((f) => f);
    assert.deepEqual(failures, []);
    assert.deepEqual(readdirSync(root.path), []);
    assert.deepEqual(mountsMentioning(SHARED_ROOTFS), []);
    assert.deepEqual(ids.flatMap((id) => processesOf(id, tag)), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});
