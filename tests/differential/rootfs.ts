/**
 * Root filesystems for differential runs: the busybox rootfs is built once
 * per checkout, and every container run gets its own copy (hard links, so it
 * is cheap), because runtimes create mount points in the rootfs and some
 * variants write to it: neither runtime may see the other's leftovers.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const SHARED_ROOTFS = join(REPO, ".tmp", "rootfs-busybox");

/** Copies the shared rootfs to `dest` (which must not exist) with hard-linked files. */
export function copyRootfs(dest: string): string {
  ensureBusyboxRootfs(SHARED_ROOTFS);
  try {
    execFileSync("cp", ["-a", "-l", SHARED_ROOTFS, dest], { stdio: "ignore" });
  } catch {
    // Hard links cannot cross file systems (a tmpfs TMPDIR): copy the bytes.
    execFileSync("rm", ["-rf", dest]);
    execFileSync("cp", ["-a", SHARED_ROOTFS, dest]);
  }
  return dest;
}
