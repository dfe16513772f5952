import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, S_IFBLK, S_IFCHR, S_IFIFO } from "../../ffi/constants.ts";
import { makedev } from "../../ffi/syscalls.ts";
import { MS } from "../../runtime/mount/options.ts";
import { prepareRootfs, RootfsError } from "../../runtime/rootfs/mod.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { changes, FakeProc, needsRoot, NodeMakingSyscalls, scratch } from "./rootfs_support.ts";

const DEV_TMPFS: NonNullable<Spec["mounts"]>[number] = {
  destination: "/dev",
  type: "tmpfs",
  source: "tmpfs",
  options: ["mode=755"],
};

function spec(devices: NonNullable<Spec["linux"]>["devices"] = []): Spec {
  return { ociVersion: "1.2.0", mounts: [DEV_TMPFS], linux: { devices } };
}

function mknods(sys: NodeMakingSyscalls, rootfs: string): [string, number, bigint][] {
  return sys.callsTo("mknod").map((
    [path, mode, dev],
  ) => [(path as string).slice(rootfs.length), mode as number, dev as bigint]);
}

test(
  "linux.devices after the defaults (a listed default is replaced), each type, mode and owner",
  { skip: needsRoot },
  () => {
    const s = scratch();
    try {
      const sys = new NodeMakingSyscalls();
      prepareRootfs(
        sys,
        spec([
          { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o600, uid: 1000, gid: 1001 },
          // File type bits in fileMode are ignored: `type` decides.
          { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: S_IFBLK | 0o640 },
          // podman's: the host node's whole st_mode.
          { path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: S_IFCHR | 0o644 },
          { path: "/dev/disks/sda", type: "b", major: 8, minor: 0 },
          { path: "/dev/pipe", type: "p" },
          // A uint32 beyond the mode bits: mknod gets the permissions, setuid, setgid and sticky only.
          { path: "/dev/ttyU0", type: "u", major: 4, minor: 64, fileMode: 2 ** 32 - 1 },
          { path: "/dev/ptmx", type: "c", major: 5, minor: 2 },
        ]),
        s.rootfs,
        undefined,
        new FakeProc(),
      );
      assert.deepEqual(mknods(sys, s.rootfs), [
        ["/dev/random", S_IFCHR | 0o666, makedev(1, 8)],
        ["/dev/full", S_IFCHR | 0o666, makedev(1, 7)],
        ["/dev/tty", S_IFCHR | 0o666, makedev(5, 0)],
        ["/dev/zero", S_IFCHR | 0o666, makedev(1, 5)],
        ["/dev/urandom", S_IFCHR | 0o666, makedev(1, 9)],
        ["/dev/fuse", S_IFCHR | 0o600, makedev(10, 229)],
        ["/dev/null", S_IFCHR | 0o640, makedev(1, 3)],
        ["/dev/kmsg", S_IFCHR | 0o644, makedev(1, 11)],
        ["/dev/disks/sda", S_IFBLK | 0o666, makedev(8, 0)],
        ["/dev/pipe", S_IFIFO | 0o666, 0n],
        ["/dev/ttyU0", S_IFCHR | 0o7777, makedev(4, 64)],
      ]);
      // Every node is made with umask 0 and given its owner (not following a link), and the previous umask comes back after.
      const names = changes(sys).map((c) => c[0]);
      assert.equal(names.indexOf("umask"), names.indexOf("mknod") - 1);
      assert.deepEqual(sys.callsTo("umask"), [[0], [0o022]]);
      assert.equal(names.lastIndexOf("fchownat"), names.lastIndexOf("mknod") + 1);
      assert.equal(names.lastIndexOf("umask"), names.lastIndexOf("fchownat") + 1);
      assert.ok(sys.callsTo("fchownat").every(([dirfd, , , , flags]) => dirfd === AT_FDCWD && flags === AT_SYMLINK_NOFOLLOW));
      const fuse = lstatSync(join(s.rootfs, "dev/fuse"));
      assert.deepEqual([fuse.uid, fuse.gid], [1000, 1001]);
      const zero = lstatSync(join(s.rootfs, "dev/zero"));
      assert.deepEqual([zero.uid, zero.gid], [0, 0]);
      assert.ok(lstatSync(join(s.rootfs, "dev/disks")).isDirectory());
      assert.equal(readlinkSync(join(s.rootfs, "dev/ptmx")), "pts/ptmx");
      // Each node is made by name in a held descriptor of its directory, opened once for all the
      // nodes and links in it: after the mount of /dev, "dev" is resolved once more, "dev/disks" once.
      const viaFd = sys.viaFd.filter((p) => /^\/proc\/thread-self\/fd\/\d+\/[^/]+$/.test(p));
      assert.equal(viaFd.length, 2 * 11, "each mknod and its fchownat name the node in its directory's descriptor");
      // After the mount of /dev is checked (its reopen from ".."), "dev" is resolved for the nodes and
      // links, and once more as the parent "disks" is made in: not once per node or link.
      const opens = sys.calls.filter((c) => c.name === "openat" || c.name === "openat2").map((c) => c.args[1]);
      const afterMount = opens.slice(opens.indexOf("..") + 2);
      assert.deepEqual(afterMount, ["dev", "dev/disks", "dev", "disks"]);
    } finally {
      s.cleanup();
    }
  },
);

test("a node that exists is kept; one the kernel will not make is bound from the host", { skip: needsRoot }, () => {
  const s = scratch();
  try {
    const sys = new NodeMakingSyscalls()
      .failOn("mknod", "EEXIST", { when: (path) => path.endsWith("/dev/zero") })
      .failOn("mknod", "EPERM", { when: (path) => path.endsWith("/dev/tty") });
    prepareRootfs(sys, spec(), s.rootfs, undefined, new FakeProc());
    assert.equal(sys.callsTo("mknod").length, 6);
    const tty = join(s.rootfs, "dev/tty");
    assert.deepEqual(sys.callsTo("mount").at(-1), ["/dev/tty", tty, null, MS.BIND, null]);
    assert.ok(lstatSync(tty).isFile(), "an empty file to bind onto");
  } finally {
    s.cleanup();
  }
});

test("a failing mknod names the device, and the umask is restored", { skip: needsRoot }, () => {
  const s = scratch();
  try {
    const sys = new NodeMakingSyscalls().failOn("mknod", "EIO", { when: (path) => path.endsWith("/dev/full") });
    assert.throws(
      () => prepareRootfs(sys, spec(), s.rootfs, undefined, new FakeProc()),
      (e: unknown) => e instanceof RootfsError && e.message === 'device "/dev/full": EIO (Input/output error)',
    );
    assert.deepEqual(changes(sys).at(-1), ["umask", 0o022]);
  } finally {
    s.cleanup();
  }
});

test("/dev/core points at /proc/kcore only when the kernel has one", { skip: needsRoot }, () => {
  for (const kcore of [true, false]) {
    const s = scratch();
    try {
      prepareRootfs(
        new NodeMakingSyscalls(),
        spec(),
        s.rootfs,
        undefined,
        new FakeProc(kcore ? { "/proc/kcore": "" } : {}),
      );
      const core = join(s.rootfs, "dev/core");
      if (kcore) assert.equal(readlinkSync(core), "/proc/kcore");
      else assert.throws(() => lstatSync(core), { code: "ENOENT" });
    } finally {
      s.cleanup();
    }
  }
});
