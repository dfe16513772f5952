/**
 * Running OCI hooks (config.md "POSIX-platform Hooks"): each hook gets the
 * container state on stdin, exactly its own args and env, and its timeout.
 * Synchronous throughout — the container init runs hooks too, and its event
 * loop must not be used — so the hook is spawned with posix_spawn and
 * polled with WNOHANG between short sleeps, while its output and our input
 * move through nonblocking pipes: neither a chatty hook nor one that never
 * reads stdin can stall the runtime.
 */
import type { SpawnOptions, Syscalls } from "../../ffi/syscalls.ts";
import {
  F_GETFL,
  F_SETFL,
  O_CLOEXEC,
  O_NONBLOCK,
  SIG_IGN,
  SIGKILL,
  SIGPIPE,
  signalName,
  WNOHANG,
} from "../../ffi/constants.ts";
import { errnoDescription, errnoName } from "../../ffi/errno.ts";
import { isErrno, SyscallError } from "../../ffi/errors.ts";
import type { HookKind } from "../spec/constants.ts";
import type { Hook } from "../spec/schema.ts";
import type { OciState } from "../state/record.ts";
import { sleepSync } from "../sleep.ts";
import { HookError } from "./errors.ts";
import { OutputTail } from "./output.ts";

const FIRST_POLL_MS = 1;
const MAX_POLL_MS = 20;
const READ_CHUNK = 64 * 1024;
/** Reads per poll: a hook writing without pause must not keep us from checking its timeout. */
const MAX_READS = 16;

/**
 * Starts a hook's process with `stdio` as its 0, 1 and 2 and returns its
 * PID, a child of this process. Throws a SyscallError when it cannot run,
 * or any error whose message says why.
 */
export type HookSpawner = (hook: Hook, stdio: [number, number, number]) => number;

/**
 * posix_spawn of the hook in this process's namespaces, or born in
 * `pidNamespace`; in `cwd` when not the caller's (createContainer: the
 * rootfs, where runc's init has gone by then). The hook holds its stdio and
 * nothing else: not a descriptor runt's caller left open for the container
 * (--preserve-fds, LISTEN_FDS) nor one a JavaScript runtime keeps for itself.
 */
export function posixSpawner(sys: Syscalls, options: Pick<SpawnOptions, "pidNamespace"> & { cwd?: string } = {}): HookSpawner {
  const { cwd, ...namespaces } = options;
  return (hook, [stdin, stdout, stderr]) =>
    sys.posixSpawn(hook.path, hook.args?.length ? hook.args : [hook.path], hook.env ?? [], {
      fileActions: [
        { op: "dup2", fd: stdin, to: 0 },
        { op: "dup2", fd: stdout, to: 1 },
        { op: "dup2", fd: stderr, to: 2 },
        { op: "closefrom", fd: 3 },
        ...(cwd === undefined ? [] : [{ op: "chdir" as const, path: cwd }]),
      ],
      ...namespaces,
    });
}

/** Runs `hooks` in order; the first failure throws HookError and the rest do not run. */
export function runHooks(sys: Syscalls, kind: HookKind, hooks: readonly Hook[] | undefined, state: OciState, spawner = posixSpawner(sys)): void {
  if (!hooks?.length) return;
  const input = new TextEncoder().encode(JSON.stringify(state));
  for (const hook of hooks) runHook(sys, kind, hook, input, spawner);
}

/**
 * For poststart and poststop, whose failures runtime.md makes warnings:
 * every hook runs, and each failure is reported through `warn`.
 */
export function runHooksWarnOnly(
  sys: Syscalls,
  kind: HookKind,
  hooks: readonly Hook[] | undefined,
  state: OciState,
  warn: (line: string) => void,
): void {
  if (!hooks?.length) return;
  const input = new TextEncoder().encode(JSON.stringify(state));
  for (const hook of hooks) {
    try {
      runHook(sys, kind, hook, input);
    } catch (e) {
      warn(e instanceof Error ? e.message : String(e));
    }
  }
}

/** Whether a failure of this kind of hook stops the lifecycle (runtime.md). */
export function hookFailureIsFatal(kind: HookKind): boolean {
  return kind !== "poststart" && kind !== "poststop";
}

/** Runs one hook to completion with `input` on its stdin. */
export function runHook(sys: Syscalls, kind: HookKind, hook: Hook, input: Uint8Array, spawner = posixSpawner(sys)): void {
  const fail = (reason: string): never => {
    throw new HookError(kind, hook.path, reason);
  };
  const open = new Set<number>();
  const closeFd = (fd: number) => {
    if (open.delete(fd)) sys.close(fd);
  };
  try {
    const [stdinR, stdinW] = sys.pipe2(O_CLOEXEC);
    open.add(stdinR).add(stdinW);
    const [outR, outW] = sys.pipe2(O_CLOEXEC);
    open.add(outR).add(outW);
    // Only our ends are nonblocking: the flag belongs to each end's open file, not to the pipe.
    setNonblocking(sys, stdinW);
    setNonblocking(sys, outR);

    // What fits in the pipe goes in before the spawn: we still hold the read end, so no EPIPE yet.
    let sent = writeSome(sys, stdinW, input, 0);
    let pid: number;
    try {
      pid = spawner(hook, [stdinR, outW, outW]);
    } catch (e) {
      return fail(`cannot run: ${e instanceof SyscallError ? `${errnoName(e.errno)} (${errnoDescription(e.errno)})` : (e as Error).message}`);
    }
    closeFd(stdinR);
    closeFd(outW);
    // A hook may exit without reading: later writes then get EPIPE, which must not be a fatal SIGPIPE.
    if (sent < input.length) sys.signal(SIGPIPE, SIG_IGN);
    else closeFd(stdinW);

    const output = new OutputTail();
    const deadline = hook.timeout ? Date.now() + hook.timeout * 1000 : Infinity;
    let delay = FIRST_POLL_MS;
    for (;;) {
      let moved = drain(sys, outR, output) > 0;
      if (open.has(stdinW)) {
        const before = sent;
        sent = writeSome(sys, stdinW, input, sent);
        moved ||= sent > before;
        if (sent < 0 || sent >= input.length) closeFd(stdinW);
      }
      const { status } = sys.waitpid(pid, WNOHANG);
      if (status) {
        drain(sys, outR, output);
        const line = output.lastLine();
        const withOutput = (reason: string) => (line ? `${reason}: ${line}` : reason);
        if (status.kind === "exited" && status.code === 0) return;
        if (status.kind === "exited") fail(withOutput(`exit status ${status.code}`));
        if (status.kind === "signaled") fail(withOutput(`killed by ${signalName(status.signal) ?? `signal ${status.signal}`}`));
        // Stopped and continued are only reported when asked for (WUNTRACED, WCONTINUED).
        continue;
      }
      if (Date.now() >= deadline) {
        try {
          sys.kill(pid, SIGKILL);
        } catch (e) {
          // It exited on its own just now; it still has to be reaped.
          if (!isErrno(e, "ESRCH")) throw e;
        }
        sys.waitpid(pid);
        fail(`timed out after ${hook.timeout}s`);
      }
      // Back off only while nothing moves: a hook streaming data is served at pipe speed.
      delay = moved ? FIRST_POLL_MS : Math.min(delay * 2, MAX_POLL_MS);
      sleepSync(delay);
    }
  } catch (e) {
    if (e instanceof SyscallError) fail(e.message);
    throw e;
  } finally {
    for (const fd of [...open]) closeFd(fd);
  }
}

function setNonblocking(sys: Syscalls, fd: number): void {
  sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/** Writes from `offset` until the pipe is full; returns the new offset, or -1 once the reader is gone. */
function writeSome(sys: Syscalls, fd: number, data: Uint8Array, offset: number): number {
  while (offset < data.length) {
    try {
      offset += sys.write(fd, data.subarray(offset));
    } catch (e) {
      if (isErrno(e, "EAGAIN")) return offset;
      if (isErrno(e, "EPIPE")) return -1;
      throw e;
    }
  }
  return offset;
}

/** Reads whatever the hook has written so far; returns the byte count. */
function drain(sys: Syscalls, fd: number, output: OutputTail): number {
  const buf = new Uint8Array(READ_CHUNK);
  let total = 0;
  for (let i = 0; i < MAX_READS; i++) {
    let n: number;
    try {
      n = sys.read(fd, buf);
    } catch (e) {
      if (isErrno(e, "EAGAIN")) break;
      throw e;
    }
    if (n === 0) break;
    output.push(buf.subarray(0, n));
    total += n;
  }
  return total;
}
