/**
 * Mistakes a new user makes, each answered with one clear line, a non-zero
 * exit, and nothing left behind: no state directory, mount or process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { leftovers } from "./leftovers.ts";
import { systemLsm } from "../../runtime/process/lsm.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** Creates container `id` from a bundle built with `args`/`edit`; returns runt's answer and checks it left nothing. */
function failedCreate(args: string[], edit: (spec: Spec) => void = () => {}, id = "bad", flags: string[] = []) {
  const root = tempDir("runt-root-");
  const tag = `RUNT_TEST=${process.pid}-${id}`;
  const b = makeBundle(args, (s) => {
    s.process!.env!.push(tag);
    edit(s);
  });
  try {
    const r = runt(["--root", root.path, "create", "-b", b.dir, ...flags, id], { files: true });
    if (r.status === 0) runt(["--root", root.path, "delete", "--force", id]);
    assert.notEqual(r.status, 0, "create must fail");
    assert.deepEqual(leftovers(root.path, id, [b.dir, SHARED_ROOTFS], tag), []);
    assert.deepEqual(existsSync(root.path) ? readdirSync(root.path) : [], []);
    return r;
  } finally {
    b.cleanup();
    root.cleanup();
  }
}

test("an unknown container ID is named by state, start, kill and delete", { skip }, () => {
  const root = tempDir("runt-root-");
  try {
    for (const cmd of [["state"], ["start"], ["kill"], ["delete"]]) {
      const r = runt(["--root", root.path, ...cmd, "nope"]);
      assert.equal(r.status, 1, cmd.join(" "));
      assert.deepEqual(r.errLines, ['runt: container "nope" does not exist'], cmd.join(" "));
    }
    // As runc: a forced delete of what is already gone succeeds (cli_contract.test.ts).
    runtOk(["--root", root.path, "delete", "--force", "nope"]);
  } finally {
    root.cleanup();
  }
});

test("a malformed container ID is refused before anything is made", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"]);
  try {
    for (const id of ["..", "a/b", "with space"]) {
      const r = runt(["--root", root.path, "create", "-b", b.dir, id]);
      assert.equal(r.status, 1);
      assert.equal(r.errLines.length, 1, r.stderr);
      assert.match(r.errLines[0], /container ID/i);
    }
    assert.deepEqual(readdirSync(root.path), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("a duplicate ID is refused and the existing container is untouched", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"]);
  try {
    runtOk(["--root", root.path, "create", "-b", b.dir, "dup"], { files: true });
    const first = JSON.parse(runt(["--root", root.path, "state", "dup"]).stdout);
    const r = runt(["--root", root.path, "create", "-b", b.dir, "dup"], { files: true });
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, ['runt: container "dup" already exists']);
    assert.deepEqual(JSON.parse(runt(["--root", root.path, "state", "dup"]).stdout), first);
  } finally {
    runt(["--root", root.path, "delete", "--force", "dup"]);
    b.cleanup();
    root.cleanup();
  }
});

test("a missing rootfs is named", { skip }, () => {
  const r = failedCreate(["true"], (s) => (s.root!.path = "/nonexistent/rootfs"));
  assert.deepEqual(r.errLines, ["runt: root.path: rootfs /nonexistent/rootfs does not exist"]);
});

test("a non-existent executable is reported by create, as runc does", { skip }, () => {
  const r = failedCreate(["nosuch-binary"]);
  assert.equal(r.errLines.length, 1, r.stderr);
  assert.match(r.errLines[0], /^runt: exec: "nosuch-binary": executable file not found in \$PATH$/);
});

test("a cwd that cannot be a directory in the container is reported by create", { skip }, () => {
  // A missing cwd is made, as runc makes it; a file in the way cannot be.
  const r = failedCreate(["true"], (s) => (s.process!.cwd = "/etc/passwd"));
  assert.deepEqual(r.errLines, ['runt: process.cwd "/etc/passwd": not a directory']);
});

test("an invalid config names the file and the JSON path", { skip }, () => {
  const r = failedCreate(["true"], (s) => {
    s.process!.rlimits = [{ type: "RLIMIT_NOPE", soft: 1, hard: 1 }];
  });
  assert.equal(r.errLines.length, 1, r.stderr);
  assert.match(r.errLines[0], /config\.json: process\.rlimits\[0\]\.type: /);
});

test("a detached terminal without --console-socket is refused in one line", { skip }, () => {
  const r = failedCreate(["true"], (s) => (s.process!.terminal = true));
  assert.deepEqual(r.errLines, ["runt: process.terminal: without --console-socket there is nowhere to send the terminal of a detached process"]);
});

test("a --console-socket nobody listens on is named, and nothing is left", { skip }, () => {
  const r = failedCreate(["true"], (s) => (s.process!.terminal = true), "bad", ["--console-socket", "/nonexistent/console.sock"]);
  assert.equal(r.errLines.length, 1, r.stderr);
  assert.deepEqual(r.errLines, ["runt: --console-socket /nonexistent/console.sock: cannot connect: ENOENT (No such file or directory)"]);
});

test("--console-socket without a terminal is refused in one line", { skip }, () => {
  const r = failedCreate(["true"], () => {}, "bad", ["--console-socket", "/nonexistent/console.sock"]);
  assert.deepEqual(r.errLines, ["runt: --console-socket: process.terminal is false, so there is no terminal to hand over"]);
});

const lsmSkip = skip || (systemLsm.apparmorEnabled() || systemLsm.selinuxEnabled() ? "this host has AppArmor or SELinux" : false);

test("an AppArmor profile or SELinux label this host cannot apply is refused, not dropped", { skip: lsmSkip }, () => {
  const r = failedCreate(["true"], (s) => (s.process!.apparmorProfile = "runt-test"));
  assert.deepEqual(r.errLines, ['runt: process.apparmorProfile: AppArmor is not enabled on this host, so profile "runt-test" cannot be applied']);
  const l = failedCreate(["true"], (s) => (s.process!.selinuxLabel = "system_u:system_r:container_t:s0"));
  assert.deepEqual(l.errLines, ['runt: process.selinuxLabel: SELinux is not enabled on this host, so label "system_u:system_r:container_t:s0" cannot be applied']);
});

test("a seccomp profile runt cannot apply refuses the container rather than running it unconfined", { skip }, () => {
  const r = failedCreate(["true"], (s) => (s.linux!.seccomp = { defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }));
  assert.deepEqual(r.errLines, ["runt: linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported"]);
});

test("a failing prestart hook fails create and leaves nothing", { skip }, () => {
  const r = failedCreate(["true"], (s) => (s.hooks = { prestart: [{ path: "/bin/sh", args: ["sh", "-c", "exit 3"] }] }));
  assert.equal(r.errLines.length, 1, r.stderr);
  assert.match(r.errLines[0], /prestart/);
});

test("a mount that cannot be made is named and undone", { skip }, () => {
  const r = failedCreate(["true"], (s) => {
    s.mounts!.push({ destination: "/data", type: "bind", source: "/nonexistent/source", options: ["rbind"] });
  });
  assert.equal(r.errLines.length, 1, r.stderr);
  assert.match(r.errLines[0], /\/data/);
});

test("start of a container whose init was killed says it stopped", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"]);
  try {
    runtOk(["--root", root.path, "create", "-b", b.dir, "gone"], { files: true });
    const pid = JSON.parse(runt(["--root", root.path, "state", "gone"]).stdout).pid;
    process.kill(pid, "SIGKILL");
    const end = Date.now() + 5000;
    while (existsSync(`/proc/${pid}`) && JSON.parse(runt(["--root", root.path, "state", "gone"]).stdout).status !== "stopped") {
      if (Date.now() > end) break;
    }
    const r = runt(["--root", root.path, "start", "gone"]);
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, ['runt: cannot start container "gone": it is stopped, only a created container can be started']);
    runtOk(["--root", root.path, "delete", "gone"]);
    assert.ok(!existsSync(join(root.path, "gone")));
  } finally {
    b.cleanup();
    root.cleanup();
  }
});
