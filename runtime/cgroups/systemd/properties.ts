/**
 * The unit properties runc's systemd driver sends, from the same inputs:
 * what every container's unit starts with, and linux.resources as
 * properties (runc's genV2ResourcesProperties / genV1ResourcesProperties).
 * Whatever systemd cannot express is still written to the cgroup's files
 * afterwards, as runc's driver hands the same resources to its fs manager.
 */
import type { LinuxResources } from "../../spec/schema.ts";
import { type Variant, variant } from "../../dbus/marshal.ts";
import { cpuSharesToWeight, memorySwapToV2 } from "../convert.ts";
import type { DeviceRule } from "../devices.ts";
import type { CgroupVersion } from "../layout.ts";
import { rangeToBits } from "./cpuset.ts";
import { type DeviceHost, deviceProperties } from "./device_properties.ts";
import type { SystemdUnitRef } from "./unit_name.ts";

export type UnitProperty = [name: string, value: Variant];

/** systemd's USEC_INFINITY and "no limit" for every uint64 property. */
export const UINT64_MAX = 2n ** 64n - 1n;
/** The kernel's default CFS period, 100 ms, on v1 and v2 alike. */
const DEFAULT_PERIOD_US = 100_000;
/** Since these versions systemd knows CPUQuotaPeriodUSec, AllowedCPUs/AllowedMemoryNodes. */
const QUOTA_PERIOD_SINCE = 242;
const CPUSET_SINCE = 244;

export interface PropertyContext {
  /** systemd's version number (252 for "252.22-1~deb12u1"). */
  systemdVersion: number;
  cgroupVersion: CgroupVersion;
  /** Where device groups and paths are looked up; the host's /proc/devices and /dev by default. */
  deviceHost?: DeviceHost;
}

/** What StartTransientUnit gets, before any resource: where the unit goes, its process, delegation and accounting. */
export function startProperties(ref: SystemdUnitRef, pid: number, cgroupVersion: CgroupVersion): UnitProperty[] {
  const props: UnitProperty[] = [["Description", variant("s", `runt container ${ref.name}`)]];
  if (ref.unit.endsWith(".slice")) {
    // A slice cannot be put in a slice: its parent is a dependency (runc's choice too).
    props.push(["Wants", variant("s", ref.slice)]);
  } else {
    props.push(["Slice", variant("s", ref.slice)]);
    // Delegate: the container's cgroup is its own to manage (sub-cgroups, exec --cgroup), systemd leaves it alone.
    props.push(["Delegate", variant("b", true)]);
  }
  props.push(["PIDs", variant("au", [pid])]);
  // Accounting on from the start, as runc does: the cgroupfs driver's behaviour, and memory charged from the first page.
  props.push(
    ["MemoryAccounting", variant("b", true)],
    ["CPUAccounting", variant("b", true)],
    [cgroupVersion === "v2" ? "IOAccounting" : "BlockIOAccounting", variant("b", true)],
    ["TasksAccounting", variant("b", true)],
    ["DefaultDependencies", variant("b", false)],
  );
  return props;
}

/** linux.resources (and the container's device rules, when given) as unit properties. */
export function resourceProperties(
  resources: LinuxResources | undefined,
  devices: readonly DeviceRule[] | undefined,
  ctx: PropertyContext,
): UnitProperty[] {
  const r = resources ?? {};
  const props: UnitProperty[] = devices ? deviceProperties(devices, ctx.deviceHost) : [];
  const t = (name: string, value: bigint) => props.push([name, variant("t", value)]);
  const limit = r.memory?.limit ?? 0;
  if (ctx.cgroupVersion === "v2") {
    if (limit !== 0) t("MemoryMax", uint64(limit));
    const reservation = r.memory?.reservation ?? 0;
    if (reservation !== 0) t("MemoryLow", uint64(reservation));
    const swap = memorySwapToV2(r.memory?.swap ?? 0, limit);
    if (swap !== 0) t("MemorySwapMax", uint64(swap));
    const weight = cpuSharesToWeight(r.cpu?.shares ?? 0);
    if (weight !== 0) t("CPUWeight", BigInt(weight));
  } else {
    if (limit !== 0) t("MemoryLimit", uint64(limit));
    if (r.cpu?.shares) t("CPUShares", uint64(r.cpu.shares));
  }
  props.push(...cpuQuotaProperties(r.cpu?.quota ?? 0, r.cpu?.period ?? 0, ctx.systemdVersion));
  if (ctx.cgroupVersion !== "v2" && r.blockIO?.weight) t("BlockIOWeight", BigInt(r.blockIO.weight));
  const pids = r.pids?.limit ?? 0;
  if (pids > 0 || pids === -1) t("TasksMax", uint64(pids));
  props.push(...cpusetProperties(r.cpu?.cpus ?? "", r.cpu?.mems ?? "", ctx.systemdVersion));
  if (ctx.cgroupVersion === "v2") props.push(...unifiedProperties(r.unified ?? {}, ctx.systemdVersion));
  return props;
}

/**
 * CPUQuotaPerSecUSec is CPU time per second, which systemd turns into a
 * whole percentage: a quota that is not a multiple of 1% is rounded up, so
 * the quota runt then writes itself still fits under it.
 */
export function cpuQuotaProperties(quota: number, period: number, systemdVersion: number): UnitProperty[] {
  const props: UnitProperty[] = [];
  if (period !== 0 && systemdVersion >= QUOTA_PERIOD_SINCE) props.push(["CPUQuotaPeriodUSec", variant("t", BigInt(period))]);
  if (quota !== 0 || period !== 0) {
    let perSec = UINT64_MAX;
    if (quota > 0) {
      const p = BigInt(period || DEFAULT_PERIOD_US);
      perSec = (BigInt(quota) * 1_000_000n) / p;
      if (perSec % 10_000n !== 0n) perSec = (perSec / 10_000n + 1n) * 10_000n;
    }
    props.push(["CPUQuotaPerSecUSec", variant("t", perSec)]);
  }
  return props;
}

function cpusetProperties(cpus: string, mems: string, systemdVersion: number): UnitProperty[] {
  if (systemdVersion < CPUSET_SINCE) return [];
  const props: UnitProperty[] = [];
  if (cpus !== "") props.push(["AllowedCPUs", variant("ay", rangeToBits(cpus, "linux.resources.cpu.cpus"))]);
  if (mems !== "") props.push(["AllowedMemoryNodes", variant("ay", rangeToBits(mems, "linux.resources.cpu.mems"))]);
  return props;
}

const UNIFIED_MEMORY: Record<string, string> = {
  "memory.high": "MemoryHigh",
  "memory.low": "MemoryLow",
  "memory.min": "MemoryMin",
  "memory.max": "MemoryMax",
  "memory.swap.max": "MemorySwapMax",
};

/**
 * linux.resources.unified keys systemd has a property for; the others are
 * only written to the files (as runc does, best effort: a value the
 * property cannot take is left to the file write to refuse).
 */
function unifiedProperties(unified: Record<string, string>, systemdVersion: number): UnitProperty[] {
  const props: UnitProperty[] = [];
  const number = (v: string) => (v === "max" ? UINT64_MAX : /^\d+$/.test(v) ? BigInt(v) : undefined);
  for (const [key, raw] of Object.entries(unified)) {
    const v = raw.trim();
    if (key === "cpu.max") {
      const [quota, period, extra] = v.split(/\s+/);
      if (extra !== undefined || !/^(max|\d+)$/.test(quota) || (period !== undefined && !/^\d+$/.test(period))) continue;
      props.push(...cpuQuotaProperties(quota === "max" ? 0 : Number(quota), period === undefined ? DEFAULT_PERIOD_US : Number(period), systemdVersion));
    } else if (key === "cpu.weight") {
      if (/^\d+$/.test(v)) props.push(["CPUWeight", variant("t", BigInt(v))]);
    } else if (key === "cpuset.cpus" || key === "cpuset.mems") {
      props.push(...cpusetProperties(key === "cpuset.cpus" ? v : "", key === "cpuset.mems" ? v : "", systemdVersion));
    } else if (key in UNIFIED_MEMORY || key === "pids.max") {
      const n = number(v);
      if (n !== undefined) props.push([UNIFIED_MEMORY[key] ?? "TasksMax", variant("t", n)]);
    }
  }
  return props;
}

/** A spec integer as systemd's uint64: -1 (unlimited) is the maximum. */
function uint64(v: number): bigint {
  if (v < 0) return UINT64_MAX;
  if (v >= 2 ** 63) return 2n ** 63n - 1n;
  return BigInt(Math.trunc(v));
}
