/** cgroup limits as ctr's --memory-limit, --cpus and --pids-limit set them. */
import type { Spec } from "../spec/schema.ts";
import type { SpecOpt } from "./types.ts";

/** ctr's CFS period for --cpus. */
const CPU_PERIOD = 100_000;

function resources(spec: Spec): NonNullable<NonNullable<Spec["linux"]>["resources"]> {
  spec.linux ??= {};
  spec.linux.resources ??= {};
  return spec.linux.resources;
}

export function withMemoryLimit(bytes: number): SpecOpt {
  return (spec) => {
    const r = resources(spec);
    r.memory = { ...r.memory, limit: bytes };
  };
}

/** `cpus` CPUs' worth of time per period (1.5 → 150000 µs every 100000 µs). */
export function withCPUs(cpus: number): SpecOpt {
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...r.cpu, quota: Math.round(cpus * CPU_PERIOD), period: CPU_PERIOD };
  };
}

export function withPidsLimit(limit: number): SpecOpt {
  return (spec) => {
    resources(spec).pids = { limit };
  };
}

/** The relative CPU weight (cgroup v1 cpu.shares). */
export function withCPUShares(shares: number): SpecOpt {
  return (spec) => {
    const r = resources(spec);
    r.cpu = { ...r.cpu, shares };
  };
}

/** The container's cgroup path (ctr's --cgroup), absolute or relative to the runtime's cgroup root. */
export function withCgroup(path: string): SpecOpt {
  return (spec) => {
    spec.linux ??= {};
    spec.linux.cgroupsPath = path;
  };
}
