/** Shared fixtures for the rootfs unit tests: a temporary rootfs, a fake /proc, a fake that makes placeholder nodes. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RecordingSyscalls } from "../../ffi/fake.ts";
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

/**
 * The recording fake, except that mknod leaves an empty file where the node
 * would be, as the real call does, so the chown after it has a target.
 */
export class NodeMakingSyscalls extends RecordingSyscalls {
  override mknod(path: string, mode: number, dev: number | bigint): void {
    super.mknod(path, mode, dev);
    writeFileSync(path, "", { flag: "wx" });
  }
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
