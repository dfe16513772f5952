/**
 * What runc does inside the new root before the user process: propagation
 * of "/", the read-only remounts, hostname and domain name, sysctls, then
 * `readonlyPaths` and `maskedPaths`. The order is runc's and it matters:
 * sysctls are written under /proc/sys before /proc/sys is made read-only.
 */
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { mountFlagsFromStatfs, MS, parseMountOptions } from "../mount/options.ts";
import type { Spec } from "../spec/schema.ts";
import { attempt, failure, q } from "./errors.ts";
import { cleanPath, needsReadonlyRemount } from "./mounts.ts";
import { rootPropagationFlags } from "./prepare.ts";
import { liveProc, type ProcAccess } from "./proc.ts";
import { maskPaths } from "./mask.ts";

/** The flags a read-only bind of a path keeps from its mount; runc keeps these three. */
const READONLY_PATH_KEPT = MS.NOSUID | MS.NODEV | MS.NOEXEC;

export function finalizeRootfs(sys: Syscalls, spec: Spec, proc: ProcAccess = liveProc): void {
  const propagation = rootPropagationFlags(spec);
  if (propagation) {
    // "/" is the rootfs now; before the switch the same value reached only the old root's mount.
    attempt(`mount propagation of ${q("/")}`, () => sys.mount(null, "/", null, propagation, null));
  }
  for (const m of spec.mounts ?? []) {
    if (!needsReadonlyRemount(m)) continue;
    const flags = parseMountOptions(m.options).flags | MS.REMOUNT | MS.BIND | MS.RDONLY;
    const dest = cleanPath(m.destination);
    attempt(
      `remount ${q(m.type ?? "")} on ${q(m.destination)} read-only`,
      () => sys.mount(null, dest, null, flags, null),
    );
  }
  if (spec.root?.readonly) {
    // The root keeps every flag it has; a remount without the locked ones is refused.
    const flags = MS.BIND | MS.REMOUNT | MS.RDONLY | currentFlags(sys, "/");
    attempt(`remount ${q("/")} read-only`, () => sys.mount(null, "/", null, flags, null));
  }
  if (spec.hostname) attempt(`hostname ${q(spec.hostname)}`, () => sys.sethostname(spec.hostname!));
  if (spec.domainname) attempt(`domainname ${q(spec.domainname)}`, () => sys.setdomainname(spec.domainname!));
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    attempt(`sysctl ${q(key)}`, () => proc.write(`/proc/sys/${key.replaceAll(".", "/")}`, value));
  }
  for (const path of spec.linux?.readonlyPaths ?? []) readonlyPath(sys, path);
  maskPaths(sys, spec.linux?.maskedPaths ?? []);
}

/** Binds the path onto itself and makes that bind read-only; a path that does not exist is skipped. */
function readonlyPath(sys: Syscalls, path: string): void {
  const what = `readonly path ${q(path)}`;
  try {
    sys.mount(path, path, null, MS.BIND | MS.REC, null);
  } catch (e) {
    if (isErrno(e, "ENOENT")) return;
    throw failure(what, e);
  }
  const kept = currentFlags(sys, path) & READONLY_PATH_KEPT;
  attempt(what, () => sys.mount(path, path, null, kept | MS.BIND | MS.REMOUNT | MS.RDONLY, null));
}

/** The MS_* flags the mount at `path` has now (one statfs(2), as runc asks); none when it cannot be asked. */
function currentFlags(sys: Syscalls, path: string): number {
  try {
    return mountFlagsFromStatfs(sys.statfs(path).flags);
  } catch {
    return 0;
  }
}
