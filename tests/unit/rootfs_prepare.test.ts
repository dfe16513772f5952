import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  AT_FDCWD,
  AT_SYMLINK_NOFOLLOW,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  S_IFCHR,
} from "../../ffi/constants.ts";
import { makedev } from "../../ffi/syscalls.ts";
import { MS } from "../../runtime/mount/options.ts";
import { prepareRootfs, RootfsError } from "../../runtime/rootfs/mod.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { changes, changesNamingTrees, FakeProc, hybridHost, mountCalls, needsRoot, NodeMakingSyscalls, scratch, v1HierarchyBind } from "./rootfs_support.ts";

const TMPFS_FLAGS = MS.NOSUID | MS.NOEXEC | MS.NODEV;

test("the default spec: propagation, the rootfs bind, every mount in order, then /dev", { skip: needsRoot }, () => {
  const s = scratch();
  try {
    const R = s.rootfs;
    const base = join(s.dir, "host-cgroup");
    const sys = new NodeMakingSyscalls();
    prepareRootfs(sys, defaultSpec(), R, s.dir, hybridHost(base));
    const cg = join(R, "sys/fs/cgroup");
    const cgroupBinds = ["cpu,cpuacct", "memory", "systemd"].flatMap((h) => v1HierarchyBind(join(base, h, "runt/c1"), join(cg, h)));
    const devices: [string, number, number][] = [["null", 1, 3], ["random", 1, 8], ["full", 1, 7], ["tty", 5, 0], [
      "zero",
      1,
      5,
    ], ["urandom", 1, 9]];
    assert.deepEqual(changesNamingTrees(sys), [
      ["mount", null, "/", null, MS.SLAVE | MS.REC, null],
      ["mount", null, R, null, MS.SLAVE, null],
      ["mount", R, R, null, MS.BIND | MS.REC, null],
      ["mount", "proc", join(R, "proc"), "proc", 0, null],
      ["mount", "tmpfs", join(R, "dev"), "tmpfs", MS.NOSUID | MS.STRICTATIME, "mode=755,size=65536k"],
      [
        "mount",
        "devpts",
        join(R, "dev/pts"),
        "devpts",
        MS.NOSUID | MS.NOEXEC,
        "newinstance,ptmxmode=0666,mode=0620,gid=5",
      ],
      ["mount", "shm", join(R, "dev/shm"), "tmpfs", TMPFS_FLAGS, "mode=1777,size=65536k"],
      ["mount", "mqueue", join(R, "dev/mqueue"), "mqueue", TMPFS_FLAGS, null],
      ["mount", "sysfs", join(R, "sys"), "sysfs", TMPFS_FLAGS | MS.RDONLY, null],
      ["statfs", "/sys/fs/cgroup"],
      ["mount", "tmpfs", cg, "tmpfs", TMPFS_FLAGS, "mode=755"],
      ...cgroupBinds,
      ["umask", 0],
      ...devices.flatMap(([name, major, minor]) => [
        ["mknod", join(R, "dev", name), S_IFCHR | 0o666, makedev(major, minor)],
        ["fchownat", AT_FDCWD, join(R, "dev", name), 0, 0, AT_SYMLINK_NOFOLLOW],
      ]),
      ["umask", 0o022],
    ]);
    for (const dir of ["proc", "dev", "dev/pts", "dev/shm", "dev/mqueue", "sys", "sys/fs/cgroup"]) {
      assert.ok(lstatSync(join(R, dir)).isDirectory(), dir);
    }
    const links = Object.fromEntries(
      ["ptmx", "fd", "stdin", "stdout", "stderr"].map((n) => [n, readlinkSync(join(R, "dev", n))]),
    );
    assert.deepEqual(links, {
      ptmx: "pts/ptmx",
      fd: "/proc/self/fd",
      stdin: "/proc/self/fd/0",
      stdout: "/proc/self/fd/1",
      stderr: "/proc/self/fd/2",
    });
    assert.throws(
      () => lstatSync(join(R, "dev/core")),
      { code: "ENOENT" },
      "no /dev/core on a kernel without /proc/kcore",
    );
  } finally {
    s.cleanup();
  }
});

/** A spec whose /dev is bound from the host, so no device nodes are made. */
function devBoundSpec(hostDev: string, extra: Partial<Spec["linux"]> = {}): Spec {
  return {
    ociVersion: "1.2.0",
    mounts: [{ destination: "/dev", type: "bind", source: hostDev, options: ["rbind"] }],
    linux: { namespaces: [{ type: "mount" }], ...extra },
  };
}

test("rootfsPropagation replaces rslave for / and decides how the rootfs's parent is unshared (a slave stays one, as under runc)", () => {
  for (
    const [value, rootFlags, parentFlags] of [
      ["private", MS.PRIVATE, MS.PRIVATE],
      ["slave", MS.SLAVE, MS.SLAVE],
      ["shared", MS.SHARED, MS.PRIVATE],
      ["unbindable", MS.UNBINDABLE, MS.PRIVATE],
      // podman's, for a volume mounted rslave: the whole tree, as runc takes it.
      ["rslave", MS.SLAVE | MS.REC, MS.SLAVE],
      ["rshared", MS.SHARED | MS.REC, MS.PRIVATE],
    ] as const
  ) {
    const s = scratch();
    try {
      mkdirSync(join(s.dir, "dev"));
      const sys = new NodeMakingSyscalls();
      prepareRootfs(sys, devBoundSpec(join(s.dir, "dev"), { rootfsPropagation: value }), s.rootfs, undefined, new FakeProc());
      assert.deepEqual(mountCalls(sys).slice(0, 3), [
        [null, "/", null, rootFlags, null],
        [null, s.rootfs, null, parentFlags, null],
        [s.rootfs, s.rootfs, null, MS.BIND | MS.REC, null],
      ], value);
    } finally {
      s.cleanup();
    }
  }
});

test("without a mount namespace the host's propagation is left alone: only the rootfs bind is made private", () => {
  const s = scratch();
  try {
    mkdirSync(join(s.dir, "dev"));
    const sys = new NodeMakingSyscalls();
    prepareRootfs(sys, devBoundSpec(join(s.dir, "dev"), { namespaces: [] }), s.rootfs, undefined, new FakeProc());
    assert.deepEqual(mountCalls(sys).slice(0, 2), [
      [s.rootfs, s.rootfs, null, MS.BIND | MS.REC, null],
      [null, s.rootfs, null, MS.PRIVATE | MS.REC, null],
    ]);
  } finally {
    s.cleanup();
  }
});

test("the parent mount is found by walking up while the kernel says EINVAL (not a mount point)", () => {
  const s = scratch();
  try {
    mkdirSync(join(s.dir, "dev"));
    const sys = new NodeMakingSyscalls();
    const notMountPoints = [s.rootfs, s.dir];
    sys.failOn("mount", "EINVAL", {
      when: (_src, target, _t, flags) => flags === MS.SLAVE && notMountPoints.includes(target),
    });
    prepareRootfs(sys, devBoundSpec(join(s.dir, "dev")), s.rootfs, undefined, new FakeProc());
    assert.deepEqual(mountCalls(sys).slice(1, 4).map((c) => c[1]), [s.rootfs, s.dir, dirname(s.dir)]);
    // Looked up once by name; each step up is the ".." of the descriptor before, and every one is closed.
    assert.deepEqual(sys.calls.filter((c) => c.name === "open" || c.name === "openat").slice(0, 3).map((c) => c.name === "open" ? c.args[0] : c.args[1]), [
      s.rootfs,
      "..",
      "..",
    ]);
    assert.ok(sys.viaFd.slice(0, 3).every((p) => /^\/proc\/thread-self\/fd\/\d+$/.test(p)));
    // (less the open of the rootfs's missing /dev, which failed)
    assert.equal(sys.callsTo("close").length, sys.calls.filter((c) => c.name.startsWith("open")).length - 1);
    assert.deepEqual(mountCalls(sys)[4], [s.rootfs, s.rootfs, null, MS.BIND | MS.REC, null]);
  } finally {
    s.cleanup();
  }
});

test("a failure before the mounts names the step and the errno", () => {
  const s = scratch();
  try {
    const sys = new NodeMakingSyscalls().failOn("mount", "EPERM");
    assert.throws(
      () => prepareRootfs(sys, devBoundSpec(join(s.dir, "dev")), s.rootfs, undefined, new FakeProc()),
      (e: unknown) =>
        e instanceof RootfsError && e.message === 'mount propagation of "/": EPERM (Operation not permitted)',
    );
    const other = new NodeMakingSyscalls().failOn("mount", "EACCES", { when: (src) => src === s.rootfs });
    assert.throws(
      () => prepareRootfs(other, devBoundSpec(join(s.dir, "dev")), s.rootfs, undefined, new FakeProc()),
      new RegExp(`^RootfsError: bind mount of the rootfs "${s.rootfs}": EACCES \\(Permission denied\\)$`),
    );
  } finally {
    s.cleanup();
  }
});

test("with /dev bound from the host, no nodes or links are made in it", () => {
  const s = scratch();
  try {
    mkdirSync(join(s.dir, "dev"));
    const sys = new NodeMakingSyscalls();
    prepareRootfs(sys, devBoundSpec(join(s.dir, "dev")), s.rootfs, undefined, new FakeProc());
    assert.deepEqual(changes(sys).map((c) => c[0]), ["mount", "mount", "mount", "mount"]);
    assert.throws(() => lstatSync(join(s.rootfs, "dev", "ptmx")), { code: "ENOENT" });
    // The missing /dev is made and mounted on through descriptors: the rootfs opened after its bind, the
    // kernel resolving inside it, the directory made in its parent's descriptor, the bind onto /proc/thread-self/fd.
    const IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const calls = sys.calls.map((c) => [c.name, ...c.args]);
    const bind = calls.findIndex((c) => c[0] === "mount" && c[1] === s.rootfs);
    assert.deepEqual(calls.slice(bind + 1, bind + 5).map((c) => c.slice(0, 5)), [
      ["open", s.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0],
      ["openat2", calls[bind + 2][1], "dev", O_PATH | O_CLOEXEC, IN_ROOT],
      ["mkdirat", calls[bind + 2][1], "dev", 0o755],
      ["openat2", calls[bind + 2][1], "dev", O_PATH | O_CLOEXEC, IN_ROOT | RESOLVE_NO_SYMLINKS],
    ]);
    // The rootfs's parent mount made a slave through its descriptor, then the bind onto /dev.
    assert.deepEqual(sys.viaFd.map((p) => /^\/proc\/thread-self\/fd\/\d+$/.test(p)), [true, true]);
    assert.deepEqual(mountCalls(sys)[3].slice(0, 2), [join(s.dir, "dev"), join(s.rootfs, "dev")]);
    // Every descriptor opened is closed again.
    const opened = sys.calls.filter((c) => c.name.startsWith("open")).length;
    // (less the open of the missing /dev that failed)
    assert.equal(sys.callsTo("close").length, opened - 1);
  } finally {
    s.cleanup();
  }
});
