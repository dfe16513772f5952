/**
 * A container without a mount namespace of its own (the spec lets it share
 * the runtime's): its mounts are made in the host's namespace under the
 * rootfs, and the container is chroot'ed there, as runc does. Unlike runc,
 * which leaves proc, dev, sys and the cgroup mounts on the host, runt
 * removes them at delete, also after the runtime was killed during create.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { type Bundle, makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { detachMountsUnder } from "../differential/host.ts";
import { copyRootfs } from "../differential/rootfs.ts";
import { readOr, runtAsync, waitFor } from "./containers.ts";
import { mountsMentioning } from "./leftovers.ts";
import { isRoot, runt, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** runt spec's config without the mount namespace, and without the masks runc refuses there, on a private rootfs copy. */
function sharedMountsBundle(args: string[], edit: (spec: Spec) => void = () => {}): Bundle & { rootfs: string } {
  const b = makeBundle(args, (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((ns) => ns.type !== "mount");
    delete s.linux!.maskedPaths;
    delete s.linux!.readonlyPaths;
    s.root!.path = "rootfs";
    edit(s);
  });
  const rootfs = copyRootfs(join(b.dir, "rootfs"));
  // A failing run may leave mounts of host directories (cgroups) in the bundle: never remove through them.
  return { ...b, rootfs, cleanup: () => (detachMountsUnder(b.dir), b.cleanup()) };
}

test("runs in the host's mount namespace, on its own root with its own mounts; nothing stays on the host", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = sharedMountsBundle([
    "sh",
    "-c",
    "readlink /proc/self/ns/mnt; echo pid=$$; awk '{ for (i = 7; $i != \"-\"; i++); print $5, $(i + 1) }' /proc/self/mountinfo; ls /; echo x > /out/written; touch /new",
  ]);
  try {
    const r = runt(["--root", root.path, "run", "-b", b.dir, "sharedmnt"]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], readlinkSync("/proc/self/ns/mnt"), "the host's mount namespace");
    assert.equal(lines[1], "pid=1", "its own /proc, for its PID namespace");
    for (const mount of ["/ ext4", "/proc proc", "/dev tmpfs", "/dev/pts devpts", "/sys sysfs", "/sys/fs/cgroup tmpfs", "/sys/fs/cgroup/pids cgroup", "/out"]) {
      assert.ok(lines.some((l) => l.startsWith(mount)), `${mount} in:\n${r.stdout}`);
    }
    assert.ok(lines.includes("bin") && !lines.includes("usr"), `the rootfs is its root:\n${r.stdout}`);
    assert.match(r.stderr, /touch: \/new: Read-only file system/, "root.readonly holds without a mount namespace too");
    assert.equal(readFileSync(join(b.out, "written"), "utf8"), "x\n");
    assert.deepEqual(mountsMentioning(b.rootfs), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("exec lands in the container's root too, and delete after a kill -9 of the container removes the mounts", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = sharedMountsBundle(["sleep", "60"]);
  try {
    const r = runt(["--root", root.path, "run", "-d", "-b", b.dir, "sharedexec"], { files: true });
    assert.equal(r.status, 0, r.stderr);
    assert.notDeepEqual(mountsMentioning(b.rootfs), []);
    const e = runt(["--root", root.path, "exec", "sharedexec", "sh", "-c", "ls /; tr '\\0' ' ' < /proc/1/cmdline"]);
    assert.equal(e.status, 0, e.stderr);
    const seen = e.stdout.trim().split("\n");
    assert.ok(seen.includes("out") && !seen.includes("usr"), `the container's root, not the host's:\n${e.stdout}`);
    assert.equal(seen.at(-1), "sleep 60", `the container's /proc:\n${e.stdout}`);
    const pid = JSON.parse(runt(["--root", root.path, "state", "sharedexec"]).stdout).pid;
    process.kill(pid, "SIGKILL");
    waitFor(() => JSON.parse(runt(["--root", root.path, "state", "sharedexec"]).stdout).status === "stopped", "the container to stop");
    const d = runt(["--root", root.path, "delete", "sharedexec"]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(mountsMentioning(b.rootfs), []);
  } finally {
    runt(["--root", root.path, "delete", "--force", "sharedexec"]);
    b.cleanup();
    root.cleanup();
  }
});

test("runt killed during create: delete --force removes the mounts it had made", { skip }, () => {
  const root = tempDir("runt-root-");
  const marker = join(root.path, "hook-pid");
  const b = sharedMountsBundle(["true"], (s) => {
    // Runs once the init has made every mount; it says so, then holds create there.
    s.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", `echo $$ > ${marker}; exec sleep 60`] }] };
  });
  const create = runtAsync(["--root", root.path, "create", "-b", b.dir, "sharedkill"]);
  try {
    waitFor(() => readOr(marker).endsWith("\n"), "the createRuntime hook", 30_000);
    assert.ok(mountsMentioning(b.rootfs).some((m) => m.includes(`${b.rootfs}/proc `)), "proc is mounted by now");
    create.kill();
    process.kill(Number(readOr(marker)), "SIGKILL");
    const d = runt(["--root", root.path, "delete", "--force", "sharedkill"]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(mountsMentioning(b.rootfs), []);
    assert.ok(!existsSync(join(root.path, "sharedkill")));
  } finally {
    create.kill();
    runt(["--root", root.path, "delete", "--force", "sharedkill"]);
    b.cleanup();
    root.cleanup();
  }
});

test("masked or read-only paths without a mount namespace: one line naming the field, as runc refuses them", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = sharedMountsBundle(["true"], (s) => (s.linux!.maskedPaths = ["/proc/kcore"]));
  try {
    const r = runt(["--root", root.path, "create", "-b", b.dir, "sharedmask"], { files: true });
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], /linux\.maskedPaths: needs a mount namespace/);
    assert.ok(!existsSync(join(root.path, "sharedmask")));
    assert.deepEqual(mountsMentioning(b.rootfs), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});
