/**
 * Child-process probes for the ffi tests: namespace changes must not move the
 * test runner itself, so each runs here and reports JSON on stdout.
 * Usage: probe.ts mountns DIR | uts NAME | pidns
 */
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import process from "node:process";
import {
  AT_FDCWD,
  AT_RECURSIVE,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUTS,
  loadSyscalls,
  MNT_DETACH,
  MOUNT_ATTR_RDONLY,
  MS_BIND,
  MS_PRIVATE,
  MS_REC,
  O_CLOEXEC,
  O_RDONLY,
  type Syscalls,
} from "../../ffi/mod.ts";

const sys = await loadSyscalls();
const [what, arg] = process.argv.slice(2);

function readAll(s: Syscalls, fd: number): string {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = s.read(fd, buf)) > 0;) chunks.push(buf.slice(0, n));
  return Buffer.concat(chunks).toString();
}

// Synchronous APIs only: they run on this (the unshared) thread.
function mountns(dir: string) {
  sys.unshare(CLONE_NEWNS);
  sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
  sys.mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0755");
  const mountinfo = readFileSync("/proc/thread-self/mountinfo", "utf8");
  const line = mountinfo.split("\n").find((l) => l.split(" ")[4] === dir) ?? null;
  writeFileSync(`${dir}/inside`, "written in the namespace");
  const readBack = readFileSync(`${dir}/inside`, "utf8");

  mkdirSync(`${dir}/ro/sub`, { recursive: true });
  sys.mount(`${dir}/ro`, `${dir}/ro`, null, MS_BIND, null);
  sys.mount("tmpfs", `${dir}/ro/sub`, "tmpfs", 0, null);
  sys.mountSetattr(AT_FDCWD, `${dir}/ro`, AT_RECURSIVE, { attrSet: MOUNT_ATTR_RDONLY });
  const roErrors = [`${dir}/ro/x`, `${dir}/ro/sub/x`].map((p) => {
    try {
      writeFileSync(p, "");
      return null;
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  });

  // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the tmpfs.
  sys.chdir(dir);
  sys.pivotRoot(".", ".");
  sys.umount2(".", MNT_DETACH);
  sys.chdir("/");
  const rootEntries = readdirSync("/").sort();
  return { line, readBack, roErrors, rootEntries };
}

function uts(name: string) {
  const before = readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  sys.unshare(CLONE_NEWUTS);
  sys.sethostname(name);
  return { before, after: readFileSync("/proc/sys/kernel/hostname", "utf8").trim() };
}

// The recipe from design.md: the runtime's own threads never enter the new PID namespace.
function pidns() {
  const saved = sys.open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  const [r, w] = sys.pipe2(O_CLOEXEC);
  sys.unshare(CLONE_NEWPID);
  let pid: number;
  try {
    pid = sys.posixSpawn("/bin/sh", ["sh", "-c", "echo $$"], [], {
      fileActions: [{ op: "dup2", fd: w, to: 1 }],
    });
  } finally {
    sys.setns(saved, CLONE_NEWPID);
    sys.close(saved);
    sys.close(w);
  }
  const output = readAll(sys, r).trim();
  sys.close(r);
  const status = sys.waitpid(pid).status;
  const restored = readlinkSync("/proc/thread-self/ns/pid_for_children") === readlinkSync("/proc/thread-self/ns/pid");
  // Creating threads and processes must still work once we are back.
  const after = spawnSync("/bin/echo", ["still alive"], { encoding: "utf8" }).stdout.trim();
  return { output, status, after, restored };
}

const result = what === "mountns" ? mountns(arg) : what === "uts" ? uts(arg) : what === "pidns" ? pidns() : null;
if (result === null) throw new Error(`unknown probe ${what}`);
process.stdout.write(JSON.stringify(result) + "\n");
