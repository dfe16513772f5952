/**
 * The state root (`--root`) must be a directory on a real filesystem. Checked
 * once before the store touches it, so a regular file or a kernel
 * pseudo-filesystem is named in one line rather than failing deep inside a
 * command with a bare errno.
 */
import { chmodSync, filesystemType, mkdirSync, statSync } from "../host_fs.ts";
import { effectiveUid } from "../host.ts";
import { RuntError } from "../errors.ts";

export class StateRootError extends RuntError {}

/** Filesystems where files cannot be made: procfs, sysfs, cgroupfs. */
const PSEUDO_FILESYSTEMS = new Set(["proc", "sysfs", "cgroup", "cgroup2"]);

/** Throws StateRootError naming --root when `root` exists but cannot hold state; a missing root is made later. */
export function checkStateRoot(root: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new StateRootError(`--root ${root}: a parent of it is not a directory`);
    throw new StateRootError(`--root ${root}: ${(e as Error).message}`);
  }
  if (!isDir) throw new StateRootError(`--root ${root}: not a directory`);
  const kind = filesystemType(root);
  if (PSEUDO_FILESYSTEMS.has(kind)) throw new StateRootError(`--root ${root}: on the kernel's ${kind} filesystem, which cannot hold container state`);
}

/**
 * Makes the default root under XDG_RUNTIME_DIR as runc makes its own: 0700
 * and sticky, so a cleaner of the runtime directory leaves it alone.
 */
export function prepareUserStateRoot(root: string): void {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o1700);
  } catch (e) {
    throw new StateRootError(`--root ${root} (the default under XDG_RUNTIME_DIR): cannot create it: ${(e as Error).message}`);
  }
}

/**
 * A state-root error the user can act on: a permission refusal names
 * --root, the user runt runs as and where a user's own root goes; anything
 * else is returned as it was.
 */
export function stateRootAccessError(root: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== "EACCES" && code !== "EPERM") return e;
  const uid = effectiveUid();
  return new StateRootError(`--root ${root}: permission denied for uid ${uid} (a user without root keeps its state under $XDG_RUNTIME_DIR/runt: set XDG_RUNTIME_DIR or pass --root)`);
}
