import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  AT_EMPTY_PATH,
  F_ADD_SEALS,
  F_SEAL_GROW,
  F_SEAL_SEAL,
  F_SEAL_SHRINK,
  F_SEAL_WRITE,
  isErrno,
  loadSyscalls,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  O_CLOEXEC,
  type Syscalls,
} from "../../ffi/mod.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { sealedExecutable } from "../../runtime/stub/memfd.ts";
import { StubProgram } from "../../runtime/stub/program.ts";
import { decodeReport } from "../../runtime/stub/report.ts";

const SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

test("sealedExecutable creates, fills and seals a memfd, in that order", () => {
  const fake = new RecordingSyscalls();
  const image = new StubProgram().call("getpid", [], { what: "getpid" }).image();
  const fd = sealedExecutable(fake, image, "runt-stub");
  assert.deepEqual(fake.names(), ["memfdCreate", "write", "fcntl"]);
  assert.deepEqual(fake.callsTo("memfdCreate"), [["runt-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC]]);
  assert.deepEqual(fake.callsTo("fcntl"), [[fd, F_ADD_SEALS, SEALS]]);
});

test("sealedExecutable retries without MFD_EXEC where the kernel predates it, and closes on failure", () => {
  const old = new RecordingSyscalls().failOn("memfdCreate", "EINVAL", { when: (_name, flags) => (flags & MFD_EXEC) !== 0 });
  sealedExecutable(old, Uint8Array.of(1), "x");
  assert.deepEqual(old.callsTo("memfdCreate").map((a) => a[1]), [MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC, MFD_CLOEXEC | MFD_ALLOW_SEALING]);
  const broken = new RecordingSyscalls().failOn("fcntl", "EPERM");
  assert.throws(() => sealedExecutable(broken, Uint8Array.of(1), "x"), (e) => isErrno(e, "EPERM"));
  assert.deepEqual(broken.names(), ["memfdCreate", "write", "fcntl", "close"]);
});

const sys: Syscalls = await loadSyscalls();

function readAll(fd: number): Uint8Array {
  const chunks: number[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = sys.read(fd, buf)) > 0;) chunks.push(...buf.subarray(0, n));
  return Uint8Array.from(chunks);
}

test("the sealed memfd refuses writes and runs as the stub, which /proc shows as the memfd, single-threaded", () => {
  // Blocks in read() on stdin until the test writes, then echoes to stdout.
  const p = new StubProgram({ reportFd: 1 });
  const buf = p.reserve(8);
  p.call("read", [0, buf, 8], { what: "read stdin" });
  p.call("write", [1, buf, 5], { what: "echo" });
  p.call("close", [99], { what: "close 99", exit: 3 });
  const fd = sealedExecutable(sys, p.image(), "runt-stub-test");
  let pid = 0;
  const [inR, inW] = sys.pipe2(O_CLOEXEC);
  const [outR, outW] = sys.pipe2(O_CLOEXEC);
  const open = new Set([fd, inR, inW, outR, outW]);
  const close = (d: number) => {
    open.delete(d);
    sys.close(d);
  };
  try {
    assert.throws(() => sys.write(fd, Uint8Array.of(0)), (e) => isErrno(e, "EPERM"), "F_SEAL_WRITE");
    pid = sys.posixSpawn(`/proc/self/fd/${fd}`, ["stub"], [], {
      fileActions: [{ op: "dup2", fd: inR, to: 0 }, { op: "dup2", fd: outW, to: 1 }],
    });
    close(outW);
    assert.equal(readlinkSync(`/proc/${pid}/exe`), "/memfd:runt-stub-test (deleted)");
    assert.match(readFileSync(`/proc/${pid}/status`, "utf8"), /^Threads:\s+1$/m);
    sys.write(inW, "ping!");
    close(inW);
    const out = readAll(outR);
    assert.equal(new TextDecoder().decode(out.subarray(0, 5)), "ping!");
    assert.deepEqual(decodeReport(out.subarray(5)), { errno: 9, index: 2, what: "close 99" });
    assert.deepEqual(sys.waitpid(pid).status, { kind: "exited", code: 3 });
    pid = 0;
  } finally {
    if (pid) {
      sys.kill(pid, 9);
      sys.waitpid(pid);
    }
    for (const d of open) close(d);
  }
});

test("execveat failing returns as a SyscallError naming the call", () => {
  assert.throws(
    () => sys.execveat(-1, "", ["x"], [], AT_EMPTY_PATH),
    (e) => isErrno(e, "EBADF") && /^execveat\(-1, "", \["x"\], \[0 vars\], 0x1000\): EBADF/.test((e as Error).message),
  );
});

test("execveat on the sealed memfd replaces the calling runtime with the program", () => {
  const probe = fileURLToPath(new URL("./stub_exec_probe.ts", import.meta.url));
  const args = "Deno" in globalThis ? ["run", "-A", "--no-check", probe] : [probe];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "/memfd:runt-probe (deleted)");
});
