/**
 * What applyProcess reads from the running system rather than the spec.
 * Kept behind an interface so unit tests get fixed answers instead of the
 * test machine's.
 */
import { fstatSync, readFileSync, statSync } from "node:fs";
import { CAP_LAST_CAP } from "../../ffi/constants.ts";

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
