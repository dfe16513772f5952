/** What the lifecycle commands share: the real system calls, the state root, warnings to the log. */
import type { LifecycleContext } from "../runtime/container/context.ts";
import { parseSignal } from "../runtime/spec/signals.ts";
import { prepareUserStateRoot, SYSTEM_STATE_ROOT } from "../runtime/state/root.ts";
import { DEFAULT_ROOT } from "./global.ts";
import type { CommandContext, Flags, FlagValues } from "./command.ts";
import type { CreateOptions } from "../runtime/container/create.ts";
import { UsageError } from "./errors.ts";
import { activationFds } from "../runtime/container/listen_fds.ts";
import { traceStep } from "../runtime/trace.ts";

export async function lifecycle(ctx: CommandContext): Promise<LifecycleContext> {
  if (ctx.global.root === DEFAULT_ROOT && DEFAULT_ROOT !== SYSTEM_STATE_ROOT) prepareUserStateRoot(DEFAULT_ROOT);
  // Loaded here, not with the command table: commands that bind no FFI (state, list, --version) start faster.
  const [{ loadSyscalls }, { StateStore }] = await Promise.all([import("../ffi/mod.ts"), import("../runtime/state/store.ts")]);
  const sys = await loadSyscalls();
  traceStep("ffi bound");
  return { sys, store: new StateStore(ctx.global.root), warn: (line) => ctx.log.warn(line) };
}

/** The flags create and run share, as runc spells them. */
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
    listenFds: activationFds(process.env, process.pid),
  };
}

/** runc takes the service manager's socket from its environment; empty means none. */
export function notifySocketFromEnv(): string | undefined {
  return process.env.NOTIFY_SOCKET || undefined;
}

export function preserveFdsFlag(value: unknown): number {
  const text = String(value ?? "0");
  if (!/^\d+$/.test(text)) throw new UsageError(`--preserve-fds: expected a number, got "${text}"`);
  return Number(text);
}

export function signalArg(text: string): number {
  const signal = parseSignal(text);
  if (signal === undefined) throw new UsageError(`unknown signal "${text}" (expected a name like TERM or SIGKILL, or a number)`);
  return signal;
}
