/**
 * Seccomp filters in real containers, each next to runc on the same bundle:
 * errno actions, argument conditions, a large allowlist profile of the kind
 * container managers pass, the filter kept by processes `exec` adds, and
 * both moments of installation (with and without no_new_privs).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { X86_64_SYSCALLS } from "../../runtime/seccomp/syscalls_x86_64.ts";
import { isRoot, runt, runtArgv, runtOk, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : process.arch !== "x64" ? "seccomp tables are x86_64 only" : false;
type Seccomp = NonNullable<NonNullable<Spec["linux"]>["seccomp"]>;

const ARCHES: Seccomp["architectures"] = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];

/** Denies mkdir with EPERM, and chmod to 0777 only (an argument condition) with EACCES. */
const TARGETED: Seccomp = {
  defaultAction: "SCMP_ACT_ALLOW",
  architectures: ARCHES,
  syscalls: [
    { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 },
    { names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{ index: 1, value: 0o777, op: "SCMP_CMP_EQ" }] },
    { names: ["fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{ index: 2, value: 0o777, op: "SCMP_CMP_EQ" }] },
  ],
};

/** Everything allowed by name but namespace and mount calls, the rest EPERM by default: a manager's default profile in miniature. */
const ALLOWLIST: Seccomp = {
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 1,
  architectures: ARCHES,
  syscalls: [
    {
      names: Object.keys(X86_64_SYSCALLS).filter((n) => !["unshare", "setns", "mount", "umount2", "pivot_root", "chroot"].includes(n)),
      action: "SCMP_ACT_ALLOW",
    },
  ],
};

const SCRIPT = [
  "grep Seccomp: /proc/self/status",
  "mkdir /out/d 2>&1 || echo mkdir-refused",
  "touch /out/f",
  "chmod 777 /out/f 2>&1 || echo chmod-777-refused",
  "chmod 755 /out/f && echo chmod-755-ok",
  "unshare -m true 2>&1 || echo unshare-refused",
  "chroot / true 2>&1 || echo chroot-refused",
  "echo done",
].join("; ");

function runBoth(seccomp: Seccomp, edit: (s: Spec) => void = () => {}) {
  const results: Record<string, { status: number; stdout: string }> = {};
  for (const [name, argv] of [["runt", runtArgv()], ["runc", ["runc"]]] as const) {
    const root = tempDir("runt-root-");
    const b = makeBundle(["sh", "-c", SCRIPT], (s) => {
      s.linux!.seccomp = structuredClone(seccomp);
      edit(s);
    });
    try {
      const [cmd, ...pre] = argv;
      const r = spawnSync(cmd, [...pre, "--root", root.path, "run", "-b", b.dir, `seccomp-${name}`], { encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000 });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      results[name] = { status: r.status!, stdout: r.stdout };
    } finally {
      b.cleanup();
      root.cleanup();
    }
  }
  return results;
}

test("a targeted profile: errno actions and an argument condition, as under runc", { skip }, () => {
  const { runt: ours, runc } = runBoth(TARGETED);
  assert.match(ours.stdout, /^Seccomp:\s+2$/m);
  assert.match(ours.stdout, /^mkdir-refused$/m);
  assert.match(ours.stdout, /Operation not permitted/);
  assert.match(ours.stdout, /^chmod-777-refused$/m);
  assert.match(ours.stdout, /Permission denied/);
  assert.match(ours.stdout, /^chmod-755-ok$/m);
  assert.match(ours.stdout, /^done$/m);
  assert.equal(ours.stdout, runc.stdout);
});

test("an allowlist profile with an errno default, installed before or after no_new_privs, as under runc", { skip }, () => {
  for (const noNewPrivileges of [false, true]) {
    const { runt: ours, runc } = runBoth(ALLOWLIST, (s) => (s.process!.noNewPrivileges = noNewPrivileges));
    assert.match(ours.stdout, /^unshare-refused$/m, `noNewPrivileges ${noNewPrivileges}`);
    assert.match(ours.stdout, /^chroot-refused$/m);
    assert.match(ours.stdout, /^chmod-755-ok$/m);
    assert.equal(ours.stdout, runc.stdout, `noNewPrivileges ${noNewPrivileges}`);
  }
});

test("a process added by exec is under the container's filter", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"], (s) => (s.linux!.seccomp = structuredClone(TARGETED)));
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, "seccomp-exec"], { files: true });
    const r = runt(["--root", root.path, "exec", "seccomp-exec", "sh", "-c", "grep Seccomp: /proc/self/status; mkdir /out/e 2>&1 || echo mkdir-refused"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Seccomp:\s+2$/m);
    assert.match(r.stdout, /^mkdir-refused$/m);
  } finally {
    runt(["--root", root.path, "delete", "--force", "seccomp-exec"]);
    b.cleanup();
    root.cleanup();
  }
});
