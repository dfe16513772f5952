/**
 * What applyProcess reads from the running system rather than the spec.
 * Kept behind an interface so unit tests get fixed answers instead of the
 * test machine's.
 */
import { fstatSync, readFileSync, statSync } from "../host_fs.ts";
import { CAP_LAST_CAP } from "../../ffi/constants.ts";
import type { Spec } from "../spec/schema.ts";
import { hostIdOf } from "../userns/maps.ts";

export interface ProcessHost {
  /** The highest capability number the kernel knows. */
  lastCap(): number;
  /** False in a user namespace whose setgroups file says "deny". */
  setgroupsAllowed(): boolean;
  /** Owner of descriptor `fd`, or undefined when it must be left alone (closed, or /dev/null). */
  stdioOwner(fd: number): number | undefined;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

export const systemHost: ProcessHost = {
  lastCap() {
    const n = Number(readTrimmed("/proc/sys/kernel/cap_last_cap"));
    // Without /proc, assume the newest kernel; drops of unknown capabilities then fail with EINVAL and are skipped.
    return Number.isInteger(n) && n > 0 ? n : CAP_LAST_CAP;
  },
  setgroupsAllowed() {
    return readTrimmed("/proc/self/setgroups") !== "deny";
  },
  stdioOwner(fd) {
    try {
      const st = fstatSync(fd);
      let nullRdev: number | undefined;
      try {
        nullRdev = statSync("/dev/null").rdev;
      } catch { /* no /dev/null in this root */ }
      if (st.isCharacterDevice() && st.rdev === nullRdev) return undefined;
      return st.uid;
    } catch {
      return undefined;
    }
  },
};

/** The system as the container's process `pid` sees it, but setgroups: its user namespace's, as /proc/PID/setgroups says. */
export function containerHost(pid: number): ProcessHost {
  let allowed = true;
  try {
    allowed = readFileSync(`/proc/${pid}/setgroups`, "utf8").trim() !== "deny";
  } catch { /* a kernel without the file allows it */ }
  return { ...systemHost, setgroupsAllowed: () => allowed };
}

/**
 * `exec`'s helper stays in runt's user namespace (its start-up program
 * joins the container's): stdio goes to the user's host ID, as the
 * container's /proc/PID/uid_map says it is.
 */
export function execStdioUid(spec: Spec, pid: number): number | undefined {
  if (!spec.linux?.namespaces?.some((ns) => ns.type === "user")) return undefined;
  const uid = spec.process!.user?.uid ?? 0;
  try {
    return hostIdOf(readFileSync(`/proc/${pid}/uid_map`, "utf8"), uid);
  } catch {
    return undefined;
  }
}
