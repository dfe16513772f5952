/** runtime/host.ts answers as Node's `process` does, under whichever runtime runs this file. */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { SIGTERM, SIGWINCH } from "../../ffi/constants.ts";
import { effectiveGid, effectiveUid, environment, hostArch, killProcess, onSignal, processId, realUid, runProgram } from "../../runtime/host.ts";

test("IDs, architecture and environment are the process's", () => {
  assert.equal(effectiveUid(), process.geteuid!());
  assert.equal(effectiveGid(), process.getegid!());
  assert.equal(realUid(), process.getuid!());
  assert.equal(processId(), process.pid);
  assert.equal(hostArch(), process.arch);
  assert.equal(environment().PATH, process.env.PATH);
});

test("a program's exit status and error output come back; a missing one is ENOENT", () => {
  const r = runProgram("sh", ["-c", "echo refused >&2; exit 3"]);
  assert.deepEqual(r, { status: 3, stderr: "refused\n" });
  assert.throws(() => runProgram("runt-no-such-program", []), (e: { code?: string }) => e.code === "ENOENT");
});

test("a signal reaches the handler until it is taken off; a PID with no process is ESRCH", async () => {
  let seen = 0;
  const stop = onSignal("SIGWINCH", () => seen++);
  try {
    killProcess(processId(), SIGWINCH, "SIGWINCH");
    // Delivered asynchronously: wait for it, not for a time.
    while (seen === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  } finally {
    stop();
  }
  assert.equal(seen, 1);
  // Above the largest pid_max Linux allows (2^22).
  assert.throws(() => killProcess(4194305, SIGTERM, "SIGTERM"), (e: { code?: string }) => e.code === "ESRCH");
});
