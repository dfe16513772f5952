/**
 * /proc/<pid>/mountinfo (proc(5)): which mounts exist, where, and with which
 * per-mount flags. Remounting a bind read-only must repeat the flags a mount
 * already has (the kernel refuses to drop locked ones), and runc takes those
 * from statfs(2); the same information is in the mount table.
 */
import { MS } from "./options.ts";

export interface MountInfo {
  id: number;
  parentId: number;
  /** "major:minor" of the filesystem. */
  device: string;
  /** The directory of the filesystem that is mounted ("/" for a whole filesystem). */
  root: string;
  /** Where it is mounted, relative to the reading process's root. */
  mountPoint: string;
  /** Per-mount options ("rw", "nosuid", "relatime" …). */
  options: string[];
  /** Propagation tags ("shared:1", "master:2" …). */
  optional: string[];
  fsType: string;
  source: string;
  /** Per-superblock options ("rw", "mode=755", "cpu,cpuacct" …). */
  superOptions: string[];
}

/** Parses the whole table; lines that do not have the documented shape are skipped. */
export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const separator = fields.indexOf("-", 6);
    if (separator < 0 || fields.length < separator + 4) continue;
    const [id, parentId, device, root, mountPoint, options] = fields;
    mounts.push({
      id: Number(id),
      parentId: Number(parentId),
      device,
      root: unescape(root),
      mountPoint: unescape(mountPoint),
      options: options.split(","),
      optional: fields.slice(6, separator),
      fsType: unescape(fields[separator + 1]),
      source: unescape(fields[separator + 2]),
      superOptions: unescape(fields.slice(separator + 3).join(" ")).split(","),
    });
  }
  return mounts;
}

/** The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount that is visible at `mountPoint`: the last one mounted there. */
export function findMount(mounts: readonly MountInfo[], mountPoint: string): MountInfo | undefined {
  for (let i = mounts.length - 1; i >= 0; i--) {
    if (mounts[i].mountPoint === mountPoint) return mounts[i];
  }
  return undefined;
}

const OPTION_FLAGS: Record<string, number> = {
  ro: MS.RDONLY,
  nosuid: MS.NOSUID,
  nodev: MS.NODEV,
  noexec: MS.NOEXEC,
  noatime: MS.NOATIME,
  nodiratime: MS.NODIRATIME,
  relatime: MS.RELATIME,
  nosymfollow: MS.NOSYMFOLLOW,
};

/**
 * MS_* flags for a mount's per-mount options, as runc derives them from
 * statfs(2). Strict atime has no option of its own: it is what a mount has
 * when it shows neither relatime nor noatime.
 */
export function mountFlags(mount: MountInfo): number {
  let flags = 0;
  for (const option of mount.options) flags |= OPTION_FLAGS[option] ?? 0;
  if ((flags & (MS.NOATIME | MS.RELATIME)) === 0) flags |= MS.STRICTATIME;
  return flags;
}
