/** Shared fixtures for the rootfs unit tests: a temporary rootfs, a fake /proc, a fake that makes placeholder nodes. */
import type { FileStat } from "../../ffi/syscalls.ts";
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_RECURSIVE,
  MOVE_MOUNT_F_EMPTY_PATH,
  MOVE_MOUNT_T_EMPTY_PATH,
  O_CLOEXEC,
  O_PATH,
  OPEN_TREE_CLOEXEC,
  OPEN_TREE_CLONE,
} from "../../ffi/constants.ts";
import { MOUNT_ATTR } from "../../runtime/mount/options.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { loadSyscalls } from "../../ffi/mod.ts";
import type { MountAttr, Syscalls } from "../../ffi/syscalls.ts";
import type { ProcAccess } from "../../runtime/rootfs/proc.ts";

export const needsRoot: string | undefined = process.getuid?.() === 0
  ? undefined
  : "needs root (device nodes are chowned to root)";

/** A scratch directory with an empty `rootfs/` in it; `cleanup` removes both. */
export function scratch(): { dir: string; rootfs: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "runt-rootfs-test-")));
  const rootfs = join(dir, "rootfs");
  mkdirSync(rootfs);
  return { dir, rootfs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const real: Syscalls = await loadSyscalls();
const PROC_FD = /^\/proc\/thread-self\/fd\/(\d+)(\/.*)?$/;

/**
 * The recording fake with real descriptors: the O_PATH opens, openat2,
 * mkdirat and files made with openat happen on the scratch rootfs (they need
 * no privilege), and mknod leaves an empty file where the node would be, so
 * the chown after it has a target; mounts and the rest are only recorded. A path given through
 * a descriptor (`/proc/thread-self/fd/N/...`) is recorded as the real path it
 * reaches at the moment of the call, so assertions name rootfs paths;
 * `viaFd` keeps the paths as they were passed.
 */
export class NodeMakingSyscalls extends RecordingSyscalls {
  /** Every path argument that went through a descriptor, as passed. */
  readonly viaFd: string[] = [];

  private resolved(path: string): string {
    const m = PROC_FD.exec(path);
    if (!m) return path;
    this.viaFd.push(path);
    return readlinkSync(`/proc/thread-self/fd/${m[1]}`) + (m[2] ?? "");
  }
  override open(path: string, flags: number, mode = 0): number {
    if ((flags & O_PATH) === 0) return super.open(path, flags, mode);
    this.calls.push({ name: "open", args: [path, flags, mode] });
    return real.open(path, flags, mode);
  }
  override openat(dirfd: number, path: string, flags: number, mode = 0): number {
    super.openat(dirfd, path, flags, mode);
    return real.openat(dirfd, path, flags, mode);
  }
  override openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
    super.openat2(dirfd, path, flags, resolve, mode);
    return real.openat2(dirfd, path, flags, resolve, mode);
  }
  override mkdirat(dirfd: number, path: string, mode: number): void {
    super.mkdirat(dirfd, path, mode);
    real.mkdirat(dirfd, path, mode);
  }
  override fstatat(dirfd: number, path: string, flags = 0): FileStat {
    super.fstatat(dirfd, path, flags);
    return real.fstatat(dirfd, path, flags);
  }
  override readlinkat(dirfd: number, path: string): string {
    this.calls.push({ name: "readlinkat", args: [dirfd, path] });
    return real.readlinkat(dirfd, path);
  }
  override close(fd: number): void {
    super.close(fd);
    real.close(fd);
  }
  /** A real descriptor stands for the copy, since close() is real: it must close nothing of the test runner's. */
  override openTree(dirfd: number, path: string, flags: number): number {
    super.openTree(dirfd, path, flags);
    return real.open("/", O_PATH | O_CLOEXEC);
  }
  override mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    super.mount(source, this.resolved(target), fstype, flags, data);
  }
  override mknod(path: string, mode: number, dev: number | bigint): void {
    const at = this.resolved(path);
    super.mknod(at, mode, dev);
    writeFileSync(at, "", { flag: "wx" });
  }
  override fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
    const at = this.resolved(path);
    super.fchownat(dirfd, at, uid, gid, flags);
    real.fchownat(dirfd, at, uid, gid, flags);
  }
  /** Recorded with the target descriptor's real path in place of the descriptor (the trees are stand-ins, see openTree). */
  override moveMount(fromDirfd: number, fromPath: string, toDirfd: number, toPath: string, flags: number): void {
    const to = toPath === "" ? readlinkSync(`/proc/thread-self/fd/${toDirfd}`) : toDirfd;
    this.record("moveMount", [fromDirfd, fromPath, to, toPath, flags]);
  }
  /** Recorded with the descriptor's real path in place of the descriptor. */
  override mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void {
    const at = path === "" ? this.resolved(`/proc/thread-self/fd/${dirfd}`) : dirfd;
    this.record("mountSetattr", [at, path, flags, attr]);
  }
}

/**
 * The calls that bind a v1 hierarchy's own directory read-only at `dest`
 * (runtime/rootfs/cgroup.ts), with the stand-in tree's descriptor as "tree".
 */
export function v1HierarchyBind(source: string, dest: string): [string, ...unknown[]][] {
  const perMount = MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC;
  return [
    ["openTree", AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE],
    ["mountSetattr", "/", "", AT_EMPTY_PATH, { attrSet: perMount, attrClr: perMount | MOUNT_ATTR.NODIRATIME | MOUNT_ATTR.ATIME_MASK }],
    ["moveMount", "tree", "", dest, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH],
  ];
}

/** `changes`, with the descriptor of each tree moved shown as "tree". */
export function changesNamingTrees(sys: RecordingSyscalls): [string, ...unknown[]][] {
  return changes(sys).map((c) => c[0] === "moveMount" ? ["moveMount", "tree", ...c.slice(2)] : c);
}

/** The calls that change mounts or nodes, without the opens and closes that reach their targets. */
export function changes(sys: RecordingSyscalls): [string, ...unknown[]][] {
  const lookups = new Set(["open", "openat", "openat2", "close", "mkdirat", "mountIdOf"]);
  return sys.calls.filter((c) => !lookups.has(c.name)).map((c) => [c.name, ...c.args]);
}

/** /proc files from a table; writes are recorded; other paths do not exist. */
export class FakeProc implements ProcAccess {
  readonly writes: [path: string, data: string][] = [];
  constructor(readonly files: Record<string, string> = {}) {}
  read(path: string): string {
    const text = this.files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  }
  write(path: string, data: string): void {
    this.writes.push([path, data]);
  }
  exists(path: string): boolean {
    return path in this.files;
  }
}

/**
 * A cgroup v1 host with the v2 hierarchy at /sys/fs/cgroup/unified (as this
 * project's test machine has), whose v1 hierarchies are mounted under
 * `base` so the bind sources exist; the process is in /runt/c1 everywhere.
 */
export function hybridHost(base: string): FakeProc {
  for (const h of ["cpu,cpuacct", "memory", "systemd"]) mkdirSync(join(base, h, "runt", "c1"), { recursive: true });
  const mountinfo = [
    "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755",
    `32 31 0:29 / ${base}/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct`,
    `35 31 0:32 / ${base}/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory`,
    // The same hierarchy mounted a second time: only the first one counts.
    `36 31 0:32 / ${base}/memory-again rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory`,
    `40 31 0:37 / ${base}/systemd rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,xattr,name=systemd`,
    `41 31 0:38 / ${base}/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate`,
    "",
  ].join("\n");
  const cgroup = ["12:memory:/runt/c1", "4:cpu,cpuacct:/runt/c1", "1:name=systemd:/runt/c1", "0::/runt/c1", ""].join(
    "\n",
  );
  return new FakeProc({ "/proc/thread-self/mountinfo": mountinfo, "/proc/self/cgroup": cgroup });
}

/** A pure cgroup v2 host. */
export function unifiedHost(): FakeProc {
  const mountinfo = [
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate",
    "",
  ].join("\n");
  return new FakeProc({ "/proc/thread-self/mountinfo": mountinfo, "/proc/self/cgroup": "0::/runt/c1\n" });
}

/** The recorded mount(2) calls: [source, target, fstype, flags, data]. */
export function mountCalls(sys: RecordingSyscalls): unknown[][] {
  return sys.callsTo("mount");
}
