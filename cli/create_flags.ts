/** The flags create and run share, and create's options made from them. */
import type { CreateOptions } from "../runtime/container/create.ts";
import { activationFds } from "../runtime/container/listen_fds.ts";
import type { CommandContext, Flags, FlagValues } from "./command.ts";
import { UsageError } from "./errors.ts";
import { notifySocketFromEnv } from "./lifecycle.ts";
import { environment, processId } from "../runtime/host.ts";

/** As runc spells them. */
export const CREATE_FLAGS: Flags = {
  bundle: { type: "string", short: "b", value: "DIR", description: "path to the root of the bundle directory (default: the current directory)" },
  "pid-file": { type: "string", value: "FILE", description: "write the container's PID 1 (as the host sees it) to FILE" },
  "console-socket": { type: "string", value: "PATH", description: "unix socket that receives the master of the container's terminal (process.terminal) over SCM_RIGHTS" },
  "no-pivot": { type: "boolean", description: "do not use pivot_root to jail the process inside the rootfs (MS_MOVE + chroot)" },
  "no-new-keyring": { type: "boolean", description: "do not create a new session keyring for the container" },
  "preserve-fds": { type: "string", value: "N", description: "pass N extra descriptors (3 … 3+N-1) to the container", default: "0" },
};

/** create's options from its flags (shared with run); refuses what is not supported. */
export function createOptions(ctx: CommandContext, flags: FlagValues, id: string): CreateOptions {
  return {
    id,
    cgroupDriver: ctx.global.systemdCgroup ? "systemd" : "cgroupfs",
    bundle: flags.bundle as string | undefined,
    pidFile: flags["pid-file"] as string | undefined,
    consoleSocket: flags["console-socket"] as string | undefined,
    noPivot: flags["no-pivot"] === true,
    noNewKeyring: flags["no-new-keyring"] === true,
    preserveFds: preserveFdsFlag(flags["preserve-fds"]),
    notifySocket: notifySocketFromEnv(),
    listenFds: activationFds(environment(), processId()),
  };
}

export function preserveFdsFlag(value: unknown): number {
  const text = String(value ?? "0");
  if (!/^\d+$/.test(text)) throw new UsageError(`--preserve-fds: expected a number, got "${text}"`);
  return Number(text);
}
