/**
 * AppArmor profiles and SELinux labels for the container's process. The
 * kernel applies them at the next execve once written to the process's
 * attr files; a host without the module cannot honour them, and a
 * confinement the config asks for is never dropped silently: such a config
 * is refused before anything is built, as runc refuses it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Spec } from "../spec/schema.ts";
import { ProcessError } from "./errors.ts";

type Process = NonNullable<Spec["process"]>;

export interface LsmHost {
  apparmorEnabled(): boolean;
  selinuxEnabled(): boolean;
  /** Writes one of /proc/self/attr/… */
  writeAttr(path: string, value: string): void;
}

export const systemLsm: LsmHost = {
  apparmorEnabled: () => {
    try {
      return readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y";
    } catch {
      return false;
    }
  },
  selinuxEnabled: () => existsSync("/sys/fs/selinux/enforce"),
  writeAttr: (path, value) => writeFileSync(path, value),
};

/** For create and exec, before anything is made: the one line saying which field the host cannot honour. */
export function checkLsmSupport(proc: Process, host: LsmHost = systemLsm): void {
  if (proc.apparmorProfile && !host.apparmorEnabled()) {
    throw new ProcessError(`process.apparmorProfile: AppArmor is not enabled on this host, so profile "${proc.apparmorProfile}" cannot be applied`);
  }
  if (proc.selinuxLabel && !host.selinuxEnabled()) {
    throw new ProcessError(`process.selinuxLabel: SELinux is not enabled on this host, so label "${proc.selinuxLabel}" cannot be applied`);
  }
}

/** In the init, just before execve: the labels take effect with the user's program. */
export function applyLsmLabels(proc: Process, host: LsmHost = systemLsm): void {
  if (proc.apparmorProfile) {
    const path = existsSync("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec";
    attempt("process.apparmorProfile", () => host.writeAttr(path, `exec ${proc.apparmorProfile}`));
  }
  if (proc.selinuxLabel) attempt("process.selinuxLabel", () => host.writeAttr("/proc/self/attr/exec", proc.selinuxLabel!));
}

function attempt(field: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    throw new ProcessError(`${field}: ${(e as Error).message}`);
  }
}
