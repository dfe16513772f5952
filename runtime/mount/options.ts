/**
 * OCI mount options → what mount(2) and mount_setattr(2) need: flags to set
 * and clear, propagation changes, recursive attributes, and the leftover
 * filesystem-specific data string. The table follows runc's (so a bundle
 * means the same under both) plus crun's `tmpcopyup`.
 */
import * as C from "../../ffi/constants.ts";

/** mount(2) flags by short name; the numbers are the kernel's, kept once in ffi/constants.ts. */
export const MS = {
  RDONLY: C.MS_RDONLY,
  NOSUID: C.MS_NOSUID,
  NODEV: C.MS_NODEV,
  NOEXEC: C.MS_NOEXEC,
  SYNCHRONOUS: C.MS_SYNCHRONOUS,
  REMOUNT: C.MS_REMOUNT,
  MANDLOCK: C.MS_MANDLOCK,
  DIRSYNC: C.MS_DIRSYNC,
  NOSYMFOLLOW: C.MS_NOSYMFOLLOW,
  NOATIME: C.MS_NOATIME,
  NODIRATIME: C.MS_NODIRATIME,
  BIND: C.MS_BIND,
  MOVE: C.MS_MOVE,
  REC: C.MS_REC,
  SILENT: C.MS_SILENT,
  POSIXACL: C.MS_POSIXACL,
  UNBINDABLE: C.MS_UNBINDABLE,
  PRIVATE: C.MS_PRIVATE,
  SLAVE: C.MS_SLAVE,
  SHARED: C.MS_SHARED,
  RELATIME: C.MS_RELATIME,
  I_VERSION: C.MS_I_VERSION,
  STRICTATIME: C.MS_STRICTATIME,
  LAZYTIME: C.MS_LAZYTIME,
} as const;

/** statfs(2)'s ST_* flags (statvfs.h) and the MS_* flag each stands for; the first five share their values. */
const STATFS_FLAGS: ReadonlyArray<[number, number]> = [
  [0x0001, MS.RDONLY],
  [0x0002, MS.NOSUID],
  [0x0004, MS.NODEV],
  [0x0008, MS.NOEXEC],
  [0x0400, MS.NOATIME],
  [0x0800, MS.NODIRATIME],
  [0x1000, MS.RELATIME],
  [0x2000, MS.NOSYMFOLLOW],
];

/**
 * A mount's MS_* flags from statfs(2)'s f_flags, as runc takes them to
 * remount a bind (the kernel refuses to drop a locked flag). Strict atime
 * has no flag of its own: it is a mount with neither relatime nor noatime.
 */
export function mountFlagsFromStatfs(stFlags: number): number {
  let flags = 0;
  for (const [st, ms] of STATFS_FLAGS) if (stFlags & st) flags |= ms;
  if ((flags & (MS.NOATIME | MS.RELATIME)) === 0) flags |= MS.STRICTATIME;
  return flags;
}

/** mount_setattr(2) attributes, for the recursive `r*` options. */
export const MOUNT_ATTR = {
  RDONLY: C.MOUNT_ATTR_RDONLY,
  NOSUID: C.MOUNT_ATTR_NOSUID,
  NODEV: C.MOUNT_ATTR_NODEV,
  NOEXEC: C.MOUNT_ATTR_NOEXEC,
  ATIME_MASK: C.MOUNT_ATTR__ATIME,
  RELATIME: C.MOUNT_ATTR_RELATIME,
  NOATIME: C.MOUNT_ATTR_NOATIME,
  STRICTATIME: C.MOUNT_ATTR_STRICTATIME,
  NODIRATIME: C.MOUNT_ATTR_NODIRATIME,
  NOSYMFOLLOW: C.MOUNT_ATTR_NOSYMFOLLOW,
} as const;

/** [clear?, flag]: the option sets `flag`, or clears it when `clear` is true. */
const FLAG_OPTIONS: Record<string, [boolean, number]> = {
  acl: [false, MS.POSIXACL],
  noacl: [true, MS.POSIXACL],
  async: [true, MS.SYNCHRONOUS],
  atime: [true, MS.NOATIME],
  bind: [false, MS.BIND],
  defaults: [false, 0],
  dev: [true, MS.NODEV],
  diratime: [true, MS.NODIRATIME],
  dirsync: [false, MS.DIRSYNC],
  exec: [true, MS.NOEXEC],
  iversion: [false, MS.I_VERSION],
  lazytime: [false, MS.LAZYTIME],
  loud: [true, MS.SILENT],
  mand: [false, MS.MANDLOCK],
  noatime: [false, MS.NOATIME],
  nodev: [false, MS.NODEV],
  nodiratime: [false, MS.NODIRATIME],
  noexec: [false, MS.NOEXEC],
  noiversion: [true, MS.I_VERSION],
  nolazytime: [true, MS.LAZYTIME],
  nomand: [true, MS.MANDLOCK],
  norelatime: [true, MS.RELATIME],
  nostrictatime: [true, MS.STRICTATIME],
  nosuid: [false, MS.NOSUID],
  nosymfollow: [false, MS.NOSYMFOLLOW],
  rbind: [false, MS.BIND | MS.REC],
  relatime: [false, MS.RELATIME],
  remount: [false, MS.REMOUNT],
  ro: [false, MS.RDONLY],
  rw: [true, MS.RDONLY],
  silent: [false, MS.SILENT],
  strictatime: [false, MS.STRICTATIME],
  suid: [true, MS.NOSUID],
  sync: [false, MS.SYNCHRONOUS],
  symfollow: [true, MS.NOSYMFOLLOW],
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** [clear?, attr]; atime modes also clear the whole ATIME mask first, as the kernel requires. */
const RECURSIVE_OPTIONS: Record<string, { set: number; clear: number }> = {
  rro: { set: MOUNT_ATTR.RDONLY, clear: 0 },
  rrw: { set: 0, clear: MOUNT_ATTR.RDONLY },
  rnosuid: { set: MOUNT_ATTR.NOSUID, clear: 0 },
  rsuid: { set: 0, clear: MOUNT_ATTR.NOSUID },
  rnodev: { set: MOUNT_ATTR.NODEV, clear: 0 },
  rdev: { set: 0, clear: MOUNT_ATTR.NODEV },
  rnoexec: { set: MOUNT_ATTR.NOEXEC, clear: 0 },
  rexec: { set: 0, clear: MOUNT_ATTR.NOEXEC },
  rnodiratime: { set: MOUNT_ATTR.NODIRATIME, clear: 0 },
  rdiratime: { set: 0, clear: MOUNT_ATTR.NODIRATIME },
  rrelatime: { set: MOUNT_ATTR.RELATIME, clear: MOUNT_ATTR.ATIME_MASK },
  rnorelatime: { set: 0, clear: MOUNT_ATTR.ATIME_MASK },
  rnoatime: { set: MOUNT_ATTR.NOATIME, clear: MOUNT_ATTR.ATIME_MASK },
  ratime: { set: 0, clear: MOUNT_ATTR.NOATIME },
  rstrictatime: { set: MOUNT_ATTR.STRICTATIME, clear: MOUNT_ATTR.ATIME_MASK },
  rnostrictatime: { set: 0, clear: MOUNT_ATTR.STRICTATIME },
  rnosymfollow: { set: MOUNT_ATTR.NOSYMFOLLOW, clear: 0 },
  rsymfollow: { set: 0, clear: MOUNT_ATTR.NOSYMFOLLOW },
};

/** Options runt acts on itself rather than passing to the kernel. */
const EXTENSION_OPTIONS = ["tmpcopyup"];

/** Every option name runt recognizes, for `runt features`. */
export const MOUNT_OPTION_NAMES: readonly string[] = [
  ...Object.keys(FLAG_OPTIONS),
  ...Object.keys(PROPAGATION_OPTIONS),
  ...Object.keys(RECURSIVE_OPTIONS),
  ...EXTENSION_OPTIONS,
].sort();

export interface ParsedMountOptions {
  /** Flags for the mount(2) call itself. */
  flags: number;
  /** Propagation changes, each applied by its own mount(2) call after the mount. */
  propagation: number[];
  /** mount_setattr(2) attributes applied recursively after the mount. */
  recursive: { set: number; clear: number };
  /** Filesystem-specific options joined with commas (`mode=755,size=65536k`). */
  data: string;
  tmpcopyup: boolean;
}

export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  let flags = 0;
  const propagation: number[] = [];
  const recursive = { set: 0, clear: 0 };
  const data: string[] = [];
  let tmpcopyup = false;
  for (const option of options) {
    const flag = FLAG_OPTIONS[option];
    if (flag) {
      const [clear, bits] = flag;
      flags = clear ? flags & ~bits : flags | bits;
      continue;
    }
    if (option in PROPAGATION_OPTIONS) {
      propagation.push(PROPAGATION_OPTIONS[option]);
      continue;
    }
    const rec = RECURSIVE_OPTIONS[option];
    if (rec) {
      recursive.clear |= rec.clear;
      recursive.set = (recursive.set & ~rec.clear) | rec.set;
      continue;
    }
    if (option === "tmpcopyup") {
      tmpcopyup = true;
      continue;
    }
    data.push(option);
  }
  return { flags, propagation, recursive, data: data.join(","), tmpcopyup };
}

/** Whether the mount is a bind mount, which takes a host path as source. */
export function isBind(options: readonly string[] = [], type?: string): boolean {
  return type === "bind" || options.includes("bind") || options.includes("rbind");
}

/** The MOUNT_ATTR_* a new mount gets for these MS_* flags: fsmount(2) takes attributes, not flags (relatime is the default). */
export function mountAttrsOf(flags: number): number {
  const pairs: [number, number][] = [
    [MS.RDONLY, MOUNT_ATTR.RDONLY],
    [MS.NOSUID, MOUNT_ATTR.NOSUID],
    [MS.NODEV, MOUNT_ATTR.NODEV],
    [MS.NOEXEC, MOUNT_ATTR.NOEXEC],
    [MS.NOATIME, MOUNT_ATTR.NOATIME],
    [MS.STRICTATIME, MOUNT_ATTR.STRICTATIME],
    [MS.NODIRATIME, MOUNT_ATTR.NODIRATIME],
  ];
  return pairs.reduce((attrs, [flag, attr]) => flags & flag ? attrs | attr : attrs, 0);
}
