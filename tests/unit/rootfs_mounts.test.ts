import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AT_EMPTY_PATH, AT_RECURSIVE, MNT_DETACH, O_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/constants.ts";
import { MOUNT_ATTR, MS } from "../../runtime/mount/options.ts";
import type { MountContext } from "../../runtime/rootfs/context.ts";
import { RootfsError } from "../../runtime/rootfs/errors.ts";
import { mountToRootfs } from "../../runtime/rootfs/mounts.ts";
import type { Mount } from "../../runtime/spec/schema.ts";
import { changes, changesNamingTrees, FakeProc, hybridHost, mountCalls, NodeMakingSyscalls, scratch, unifiedHost, v1HierarchyBind } from "./rootfs_support.ts";

function setup(proc = new FakeProc(), cgroupns = false) {
  const s = scratch();
  const sys = new NodeMakingSyscalls();
  const rootfd = sys.open(s.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  sys.clear();
  const ctx: MountContext = { sys, rootfs: s.rootfs, rootfd, bundle: s.dir, proc, cgroupns };
  const cleanup = () => {
    sys.close(rootfd);
    s.cleanup();
  };
  return { ...s, cleanup, sys, ctx, mount: (m: Mount) => mountToRootfs(ctx, m) };
}

test("bind with ro,nosuid,nodev,rprivate: bind, remount with the flags, then the propagation", () => {
  const t = setup();
  try {
    mkdirSync(join(t.dir, "data"));
    t.mount({
      destination: "/data",
      type: "bind",
      source: join(t.dir, "data"),
      options: ["bind", "ro", "nosuid", "nodev", "rprivate"],
    });
    const dest = join(t.rootfs, "data");
    assert.deepEqual(changes(t.sys), [
      ["mount", join(t.dir, "data"), dest, null, MS.BIND, null],
      ["mount", null, dest, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV, null],
      ["mount", null, dest, null, MS.PRIVATE | MS.REC, null],
    ]);
    assert.ok(lstatSync(dest).isDirectory());
  } finally {
    t.cleanup();
  }
});

test("rbind,rro: a recursive bind and mount_setattr(AT_RECURSIVE), no remount", () => {
  const t = setup();
  try {
    mkdirSync(join(t.dir, "data"));
    t.mount({ destination: "/data", type: "none", source: join(t.dir, "data"), options: ["rbind", "rro", "rnosuid"] });
    const dest = join(t.rootfs, "data");
    assert.deepEqual(changes(t.sys), [
      ["mount", join(t.dir, "data"), dest, null, MS.BIND | MS.REC, null],
      ["mountSetattr", dest, "", AT_EMPTY_PATH | AT_RECURSIVE, { attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID, attrClr: 0 }],
    ]);
  } finally {
    t.cleanup();
  }
});

test("a bind without flags is a single mount call", () => {
  const t = setup();
  try {
    mkdirSync(join(t.dir, "data"));
    t.mount({ destination: "/data", type: "bind", source: join(t.dir, "data"), options: ["rbind"] });
    assert.deepEqual(changes(t.sys).map((c) => c[0]), ["mount"]);
  } finally {
    t.cleanup();
  }
});

test("a file bound onto a missing destination gets an empty file (and its parents) to cover", () => {
  const t = setup();
  try {
    writeFileSync(join(t.dir, "resolv.conf"), "nameserver 10.0.0.1\n");
    t.mount({
      destination: "/etc/deep/resolv.conf",
      type: "bind",
      source: join(t.dir, "resolv.conf"),
      options: ["rbind", "ro"],
    });
    const dest = join(t.rootfs, "etc", "deep", "resolv.conf");
    const stat = lstatSync(dest);
    assert.ok(stat.isFile());
    assert.equal(stat.size, 0);
    assert.deepEqual(mountCalls(t.sys)[0], [join(t.dir, "resolv.conf"), dest, null, MS.BIND | MS.REC, null]);
    assert.deepEqual(mountCalls(t.sys)[1], [null, dest, null, MS.BIND | MS.REC | MS.RDONLY | MS.REMOUNT, null]);
  } finally {
    t.cleanup();
  }
});

test("a relative bind source is taken from the bundle directory", () => {
  const t = setup();
  try {
    mkdirSync(join(t.dir, "shared"));
    t.mount({ destination: "/shared", type: "bind", source: "shared", options: ["bind"] });
    assert.equal(mountCalls(t.sys)[0][0], join(t.dir, "shared"));
  } finally {
    t.cleanup();
  }
});

test("a missing bind source is one line naming the mount, the source and the errno", () => {
  const t = setup();
  try {
    const source = join(t.dir, "missing");
    assert.throws(
      () => t.mount({ destination: "/data", type: "bind", source, options: ["bind"] }),
      (e: unknown) =>
        e instanceof RootfsError &&
        e.message === `mount "bind" on "/data": source ${JSON.stringify(source)}: ENOENT (No such file or directory)`,
    );
    assert.throws(
      () => t.mount({ destination: "/data", type: "bind", options: ["bind"] }),
      /^RootfsError: mount "bind" on "\/data": a bind mount needs a source$/,
    );
    assert.throws(
      () => t.mount({ destination: "/", type: "tmpfs", source: "tmpfs" }),
      /^RootfsError: mount "tmpfs" on "\/": cannot mount over the container's root$/,
    );
    assert.throws(
      () => t.mount({ destination: "/.", type: "proc", source: "proc" }),
      /cannot mount over the container's root/,
    );
    assert.deepEqual(changes(t.sys), []);
  } finally {
    t.cleanup();
  }
});

test("a symlink in the destination cannot lead out of the rootfs", () => {
  const t = setup();
  try {
    symlinkSync("/etc", join(t.rootfs, "link"));
    symlinkSync("../../..", join(t.rootfs, "up"));
    t.mount({ destination: "/link/x", type: "tmpfs", source: "tmpfs" });
    t.mount({ destination: "/up/y", type: "tmpfs", source: "tmpfs" });
    assert.deepEqual(mountCalls(t.sys).map((c) => c[1]), [join(t.rootfs, "etc", "x"), join(t.rootfs, "y")]);
    assert.ok(lstatSync(join(t.rootfs, "etc", "x")).isDirectory());
  } finally {
    t.cleanup();
  }
});

test("proc and sysfs refuse a destination that is a symlink or not a directory", () => {
  const t = setup();
  try {
    symlinkSync("/tmp", join(t.rootfs, "proc"));
    writeFileSync(join(t.rootfs, "sys"), "");
    assert.throws(
      () => t.mount({ destination: "/proc", type: "proc", source: "proc" }),
      /^RootfsError: mount "proc" on "\/proc": proc must be mounted on an ordinary directory/,
    );
    assert.throws(
      () => t.mount({ destination: "/sys", type: "sysfs", source: "sysfs" }),
      /sysfs must be mounted on an ordinary directory/,
    );
    assert.deepEqual(changes(t.sys), []);
  } finally {
    t.cleanup();
  }
});

test("proc gets its type and flags; nothing but lxcfs-style files can go inside /proc", () => {
  const t = setup();
  try {
    t.mount({ destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "hidepid=2"] });
    assert.deepEqual(mountCalls(t.sys), [["proc", join(t.rootfs, "proc"), "proc", MS.NOSUID | MS.NOEXEC, "hidepid=2"]]);
    assert.throws(
      () => t.mount({ destination: "/proc/sys", type: "tmpfs", source: "tmpfs" }),
      /mount "tmpfs" on "\/proc\/sys": mounts inside \/proc are not allowed/,
    );
    assert.throws(
      () => t.mount({ destination: "/proc", type: "tmpfs", source: "tmpfs" }),
      /only a proc filesystem can be mounted on \/proc/,
    );
    writeFileSync(join(t.dir, "meminfo"), "");
    writeFileSync(join(t.rootfs, "proc", "meminfo"), "");
    t.mount({ destination: "/proc/meminfo", type: "bind", source: join(t.dir, "meminfo"), options: ["bind"] });
    assert.equal(mountCalls(t.sys).at(-1)![1], join(t.rootfs, "proc", "meminfo"));
  } finally {
    t.cleanup();
  }
});

test("a tmpfs over an existing directory keeps its mode unless the options set one; ro waits for finalize", () => {
  const t = setup();
  try {
    mkdirSync(join(t.rootfs, "run"));
    chmodSync(join(t.rootfs, "run"), 0o1770);
    t.mount({ destination: "/run", type: "tmpfs", source: "tmpfs", options: ["ro", "nosuid", "size=1m"] });
    t.mount({ destination: "/fresh", type: "tmpfs", source: "tmpfs", options: ["mode=700"] });
    assert.deepEqual(mountCalls(t.sys), [
      ["tmpfs", join(t.rootfs, "run"), "tmpfs", MS.NOSUID, "mode=1770,size=1m"],
      ["tmpfs", join(t.rootfs, "fresh"), "tmpfs", 0, "mode=700"],
    ]);
  } finally {
    t.cleanup();
  }
});

test("tmpcopyup: a tmpfs filled outside the rootfs with the directory's files, then moved over it", () => {
  const t = setup();
  try {
    mkdirSync(join(t.rootfs, "etc", "sub"), { recursive: true });
    chmodSync(join(t.rootfs, "etc"), 0o755);
    writeFileSync(join(t.rootfs, "etc", "hosts"), "127.0.0.1 localhost\n");
    symlinkSync("hosts", join(t.rootfs, "etc", "sub", "link"));
    const before = new Set(readdirSync(tmpdir()));
    // The fake mounts nothing: the copy lands in the scratch directory itself, which must hold it when the move happens.
    const copied: string[] = [];
    t.sys.mount = (source, target, fstype, flags, data) => {
      if (flags === MS.MOVE) copied.push(...readdirSync(source!).sort(), readlinkSync(join(source!, "sub", "link")));
      NodeMakingSyscalls.prototype.mount.call(t.sys, source, target, fstype, flags, data);
    };
    t.mount({ destination: "/etc", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "nodev"] });
    const [bind, makePrivate, tmpfs, move] = mountCalls(t.sys);
    const top = bind[0] as string;
    assert.match(top, /\/runt-copyup-/);
    assert.deepEqual(bind, [top, top, null, MS.BIND, null]);
    assert.deepEqual(makePrivate, [null, top, null, MS.PRIVATE, null]);
    assert.deepEqual(tmpfs, ["tmpfs", join(top, "tmpfs"), "tmpfs", MS.NODEV, "mode=0755"]);
    assert.deepEqual(move, [join(top, "tmpfs"), join(t.rootfs, "etc"), null, MS.MOVE, null]);
    assert.deepEqual(t.sys.callsTo("umount2"), [[top, MNT_DETACH]]);
    assert.deepEqual(copied, ["hosts", "sub", "hosts"]);
    assert.ok(!existsSync(top), "the scratch directory is removed");
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => !before.has(n) && n.startsWith("runt-copyup-")), []);
  } finally {
    t.cleanup();
  }
});

test("devpts, mqueue and other filesystems: a directory, flags and data", () => {
  const t = setup();
  try {
    t.mount({
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666"],
    });
    t.mount({
      destination: "/dev/mqueue",
      type: "mqueue",
      source: "mqueue",
      options: ["nosuid", "noexec", "nodev", "shared"],
    });
    assert.deepEqual(mountCalls(t.sys), [
      ["devpts", join(t.rootfs, "dev/pts"), "devpts", MS.NOSUID | MS.NOEXEC, "newinstance,ptmxmode=0666"],
      ["mqueue", join(t.rootfs, "dev/mqueue"), "mqueue", MS.NOSUID | MS.NOEXEC | MS.NODEV, null],
      [null, join(t.rootfs, "dev/mqueue"), null, MS.SHARED, null],
    ]);
    assert.ok(lstatSync(join(t.rootfs, "dev/mqueue")).isDirectory());
  } finally {
    t.cleanup();
  }
});

test("a failing mount names the mount and the errno, on one line", () => {
  const t = setup();
  try {
    t.sys.failOn("mount", "EPERM");
    assert.throws(
      () => t.mount({ destination: "/proc", type: "proc", source: "proc" }),
      (e: unknown) =>
        e instanceof RootfsError && e.message === 'mount "proc" on "/proc": EPERM (Operation not permitted)',
    );
    t.sys.clear();
    assert.throws(
      () => t.mount({ destination: "/dev/shm", type: "tmpfs", source: "shm" }),
      (e: unknown) =>
        e instanceof RootfsError && e.message === 'mount "tmpfs" on "/dev/shm": EPERM (Operation not permitted)',
    );
  } finally {
    t.cleanup();
  }
});

const CGROUP: Mount = {
  destination: "/sys/fs/cgroup",
  type: "cgroup",
  source: "cgroup",
  options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
};
const CGROUP_FLAGS = MS.NOSUID | MS.NOEXEC | MS.NODEV | MS.RELATIME | MS.RDONLY;
const TMPFS_FLAGS = MS.NOSUID | MS.NOEXEC | MS.NODEV;

test("cgroup on a v1 host without a cgroup namespace: a tmpfs of read-only binds of the own cgroups", () => {
  const t = setup();
  try {
    const base = join(t.dir, "host-cgroup");
    t.ctx.proc = hybridHost(base);
    t.mount(CGROUP);
    const dest = join(t.rootfs, "sys/fs/cgroup");
    // Each from descriptor to descriptor: the host's directory cloned, made read-only while detached, attached.
    const binds = ["cpu,cpuacct", "memory", "systemd"].flatMap((h) => v1HierarchyBind(join(base, h, "runt/c1"), join(dest, h)));
    assert.deepEqual(changesNamingTrees(t.sys), [
      // Not cgroup2 there: the v1 hierarchies come from the mount table.
      ["statfs", "/sys/fs/cgroup"],
      ["mount", "tmpfs", dest, "tmpfs", TMPFS_FLAGS, "mode=755"],
      ...binds,
    ]);
    assert.equal(readlinkSync(join(dest, "cpu")), "cpu,cpuacct");
    assert.equal(readlinkSync(join(dest, "cpuacct")), "cpu,cpuacct");
  } finally {
    t.cleanup();
  }
});

test("cgroup on a v1 host whose kernel lacks mount_setattr (before 5.12): each bind by mount(2), then its remount, as runc", () => {
  const t = setup();
  try {
    const base = join(t.dir, "host-cgroup");
    t.ctx.proc = hybridHost(base);
    t.sys.failOn("mountSetattr", "ENOSYS");
    t.mount(CGROUP);
    const dest = join(t.rootfs, "sys/fs/cgroup");
    const binds = ["cpu,cpuacct", "memory", "systemd"].flatMap((h) => [
      [join(base, h, "runt/c1"), join(dest, h), null, MS.BIND | MS.REC, null],
      [null, join(dest, h), null, MS.BIND | MS.REC | CGROUP_FLAGS | MS.REMOUNT, null],
    ]);
    assert.deepEqual(mountCalls(t.sys), [["tmpfs", dest, "tmpfs", TMPFS_FLAGS, "mode=755"], ...binds]);
    assert.deepEqual(t.sys.callsTo("moveMount"), [], "nothing attached by the new API");
  } finally {
    t.cleanup();
  }
});

test("cgroup on a v1 host while the process is still on its way into its cgroup: the binds show the cgroups it is joining", () => {
  const t = setup();
  try {
    const base = join(t.dir, "host-cgroup");
    t.ctx.proc = hybridHost(base);
    // /proc/self/cgroup still names /runt/c1; the container's cgroup is /runt/c2 in two of the three hierarchies.
    for (const h of ["cpu,cpuacct", "memory"]) mkdirSync(join(base, h, "runt/c2"));
    const joining: Record<string, string> = { cpu: join(base, "cpu,cpuacct/runt/c2"), cpuacct: join(base, "cpu,cpuacct/runt/c2"), memory: join(base, "memory/runt/c2") };
    t.ctx.cgroupDirOf = (controller) => joining[controller];
    t.mount(CGROUP);
    const dest = join(t.rootfs, "sys/fs/cgroup");
    const trees = t.sys.callsTo("openTree").map(([, source]) => source);
    const onto = t.sys.callsTo("moveMount").map(([, , to]) => to);
    assert.deepEqual(trees, [join(base, "cpu,cpuacct/runt/c2"), join(base, "memory/runt/c2"), join(base, "systemd/runt/c1")]);
    assert.deepEqual(onto, [join(dest, "cpu,cpuacct"), join(dest, "memory"), join(dest, "systemd")]);
  } finally {
    t.cleanup();
  }
});

test("a mount that did not land where it was meant to (the reopened destination on the same mount) is refused, by statx and by fdinfo", () => {
  for (const kernel of ["statx", "fdinfo"]) {
    const t = setup();
    try {
      t.sys.mountId = kernel === "statx" ? () => 7n : () => undefined;
      if (kernel === "fdinfo") {
        const proc = new FakeProc();
        proc.read = (path) => path.startsWith("/proc/thread-self/fdinfo/") ? "pos:\t0\nmnt_id:\t7\n" : new FakeProc().read(path);
        t.ctx.proc = proc;
      }
      assert.throws(
        () => t.mount({ destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "ro"] }),
        (e) => e instanceof RootfsError && /the mount did not land on "\/run"/.test(e.message),
        kernel,
      );
    } finally {
      t.cleanup();
    }
  }
});

test("cgroup on a v1 host with a cgroup namespace: each hierarchy mounted afresh", () => {
  const t = setup(undefined, true);
  try {
    t.ctx.proc = hybridHost(join(t.dir, "host-cgroup"));
    t.mount(CGROUP);
    const dest = join(t.rootfs, "sys/fs/cgroup");
    assert.deepEqual(mountCalls(t.sys), [
      ["tmpfs", dest, "tmpfs", TMPFS_FLAGS, "mode=755"],
      ["cgroup", join(dest, "cpu,cpuacct"), "cgroup", TMPFS_FLAGS | MS.RDONLY, "cpu,cpuacct"],
      ["cgroup", join(dest, "memory"), "cgroup", TMPFS_FLAGS | MS.RDONLY, "memory"],
      ["systemd", join(dest, "systemd"), "cgroup", TMPFS_FLAGS | MS.RDONLY, "name=systemd"],
    ]);
  } finally {
    t.cleanup();
  }
});

test("cgroup on a v2 host: cgroup2 itself, or the host's bound in when the kernel refuses", () => {
  const t = setup(unifiedHost());
  try {
    const dest = join(t.rootfs, "sys/fs/cgroup");
    t.mount(CGROUP);
    assert.deepEqual(mountCalls(t.sys), [["cgroup", dest, "cgroup2", CGROUP_FLAGS, null]]);
    t.sys.clear();
    t.sys.failOn("mount", "EPERM", { times: 1 });
    t.mount(CGROUP);
    assert.deepEqual(mountCalls(t.sys), [
      ["cgroup", dest, "cgroup2", CGROUP_FLAGS, null],
      ["/sys/fs/cgroup", dest, null, MS.BIND, null],
      [null, dest, null, CGROUP_FLAGS | MS.BIND | MS.REMOUNT, null],
    ]);
  } finally {
    t.cleanup();
  }
});

test("cgroup where statfs finds cgroup2 at /sys/fs/cgroup: mounted without reading the mount table", () => {
  const t = setup();
  try {
    // No mountinfo to read: a read would fail the mount.
    t.ctx.proc = new FakeProc({});
    t.sys.filesystem = (path) => ({ type: path === "/sys/fs/cgroup" ? 0x63677270n : 0n, flags: 0 });
    t.mount(CGROUP);
    assert.deepEqual(mountCalls(t.sys), [["cgroup", join(t.rootfs, "sys/fs/cgroup"), "cgroup2", CGROUP_FLAGS, null]]);
  } finally {
    t.cleanup();
  }
});

test("proc made by the container's process: a copy of its detached mount goes on the destination; a kernel that cannot copy one gets it moved itself", () => {
  for (const copies of [true, false]) {
    const t = setup();
    try {
      const proc: Mount = { destination: "/proc", type: "proc", source: "proc", options: ["nosuid"] };
      t.ctx.procTrees = new Map([[proc, 77]]);
      if (!copies) t.sys.failOn("openTree", "EINVAL");
      t.mount(proc);
      const calls = changes(t.sys).filter(([name]) => name === "openTree" || name === "moveMount" || name === "mount");
      assert.equal(calls[0][0], "openTree");
      assert.equal(calls[0][1], 77);
      const moved = calls.find(([name]) => name === "moveMount")!;
      // The copy (a new descriptor), or the tree itself; never a new proc mounted by runt.
      assert.equal(moved[1] === 77, !copies);
      assert.ok(!calls.some(([name, , , type]) => name === "mount" && type === "proc"));
    } finally {
      t.cleanup();
    }
  }
});
