/** Creating the directory or file a mount goes onto, inside the rootfs. */
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Makes `dest` exist: a directory, or an empty file when a file is bound
 * onto it (a bind mount needs the same kind of inode on both sides).
 * Returns whether it was already there.
 */
export function createMountpoint(dest: string, directory: boolean): boolean {
  if (existsSync(dest)) return true;
  if (directory) {
    mkdirSync(dest, { recursive: true, mode: 0o755 });
  } else {
    mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
    closeSync(openSync(dest, "a", 0o644));
  }
  return false;
}
