/**
 * runt's own lookups of process.cwd and the executable (the thread in the
 * container's namespaces, the JavaScript init) follow no /proc/self/fd link,
 * which would be one of runt's own descriptors there, and still follow the
 * rootfs's symbolic links. Real system calls, no privilege needed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls, type Syscalls } from "../../ffi/mod.ts";
import { enterCwd, makeCwd, modeInContainer, passwdInContainer } from "../../runtime/process/container_paths.ts";
import { processEnv, resolveExecutable } from "../../runtime/process/mod.ts";

const sys: Syscalls = await loadSyscalls();

function scratch(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "runt-cwd-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A descriptor of `dir` held by this process, as runt holds the host's root while it builds. */
function held(dir: string): { fd: number; [Symbol.dispose](): void } {
  const fd = openSync(dir, "r");
  return { fd, [Symbol.dispose]: () => closeSync(fd) };
}

test("a cwd through /proc/self/fd is neither made nor entered: nothing appears in the directory the descriptor holds", () => {
  using s = scratch();
  using host = held(s.dir);
  const cwd = `/proc/self/fd/${host.fd}/escaped`;
  makeCwd(sys, cwd);
  assert.deepEqual(readdirSync(s.dir), []);
  assert.throws(() => enterCwd(sys, `/proc/self/fd/${host.fd}`), { code: "ELOOP" });
  assert.throws(() => resolveExecutable("sh", ["PATH=/bin"], `/proc/self/fd/${host.fd}`, modeInContainer(sys)), {
    message: `process.cwd "/proc/self/fd/${host.fd}": too many levels of symbolic links, or a link of /proc's`,
  });
  // The same path by name reaches the directory: what the descriptors avoid.
  assert.ok(statSync(`/proc/self/fd/${host.fd}`).isDirectory());
});

test("an executable reached through /proc/self/fd is not found; one on the PATH is", () => {
  using s = scratch();
  writeFileSync(join(s.dir, "tool"), "#!/bin/sh\n", { mode: 0o755 });
  using host = held(s.dir);
  const modeOf = modeInContainer(sys);
  assert.throws(() => resolveExecutable(`/proc/self/fd/${host.fd}/tool`, [], "/", modeOf), /too many levels of symbolic links, or a link of \/proc's/);
  assert.throws(() => resolveExecutable("tool", [`PATH=/proc/self/fd/${host.fd}`], "/", modeOf), /executable file not found in \$PATH/);
  assert.equal(resolveExecutable("tool", [`PATH=/nowhere:${s.dir}`], "/", modeOf), join(s.dir, "tool"));
  assert.throws(() => resolveExecutable(s.dir, [], "/", modeOf), /is a directory/);
});

test("a missing cwd is made through the rootfs's own links, parents and all, and entered", () => {
  using s = scratch();
  mkdirSync(join(s.dir, "real"));
  symlinkSync(join(s.dir, "real"), join(s.dir, "link"));
  const cwd = join(s.dir, "link", "a", "b");
  makeCwd(sys, cwd);
  assert.ok(statSync(join(s.dir, "real", "a", "b")).isDirectory());
  assert.equal(statSync(join(s.dir, "real", "a", "b")).mode & 0o777, 0o755 & ~process.umask());
  const before = process.cwd();
  try {
    enterCwd(sys, cwd);
    assert.equal(readlinkSync("/proc/thread-self/cwd"), join(s.dir, "real", "a", "b"));
  } finally {
    process.chdir(before);
  }
});

test("a cwd where procfs takes no new entry fails once and at once (mkdir says ENOENT there)", () => {
  makeCwd(sys, "/proc/runt-none/deeper");
  assert.equal(existsSync("/proc/runt-none"), false);
  assert.throws(() => resolveExecutable("sh", ["PATH=/bin"], "/proc/runt-none/deeper", modeInContainer(sys)), {
    message: 'process.cwd "/proc/runt-none/deeper": no such directory',
  });
});

test("HOME comes from a regular passwd file; a fifo, a /proc/self/fd link or a directory there gives none, without waiting", () => {
  using s = scratch();
  const passwd = join(s.dir, "passwd");
  writeFileSync(passwd, "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
  assert.deepEqual(processEnv(["PATH=/bin"], 1000, passwdInContainer(sys, passwd)), ["PATH=/bin", "HOME=/home/user"]);

  const fifo = join(s.dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  assert.equal(passwdInContainer(sys, fifo)(), "");
  using host = held(s.dir);
  assert.equal(passwdInContainer(sys, `/proc/self/fd/${host.fd}/passwd`)(), "");
  assert.equal(passwdInContainer(sys, s.dir)(), "");
  assert.deepEqual(processEnv([], 1000, passwdInContainer(sys, join(s.dir, "none"))), ["HOME=/"]);
});
