/**
 * What runt keeps about one container in `--root`/ID/state.json, and the
 * OCI state (state-schema.json plus runc's extra fields) derived from it.
 */
import type { Spec } from "../spec/schema.ts";
import type { SavedCgroup } from "../cgroups/manager.ts";
import type { HostMounts } from "../container/host_mounts.ts";

/** The phases runt records itself; `stopped` and `paused` are also read off the live system. */
export type Phase = "creating" | "created" | "running" | "stopped";
export type Status = "creating" | "created" | "running" | "paused" | "stopped";

export interface ContainerRecord {
  id: string;
  ociVersion: string;
  bundle: string;
  /** "" until the config is validated. */
  rootfs: string;
  /** RFC 3339 with nanoseconds, like runc (clock.ts). */
  created: string;
  owner: string;
  annotations: Record<string, string>;
  phase: Phase;
  /** The container's PID 1 as seen from the host; 0 until it exists. */
  pid: number;
  /** Field 22 of /proc/PID/stat when the container started: a reused PID has another. */
  pidStartTime: string;
  /**
   * The validated config, kept so delete can run poststop hooks after the
   * bundle is gone. Until create has validated it, a config of nothing but
   * ociVersion: no hooks of an unchecked config ever run.
   */
  config: Spec;
  /**
   * The runt process making the container, while phase is "creating": once
   * it is gone the create died midway and the container is broken (stopped).
   */
  creator?: { pid: number; startTime: string };
  /** The container's cgroup directories, for kill --all, delete and the resource commands. */
  cgroup?: SavedCgroup;
  /** Where a container without a mount namespace makes its mounts on the host, for delete to remove. */
  hostMounts?: HostMounts;
}

/** In runc's key order: clients compare `state` and `list --format json` output byte for byte. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  annotations?: Record<string, string>;
  owner: string;
}

export function ociState(record: ContainerRecord, status: Status): OciState {
  return {
    ociVersion: record.ociVersion,
    id: record.id,
    // As runc prints it: always present, 0 once the process is gone.
    pid: status === "stopped" ? 0 : record.pid,
    status,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    ...(Object.keys(record.annotations).length ? { annotations: record.annotations } : {}),
    owner: record.owner,
  };
}
