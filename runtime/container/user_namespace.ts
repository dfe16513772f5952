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
import { readlinkSync } from "../host_fs.ts";
import { AF_UNIX, O_CLOEXEC, O_PATH, SOCK_STREAM } from "../../ffi/constants.ts";
import type { FileAction, Syscalls } from "../../ffi/syscalls.ts";
import { Channel, type InitReport } from "../init/channel.ts";
import { openNamespace } from "../init/namespaces.ts";
import { initCommand, initEnvironment } from "../init/self.ts";
import { denoCacheThrough, openDenoCache } from "../init/deno_cache.ts";
import { inheritPreserved, liftAbove } from "../process/exec.ts";
import type { Spec } from "../spec/schema.ts";
import { userNamespaceStartup } from "../startup/plan.ts";
import { parseStartupTail } from "../startup/report.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import { writeIdMaps } from "../userns/maps.ts";
import { ContainerSetupError } from "./errors.ts";
import { killAndReap } from "../process/reap.ts";
import { rawNamespaces } from "./raw_namespaces.ts";

export interface UserNamespaceInit {
  /** The start-up program, until it reports the init's PID. */
  pid: number;
  channel: Channel;
  /** Where the init finds exec.fifo, opened here: the state directory is out of the user namespace's reach (create only). */
  fifoFd?: number;
  /** Whether the program waits for its ID maps (a new user namespace). */
  newUser: boolean;
  /** Namespaces the program joined or made, which the init must not enter again. */
  entered: string[];
}

/**
 * Namespaces given by path that a new user namespace would not own: joined
 * before it is made, as runc does, while runt still has its capabilities
 * over them. A mount namespace is left to the init, whose files are found
 * by path; a PID namespace to the init's start-up program.
 */
const JOINED_BEFORE = ["network", "ipc", "uts", "cgroup"];
/**
 * New namespaces the program makes right after the user namespace, with
 * uid 0 and the host's gid still, as runc's nsexec does (the new IPC
 * namespace's mqueue root shows it). The cgroup namespace waits until the
 * init is in its cgroup, the time namespace for its offsets: the init
 * makes those.
 */
const MADE_FIRST = ["network", "ipc", "uts", "mount"];

/**
 * Starts the program, a session leader as spawnInit's init is. `newPid`: the
 * config has a new PID namespace (one given by path is the init's to join).
 * `fifoPath`: create's exec.fifo; `stdio`: descriptors for the init's 0, 1
 * and 2 instead of runt's own, as spawnInit takes them.
 */
export function spawnUserNamespaceInit(
  sys: Syscalls,
  id: string,
  json: unknown,
  user: { path?: string; own?: boolean },
  newPid: boolean,
  preserveFds: number,
  fifoPath?: string,
  stdio?: [number, number, number],
): UserNamespaceInit {
  const initFd = 3 + preserveFds;
  const fifoFd = fifoPath === undefined ? undefined : initFd + 1;
  const first = user.path === undefined ? rawNamespaces(json).filter((ns) => ns.path !== undefined && JOINED_BEFORE.includes(ns.type)) : [];
  const made = rawNamespaces(json).filter((ns) => ns.path === undefined && MADE_FIRST.includes(ns.type)).map((ns) => ns.type);
  const toJoin = user.path === undefined ? first as { type: string; path: string }[] : [{ type: "user", path: user.path }];
  // Every source above every target (channel, fifo, executable, Deno's cache, namespaces, program), so no dup2 below
  // overwrites a descriptor still to be copied.
  const above = initFd + 5 + toJoin.length;
  const lift = (fd: number) => liftAbove(sys, fd, above);
  const [parentEnd, childEnd] = sys.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC);
  const sources: number[] = [];
  try {
    const [path, ...rest] = initCommand(id);
    const exe = path === "/proc/self/exe" ? readlinkSync(path) : path;
    sources.push(lift(childEnd));
    if (fifoPath !== undefined) sources.push(lift(sys.open(fifoPath, O_PATH | O_CLOEXEC)));
    // Opened here, with runt's rights: the init is exec'd from it inside the user namespace.
    const executableFd = initFd + sources.length;
    sources.push(lift(sys.open(exe, O_PATH | O_CLOEXEC)));
    const cache = openDenoCache(sys);
    let extraEnv: Record<string, string> = {};
    if (cache !== undefined) {
      extraEnv = denoCacheThrough(initFd + sources.length);
      sources.push(lift(cache));
    }
    const init = { path: exe, args: [exe, ...rest], env: initEnvironment(initFd, extraEnv) };
    for (const ns of toJoin) sources.push(lift(openNamespace(sys, ns)));
    // stdio first: one of its descriptors may have a number dup2'd to below.
    const fileActions: FileAction[] = [
      ...(stdio ?? []).map((fd, to): FileAction => ({ op: "dup2", fd, to })),
      ...sources.map((fd, i): FileAction => ({ op: "dup2", fd, to: initFd + i })),
    ];
    const fdOf = (i: number) => initFd + sources.length - toJoin.length + i;
    const program = userNamespaceStartup({
      channelFd: initFd,
      userNamespaceFd: user.path === undefined ? undefined : fdOf(0),
      ownUserNamespace: user.own,
      joinFirst: user.path === undefined ? first.map((ns, i) => ({ type: ns.type, fd: fdOf(i) })) : [],
      make: made,
      newPidNamespace: newPid,
      init,
      initFd: executableFd,
    });
    const image = lift(sealedExecutable(sys, program.image(), "runt"));
    sources.push(image);
    inheritPreserved(sys, initFd);
    const pid = sys.posixSpawn(`/proc/self/fd/${image}`, ["runt", "init", id], [], { fileActions, setsid: true });
    return { pid, channel: new Channel(sys, parentEnd), fifoFd, newUser: user.path === undefined && !user.own, entered: [...first.map((ns) => ns.type), ...made] };
  } catch (e) {
    sys.close(parentEnd);
    throw e;
  } finally {
    for (const fd of sources) sys.close(fd);
  }
}

/**
 * Once the config is valid (and, where the init is to be born in it, the
 * program in the container's cgroup): gives a new user namespace its maps,
 * lets the program go on, and returns the init's PID once the program has
 * cloned it. The program is reaped unless `reap` is false: then the caller
 * reaps it, once nothing names its PID any more (see create.ts).
 */
export function awaitUserNamespace(sys: Syscalls, init: UserNamespaceInit, spec: Spec, reap = true): number {
  expect(init, "userns");
  if (init.newUser) writeIdMaps(init.pid, spec);
  init.channel.release();
  const report = expect(init, "pid") as { pid: number };
  if (reap) sys.waitpid(init.pid);
  return report.pid;
}

function expect(init: UserNamespaceInit, type: InitReport["type"]): InitReport {
  const report = init.channel.receive<InitReport>();
  if (report?.type === type) return report;
  const failure = report?.type === "tail" ? parseStartupTail(report.bytes).failure : undefined;
  throw new ContainerSetupError(failure ?? "the container's user namespace program ended before starting the init");
}

/**
 * `exec`'s helper (or a startContainer hook's) for runt run without root:
 * from runt's user namespace it could join none of the container's
 * namespaces, so the program joins the container's user namespace first
 * and starts the helper inside it, as create's init is started. `join` puts
 * the program in the container's cgroup before the helper is born.
 */
export function spawnHelperInUserNamespace(
  sys: Syscalls,
  id: string,
  spec: Spec,
  join: (pid: number) => void,
  preserveFds: number,
  stdio?: [number, number, number],
): { pid: number; channel: Channel } {
  const user = { type: "user", path: spec.linux!.namespaces!.find((ns) => ns.type === "user")!.path! };
  const init = spawnUserNamespaceInit(sys, id, { linux: { namespaces: [user] } }, user, false, preserveFds, undefined, stdio);
  try {
    join(init.pid);
    return { pid: awaitUserNamespace(sys, init, spec), channel: init.channel };
  } catch (e) {
    init.channel.close();
    killAndReap(sys, init.pid);
    throw e;
  }
}

/** Whether the config asks for a new PID namespace (as the raw config says it). */
export function newPidNamespace(pidNamespace: { path?: string } | undefined): boolean {
  return pidNamespace !== undefined && pidNamespace.path === undefined;
}
