/**
 * Where a container's cgroup is — its directory in each hierarchy — and
 * moving a process there: what `exec` needs of a cgroup made earlier, in a
 * module of its own. CgroupManager (manager.ts) builds on it to make,
 * configure, freeze and remove the cgroup, and brings the planners, the
 * device filters and the systemd driver with it.
 */
import { sleepSync } from "../sleep.ts";
import { CgroupError } from "./errors.ts";
import { CgroupFiles, describeFsError, fsErrorCode } from "./files.ts";
import type { CgroupVersion } from "./layout.ts";
import type { SubCgroupPaths } from "./sub.ts";
import type { SystemdUnitRef } from "./systemd/unit_name.ts";

/** What to keep (in the container's state) to find the cgroup again from another process. */
export interface SavedCgroup {
  version: CgroupVersion;
  /** v1 controller (and "name=…" hierarchy) → directory; combined hierarchies share one. */
  v1: Record<string, string>;
  /** The cgroup2 directory: the only one on v2, the extra one on hybrid hosts. */
  unified?: string;
  /** Under the systemd driver: the unit whose cgroup this is, stopped at delete. */
  systemd?: SystemdUnitRef;
}

const PROCS_EINVAL_RETRIES = 5;

export class CgroupPlacement {
  constructor(
    readonly version: CgroupVersion,
    protected readonly v1: Record<string, string>,
    protected unified: string | undefined,
    protected readonly files: CgroupFiles = new CgroupFiles(),
  ) {}

  /** The directories of a cgroup made earlier, from what CgroupManager.toJSON() returned. */
  static of(saved: SavedCgroup): CgroupPlacement {
    return new CgroupPlacement(saved.version, { ...saved.v1 }, saved.unified);
  }

  /** Every directory of the cgroup, once each. */
  dirs(): string[] {
    const all = [...new Set(Object.values(this.v1))];
    if (this.unified !== undefined) all.push(this.unified);
    return all;
  }

  /** The directory holding `controller`'s files ("" for the cgroup2 directory), if any. */
  dirOf(controller: string): string | undefined {
    return controller === "" ? this.unified : this.v1[controller];
  }

  /**
   * The sub-cgroups `sub` names below this cgroup (exec --cgroup), which
   * must exist already. A v1 hierarchy shared by several controllers is one
   * directory: naming any of them moves the process there in all of them.
   */
  within(sub: SubCgroupPaths): CgroupPlacement {
    const all = sub[""];
    for (const controller of Object.keys(sub)) {
      if (controller !== "" && this.v1[controller] === undefined) {
        throw new CgroupError(`invalid --cgroup argument: unknown controller ${controller} (the container's cgroup has ${Object.keys(this.v1).join(", ") || "only the cgroup v2 hierarchy"})`);
      }
    }
    const below = (dir: string, path: string | undefined) => {
      if (!path) return dir;
      const target = `${dir}/${path}`;
      if (!this.files.exists(target)) throw new CgroupError(`--cgroup: ${target} does not exist (exec joins an existing sub-cgroup only)`);
      return target;
    };
    const controllersOf = new Map<string, string[]>();
    for (const [controller, dir] of Object.entries(this.v1)) controllersOf.set(dir, [...controllersOf.get(dir) ?? [], controller]);
    const v1: Record<string, string> = {};
    for (const [dir, controllers] of controllersOf) {
      const named = [...new Set(controllers.filter((c) => sub[c] !== undefined).map((c) => sub[c]))];
      if (all === undefined && named.length > 1) {
        throw new CgroupError(`invalid --cgroup argument: ${controllers.join(",")} share one hierarchy but were given different paths`);
      }
      const target = below(dir, all ?? named[0]);
      for (const c of controllers) v1[c] = target;
    }
    const unified = this.unified === undefined ? undefined : below(this.unified, all);
    // A sub-cgroup is only joined (a systemd unit stays the container's): a placement, not a manager.
    return new CgroupPlacement(this.version, v1, unified, this.files);
  }

  /** Moves process `pid` (and its threads) into the cgroup, in every hierarchy. */
  apply(pid: number): void {
    for (const dir of this.dirs()) {
      const file = `${dir}/cgroup.procs`;
      for (let attempt = 1;; attempt++) {
        try {
          this.files.writeRaw(file, String(pid));
          break;
        } catch (e) {
          // EINVAL: the task is still being forked (TASK_NEW); it can join a moment later.
          if (fsErrorCode(e) === "EINVAL" && attempt < PROCS_EINVAL_RETRIES) {
            sleepSync(30);
            continue;
          }
          throw new CgroupError(`cannot move process ${pid} into ${file}: ${describeFsError(e)}`);
        }
      }
    }
  }
}
