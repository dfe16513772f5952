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

test("what follows the byte is the init's error, whole", () => {
  const sys = new RecordingSyscalls();
  sys.reads = [bytes("0exec: \"x\": "), bytes("executable file not found in $PATH"), bytes("")];
  assert.equal(releaseInit(sys, "/run/x/exec.fifo", () => true), 'exec: "x": executable file not found in $PATH');
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
