/**
 * linux.resources → the files runc's cgroup v1 driver writes, in its order
 * (cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio,
 * rdma). A value the spec leaves unset — or sets to 0, which runc cannot
 * tell apart from unset — is not written, except pids.limit where
 * runtime-spec says 0 is a real limit.
 */
import type { LinuxResources } from "../spec/schema.ts";
import { type DeviceRule, deviceRuleString, DeviceEmulator } from "./devices.ts";
import { CgroupError } from "./errors.ts";
import { type CgroupWrite, intString, w } from "./write.ts";

export interface V1PlanOptions {
  /** The device rules to enforce (containerDeviceRules(...)); undefined leaves devices alone. */
  devices?: readonly DeviceRule[];
  /** The cgroup's current devices.list; absent means a fresh cgroup under an allow-all parent. */
  devicesList?: string;
  /** The cgroup's current memory.limit_in_bytes, which decides whether swap or memory is written first. */
  currentMemoryLimit?: bigint;
}

/** Bytes of "no limit" in memory.limit_in_bytes on 4 KiB-page kernels: the fresh-cgroup value. */
const V1_UNLIMITED = 9223372036854771712n;

export function planV1(resources: LinuxResources | undefined, options: V1PlanOptions = {}): CgroupWrite[] {
  const r = resources ?? {};
  if (r.unified && Object.keys(r.unified).length > 0) {
    throw new CgroupError("invalid configuration: cannot use unified on cgroup v1 (linux.resources.unified needs a cgroup v2 host; this host's controllers are on cgroup v1)");
  }
  return [
    ...cpusetWrites(r),
    ...deviceWrites(options),
    ...memoryWrites(r, options.currentMemoryLimit ?? V1_UNLIMITED),
    ...cpuWrites(r),
    ...pidsWrites(r, "pids"),
    ...blkioWrites(r),
    ...hugetlbWrites(r),
    ...networkWrites(r),
    ...rdmaWrites(r, "rdma"),
  ];
}

function cpusetWrites(r: LinuxResources): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  if (r.cpu?.cpus) out.push(w("cpuset", "cpuset.cpus", r.cpu.cpus));
  if (r.cpu?.mems) out.push(w("cpuset", "cpuset.mems", r.cpu.mems));
  return out;
}

function deviceWrites(options: V1PlanOptions): CgroupWrite[] {
  if (!options.devices) return [];
  const target = DeviceEmulator.of(options.devices);
  const current = options.devicesList === undefined ? new DeviceEmulator(true) : DeviceEmulator.fromList(options.devicesList);
  return current.transition(target).map((rule) =>
    w("devices", rule.allow ? "devices.allow" : "devices.deny", deviceRuleString(rule))
  );
}

function memoryWrites(r: LinuxResources, currentLimit: bigint): CgroupWrite[] {
  const m = r.memory;
  if (!m) return [];
  const out: CgroupWrite[] = [];
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  const memory = () => w("memory", "memory.limit_in_bytes", intString(limit));
  const memsw = (optional: boolean) => w("memory", "memory.memsw.limit_in_bytes", intString(swap), optional ? { optional } : {});
  // "Unlimited memory" with swap unset means unlimited swap too, where the kernel accounts swap.
  const implicitSwap = limit === -1 && swap === 0;
  if (implicitSwap) swap = -1;
  if (limit !== 0 && swap !== 0 && (swap === -1 || currentLimit < BigInt(intString(swap)))) {
    // Raising: memsw must never drop below the memory limit, so it grows first.
    out.push(memsw(implicitSwap), memory());
  } else {
    if (limit !== 0) out.push(memory());
    if (swap !== 0) out.push(memsw(implicitSwap));
  }
  if (m.kernel) out.push(w("memory", "memory.kmem.limit_in_bytes", intString(m.kernel), { optional: true }));
  if (m.kernelTCP) out.push(w("memory", "memory.kmem.tcp.limit_in_bytes", intString(m.kernelTCP), { optional: true }));
  if (m.reservation) out.push(w("memory", "memory.soft_limit_in_bytes", intString(m.reservation)));
  if (m.disableOOMKiller) out.push(w("memory", "memory.oom_control", "1"));
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness > 100) {
      throw new CgroupError(`linux.resources.memory.swappiness ${m.swappiness} is out of range: it must be from 0 to 100`);
    }
    out.push(w("memory", "memory.swappiness", String(m.swappiness)));
  }
  return out;
}

function cpuWrites(r: LinuxResources): CgroupWrite[] {
  const c = r.cpu;
  if (!c) return [];
  const out: CgroupWrite[] = [];
  if (c.shares) out.push(w("cpu", "cpu.shares", intString(c.shares)));
  if (c.period) out.push(w("cpu", "cpu.cfs_period_us", intString(c.period), { retryAfterNext: !!c.quota }));
  if (c.quota) out.push(w("cpu", "cpu.cfs_quota_us", intString(c.quota)));
  if (c.burst !== undefined) out.push(w("cpu", "cpu.cfs_burst_us", intString(c.burst)));
  if (c.realtimePeriod) out.push(w("cpu", "cpu.rt_period_us", intString(c.realtimePeriod)));
  if (c.realtimeRuntime) out.push(w("cpu", "cpu.rt_runtime_us", intString(c.realtimeRuntime)));
  if (c.idle !== undefined) out.push(w("cpu", "cpu.idle", intString(c.idle)));
  return out;
}

/** pids.max in both versions: negative is "max", 0 is a real limit of zero tasks. */
export function pidsWrites(r: LinuxResources, controller: string): CgroupWrite[] {
  const limit = r.pids?.limit;
  if (limit === undefined) return [];
  return [w(controller, "pids.max", limit < 0 ? "max" : intString(limit))];
}

function blkioWrites(r: LinuxResources): CgroupWrite[] {
  const b = r.blockIO;
  if (!b) return [];
  const out: CgroupWrite[] = [];
  // BFQ took over the weight files from CFQ; runc writes whichever the kernel has.
  const weight = (value: string) => w("blkio", "blkio.bfq.weight", value, { fallback: { file: "blkio.weight", value } });
  const weightDevice = (value: string) =>
    w("blkio", "blkio.bfq.weight_device", value, { fallback: { file: "blkio.weight_device", value } });
  if (b.weight) out.push(weight(String(b.weight)));
  if (b.leafWeight) out.push(w("blkio", "blkio.leaf_weight", String(b.leafWeight)));
  for (const d of b.weightDevice ?? []) {
    if (d.weight) out.push(weightDevice(`${d.major}:${d.minor} ${d.weight}`));
    if (d.leafWeight) out.push(w("blkio", "blkio.leaf_weight_device", `${d.major}:${d.minor} ${d.leafWeight}`));
  }
  const throttles = [
    ["throttleReadBpsDevice", "blkio.throttle.read_bps_device"],
    ["throttleWriteBpsDevice", "blkio.throttle.write_bps_device"],
    ["throttleReadIOPSDevice", "blkio.throttle.read_iops_device"],
    ["throttleWriteIOPSDevice", "blkio.throttle.write_iops_device"],
  ] as const;
  for (const [key, file] of throttles) {
    for (const d of b[key] ?? []) out.push(w("blkio", file, `${d.major}:${d.minor} ${intString(d.rate ?? 0)}`));
  }
  return out;
}

function hugetlbWrites(r: LinuxResources): CgroupWrite[] {
  return (r.hugepageLimits ?? []).flatMap((h) => [
    w("hugetlb", `hugetlb.${h.pageSize}.limit_in_bytes`, intString(h.limit)),
    // Reservation accounting (Linux 5.7+) is the stricter limit; set it where it exists.
    w("hugetlb", `hugetlb.${h.pageSize}.rsvd.limit_in_bytes`, intString(h.limit), { optional: true }),
  ]);
}

function networkWrites(r: LinuxResources): CgroupWrite[] {
  const n = r.network;
  if (!n) return [];
  const out: CgroupWrite[] = [];
  if (n.classID) out.push(w("net_cls", "net_cls.classid", String(n.classID)));
  for (const p of n.priorities ?? []) out.push(w("net_prio", "net_prio.ifpriomap", `${p.name} ${p.priority}`));
  return out;
}

/** rdma.max lines ("mlx5_1 hca_handle=3 hca_object=10000"), the same in both versions. */
export function rdmaWrites(r: LinuxResources, controller: string): CgroupWrite[] {
  return Object.entries(r.rdma ?? {}).map(([device, l]) => {
    let line = device;
    if (l.hcaHandles !== undefined) line += ` hca_handle=${l.hcaHandles}`;
    if (l.hcaObjects !== undefined) line += ` hca_object=${l.hcaObjects}`;
    return w(controller, "rdma.max", line);
  });
}
