/**
 * `kill`: a signal to the container's PID 1, or with `all` to every process
 * of its PID namespace. The signal goes through a pidfd opened while the PID
 * is known to be the container's, so a reused PID can never receive it.
 */
import { readdirSync, readlinkSync } from "../host_fs.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { ContainerRecord } from "../state/record.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { ContainerLock } from "./lock.ts";
import { CgroupManager } from "../cgroups/manager.ts";
import { containerStatus, isAlive } from "./status.ts";

export function killContainer(ctx: LifecycleContext, id: string, signal: number, all = false): void {
  const { store, sys } = ctx;
  const lock = ContainerLock.ofContainer(sys, store, id);
  try {
    const record = store.read(id);
    const status = containerStatus(record);
    if (status === "stopped" && all) {
      // As runc: what is left in a stopped container's cgroup still gets the
      // signal. containerd's shim sends this after the init of a container
      // without its own PID namespace (every container of a pod) has exited.
      for (const pid of cgroupProcesses(ctx, record)) trySignal(sys, pid, signal);
      return;
    }
    if (status === "stopped" || status === "creating") {
      // runc's words: containerd's shim reads "container not running" as a process already gone.
      throw new ContainerStateError(`cannot kill container "${id}": container not running (it is ${status})`);
    }
    if (all) for (const pid of containerProcesses(ctx, record)) trySignal(sys, pid, signal);
    signalInit(sys, record, signal);
  } finally {
    lock.release();
  }
}

/** Sends `signal` to the container's init; false when it had already gone. */
export function signalInit(sys: Syscalls, record: ContainerRecord, signal: number): boolean {
  let pidfd: number;
  try {
    pidfd = sys.pidfdOpen(record.pid);
  } catch {
    return false;
  }
  try {
    // The pidfd pins the process: checked now, it is the one that gets the signal.
    if (!isAlive(record)) return false;
    sys.pidfdSendSignal(pidfd, signal);
    return true;
  } finally {
    sys.close(pidfd);
  }
}

/** Every process of the container but its init: those in its cgroup, and those in its PID namespace. */
function containerProcesses(ctx: LifecycleContext, record: ContainerRecord): number[] {
  const pids = new Set(namespacePeers(record.pid));
  for (const pid of cgroupProcesses(ctx, record)) if (pid !== record.pid) pids.add(pid);
  return [...pids];
}

/** The processes in the container's cgroup; none once it is gone. */
function cgroupProcesses(ctx: LifecycleContext, record: ContainerRecord): number[] {
  return record.cgroup ? CgroupManager.open(record.cgroup, { syscalls: ctx.sys }).pids() : [];
}

/** Other processes sharing the init's PID namespace (when it has its own). */
function namespacePeers(initPid: number): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${initPid}/ns/pid`);
    if (ns === readlinkSync("/proc/self/ns/pid")) return []; // the host's: never signal it all
  } catch {
    return [];
  }
  const peers: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === initPid) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/pid`) === ns) peers.push(pid);
    } catch { /* exited meanwhile */ }
  }
  return peers;
}

function trySignal(sys: Syscalls, pid: number, signal: number): void {
  try {
    sys.kill(pid, signal);
  } catch { /* exited meanwhile */ }
}
