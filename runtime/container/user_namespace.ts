/**
 * `create` with a user namespace, the runtime's side. A multithreaded
 * process can neither make nor join a user namespace, so runt starts the
 * single-threaded start-up program of runtime/startup/plan.ts
 * (userNamespaceStartup) in the init's place: it enters the user namespace
 * (made new, or joined by path), waits for its ID maps, makes the PID
 * namespace and clones the JavaScript init into both, which then builds
 * the container as any other. The maps are written from here
 * (runtime/userns/maps.ts) while the program waits.
 */
import { readlinkSync } from "node:fs";
import { AF_UNIX, F_DUPFD_CLOEXEC, O_CLOEXEC, O_PATH, SOCK_STREAM } from "../../ffi/constants.ts";
import type { FileAction, Syscalls } from "../../ffi/syscalls.ts";
import { Channel, type InitReport } from "../init/channel.ts";
import { INIT_FD_ENV } from "../init/config.ts";
import { openNamespace } from "../init/namespaces.ts";
import { initCommand } from "../init/self.ts";
import { inheritPreserved } from "../process/exec.ts";
import type { Spec } from "../spec/schema.ts";
import { fieldOf } from "../spec/fold_name.ts";
import { userNamespaceStartup } from "../startup/plan.ts";
import { parseStartupTail } from "../startup/report.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import { writeIdMaps } from "../userns/maps.ts";
import { ContainerSetupError } from "./errors.ts";

/** The user namespace entry of a config not validated yet (validation reads the same keys). */
export function userNamespaceOf(json: unknown): { path?: string } | undefined {
  const namespaces = fieldOf(fieldOf(json, "linux"), "namespaces");
  if (!Array.isArray(namespaces)) return undefined;
  const user = namespaces.find((ns) => fieldOf(ns, "type") === "user");
  if (!user) return undefined;
  const path = fieldOf(user, "path");
  return typeof path === "string" ? { path } : {};
}

export interface UserNamespaceInit {
  /** The start-up program, until it reports the init's PID. */
  pid: number;
  channel: Channel;
  /** Where the init finds exec.fifo, opened here: the state directory is out of the user namespace's reach. */
  fifoFd: number;
  /** Whether the program waits for its ID maps (a new user namespace). */
  newUser: boolean;
}

/**
 * Starts the program, a session leader as spawnInit's init is. `newPid`: the
 * config has a new PID namespace (one given by path is the init's to join).
 */
export function spawnUserNamespaceInit(
  sys: Syscalls,
  id: string,
  user: { path?: string },
  newPid: boolean,
  preserveFds: number,
  fifoPath: string,
): UserNamespaceInit {
  const initFd = 3 + preserveFds;
  const fifoFd = initFd + 1;
  const userFd = initFd + 2;
  // Every source above every target, so no dup2 below overwrites a descriptor still to be copied.
  const lift = (fd: number) => {
    const high = sys.fcntl(fd, F_DUPFD_CLOEXEC, userFd + 1);
    sys.close(fd);
    return high;
  };
  const [parentEnd, childEnd] = sys.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC);
  const sources: number[] = [];
  try {
    sources.push(lift(childEnd));
    sources.push(lift(sys.open(fifoPath, O_PATH | O_CLOEXEC)));
    if (user.path !== undefined) sources.push(lift(openNamespace(sys, { type: "user", path: user.path })));
    const fileActions: FileAction[] = sources.map((fd, i): FileAction => ({ op: "dup2", fd, to: initFd + i }));
    const program = userNamespaceStartup({
      channelFd: initFd,
      userNamespaceFd: user.path === undefined ? undefined : userFd,
      newPidNamespace: newPid,
      init: initTarget(id, initFd),
    });
    const image = lift(sealedExecutable(sys, program.image(), "runt"));
    sources.push(image);
    inheritPreserved(sys, initFd);
    const pid = sys.posixSpawn(`/proc/self/fd/${image}`, ["runt", "init", id], [], { fileActions, setsid: true });
    return { pid, channel: new Channel(sys, parentEnd), fifoFd, newUser: user.path === undefined };
  } catch (e) {
    sys.close(parentEnd);
    throw e;
  } finally {
    for (const fd of sources) sys.close(fd);
  }
}

/** `runt init ID` as the program execs it: /proc/self/exe would be the program itself there. */
function initTarget(id: string, initFd: number) {
  const [path, ...rest] = initCommand(id);
  const exe = path === "/proc/self/exe" ? readlinkSync(path) : path;
  const env = Object.entries({ ...process.env, [INIT_FD_ENV]: String(initFd) }).map(([k, v]) => `${k}=${v}`);
  return { path: exe, args: [exe, ...rest], env };
}

/**
 * Once the config is valid: gives a new user namespace its maps, lets the
 * program go on, and returns the init's PID once the program has cloned
 * it (the program itself is reaped).
 */
export function awaitUserNamespace(sys: Syscalls, init: UserNamespaceInit, spec: Spec): number {
  if (init.newUser) {
    expect(init, "userns");
    writeIdMaps(init.pid, spec);
    init.channel.release();
  }
  const report = expect(init, "pid") as { pid: number };
  sys.waitpid(init.pid);
  return report.pid;
}

function expect(init: UserNamespaceInit, type: InitReport["type"]): InitReport {
  const report = init.channel.receive<InitReport>();
  if (report?.type === type) return report;
  const failure = report?.type === "tail" ? parseStartupTail(report.bytes).failure : undefined;
  throw new ContainerSetupError(failure ?? "the container's user namespace program ended before starting the init");
}

/** Whether the config asks for a new PID namespace (as the raw config says it). */
export function newPidNamespace(pidNamespace: { path?: string } | undefined): boolean {
  return pidNamespace !== undefined && pidNamespace.path === undefined;
}
