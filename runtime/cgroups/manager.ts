/**
 * A container's cgroup on the real filesystem: one directory per v1
 * hierarchy (plus the cgroup2 one on hybrid hosts) or one cgroup2
 * directory. Everything is synchronous: it runs in the container's setup
 * path, between spawning the init and letting it exec the user's process.
 */
import { mkdirSync, readdirEntries, rmdirSync, writeFileInBackground } from "../host_fs.ts";
import type { LinuxResources } from "../spec/schema.ts";
import { SIGKILL, type Syscalls } from "../../ffi/syscalls.ts";
import { signalName } from "../../ffi/constants.ts";
import { sleepSync } from "../sleep.ts";
import { attachDeviceFilter } from "./devices_bpf.ts";
import type { DeviceRule } from "./devices.ts";
import { CgroupError } from "./errors.ts";
import { CgroupFiles, describeFsError, fsErrorCode, type WriteRecord } from "./files.ts";
import { CgroupPlacement, type SavedCgroup } from "./placement.ts";

export type { SavedCgroup } from "./placement.ts";
import {
  type CgroupDirs,
  freezerDir,
  freezerState,
  type FreezerState,
  v1Freeze,
  v1Thaw,
  v2Freeze,
  v2Thaw,
} from "./freezer.ts";
import {
  type CgroupLayout,
  type CgroupMount,
  type CgroupVersion,
  ownPathOf,
  type ProcCgroupEntry,
  readLayout,
  readProcCgroup,
  v1Hierarchies,
} from "./layout.ts";
import { cgroupDir, cgroupPathIn, type CgroupPathSpec } from "./path.ts";
import { type Stats, statsV1, statsV2 } from "./stats.ts";
import { planV1 } from "./v1.ts";
import { planV2 } from "./v2.ts";
import type { CgroupWrite } from "./write.ts";
import { quote } from "../quote.ts";
import type { SystemdBusOptions } from "./systemd/manager_bus.ts";
import type { SystemdUnitRef } from "./systemd/unit_name.ts";
import { effectiveUid, killProcess } from "../host.ts";

export interface CgroupManagerOptions {
  /** The host's layout; read from /proc/self/mountinfo when absent. */
  layout?: CgroupLayout;
  /** runt's own cgroups, the base of relative paths; read from /proc/self/cgroup when absent. */
  ownCgroups?: ProcCgroupEntry[];
  /** Needed for v2 device filters (bpf) and used to signal processes. */
  syscalls?: Syscalls;
  /** Receives every successful write, in order. */
  journal?: WriteRecord[];
  /** The systemd unit that owns the cgroup (the systemd driver); absent for cgroupfs. */
  systemd?: SystemdUnitRef;
  /** Where systemd is reached; the system bus by default. */
  systemdBus?: SystemdBusOptions;
  /**
   * runt runs without root and linux.cgroupsPath is unset: a hierarchy where
   * it may not make the cgroup is left out, as runc leaves it out, and a
   * limit that needed it is refused by set().
   */
  rootless?: boolean;
}

type SystemdDriver = Pick<typeof import("./systemd/driver.ts"), "startUnit" | "setUnitResources" | "stopUnit">;

/**
 * The systemd driver, with the D-Bus client under it: loaded only for a
 * cgroup systemd owns, since under Deno its modules cost every command that
 * loads this one ~7 ms. A manager of a systemd unit makes, configures and
 * removes it only once loadSystemdDriver() (or useSystemdDriver()) has run.
 */
let systemdDriver: SystemdDriver | undefined;

export function useSystemdDriver(driver: SystemdDriver): void {
  systemdDriver = driver;
}

export async function loadSystemdDriver(): Promise<void> {
  systemdDriver ??= await import("./systemd/driver.ts");
}

/** Loads what managing `saved` takes: the systemd driver for a cgroup systemd owns (a record made under --systemd-cgroup). */
export async function loadDriverOf(saved: SavedCgroup | undefined): Promise<void> {
  if (saved?.systemd) await loadSystemdDriver();
}

function systemd(): SystemdDriver {
  if (!systemdDriver) throw new Error("the systemd cgroup driver was used before loadSystemdDriver()");
  return systemdDriver;
}

/** What mkdir says when a user may simply not make a cgroup there (runc's isIgnorableError). */
const NO_ACCESS = ["EACCES", "EPERM", "EROFS"];

export interface SetOptions {
  /** Device rules to enforce (see containerDeviceRules); absent leaves device access as it is. */
  devices?: readonly DeviceRule[];
}

/** Where pids() looks on v1: hierarchies every container joins, most likely mounted first. */
const V1_PROCS_PREFERENCE = ["freezer", "pids", "devices", "memory", "cpu"];
const RMDIR_WAIT_MS = 2000;

export class CgroupManager extends CgroupPlacement {
  private constructor(
    version: CgroupVersion,
    v1: Record<string, string>,
    unified: string | undefined,
    private readonly options: CgroupManagerOptions,
    /** The cgroupsPath it was made from, for messages. */
    private readonly path = "",
  ) {
    super(version, v1, unified, new CgroupFiles(options.journal));
  }

  /**
   * Makes the container's cgroup directories for `path` (see
   * resolveCgroupsPath): locate() then make().
   */
  static create(path: CgroupPathSpec, options: CgroupManagerOptions = {}): CgroupManager {
    const manager = CgroupManager.locate(path, options);
    manager.make();
    return manager;
  }

  /**
   * The directories `path` names in every hierarchy, without making them:
   * create records them first, so whatever moment it is killed, delete finds
   * every directory it may have made.
   */
  static locate(path: CgroupPathSpec, options: CgroupManagerOptions = {}): CgroupManager {
    const layout = options.layout ?? readLayout();
    const own = options.ownCgroups ?? readProcCgroup();
    const v1: Record<string, string> = {};
    if (layout.version !== "v2") {
      for (const mount of v1Hierarchies(layout)) {
        const dir = cgroupDir(mount, cgroupPathIn(path, ownPathOf(own, mount.controllers[0])));
        for (const c of mount.controllers) v1[c] = dir;
      }
    }
    const unified = layout.unified ? cgroupDir(layout.unified, cgroupPathIn(path, ownPathOf(own, ""))) : undefined;
    return new CgroupManager(layout.version, v1, unified, { ...options, layout }, path.path);
  }

  /**
   * Makes the directories. On v2, enables every available controller in the
   * ancestors' cgroup.subtree_control; on v1, gives new cpuset cgroups their
   * parent's cpus and mems. Refuses a frozen cgroup, whose processes could
   * never run (runc refuses it with the same words). An existing cgroup that
   * already has processes is taken as runc 1.1 takes it: the warnings it
   * prints are returned for the caller to show. On failure, removes what it
   * created.
   *
   * Under the systemd driver the unit is started first, with `pid` (the
   * container's first process: a scope cannot start empty) in it; systemd
   * makes the cgroup, and what it leaves out (v1 hierarchies it does not
   * manage) is made here, as runc does. A new unit is never busy.
   */
  make(pid?: number): string[] {
    const unit = this.options.systemd;
    if (unit === undefined) return this.makeDirectories(true);
    if (pid === undefined || !this.options.syscalls) throw new Error("CgroupManager.make needs the process and options.syscalls under the systemd driver");
    systemd().startUnit(this.options.syscalls, unit, pid, this.version, this.options.systemdBus);
    try {
      return this.makeDirectories(false);
    } catch (e) {
      try {
        systemd().stopUnit(this.options.syscalls, unit, this.options.systemdBus);
      } catch {
        // The error that stopped make is the one to report.
      }
      throw e;
    }
  }

  private makeDirectories(checkBusy: boolean): string[] {
    const layout = this.options.layout ?? readLayout();
    const mounts: Array<{ mount: CgroupMount; dir: string }> = [];
    if (layout.version !== "v2") {
      for (const mount of v1Hierarchies(layout)) mounts.push({ mount, dir: this.v1[mount.controllers[0]] });
    }
    if (layout.unified && this.unified !== undefined) mounts.push({ mount: layout.unified, dir: this.unified });
    const created: string[] = [];
    const left: string[] = [];
    try {
      for (const { mount, dir } of mounts) {
        try {
          this.makeDirs(mount.mountPoint, dir, created, mount === layout.unified, mount.controllers.includes("cpuset"));
        } catch (e) {
          if (!this.options.rootless || !NO_ACCESS.includes((e as CgroupError & { code?: string }).code ?? "")) throw e;
          left.push(this.leaveOut(mount, dir));
        }
      }
      if (this.frozenAlready()) {
        throw new CgroupError(`container's cgroup unexpectedly frozen: cgroup ${this.path} (thaw it, or give linux.cgroupsPath another cgroup)`);
      }
      // Root of a user namespace (rootless podman) is told nothing, as runc tells it nothing: its stderr is the
      // container's, which conmon logs.
      const warnings = left.length && effectiveUid() !== 0 ? [leftOutWarning(left)] : [];
      return checkBusy ? [...warnings, ...busyWarnings(this.pids().length)] : warnings;
    } catch (e) {
      for (const d of created.reverse()) this.removeDir(d, false);
      throw e;
    }
  }

  /** Forgets a hierarchy the user may not make a cgroup in; returns its name for the warning. */
  private leaveOut(mount: CgroupMount, dir: string): string {
    if (dir === this.unified) {
      this.unified = undefined;
      return "cgroup2";
    }
    for (const c of mount.controllers) delete this.v1[c];
    return mount.controllers.join(",");
  }

  /** The manager of a cgroup made earlier, from what toJSON() returned. */
  static open(saved: SavedCgroup, options: CgroupManagerOptions = {}): CgroupManager {
    const systemd = saved.systemd ?? options.systemd;
    return new CgroupManager(saved.version, { ...saved.v1 }, saved.unified, systemd ? { ...options, systemd } : options);
  }

  toJSON(): SavedCgroup {
    const saved: SavedCgroup = { version: this.version, v1: { ...this.v1 } };
    if (this.unified !== undefined) saved.unified = this.unified;
    if (this.options.systemd) saved.systemd = { ...this.options.systemd };
    return saved;
  }

  /** "systemd" when a systemd unit owns the cgroup, "cgroupfs" when runt manages its directories alone. */
  get driver(): "cgroupfs" | "systemd" {
    return this.options.systemd ? "systemd" : "cgroupfs";
  }

  private makeDirs(mountPoint: string, dir: string, created: string[], unified: boolean, cpuset: boolean): void {
    const base = mountPoint.replace(/\/+$/, "");
    const parts = dir.slice(base.length).split("/").filter((p) => p !== "");
    let current = base;
    for (const part of parts) {
      if (unified) this.enableControllers(current);
      const next = `${current}/${part}`;
      try {
        mkdirSync(next, 0o755);
        created.push(next);
      } catch (e) {
        if (fsErrorCode(e) !== "EEXIST") throw Object.assign(new CgroupError(`cannot create cgroup ${next}: ${describeFsError(e)}`), { code: fsErrorCode(e) });
      }
      if (cpuset) this.inheritCpuset(current, next);
      current = next;
    }
  }

  /** Makes every controller `dir` has available to its children, as runc does; controllers the kernel refuses are left out. */
  private enableControllers(dir: string): void {
    const available = (this.files.readIfExists(`${dir}/cgroup.controllers`) ?? "").trim().split(/\s+/).filter((c) => c !== "");
    const enabled = new Set((this.files.readIfExists(`${dir}/cgroup.subtree_control`) ?? "").trim().split(/\s+/));
    const missing = available.filter((c) => !enabled.has(c));
    if (missing.length === 0) return;
    try {
      this.files.writeRaw(`${dir}/cgroup.subtree_control`, missing.map((c) => `+${c}`).join(" "));
    } catch {
      for (const c of missing) {
        try {
          this.files.writeRaw(`${dir}/cgroup.subtree_control`, `+${c}`);
        } catch {
          // A controller that cannot be enabled here fails later, naming the file that needed it.
        }
      }
    }
  }

  /** A new v1 cpuset cgroup starts with no cpus and no mems, and no process can join it until it has some. */
  private inheritCpuset(parent: string, child: string): void {
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      const mine = this.files.readIfExists(`${child}/${file}`);
      if (mine === undefined || mine.trim() !== "") continue;
      this.files.write(`${child}/${file}`, this.files.read(`${parent}/${file}`).trim());
    }
  }

  /**
   * apply(), off the calling thread: on a cgroup v1 host the first move
   * waits out an RCU grace period (5–15 ms), which the caller spends on
   * other work meanwhile. Every hierarchy is written at once, since the
   * kernel lets moves through without another wait only until a grace
   * period after the last one.
   */
  async applyInBackground(pid: number): Promise<void> {
    const moves = await Promise.allSettled(this.dirs().map((dir) => writeFileInBackground(`${dir}/cgroup.procs`, String(pid))));
    // apply() retries a process still being forked, and says what is wrong.
    if (moves.some((m) => m.status === "rejected")) this.apply(pid);
  }

  /** The writes set(resources) would make, for showing or testing. */
  plan(resources: LinuxResources | undefined, options: SetOptions = {}): CgroupWrite[] {
    if (this.version === "v2") return planV2(resources);
    const devicesDir = this.v1.devices;
    // Only memory+swap updates depend on the current limit (which of the two may move first).
    const memoryLimit = this.v1.memory && resources?.memory?.swap
      ? this.files.readIfExists(`${this.v1.memory}/memory.limit_in_bytes`)
      : undefined;
    // Hybrid hosts too: their controllers are v1 ones, and the cgroup2 mount has none to set (as runc decides).
    return planV1(resources, {
      devices: options.devices,
      devicesList: options.devices && devicesDir ? this.files.readIfExists(`${devicesDir}/devices.list`) : undefined,
      currentMemoryLimit: memoryLimit?.trim() ? BigInt(memoryLimit.trim()) : undefined,
    });
  }

  /** Applies `resources` (and device rules, when given). A failed write is an error naming the file and value. */
  set(resources: LinuxResources | undefined, options: SetOptions = {}): void {
    const writes = this.plan(resources, options);
    if (this.options.systemd) {
      // systemd first, as runc does: it would otherwise put back its own values over the files at its next reload.
      if (!this.options.syscalls) throw new Error("CgroupManager needs options.syscalls to reach systemd");
      systemd().setUnitResources(this.options.syscalls, this.options.systemd, resources, options.devices, this.version, this.options.systemdBus);
    }
    let deferred: { path: string; value: string } | undefined;
    for (const write of writes) {
      const dir = this.dirOf(write.controller);
      if (dir === undefined) {
        if (write.optional) continue;
        if (this.options.rootless) {
          // As runc: device rules are not expected to work without root; a limit is.
          if (write.controller === "devices") continue;
          throw new CgroupError(`cannot write ${quote(write.value)} to ${write.file}: runt runs without root and could not create the container's ${write.controller || "cgroup2"} cgroup (give linux.cgroupsPath a cgroup delegated to this user, or leave the limit out)`);
        }
        throw new CgroupError(
          `cannot write ${quote(write.value)} to ${write.file}: the ${write.controller} controller is not mounted on this host`,
        );
      }
      let path = `${dir}/${write.file}`, value = write.value;
      // Asked only where the answer changes what is written: a missing file is otherwise the write's own ENOENT.
      if ((write.optional || write.fallback) && !this.files.exists(path)) {
        if (write.optional) continue;
        if (write.fallback) {
          path = `${dir}/${write.fallback.file}`;
          value = write.fallback.value;
        }
      }
      try {
        this.files.writeRaw(path, value);
      } catch (e) {
        if (write.retryAfterNext && fsErrorCode(e) === "EINVAL") {
          deferred = { path, value };
          continue;
        }
        throw new CgroupError(`cannot write ${quote(value)} to ${path}: ${describeFsError(e)}`);
      }
      if (deferred) {
        this.files.write(deferred.path, deferred.value);
        deferred = undefined;
      }
    }
    if (deferred) this.files.write(deferred.path, deferred.value);
    if (this.version === "v2" && options.devices && this.unified !== undefined) {
      if (!this.options.syscalls) throw new Error("CgroupManager needs options.syscalls to install a device filter on cgroup v2");
      attachDeviceFilter(this.options.syscalls, this.unified!, options.devices);
    }
  }

  private cgroupDirs(): CgroupDirs {
    return { version: this.version, v1: this.v1, unified: this.unified };
  }

  private freezerDir(): { dir: string; v2: boolean } | undefined {
    return freezerDir(this.cgroupDirs());
  }

  freeze(): void {
    const f = this.freezerDir();
    if (!f) throw new CgroupError("cannot freeze: the freezer controller is not mounted on this host");
    if (f.v2) v2Freeze(this.files, f.dir);
    else v1Freeze(this.files, f.dir);
  }

  thaw(): void {
    const f = this.freezerDir();
    if (!f) throw new CgroupError("cannot thaw: the freezer controller is not mounted on this host");
    if (f.v2) v2Thaw(this.files, f.dir);
    else v1Thaw(this.files, f.dir);
  }

  /** "thawed" when no freezer is mounted: nothing can have frozen it. */
  state(): FreezerState {
    return freezerState(this.files, this.cgroupDirs());
  }

  /** Frozen, or freezing, by someone else before the container was made; a freezer without its state file is a test tree. */
  private frozenAlready(): boolean {
    const f = this.freezerDir();
    if (!f || (!f.v2 && !this.files.exists(`${f.dir}/freezer.state`))) return false;
    return this.state() !== "thawed";
  }

  private procsDir(): string | undefined {
    if (this.version === "v2") return this.unified;
    for (const c of V1_PROCS_PREFERENCE) if (this.v1[c]) return this.v1[c];
    return this.dirs()[0];
  }

  /** Every process in the cgroup and the cgroups below it, sorted. */
  pids(): number[] {
    const dir = this.procsDir();
    if (dir === undefined) return [];
    const found = new Set<number>();
    const walk = (d: string) => {
      const procs = this.files.readIfExists(`${d}/cgroup.procs`);
      if (procs === undefined) return;
      for (const line of procs.split("\n")) if (line.trim() !== "") found.add(Number(line));
      for (const sub of subdirs(d)) walk(sub);
    };
    walk(dir);
    return [...found].sort((a, b) => a - b);
  }

  /**
   * Sends `signal` to every process in the cgroup. SIGKILL goes through
   * cgroup.kill where the kernel has it (nothing can escape by forking);
   * otherwise the cgroup is frozen while the signals go out, so no process
   * forks a child that misses its signal. Not on hybrid hosts: a process
   * put into the v1 cgroups alone is not in the cgroup2 one.
   */
  killAll(signal: number): void {
    if (signal === SIGKILL && this.version === "v2" && this.files.exists(`${this.unified}/cgroup.kill`)) {
      try {
        this.files.writeRaw(`${this.unified}/cgroup.kill`, "1");
      } catch (e) {
        // Gone meanwhile: a systemd scope whose last process ended is removed by systemd, with nothing left to kill
        // (ENOENT once its directory is gone, ENODEV while the kernel is still removing it).
        const code = fsErrorCode(e);
        if (code !== "ENOENT" && code !== "ENODEV") throw new CgroupError(`cannot write "1" to ${this.unified}/cgroup.kill: ${describeFsError(e)}`);
      }
      return;
    }
    // Nothing left to signal, nothing to freeze for: a container whose PID 1 has ended, at delete (two writes saved).
    if (this.pids().length === 0) return;
    let frozen = false;
    if (this.freezerDir()) {
      try {
        this.freeze();
        frozen = true;
      } catch {
        // Signal them anyway; a racing fork is less bad than not signalling.
      }
    }
    try {
      for (const pid of this.pids()) {
        try {
          if (this.options.syscalls) this.options.syscalls.kill(pid, signal);
          else killProcess(pid, signal, signalName(signal) ?? String(signal));
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code !== "ESRCH") throw e;
        }
      }
    } finally {
      if (frozen) this.thaw();
    }
  }

  stats(): Stats {
    if (this.version === "v2") return this.unified === undefined ? statsV1(this.files, {}) : statsV2(this.files, this.unified);
    return statsV1(this.files, this.v1);
  }

  /** OOM kills so far in this cgroup: memory.events "oom_kill" on v2, memory.oom_control "oom_kill" on v1 (Linux 4.13+). */
  oomKillCount(): number {
    const file = this.version === "v2"
      ? this.unified && `${this.unified}/memory.events`
      : this.v1.memory && `${this.v1.memory}/memory.oom_control`;
    const text = file ? this.files.readIfExists(file) : undefined;
    const m = /^oom_kill (\d+)$/m.exec(text ?? "");
    return m ? Number(m[1]) : 0;
  }

  /** A poller for OOM events: each poll() returns the OOM kills since the previous one (the first counts from now). */
  oomEvents(): { poll(): number } {
    let seen = this.oomKillCount();
    return {
      poll: () => {
        const now = this.oomKillCount();
        const fresh = Math.max(0, now - seen);
        seen = now;
        return fresh;
      },
    };
  }

  /**
   * Removes the cgroup: every directory, deepest first, retrying while
   * exiting processes still hold it. Only empty cgroup directories are
   * removed (rmdir); no file is ever deleted.
   */
  destroy(): void {
    const problems: string[] = [];
    if (this.options.systemd) {
      if (!this.options.syscalls) throw new Error("CgroupManager needs options.syscalls to reach systemd");
      try {
        systemd().stopUnit(this.options.syscalls, this.options.systemd, this.options.systemdBus);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    for (const dir of this.dirs()) {
      // Most have no cgroup below them: one rmdir, and the tree is listed only if the kernel refuses it.
      if (this.removeDir(dir, false) === undefined) continue;
      for (const d of [...descendants(dir), dir]) {
        const problem = this.removeDir(d, true);
        if (problem) problems.push(problem);
      }
    }
    if (problems.length) throw new CgroupError(problems.join("\n"));
  }

  /** rmdir with a short wait for EBUSY; returns what went wrong, if anything. */
  private removeDir(dir: string, wait: boolean): string | undefined {
    const deadline = Date.now() + (wait ? RMDIR_WAIT_MS : 0);
    for (let delay = 1;; delay = Math.min(delay * 2, 50)) {
      try {
        rmdirSync(dir);
        return undefined;
      } catch (e) {
        const code = fsErrorCode(e);
        if (code === "ENOENT") return undefined;
        if (code !== "EBUSY" || Date.now() > deadline) return `cannot remove cgroup ${dir}: ${describeFsError(e)}`;
        sleepSync(delay);
      }
    }
  }
}

function leftOutWarning(hierarchies: string[]): string {
  const uid = effectiveUid();
  return `the container has no cgroup in ${hierarchies.join(" ")}: uid ${uid} may not create one there (resource limits need linux.cgroupsPath in a cgroup delegated to this user)`;
}

/** runc 1.1's words for a container put in a cgroup that has processes already (runc 1.2 refuses it). */
function busyWarnings(count: number): string[] {
  if (count === 0) return [];
  return [
    `container's cgroup is not empty: ${count} process(es) found`,
    "DEPRECATED: running container in a non-empty cgroup won't be supported in runc 1.2; https://github.com/opencontainers/runc/issues/3132",
  ];
}

function subdirs(dir: string): string[] {
  try {
    return readdirEntries(dir).filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}`);
  } catch {
    return [];
  }
}

/** Every directory below `dir`, deepest first. */
function descendants(dir: string): string[] {
  return subdirs(dir).flatMap((d) => [...descendants(d), d]);
}
