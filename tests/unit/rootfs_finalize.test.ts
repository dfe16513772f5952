import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, O_CLOEXEC, O_NOFOLLOW, O_PATH, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from "../../ffi/constants.ts";
import { type FileStat, makedev } from "../../ffi/syscalls.ts";
import { MS } from "../../runtime/mount/options.ts";
import { finalizeRootfs, RootfsError } from "../../runtime/rootfs/mod.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { FakeProc } from "./rootfs_support.ts";

/** statfs(2)'s ST_* flags of the container's mounts after the default spec's mounts and the pivot. */
const ST = { NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, VALID: 0x20, RELATIME: 0x1000 };
const CONTAINER_FILESYSTEMS: Record<string, number> = {
  "/": ST.NODEV | ST.RELATIME | ST.VALID,
  "/proc": ST.NOSUID | ST.NODEV | ST.NOEXEC | ST.RELATIME | ST.VALID,
  "/proc/sys": ST.NOSUID | ST.NODEV | ST.NOEXEC | ST.RELATIME | ST.VALID,
  "/proc/bus": ST.NOSUID | ST.NODEV | ST.RELATIME | ST.VALID,
};

const FILE: FileStat = { dev: 0n, ino: 0n, mode: S_IFREG | 0o444, uid: 0, gid: 0, rdev: 0n, size: 0n };

/** What fstatat says of each opened path: /dev/null as `devNull`, the `dirs` as directories, the rest as files. */
function layout(sys: RecordingSyscalls, dirs: string[] = [], devNull: Partial<FileStat> = { mode: S_IFCHR | 0o666, rdev: makedev(1, 3) }) {
  sys.stat = (fd) => {
    const path = sys.openedPath(fd) ?? "";
    if (path === "null") return { ...FILE, ...devNull };
    return dirs.includes(path) ? { ...FILE, mode: S_IFDIR | 0o555 } : FILE;
  };
}

/** A mount call with descriptor paths turned back into the paths those descriptors were opened with. */
function named(sys: RecordingSyscalls, args: unknown[]): unknown[] {
  const name = (p: unknown) => {
    const m = typeof p === "string" ? /^\/proc\/thread-self\/fd\/(\d+)$/.exec(p) : null;
    return m ? `fd:${sys.openedPath(Number(m[1]))}` : p;
  };
  return [name(args[0]), name(args[1]), ...args.slice(2)];
}

/** What each move_mount attached, and onto which opened path: ["tree of null", "/proc/kcore"]. */
function attached(sys: RecordingSyscalls): [string | undefined, string | undefined][] {
  return sys.callsTo("moveMount").map(([from, , to]) => [sys.openedPath(from as number), sys.openedPath(to as number)]);
}

function run(spec: Spec, setup?: (sys: RecordingSyscalls) => void) {
  const sys = new RecordingSyscalls();
  layout(sys);
  sys.filesystem = (path) => ({ type: 0n, flags: CONTAINER_FILESYSTEMS[path.replace(/(.)\/$/, "$1")] ?? 0 });
  setup?.(sys);
  const proc = new FakeProc();
  finalizeRootfs(sys, spec, proc);
  return { sys, proc, calls: sys.calls.map((c) => [c.name, ...c.args]) };
}

function only(linux: Spec["linux"], rest: Partial<Spec> = {}): Spec {
  return { ociVersion: "1.2.0", linux, ...rest };
}

test("masked paths: the null device bound over a file, a read-only tmpfs over a directory, missing ones skipped — all by descriptor", () => {
  const { sys } = run(only({ maskedPaths: ["/proc/kcore", "/proc/acpi", "/proc/missing"] }), (sys) => {
    layout(sys, ["/proc/acpi"]);
    sys.failOn("open", "ENOENT", { when: (path) => path === "/proc/missing" });
  });
  // With the new mount API, descriptor to descriptor: no path through the container's /proc.
  assert.deepEqual(sys.callsTo("mount"), []);
  assert.deepEqual(attached(sys), [["tree of null", "/proc/kcore"], ["mount of fs:tmpfs", "/proc/acpi"]]);
  assert.deepEqual(sys.callsTo("openTree").map(([, path, flags]) => [path, flags]), [["", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH]]);
  assert.deepEqual(sys.callsTo("fsmount").map(([, , attrs]) => attrs), [MOUNT_ATTR_RDONLY]);
  // As runc's mount("tmpfs", …, MS_RDONLY): the source reads "tmpfs" and the superblock is read-only too.
  assert.deepEqual(sys.callsTo("fsconfigSetString").map(([, key, value]) => [key, value]), [["source", "tmpfs"], ["ro", ""]]);
  // /dev/null and every target pinned without following a final link, checked through that descriptor.
  assert.deepEqual(sys.callsTo("openat").map((a) => a.slice(1, 3)), [["null", O_PATH | O_NOFOLLOW | O_CLOEXEC]]);
  assert.deepEqual(sys.callsTo("open").slice(1).map((a) => a.slice(0, 2)), [
    ["/proc/kcore", O_PATH | O_NOFOLLOW | O_CLOEXEC],
    ["/proc/acpi", O_PATH | O_NOFOLLOW | O_CLOEXEC],
    ["/proc/missing", O_PATH | O_NOFOLLOW | O_CLOEXEC],
  ]);
  assert.ok(sys.callsTo("fstatat").every(([, path, flags]) => path === "" && flags === AT_EMPTY_PATH));
  assertAllClosed(sys, 1);
});

/** Every descriptor the fake handed out was closed again (`failed` opens handed out none). */
function assertAllClosed(sys: RecordingSyscalls, failed = 0): void {
  const opening = ["open", "openat", "openTree", "fsopen", "fsmount"];
  const opened = sys.calls.filter((c) => opening.includes(c.name)).length - failed;
  const closed = sys.callsTo("close").map(([fd]) => fd);
  assert.equal(new Set(closed).size, opened, `opened ${opened}, closed ${closed.join(",")}`);
}

test("masked paths: a /dev/null that is not character device 1:3 is refused in one line, nothing mounted", () => {
  for (
    const [devNull, kind] of [
      [{ mode: S_IFLNK | 0o777 }, "a symbolic link"],
      [{ mode: S_IFREG | 0o644 }, "a regular file"],
      [{ mode: S_IFCHR | 0o666, rdev: makedev(1, 5) }, "a character device 1:5"],
    ] as const
  ) {
    const sys = new RecordingSyscalls();
    layout(sys, [], devNull);
    assert.throws(
      () => finalizeRootfs(sys, only({ maskedPaths: ["/proc/keys"] }), new FakeProc()),
      (e: unknown) =>
        e instanceof RootfsError &&
        e.message === `linux.maskedPaths: /dev/null in the container is ${kind}, not the null device (character device 1:3); refusing to mask paths with it`,
    );
    assert.deepEqual(sys.callsTo("mount"), []);
    assertAllClosed(sys);
  }
});

test("masked paths: a target that is a symbolic link is refused, not followed", () => {
  const sys = new RecordingSyscalls();
  layout(sys);
  const stat = sys.stat;
  sys.stat = (fd, path) => sys.openedPath(fd) === "/etc/secret" ? { ...FILE, mode: S_IFLNK | 0o777 } : stat(fd, path);
  assert.throws(
    () => finalizeRootfs(sys, only({ maskedPaths: ["/etc/secret"] }), new FakeProc()),
    /^RootfsError: masked path "\/etc\/secret" is a symbolic link in the rootfs; refusing to mask what it points to$/,
  );
  assert.deepEqual(sys.callsTo("mount"), []);
  assertAllClosed(sys);
});

test("readonly paths: a recursive self-bind, remounted read-only keeping nosuid/nodev/noexec; missing skipped", () => {
  const { calls } = run(only({ readonlyPaths: ["/proc/sys", "/proc/bus/", "/proc/nothing"] }), (sys) => {
    sys.failOn("mount", "ENOENT", { when: (_src, target) => target === "/proc/nothing" });
  });
  assert.deepEqual(calls, [
    ["mount", "/proc/sys", "/proc/sys", null, MS.BIND | MS.REC, null],
    ["statfs", "/proc/sys"],
    [
      "mount",
      "/proc/sys",
      "/proc/sys",
      null,
      MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.BIND | MS.REMOUNT | MS.RDONLY,
      null,
    ],
    ["mount", "/proc/bus/", "/proc/bus/", null, MS.BIND | MS.REC, null],
    ["statfs", "/proc/bus/"],
    ["mount", "/proc/bus/", "/proc/bus/", null, MS.NOSUID | MS.NODEV | MS.BIND | MS.REMOUNT | MS.RDONLY, null],
    ["mount", "/proc/nothing", "/proc/nothing", null, MS.BIND | MS.REC, null],
  ]);
});

test("root.readonly remounts / read-only with the flags statfs gives it; when statfs fails, with none", () => {
  const { calls } = run(only({}, { root: { path: "rootfs", readonly: true } }));
  assert.deepEqual(calls, [["statfs", "/"], [
    "mount",
    null,
    "/",
    null,
    MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NODEV | MS.RELATIME,
    null,
  ]]);
  const sys = new RecordingSyscalls();
  sys.failOn("statfs", "ENOSYS");
  finalizeRootfs(sys, only({}, { root: { path: "rootfs", readonly: true } }), new FakeProc());
  assert.deepEqual(sys.callsTo("mount"), [[null, "/", null, MS.BIND | MS.REMOUNT | MS.RDONLY, null]]);
  assert.deepEqual(run(only({}, { root: { path: "rootfs", readonly: false } })).calls, []);
});

test("rootfsPropagation is applied to the new / first", () => {
  const { sys } = run(only({ rootfsPropagation: "shared", maskedPaths: ["/proc/kcore"] }));
  assert.deepEqual(sys.callsTo("mount"), [[null, "/", null, MS.SHARED, null]]);
  assert.deepEqual(attached(sys), [["tree of null", "/proc/kcore"]]);
  assert.ok(sys.names().indexOf("mount") < sys.names().indexOf("moveMount"));
});

test("read-only tmpfs mounts and /dev, mounted writable before, are remounted read-only", () => {
  const spec = only({}, {
    mounts: [
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "ro", "mode=755"] },
      { destination: "/run/", type: "tmpfs", source: "tmpfs", options: ["ro", "nodev"] },
      { destination: "/data", type: "bind", source: "/srv", options: ["rbind", "ro"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["ro"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs" },
    ],
  });
  assert.deepEqual(run(spec).calls, [
    ["mount", null, "/dev", null, MS.NOSUID | MS.RDONLY | MS.REMOUNT | MS.BIND, null],
    ["mount", null, "/run", null, MS.NODEV | MS.RDONLY | MS.REMOUNT | MS.BIND, null],
  ]);
});

test("sysctls are written under /proc/sys with dots as slashes", () => {
  const { proc, calls } = run(only({ sysctl: { "net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1" } }));
  assert.deepEqual(proc.writes, [
    ["/proc/sys/net/ipv4/ip_forward", "1"],
    ["/proc/sys/kernel/shm_rmid_forced", "1"],
  ]);
  assert.deepEqual(calls, []);
});

test("a sysctl that cannot be written names its key", () => {
  const sys = new RecordingSyscalls();
  const proc = new FakeProc();
  proc.write = () => {
    throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
  };
  assert.throws(
    () => finalizeRootfs(sys, only({ sysctl: { "kernel.msgmax": "1" } }), proc),
    (e: unknown) => e instanceof RootfsError && e.message === 'sysctl "kernel.msgmax": EACCES (Permission denied)',
  );
});

test("hostname and domainname are set when given", () => {
  assert.deepEqual(run(only({}, { hostname: "box", domainname: "example.org" })).calls, [
    ["sethostname", "box"],
    ["setdomainname", "example.org"],
  ]);
  assert.deepEqual(run(only({}, { hostname: "" })).calls, []);
  assert.throws(
    () => run(only({}, { hostname: "box" }), (sys) => sys.failOn("sethostname", "EPERM")),
    /^RootfsError: hostname "box": EPERM \(Operation not permitted\)$/,
  );
});

test("the default spec, in runc's order: ro remounts and root, hostname, then readonly paths, then masked paths", () => {
  const spec = defaultSpec();
  spec.linux!.sysctl = { "net.ipv4.ping_group_range": "0 0" };
  const { sys, proc } = run(spec);
  const targets = sys.calls.filter((c) => c.name === "mount" || c.name === "moveMount" || c.name === "sethostname")
    .map((c) => {
      if (c.name === "sethostname") return c.name;
      if (c.name === "moveMount") return sys.openedPath(c.args[2] as number);
      return `${named(sys, c.args)[1]}`.replace(/^fd:/, "");
    });
  const readonlyPaths = spec.linux!.readonlyPaths!.flatMap((p) => [p, p]);
  assert.deepEqual(targets, ["/", "sethostname", ...readonlyPaths, ...spec.linux!.maskedPaths!]);
  assert.deepEqual(proc.writes, [["/proc/sys/net/ipv4/ping_group_range", "0 0"]]);
});
