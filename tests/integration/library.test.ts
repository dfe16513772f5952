/** mod.ts drives the same lifecycle the CLI does, from a script. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, REPO, tempDir, UNDER } from "./runt.ts";

const skip = !isRoot ? "needs root" : UNDER !== "deno" ? "the library is exercised from the Deno run" : false;

test("a script creates, starts, execs in, pauses, kills, deletes and runs a container through mod.ts", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"]);
  const exiting = makeBundle(["sh", "-c", "exit 5"]);
  try {
    const script = join(REPO, "tests/integration/library_script.ts");
    const r = spawnSync(process.execPath, ["run", "-A", "--no-check", script, root.path, b.dir, exiting.dir], { encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(seen.created, "created");
    assert.ok(seen.pid > 1);
    assert.deepEqual(seen.listed, ["lib:created"]);
    assert.equal(seen.running, "running");
    assert.deepEqual(seen.pids, [seen.pid]);
    assert.equal(seen.execExit, 4);
    assert.equal(seen.paused, "paused");
    assert.equal(seen.stopped, "stopped");
    assert.equal(seen.afterDelete, 'container "lib" does not exist');
    assert.equal(seen.exit, 5);
  } finally {
    b.cleanup();
    exiting.cleanup();
    root.cleanup();
  }
});
