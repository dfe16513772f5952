/**
 * The default --root. Apart from root.ts (which checks and makes a root) so
 * that parsing the global flags, which every command does, loads no file API:
 * only a process that may be in a user namespace reads one /proc file.
 */
import { effectiveUid, envVar, readTextFile } from "../host.ts";

/** The state root as root uses it (runc's is /run/runc). */
export const SYSTEM_STATE_ROOT = "/run/runt";

/**
 * The default --root, chosen as runc chooses its own: $XDG_RUNTIME_DIR/runt
 * for a user without root (or a non-"root" USER that is uid 0 in a user
 * namespace, as under rootless docker); /run/runt otherwise, also when
 * XDG_RUNTIME_DIR is unset (runc 1.1 has no other fallback either).
 */
export function defaultStateRoot(env: Record<string, string | undefined> = hostEnv(), euid?: number, inUserNamespace = runningInUserNamespace): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (!xdg) return SYSTEM_STATE_ROOT;
  const honour = (euid ?? effectiveUid()) !== 0 || (inUserNamespace() && env.USER !== "root");
  return honour ? `${xdg.replace(/\/+$/, "")}/runt` : SYSTEM_STATE_ROOT;
}

/** The two variables the choice reads: without Node's `process`, whose first use under Deno loads its Node layer. */
function hostEnv(): Record<string, string | undefined> {
  return { XDG_RUNTIME_DIR: envVar("XDG_RUNTIME_DIR"), USER: envVar("USER") };
}

let inOtherUserNamespace: boolean | undefined;

/**
 * Whether this process runs in a user namespace other than the initial one
 * (its uid_map is not the whole range): root there (rootless podman,
 * `unshare -r`, a container in a container) has no privilege over the
 * host's own namespaces or cgroups. Here, beside its first use, so that
 * every command loads no module more for it.
 */
export function runningInUserNamespace(): boolean {
  if (inOtherUserNamespace === undefined) {
    try {
      inOtherUserNamespace = !/^\s*0\s+0\s+4294967295\s*$/.test(readTextFile("/proc/self/uid_map"));
    } catch {
      inOtherUserNamespace = false;
    }
  }
  return inOtherUserNamespace;
}
