/**
 * NOTIFY_SOCKET, as runc does it: a service manager that waits for
 * `READY=1` (systemd's Type=notify) hears it from the container's process,
 * and learns which PID to watch. The container gets its own socket, in the
 * state directory and bound read-only at /run/notify; runt listens there and
 * passes the first READY on to the manager's socket, followed by MAINPID.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from "../host_fs.ts";
import { dirname, join, resolve } from "../path.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { AF_UNIX, MSG_DONTWAIT, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from "../../ffi/constants.ts";
import { isErrno, SyscallError } from "../../ffi/errors.ts";
import { unixSocketPathProblem } from "../../ffi/structs.ts";
import type { Spec } from "../spec/schema.ts";
import { ContainerSetupError } from "./errors.ts";

/** Where the container sees its notify socket, and so what its NOTIFY_SOCKET says. */
export const CONTAINER_NOTIFY_DIR = "/run/notify";
export const CONTAINER_NOTIFY_SOCKET = `${CONTAINER_NOTIFY_DIR}/notify.sock`;

/** How often listening checks that the watched process is still there. */
const LIVENESS_INTERVAL_MS = 100;
/** Pause between polls when the event loop must stay free (foreground run forwards signals). */
const YIELD_MS = 20;

/** The directory of the container's notify socket, on the host. */
export function notifyDir(stateDir: string): string {
  return join(resolve(stateDir), "notify");
}

/** The container's notify socket, on the host. */
export function notifySocketPath(stateDir: string): string {
  return join(notifyDir(stateDir), "notify.sock");
}

/**
 * The spec with the notify directory bound at /run/notify and NOTIFY_SOCKET
 * pointing into it, appended as runc appends them; `spec` itself is left as it was.
 */
export function withNotifySocket(spec: Spec, stateDir: string): Spec {
  const mount = {
    destination: CONTAINER_NOTIFY_DIR,
    source: notifyDir(stateDir),
    type: "bind",
    options: ["bind", "nosuid", "noexec", "nodev", "ro"],
  };
  const adjusted: Spec = { ...spec, mounts: [...(spec.mounts ?? []), mount] };
  if (spec.process) {
    adjusted.process = { ...spec.process, env: [...(spec.process.env ?? []), `NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`] };
  }
  return adjusted;
}

/**
 * For `create`: the adjusted spec, with the directory the init binds made
 * already. A state path too long for a socket is refused here rather than at
 * `start`, when the container would already exist.
 */
export function prepareNotifySocket(spec: Spec, stateDir: string): Spec {
  checkContainerSocketPath(notifySocketPath(stateDir));
  mkdirSync(notifyDir(stateDir), { mode: 0o755 });
  // The umask must not take what the container's user needs to reach the socket.
  chmodSync(notifyDir(stateDir), 0o755);
  return withNotifySocket(spec, stateDir);
}

/** The first line of a datagram that starts with READY=, else null (runc's rule: other messages are dropped). */
export function readyLine(payload: Uint8Array): string | null {
  const text = new TextDecoder().decode(payload);
  if (!text.startsWith("READY=")) return null;
  return text.split("\n")[0];
}

export interface RelayOptions {
  /** What MAINPID says: the process the service manager should watch. */
  mainPid: number;
  /**
   * Listening ends once this says the watched process is gone (checked about
   * every 100 ms). A zombie counts as gone: its parent may take its time to reap it.
   */
  isAlive: () => boolean;
  /** Ends listening early. */
  signal?: AbortSignal;
  /**
   * How long one poll may block. 0 keeps the event loop free between polls
   * (needed while signals are forwarded); longer is cheaper when nothing
   * else has to run.
   */
  pollMs?: number;
}

/** The container's notify socket, bound, and a socket connected to the service manager's. */
export class NotifyRelay {
  private closed = false;

  private constructor(
    private readonly sys: Syscalls,
    private readonly listener: number,
    private readonly manager: number,
    /** The container's socket, on the host. */
    readonly path: string,
  ) {}

  /**
   * Binds `<stateDir>/notify/notify.sock` (mode 0777, so any container user
   * can send) and connects to `hostSocket`. Both happen before the container's
   * process runs, so a failure leaves nothing behind and nothing started.
   */
  static open(sys: Syscalls, stateDir: string, hostSocket: string): NotifyRelay {
    const path = notifySocketPath(stateDir);
    checkHostSocket(hostSocket);
    checkContainerSocketPath(path);
    if (!existsSync(dirname(path))) {
      throw new ContainerSetupError(
        `NOTIFY_SOCKET: the container was created without NOTIFY_SOCKET, so it has no notify socket (${dirname(path)} does not exist)`,
      );
    }
    const listener = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
    let manager = -1;
    let bound = false;
    try {
      attempt(`binding ${path}`, () => sys.bind(listener, path));
      bound = true;
      chmodSync(path, 0o777);
      manager = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
      attempt(`connecting to ${hostSocket}`, () => sys.connect(manager, hostSocket));
      return new NotifyRelay(sys, listener, manager, path);
    } catch (e) {
      if (manager >= 0) sys.close(manager);
      sys.close(listener);
      if (bound) rmSync(path, { force: true });
      throw e;
    }
  }

  /**
   * Listens until the first READY, which it passes on followed by
   * `MAINPID=<mainPid>`; resolves true then, or false once the watched
   * process is gone or `signal` aborts. Other datagrams are dropped.
   */
  async relay(opts: RelayOptions): Promise<boolean> {
    const pollMs = opts.pollMs ?? 0;
    const buf = new Uint8Array(4096);
    let lastCheck = Date.now();
    // One more look at the queue after the end is seen: a READY sent just before exiting still counts.
    let lastPass = false;
    for (;;) {
      if (!lastPass && opts.signal?.aborted) lastPass = true;
      const [revents] = this.sys.poll([{ fd: this.listener, events: POLLIN }], lastPass ? 0 : pollMs);
      if (revents & POLLIN) {
        const bytes = this.receive(buf);
        const line = bytes > 0 ? readyLine(buf.subarray(0, bytes)) : null;
        if (line !== null) {
          this.send(`${line}\n`);
          this.send(`MAINPID=${opts.mainPid}\n`);
          return true;
        }
        continue;
      }
      if (lastPass) return false;
      if (Date.now() - lastCheck >= LIVENESS_INTERVAL_MS) {
        lastCheck = Date.now();
        if (!opts.isAlive()) {
          lastPass = true;
          continue;
        }
      }
      await new Promise((r) => setTimeout(r, pollMs > 0 ? 0 : YIELD_MS));
    }
  }

  /** Closes both sockets; the socket file stays with the container's state, as runc leaves it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.listener);
    this.sys.close(this.manager);
  }

  /** Closes, and removes the socket file: for a start that failed, so a later one can bind again. */
  discard(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  private receive(buf: Uint8Array): number {
    try {
      return this.sys.recvmsg(this.listener, buf, 0, MSG_DONTWAIT).bytes;
    } catch (e) {
      if (isErrno(e, "EAGAIN")) return 0;
      throw e;
    }
  }

  private send(text: string): void {
    attempt("sending to the service manager", () => this.sys.sendmsg(this.manager, new TextEncoder().encode(text)));
  }
}

/**
 * Relays, then closes. With `warn`, a failure to pass READY on becomes a
 * warning (never a rejection nobody awaits yet): `run` carries on as runc
 * does, since the container runs on anyway.
 */
export async function relayThenClose(relay: NotifyRelay, opts: RelayOptions, warn?: (line: string) => void): Promise<boolean> {
  try {
    return await relay.relay(opts);
  } catch (e) {
    if (!warn) throw e;
    warn((e as Error).message);
    return false;
  } finally {
    relay.close();
  }
}

function checkHostSocket(path: string): void {
  const problem = unixSocketPathProblem(path);
  if (problem) throw new ContainerSetupError(`NOTIFY_SOCKET: ${path} ${problem}`);
}

function checkContainerSocketPath(path: string): void {
  const problem = unixSocketPathProblem(path);
  if (problem) {
    throw new ContainerSetupError(`NOTIFY_SOCKET: the container's notify socket ${path} ${problem} (use a shorter --root or container id)`);
  }
}

/** A failed socket call as one line naming what was being done. */
function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
    throw new ContainerSetupError(`NOTIFY_SOCKET: ${what}: ${e.reason}`);
  }
}
