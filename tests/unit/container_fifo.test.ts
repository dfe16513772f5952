/** How `start` reads the exec fifo: the init's first byte, then its silence (exec) or its complaint. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { releaseInit } from "../../runtime/container/fifo.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("the init's byte and then end of file: the user process was exec'd", () => {
  const sys = new RecordingSyscalls();
  sys.reads = [bytes(""), bytes("0"), bytes("")];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => true), "");
});

/** What the start-up program writes when a step fails: errno, step index, the step's description. */
function report(errno: number, index: number, what: string): Uint8Array {
  const text = bytes(what);
  const out = new Uint8Array(16 + text.length);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(errno), true);
  v.setBigUint64(8, BigInt(index), true);
  out.set(text, 16);
  return out;
}

test("what follows the byte is the report of the step that failed, read whole and put in words", () => {
  const sys = new RecordingSyscalls();
  const failed = report(2, 7, 'exec: "/bin/x"');
  sys.reads = [new Uint8Array([0x30, ...failed.subarray(0, 5)]), failed.subarray(5), bytes("")];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => true), 'exec: "/bin/x": ENOENT (No such file or directory)');
});

test("an init that wrote its byte and exited before start looked is still a success", () => {
  const sys = new RecordingSyscalls();
  sys.reads = [bytes("0"), bytes("")];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => false), "");
});

test("an init that died without a word is reported, not waited for", () => {
  const sys = new RecordingSyscalls();
  sys.reads = [bytes("")];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => false), "container init exited before it could be started");
});

test("what is done meanwhile runs once the byte is read, before the wait for the exec; not at all without a byte", () => {
  const sys = new RecordingSyscalls();
  sys.reads = [bytes(""), bytes("0"), bytes("")];
  const unreadWhenCalled: number[] = [];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => true, () => unreadWhenCalled.push(sys.reads.length)), "");
  // The end of file, which says the exec happened, was still to be read.
  assert.deepEqual(unreadWhenCalled, [1]);

  const dead = new RecordingSyscalls();
  dead.reads = [bytes("")];
  let called = false;
  releaseInit(dead, "/run/x/exec.fifo", () => false, () => (called = true));
  assert.equal(called, false);
});
