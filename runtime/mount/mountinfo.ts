/**
 * /proc/<pid>/mountinfo (proc(5)): which mounts exist, where, and with which
 * per-mount options.
 */

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
