/**
 * SIGTERM at any moment of a foreground `run`: before the container starts
 * runt removes it and exits 143; after, the container gets the signal and
 * runt exits with its status. Either way nothing is left: runt is never
 * killed half-way through making a container. (A signal that reaches the
 * container's PID 1 before it has a handler is dropped by the kernel, as
 * under runc; the test then sends another.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { leftovers } from "./leftovers.ts";
import { isRoot, runt, runtArgv, tempDir } from "./runt.ts";
import { waitFor } from "./containers.ts";

const skip = isRoot ? false : "needs root";

test("SIGTERM to a foreground run at any moment: exit 143 or the container's status, and nothing left", { skip }, async () => {
  const root = tempDir("runt-root-");
  const tag = `RUNT_TEST=${process.pid}-sigterm`;
  // /out/ready says the trap is set: from then on a SIGTERM must end the container with 42.
  const b = makeBundle(["sh", "-c", "trap 'exit 42' TERM; touch /out/ready; while :; do sleep 0.05; done"], (s) => s.process!.env!.push(tag));
  const ready = join(b.out, "ready");
  const startRun = (id: string) => {
    const [cmd, ...pre] = runtArgv();
    const child = spawn(cmd, [...pre, "--root", root.path, "run", "-b", b.dir, id], { stdio: "ignore" });
    const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));
    return { child, exited };
  };
  try {
    // From while runt is still starting up to well after the container runs.
    for (const delay of [20, 60, 100, 140, 180, 220, 300, 450, 700]) {
      const id = `term-${delay}`;
      const { child, exited } = startRun(id);
      await new Promise((r) => setTimeout(r, delay));
      try {
        process.kill(child.pid!, "SIGTERM");
      } catch { /* cannot happen: the container never exits by itself */ }
      let outcome = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 3000))]);
      if (outcome === undefined) {
        // Forwarded as the container started, before its shell set the trap: a PID 1 without a
        // handler does not get SIGTERM (as under runc). runt must be running it, and pass the next one.
        assert.equal(runt(["--root", root.path, "state", id]).status, 0, `after ${delay} ms runt neither ended nor runs the container`);
        process.kill(child.pid!, "SIGTERM");
        outcome = await exited;
      }
      // SIGTERM: runt had not yet taken over its signals, so nothing had been made.
      assert.ok(["143", "42", "SIGTERM"].includes(outcome), `run after ${delay} ms ended with ${outcome}`);
      assert.deepEqual(leftovers(root.path, id, [b.dir, SHARED_ROOTFS], tag), [], `after ${delay} ms (${outcome})`);
    }
    // However loaded the machine, once the container has said it is ready the signal is its own.
    rmSync(ready, { force: true });
    const late = startRun("term-late");
    waitFor(() => existsSync(ready), "the container to set its trap", 120_000);
    process.kill(late.child.pid!, "SIGTERM");
    assert.equal(await late.exited, "42", "a SIGTERM after the container is ready reaches it");
    assert.deepEqual(leftovers(root.path, "term-late", [b.dir, SHARED_ROOTFS], tag), []);
  } finally {
    for (const id of runt(["--root", root.path, "list", "-q"]).stdout.split("\n").filter(Boolean)) {
      runt(["--root", root.path, "delete", "--force", id]);
    }
    b.cleanup();
    root.cleanup();
  }
});
