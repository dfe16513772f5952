import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import process from "node:process";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import {
  AF_UNIX,
  AT_EMPTY_PATH,
  AT_FDCWD,
  F_GETFL,
  F_SETFL,
  loadSyscalls,
  LOCK_EX,
  LOCK_NB,
  makedev,
  O_CLOEXEC,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  POLLIN,
  S_IFCHR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  O_RDONLY,
  RLIMIT_CORE,
  SIGTERM,
  SOCK_STREAM,
  SyscallError,
  type Syscalls,
} from "../../ffi/mod.ts";
import { needsRoot, runProbe } from "../ffi/helpers.ts";
import { findMount, parseMountinfo } from "../../runtime/mount/mountinfo.ts";
import { mountFlagsFromStatfs, MS } from "../../runtime/mount/options.ts";

const skip = needsRoot;
const sys: Syscalls = await loadSyscalls();

function readAll(fd: number): string {
  const chunks: string[] = [];
  const buf = new Uint8Array(4096);
  const dec = new TextDecoder();
  for (let n; (n = sys.read(fd, buf)) > 0;) chunks.push(dec.decode(buf.subarray(0, n), { stream: true }));
  return chunks.join("");
}

test("identity calls agree with node:process", () => {
  assert.equal(sys.getpid(), process.pid);
  assert.equal(sys.getppid(), process.ppid);
  assert.equal(sys.getuid(), process.getuid!());
  // Not necessarily the pid: `deno test` runs test modules off the main thread.
  assert.equal(readlinkSync("/proc/thread-self"), `${process.pid}/task/${sys.gettid()}`);
});

test("statfs gives each mount the flags the mount table shows for it", () => {
  const table = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"));
  const byOption: Record<string, number> = { ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, noatime: MS.NOATIME, nodiratime: MS.NODIRATIME, relatime: MS.RELATIME };
  for (const path of ["/", "/proc", "/dev", "/sys"]) {
    const mount = findMount(table, path);
    if (!mount) continue;
    let expected = mount.options.reduce((flags, o) => flags | (byOption[o] ?? 0), 0);
    if ((expected & (MS.NOATIME | MS.RELATIME)) === 0) expected |= MS.STRICTATIME;
    assert.equal(mountFlagsFromStatfs(sys.statfs(path).flags) & ~MS.RDONLY, expected & ~MS.RDONLY, path);
  }
  assert.equal(sys.statfs("/proc").type, 0x9fa0n, "PROC_SUPER_MAGIC");
  assert.throws(() => sys.statfs("/nonexistent/runt"), /ENOENT/);
});

test("mount, mount_setattr and pivot_root in a fresh mount namespace stay invisible to the host", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-ffi-mnt-"));
  try {
    const r = runProbe("mountns", dir);
    assert.match(r.line, / - tmpfs tmpfs rw/);
    assert.equal(r.readBack, "written in the namespace");
    assert.deepEqual(r.roErrors, ["EROFS", "EROFS"], "mount_setattr(AT_RECURSIVE, RDONLY) covers submounts");
    assert.deepEqual(r.rootEntries, ["inside", "ro"], "after pivot_root the tmpfs is /");
    assert.deepEqual(readdirSync(dir), []);
    const hostMounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4]);
    assert.ok(!hostMounts.includes(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unshare(CLONE_NEWUTS) + sethostname changes only the child's hostname", { skip }, () => {
  const host = hostname();
  const r = runProbe("uts", "runt-ffi-probe");
  assert.equal(r.after, "runt-ffi-probe");
  assert.equal(r.before, host);
  assert.equal(hostname(), host);
});

test("posix_spawn into a new PID namespace gives PID 1 and setns restores", { skip }, () => {
  const r = runProbe("pidns");
  assert.equal(r.output, "1");
  assert.deepEqual(r.status, { kind: "exited", code: 0 });
  assert.equal(r.restored, true);
  assert.equal(r.after, "still alive");
});

test("prlimit lowers a soft limit, visible in /proc/self/limits", { skip }, () => {
  const old = sys.prlimit(0, RLIMIT_CORE);
  const soft = old.hard > 4096n ? 4096n : old.hard;
  try {
    const prev = sys.prlimit(0, RLIMIT_CORE, { soft, hard: old.hard });
    assert.deepEqual(prev, old);
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max core file size"));
    assert.match(line!, new RegExp(`^Max core file size\\s+${soft}\\s`));
    assert.equal(sys.prlimit(0, RLIMIT_CORE).soft, soft);
  } finally {
    sys.prlimit(0, RLIMIT_CORE, old);
  }
});

test("posix_spawn with dup2 and chdir file actions; waitpid decodes the exit", () => {
  const [r, w] = sys.pipe2(O_CLOEXEC);
  const pid = sys.posixSpawn("/bin/sh", ["sh", "-c", 'pwd; echo "$GREETING"; exit 7'], ["GREETING=hi"], {
    fileActions: [{ op: "dup2", fd: w, to: 1 }, { op: "chdir", path: "/usr" }, { op: "close", fd: r }],
    setsid: true,
  });
  sys.close(w);
  const out = readAll(r);
  sys.close(r);
  assert.equal(out, "/usr\nhi\n");
  assert.deepEqual(sys.waitpid(pid), { pid, status: { kind: "exited", code: 7 } });
});

test("posix_spawn's closefrom action leaves the child only the descriptors below it", () => {
  const [r, w] = sys.pipe2(O_CLOEXEC);
  // Not close-on-exec: without the action the child would hold it.
  const [strayR, strayW] = sys.pipe2();
  try {
    const pid = sys.posixSpawn("/bin/sh", ["sh", "-c", "exec ls /proc/self/fd"], [], {
      fileActions: [{ op: "dup2", fd: w, to: 1 }, { op: "closefrom", fd: 3 }],
    });
    sys.close(w);
    const out = readAll(r);
    // ls itself holds the directory it reads, as 3.
    assert.equal(out, "0\n1\n2\n3\n");
    assert.deepEqual(sys.waitpid(pid), { pid, status: { kind: "exited", code: 0 } });
  } finally {
    sys.close(r);
    sys.close(strayR);
    sys.close(strayW);
  }
});

test("posix_spawn of a missing program throws ENOENT", () => {
  assert.throws(
    () => sys.posixSpawn("/nonexistent/prog", ["prog"], []),
    (e: unknown) => e instanceof SyscallError && e.code === "ENOENT" && e.call === "posix_spawn",
  );
});

test("pidfd_open + pidfd_send_signal: the child is reported as signaled", () => {
  const pid = sys.posixSpawn("/bin/sleep", ["sleep", "30"], []);
  const pidfd = sys.pidfdOpen(pid);
  try {
    sys.pidfdSendSignal(pidfd, SIGTERM);
    assert.deepEqual(sys.waitpid(pid), { pid, status: { kind: "signaled", signal: SIGTERM, coreDumped: false } });
  } finally {
    sys.close(pidfd);
  }
});

test("sendmsg/recvmsg pass a descriptor with SCM_RIGHTS", () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC);
  const [r, w] = sys.pipe2();
  try {
    assert.equal(sys.sendmsg(a, new TextEncoder().encode("fd!"), [r]), 3);
    const buf = new Uint8Array(16);
    const got = sys.recvmsg(b, buf);
    assert.equal(got.bytes, 3);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 3)), "fd!");
    assert.equal(got.fds.length, 1);
    assert.notEqual(got.fds[0], r);
    sys.write(w, "through the passed fd");
    sys.close(w);
    assert.equal(readAll(got.fds[0]), "through the passed fd");
    sys.close(got.fds[0]);
  } finally {
    for (const fd of [a, b, r]) sys.close(fd);
  }
});

test("a failing call throws the exact SyscallError", { skip }, () => {
  assert.throws(
    () => sys.mount("proc", "/nonexistent/runt-ffi/proc", "proc", 0, null),
    (e: unknown) => {
      assert.ok(e instanceof SyscallError);
      assert.equal(e.message, 'mount("proc", "/nonexistent/runt-ffi/proc", "proc", 0x0, null): ENOENT (No such file or directory)');
      assert.equal(e.errno, 2);
      assert.equal(e.code, "ENOENT");
      assert.equal(e.call, "mount");
      return true;
    },
  );
  assert.throws(() => sys.close(987654), /^SyscallError: close\(987654\): EBADF \(Bad file descriptor\)$/);
  assert.throws(() => sys.open("/nonexistent/x", O_RDONLY), { code: "ENOENT" });
});

test("capget reads this process's capability sets", () => {
  const caps = sys.capget();
  const status = readFileSync("/proc/self/status", "utf8");
  const eff = BigInt("0x" + /CapEff:\s+([0-9a-f]+)/.exec(status)![1]);
  assert.equal(caps.effective, eff);
});

test("waitpid with WNOHANG returns pid 0 while the child runs", () => {
  const pid = sys.posixSpawn("/bin/sleep", ["sleep", "30"], []);
  assert.deepEqual(sys.waitpid(pid, 1), { pid: 0, status: null });
  sys.kill(pid, 9);
  assert.deepEqual(sys.waitpid(pid).status, { kind: "signaled", signal: 9, coreDumped: false });
});

test("fstatat on an O_PATH descriptor of a symbolic link describes the link; fchmodat through /proc/thread-self/fd changes the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-fstatat-"));
  try {
    writeFileSync(join(dir, "file"), "abc");
    symlinkSync("file", join(dir, "link"));
    const link = sys.open(join(dir, "link"), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    const file = sys.open(join(dir, "file"), O_PATH | O_CLOEXEC);
    try {
      assert.equal(sys.fstatat(link, "", AT_EMPTY_PATH).mode & S_IFMT, S_IFLNK);
      const st = sys.fstatat(file, "", AT_EMPTY_PATH);
      const host = statSync(join(dir, "file"), { bigint: true });
      assert.deepEqual([st.mode & S_IFMT, st.ino, st.size], [S_IFREG, host.ino, 3n]);
      sys.fchmodat(AT_FDCWD, `/proc/thread-self/fd/${file}`, 0o604);
      assert.equal(statSync(join(dir, "file")).mode & 0o777, 0o604);
    } finally {
      sys.close(link);
      sys.close(file);
    }
    const nul = sys.fstatat(AT_FDCWD, "/dev/null", 0);
    assert.deepEqual([nul.mode & S_IFMT, nul.rdev], [S_IFCHR, makedev(1, 3)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("mountIdOf an O_PATH descriptor is the mnt_id /proc/self/fdinfo shows, and differs across a mount boundary", () => {
  const root = sys.open("/", O_PATH | O_CLOEXEC);
  const proc = sys.open("/proc", O_PATH | O_CLOEXEC);
  try {
    for (const fd of [root, proc]) {
      const fdinfo = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
      assert.equal(String(sys.mountIdOf(fd)), fdinfo);
    }
    assert.notEqual(sys.mountIdOf(root), sys.mountIdOf(proc));
  } finally {
    sys.close(root);
    sys.close(proc);
  }
});

test("poll waits out a finite timeout on an empty pipe and wakes for data; mkfifo, umask, fcntl and flock do what libc's would", () => {
  const [r, w] = sys.pipe2();
  const dir = mkdtempSync(join(tmpdir(), "runt-ffi-"));
  try {
    const before = performance.now();
    assert.deepEqual(sys.poll([{ fd: r, events: POLLIN }], 120), [0]);
    assert.ok(performance.now() - before >= 100, "a 120 ms timeout returned early");
    // A fraction of a millisecond counts for nothing, as in poll's int: neither a failure nor a wait forever.
    assert.deepEqual(sys.poll([{ fd: r, events: POLLIN }], 0.5), [0]);
    assert.deepEqual(sys.poll([{ fd: r, events: POLLIN }], -0.5), [0]);
    sys.write(w, "x");
    assert.deepEqual(sys.poll([{ fd: r, events: POLLIN }], -1), [POLLIN]);

    const old = sys.umask(0o027);
    assert.equal(sys.umask(old), 0o027);
    sys.mkfifo(join(dir, "fifo"), 0o640);
    assert.equal(statSync(join(dir, "fifo")).mode & 0o170777, S_IFIFO | 0o640 & ~old);

    const flags = sys.fcntl(r, F_GETFL);
    sys.fcntl(r, F_SETFL, flags | O_NONBLOCK);
    assert.equal(sys.fcntl(r, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    const fd = sys.open(dir, O_RDONLY | O_CLOEXEC);
    const other = sys.open(dir, O_RDONLY | O_CLOEXEC);
    try {
      sys.flock(fd, LOCK_EX);
      assert.throws(() => sys.flock(other, LOCK_EX | LOCK_NB), { code: "EAGAIN" });
    } finally {
      sys.close(other);
      sys.close(fd);
    }
  } finally {
    sys.close(r);
    sys.close(w);
    rmSync(dir, { recursive: true });
  }
});
