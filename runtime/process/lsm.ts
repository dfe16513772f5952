/**
 * AppArmor profiles and SELinux labels for the container's process. The
 * kernel applies them at the next execve once written to the process's
 * attr files; a host without the module cannot honour them, and a
 * confinement the config asks for is never dropped silently: such a config
 * is refused before anything is built, as runc refuses it.
 */
import { existsSync, readFileSync } from "../host_fs.ts";
import { AT_FDCWD, O_CLOEXEC, O_WRONLY } from "../../ffi/constants.ts";
import { slot, type StubProgram } from "../stub/program.ts";
import type { Spec } from "../spec/schema.ts";
import { ProcessError } from "./errors.ts";

type Process = NonNullable<Spec["process"]>;

export interface LsmHost {
  apparmorEnabled(): boolean;
  selinuxEnabled(): boolean;
  /** The attr file AppArmor reads the next exec's profile from. */
  apparmorExecAttr(): string;
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
  apparmorExecAttr: () =>
    existsSync("/proc/thread-self/attr/apparmor/exec") ? "/proc/thread-self/attr/apparmor/exec" : "/proc/thread-self/attr/exec",
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

/**
 * In the start-up program, before the credentials change: the labels take
 * effect with the user's program. Written on the program's own thread, the
 * one that calls execve.
 */
export function planLsmLabels(prog: StubProgram, proc: Process, host: LsmHost = systemLsm): void {
  if (proc.apparmorProfile) {
    const path = host.apparmorExecAttr();
    planWrite(prog, "process.apparmorProfile", path, `exec ${proc.apparmorProfile}`);
  }
  if (proc.selinuxLabel) planWrite(prog, "process.selinuxLabel", "/proc/thread-self/attr/exec", proc.selinuxLabel);
}

const ATTR_FD = 2;

function planWrite(prog: StubProgram, field: string, path: string, value: string): void {
  prog.call("openat", [AT_FDCWD, prog.str(path), O_WRONLY | O_CLOEXEC, 0], { what: `${field}: open ${path}`, result: ATTR_FD });
  prog.call("write", [slot(ATTR_FD), prog.str(value), new TextEncoder().encode(value).length], { what: `${field}: write ${path}` });
  prog.call("close", [slot(ATTR_FD)], { what: `${field}: close ${path}` });
}
