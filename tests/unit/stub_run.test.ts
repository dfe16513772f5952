import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { slot, StubProgram } from "../../runtime/stub/program.ts";
import { decodeReport, describeReport } from "../../runtime/stub/report.ts";
import { runProgram, withTempDir } from "./stub_support.ts";

const AT_FDCWD = -100, O_WRONLY = 1, O_CREAT = 0o100, O_TRUNC = 0o1000, O_CLOEXEC = 0o2000000;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

test("a program writes to stdout and exits 0 after its last op", () => {
  const p = new StubProgram();
  p.call("write", [1, p.str("hello\n"), 6], { what: "write greeting" });
  const r = runProgram(p);
  assert.equal(r.status, 0, text(r.stderr));
  assert.equal(text(r.stdout), "hello\n");
  assert.equal(r.stderr.length, 0);
});

test("a failing op reports errno, its index and its description, then exits with its status", () => {
  const p = new StubProgram({ reportFd: 1 });
  p.call("write", [2, p.str("x"), 1], { what: "first" });
  p.call("openat", [AT_FDCWD, p.str("/nonexistent/runt-stub"), 0], { what: "open \"/nonexistent/runt-stub\"", exit: 33 });
  p.call("write", [2, p.str("never\n"), 6], { what: "not reached" });
  const r = runProgram(p);
  assert.equal(r.status, 33);
  assert.equal(text(r.stderr), "x", "ops after the failure do not run");
  const report = decodeReport(new Uint8Array(r.stdout));
  assert.deepEqual(report, { errno: 2, index: 1, what: "open \"/nonexistent/runt-stub\"" });
  assert.equal(describeReport(report!), "open \"/nonexistent/runt-stub\": ENOENT (No such file or directory)");
});

test("a result stored in a slot is the argument of later ops, and slotAddr exposes its value", () => {
  withTempDir((dir) => {
    const file = join(dir, "out");
    const p = new StubProgram();
    p.call("openat", [AT_FDCWD, p.str(file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600], { what: "open", result: 1 });
    p.call("write", [slot(1), p.str("through slot 1"), 14], { what: "write" });
    p.call("write", [1, p.slotAddr(1), 8], { what: "show slot 1" });
    p.call("close", [slot(1)], { what: "close" });
    p.call("close", [slot(1)], { what: "close again", ok: "EBADF" });
    const r = runProgram(p);
    assert.equal(r.status, 0, text(r.stderr));
    assert.equal(readFileSync(file, "utf8"), "through slot 1");
    // The first free descriptor of a process started with 0-2 open.
    assert.equal(Buffer.from(r.stdout).readBigUInt64LE(0), 3n);
  });
});

test("a result stored in slot 0 becomes the report descriptor", () => {
  withTempDir((dir) => {
    const file = join(dir, "report");
    const p = new StubProgram({ reportFd: 1 });
    p.call("openat", [AT_FDCWD, p.str(file), O_WRONLY | O_CREAT | O_TRUNC, 0o600], { what: "open report", result: 0 });
    p.call("close", [99], { what: "close 99", exit: 5 });
    const r = runProgram(p);
    assert.equal(r.status, 5);
    assert.equal(r.stdout.length, 0, "nothing on the original report descriptor");
    assert.deepEqual(decodeReport(new Uint8Array(readFileSync(file))), { errno: 9, index: 1, what: "close 99" });
  });
});

test("an accepted errno skips the op; the next execve runs with its argv and envp", () => {
  const p = new StubProgram({ reportFd: 2 });
  p.call("execve", [p.str("/nonexistent/sh"), p.strings(["sh"]), p.strings([])], { what: "missing", ok: "ENOENT" });
  p.call("execve", [p.str("/bin/sh"), p.strings(["/bin/sh", "-c", "echo \"$0 $X\"", "named"]), p.strings(["X=from envp"])], {
    what: "execve /bin/sh",
  });
  const r = runProgram(p);
  assert.equal(text(r.stderr), "");
  assert.equal(r.status, 0);
  assert.equal(text(r.stdout), "named from envp\n");
});

test("the report descriptor's failure does not hide the exit status", () => {
  const p = new StubProgram({ reportFd: 77 });
  p.call("close", [99], { what: "close 99", exit: 9 });
  const r = runProgram(p);
  assert.equal(r.status, 9);
});

test("decodeReport tolerates empty and short input", () => {
  assert.equal(decodeReport(new Uint8Array()), null);
  assert.deepEqual(decodeReport(Uint8Array.of(13, 0, 0)), { errno: 0, index: -1, what: "" });
  const b = new Uint8Array(12);
  b[0] = 13;
  assert.deepEqual(decodeReport(b), { errno: 13, index: -1, what: "" });
  assert.equal(describeReport({ errno: 13, index: 0, what: "x" }), "x: EACCES (Permission denied)");
});


test("after a clone the parent runs the calls the child skips (skipIfZero)", () => {
  const CLONE_VFORK = 0x4000, SIGCHLD = 17;
  const p = new StubProgram();
  // A vfork: the parent waits for the child to end, so the output's order is fixed.
  p.call("clone", [CLONE_VFORK | SIGCHLD, 0, 0, 0, 0], { what: "clone", result: 1, skipIfZero: 2 });
  p.call("write", [1, p.str("parent\n"), 7], { what: "parent writes" });
  p.call("exit_group", [0], { what: "parent exits" });
  p.call("write", [1, p.str("child\n"), 6], { what: "child writes" });
  const r = runProgram(p);
  assert.equal(r.status, 0, text(r.stderr));
  assert.equal(text(r.stdout), "child\nparent\n");
});
