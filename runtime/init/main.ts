/**
 * The container init: what `runt init` does inside the new namespaces. It
 * builds the container step by step, reporting to the parent over the
 * channel, then waits on the exec fifo until `runt start` opens it, and
 * finally becomes the user process with execve — same PID, now PID 1.
 *
 * Everything here is synchronous: the JavaScript event loop's helper
 * threads still live in the host namespaces.
 */
import { mkdirSync } from "node:fs";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_PATH, O_WRONLY } from "../../ffi/constants.ts";
import { runHooks } from "../hooks/mod.ts";
import { applyLsmLabels, applyProcess, execProcess, processEnv, resolveExecutable } from "../process/mod.ts";
import { enterRootfs, finalizeRootfs, prepareRootfs } from "../rootfs/mod.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { RuntError } from "../errors.ts";
import { Channel, type ParentReply } from "./channel.ts";
import { setupConsole } from "./console.ts";
import { installFilter } from "../seccomp/install.ts";
import type { InitConfig } from "./config.ts";
import { joinNewSessionKeyring } from "./keyring.ts";
import { bringUpLoopback } from "./loopback.ts";
import { createsNetworkNamespace, enterInitNamespaces } from "./namespaces.ts";

/** Runs the init on channel descriptor `fd`; never returns. */
export function runInit(sys: Syscalls, fd: number): never {
  const channel = new Channel(sys, fd);
  let fifo = -1;
  let exec: { path: string; args: string[]; env: string[]; keepFds: number };
  let config: InitConfig;
  try {
    const received = channel.receive<InitConfig>();
    if (!received) return exit(1);
    config = received;
    if (config.mode === "exec") return runExec(sys, channel, config);
    const { spec } = config;
    // Opened now: after pivot_root the state directory is out of sight.
    fifo = sys.open(config.fifoPath, O_PATH | O_CLOEXEC);
    enterInitNamespaces(sys, spec);
    if (!config.noNewKeyring) joinNewSessionKeyring(sys, config.state.id);
    if (createsNetworkNamespace(spec)) bringUpLoopback(sys);
    prepareRootfs(sys, spec, config.rootfs, config.bundle);
    channel.send({ type: "hooks" });
    if (channel.receive<ParentReply>()?.type !== "continue") return exit(1);
    runHooks(sys, "createContainer", spec.hooks?.createContainer, config.state);
    enterRootfs(sys, config.rootfs, config.noPivot);
    const proc = spec.process!;
    // After pivot_root, so the pty comes from the container's devpts; before /dev may turn read-only.
    if (proc.terminal) terminal(() => setupConsole(sys, channel, true));
    createCwd(proc.cwd);
    finalizeRootfs(sys, spec);
    // As runc: HOME from the container's /etc/passwd when the config leaves it out.
    const env = processEnv(proc.env ?? [], proc.user?.uid ?? 0);
    exec = { path: resolveExecutable(proc.args![0], env, proc.cwd), args: proc.args!, env, keepFds: 3 + config.preserveFds };
    // While the init may still write its own attributes, before user and capabilities change.
    applyLsmLabels(proc);
    applySeccompEarly(sys, config);
    applyProcess(sys, spec);
    channel.send({ type: "ready" });
  } catch (e) {
    trySend(channel, { type: "error", message: describe(e) });
    return exit(1);
  }
  channel.close();
  waitForStart(sys, fifo, config, exec);
}

/**
 * `runt exec`: into the container's namespaces, then the process settings
 * and execve. Success is the channel closing on exec (it is close-on-exec
 * from keepFds up); failure is an error message first.
 */
function runExec(sys: Syscalls, channel: Channel, config: InitConfig): never {
  try {
    const { spec } = config;
    enterInitNamespaces(sys, spec);
    if (!config.noNewKeyring) joinNewSessionKeyring(sys, config.state.id);
    const proc = spec.process!;
    if (proc.terminal) terminal(() => setupConsole(sys, channel, false));
    const env = processEnv(proc.env ?? [], proc.user?.uid ?? 0);
    const path = resolveExecutable(proc.args![0], env, proc.cwd);
    applyLsmLabels(proc);
    applySeccompEarly(sys, config);
    applyProcess(sys, spec);
    applySeccompLate(sys, config);
    execProcess(sys, path, proc.args!, env, 3 + config.preserveFds);
  } catch (e) {
    trySend(channel, { type: "error", message: describe(e) });
    return exit(e instanceof RuntError && /not found/.test(e.message) ? 127 : 126);
  }
}

/** Blocks until `start` opens the fifo; afterwards errors go back through it. */
function waitForStart(
  sys: Syscalls,
  fifo: number,
  config: InitConfig,
  exec: { path: string; args: string[]; env: string[]; keepFds: number },
): never {
  const writer = sys.open(`/proc/self/fd/${fifo}`, O_WRONLY | O_CLOEXEC);
  sys.close(fifo);
  try {
    // The first byte tells `start` the init is alive and listening; close-on-exec ends the message.
    sys.write(writer, "0");
    runHooks(sys, "startContainer", config.spec.hooks?.startContainer, { ...config.state, status: "created" });
    applySeccompLate(sys, config);
    execProcess(sys, exec.path, exec.args, exec.env, exec.keepFds);
  } catch (e) {
    try {
      sys.write(writer, describe(e));
    } catch { /* start has gone away; nobody is left to tell */ }
    return exit(1);
  }
}

/**
 * As runc: without no_new_privs, installing a filter needs CAP_SYS_ADMIN, so
 * it goes in before capabilities are dropped; with it, as close to execve
 * as possible, so the profile need not allow what the init does meanwhile.
 */
function applySeccompEarly(sys: Syscalls, config: InitConfig): void {
  if (config.seccomp && !config.spec.process?.noNewPrivileges) installFilter(sys, config.seccomp);
}

function applySeccompLate(sys: Syscalls, config: InitConfig): void {
  if (config.seccomp && config.spec.process?.noNewPrivileges) installFilter(sys, config.seccomp);
}

/** Names the terminal as the part that failed. */
function terminal(setup: () => void): void {
  try {
    setup();
  } catch (e) {
    if (e instanceof RuntError && e.message.startsWith("process.terminal: ")) throw e;
    throw new RuntError(`process.terminal: setting up the container's terminal: ${(e as Error).message}`);
  }
}

function exit(code: number): never {
  process.exit(code);
}

/**
 * runc makes a missing cwd, before a read-only root would forbid it; after
 * pivot_root the path cannot leave the container's root. A failure here
 * is reported by the cwd check that follows, in its own words.
 */
function createCwd(cwd: string): void {
  try {
    mkdirSync(cwd, { recursive: true, mode: 0o755 });
  } catch { /* reported below */ }
}

function describe(e: unknown): string {
  if (e instanceof RuntError || e instanceof SyscallError) return e.message;
  return `internal error in container init: ${e instanceof Error ? e.message : String(e)}`;
}

function trySend(channel: Channel, message: unknown): void {
  try {
    channel.send(message);
  } catch { /* the parent is gone */ }
}
