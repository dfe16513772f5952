import { test } from "node:test";
import assert from "node:assert/strict";
import { errnoDescription, errnoName, errnoNumber } from "../../ffi/errno.ts";
import { formatArg, isErrno, SyscallError } from "../../ffi/errors.ts";

test("errno table maps numbers to names and descriptions", () => {
  assert.equal(errnoName(1), "EPERM");
  assert.equal(errnoName(2), "ENOENT");
  assert.equal(errnoName(22), "EINVAL");
  assert.equal(errnoName(95), "EOPNOTSUPP");
  assert.equal(errnoDescription(13), "Permission denied");
  assert.equal(errnoName(4095), "E4095");
  assert.equal(errnoDescription(4095), "Unknown error 4095");
  assert.equal(errnoNumber("EBUSY"), 16);
  assert.equal(errnoNumber("EWOULDBLOCK"), 11);
  assert.equal(errnoNumber("nope"), undefined);
  assert.equal(errnoNumber("enoent"), 2);
});

test("SyscallError message: strings quoted, flags in hex, null shown", () => {
  const e = new SyscallError("mount", ["proc", "/x/proc", "proc", 0, null], 1);
  assert.equal(e.message, 'mount("proc", "/x/proc", "proc", 0x0, null): EPERM (Operation not permitted)');
  assert.equal(e.call, "mount");
  assert.equal(e.code, "EPERM");
  assert.equal(e.errno, 1);
  assert.deepEqual(e.args, ["proc", "/x/proc", "proc", 0, null]);
  assert.ok(e instanceof Error);
  assert.equal(e.name, "SyscallError");
});

test("SyscallError's message, worded when first read, reads the same every time, shows in String(e), and can be replaced", () => {
  const e = new SyscallError("mkdirat", [3, "tmp", 0o755], 17);
  const text = 'mkdirat(3, "tmp", 0o755): EEXIST (File exists)';
  assert.equal(String(e), `SyscallError: ${text}`);
  assert.equal(e.message, text);
  assert.equal(e.message, text);
  assert.equal(Object.getOwnPropertyDescriptor(e, "message")?.value, text);
  assert.equal(Object.keys(e).includes("message"), false, "not enumerable, as an Error's message is not");
  const other = new SyscallError("open", ["/x", 0, 0], 2);
  other.message = "open /x: gone";
  assert.equal(other.message, "open /x: gone");
  assert.equal(String(other), "SyscallError: open /x: gone");
  // A later error is worded from its own call, not from one read before it.
  assert.equal(new SyscallError("close", [9], 9).message, "close(9): EBADF (Bad file descriptor)");
});

test("SyscallError uses the C name, hex flags, octal modes and redacts environments", () => {
  assert.equal(
    new SyscallError("pivotRoot", [".", "."], 22).message,
    'pivot_root(".", "."): EINVAL (Invalid argument)',
  );
  assert.equal(
    new SyscallError("unshare", [0x20000 | 0x4000000], 1).message,
    "unshare(0x4020000): EPERM (Operation not permitted)",
  );
  assert.equal(
    new SyscallError("open", ["/etc/x", 0o2000101, 0o644], 13).message,
    'open("/etc/x", 0x80041, 0o644): EACCES (Permission denied)',
  );
  const spawn = new SyscallError("posixSpawn", ["/bin/x", ["x", "-v"], ["SECRET=1", "B=2"], {}], 2);
  assert.equal(spawn.message, 'posix_spawn("/bin/x", ["x", "-v"], [2 vars], {}): ENOENT (No such file or directory)');
  assert.ok(!spawn.message.includes("SECRET"));
  assert.equal(spawn.method, "posixSpawn");
});

test("buffers, long strings and long lists are summarised", () => {
  assert.equal(formatArg(new Uint8Array(300)), "<300 bytes>");
  assert.equal(formatArg("a".repeat(100)), JSON.stringify("a".repeat(64) + "..."));
  assert.equal(formatArg([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), "[1, 2, 3, 4, 5, 6, 7, 8, ...2 more]");
  assert.equal(formatArg({ soft: 1n, hard: 2n }), "{soft: 1, hard: 2}");
  assert.equal(formatArg(undefined), "null");
});

test("isErrno matches by name or number", () => {
  const e = new SyscallError("close", [99], 9);
  assert.ok(isErrno(e, "EBADF"));
  assert.ok(isErrno(e, 9));
  assert.ok(!isErrno(e, "ENOENT"));
  assert.ok(!isErrno(new Error("x"), 9));
});
