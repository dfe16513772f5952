/**
 * linux.resources → the files runc's cgroup v2 driver writes, in its order
 * (pids, memory, io, cpu, cpuset, hugetlb, rdma, then `unified` verbatim so
 * it overrides). Devices are not files on v2: see devices_bpf.ts.
 */
import type { LinuxResources } from "../spec/schema.ts";
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from "./convert.ts";
import { CgroupError } from "./errors.ts";
import { pidsWrites, rdmaWrites } from "./v1.ts";
import { type CgroupWrite, intString, w } from "./write.ts";
import { quote } from "../quote.ts";

const U = "";

/** -1 is "max" (v1's "no limit"), 0 is unset. */
function limitString(v: number): string | undefined {
  if (v === 0) return undefined;
  return v === -1 ? "max" : intString(v);
}

export function planV2(resources: LinuxResources | undefined): CgroupWrite[] {
  const r = resources ?? {};
  return [
    ...pidsWrites(r, U),
    ...memoryWrites(r),
    ...ioWrites(r),
    ...cpuWrites(r),
    ...cpusetWrites(r),
    ...hugetlbWrites(r),
    ...rdmaWrites(r, U),
    ...planUnified(r),
  ];
}

function memoryWrites(r: LinuxResources): CgroupWrite[] {
  const m = r.memory;
  const limit = m?.limit ?? 0, reservation = m?.reservation ?? 0, swapTotal = m?.swap ?? 0;
  if (!m || (limit === 0 && reservation === 0 && swapTotal === 0)) return [];
  const out: CgroupWrite[] = [];
  const swap = memorySwapToV2(swapTotal, limit);
  // swap == memory+swap means no swap at all: "0", not "unset".
  const swapValue = swap === 0 && swapTotal > 0 ? "0" : limitString(swap);
  // Unlimited swap that nobody asked for is skipped where the kernel does not account swap.
  if (swapValue !== undefined) out.push(w(U, "memory.swap.max", swapValue, swapTotal === 0 ? { optional: true } : {}));
  const max = limitString(limit);
  if (max !== undefined) out.push(w(U, "memory.max", max));
  const low = limitString(reservation);
  if (low !== undefined) out.push(w(U, "memory.low", low));
  return out;
}

function ioWrites(r: LinuxResources): CgroupWrite[] {
  const b = r.blockIO;
  if (!b) return [];
  const out: CgroupWrite[] = [];
  // io.bfq.weight takes blkio's own scale; without BFQ, io.weight needs the converted one.
  if (b.weight) {
    out.push(w(U, "io.bfq.weight", String(b.weight), { fallback: { file: "io.weight", value: String(blkioWeightToIoWeight(b.weight)) } }));
  }
  for (const d of b.weightDevice ?? []) {
    if (!d.weight) continue;
    const dev = `${d.major}:${d.minor}`;
    out.push(w(U, "io.bfq.weight", `${dev} ${d.weight}`, { fallback: { file: "io.weight", value: `${dev} ${blkioWeightToIoWeight(d.weight)}` } }));
  }
  const throttles = [
    ["throttleReadBpsDevice", "rbps"],
    ["throttleWriteBpsDevice", "wbps"],
    ["throttleReadIOPSDevice", "riops"],
    ["throttleWriteIOPSDevice", "wiops"],
  ] as const;
  for (const [key, name] of throttles) {
    for (const d of b[key] ?? []) out.push(w(U, "io.max", `${d.major}:${d.minor} ${name}=${intString(d.rate ?? 0)}`));
  }
  return out;
}

function cpuWrites(r: LinuxResources): CgroupWrite[] {
  const c = r.cpu;
  if (!c) return [];
  if (c.realtimeRuntime || c.realtimePeriod) {
    throw new CgroupError("linux.resources.cpu.realtimeRuntime and realtimePeriod have no cgroup v2 equivalent (the host is on cgroup v2)");
  }
  const out: CgroupWrite[] = [];
  const weight = cpuSharesToWeight(c.shares ?? 0);
  if (weight) out.push(w(U, "cpu.weight", String(weight)));
  if (c.quota || c.period) {
    const quota = c.quota && c.quota > 0 ? intString(c.quota) : "max";
    // 100000 µs is the kernel's default period, documented in cgroup-v2.rst.
    out.push(w(U, "cpu.max", `${quota} ${intString(c.period || 100000)}`));
  }
  if (c.burst !== undefined) out.push(w(U, "cpu.max.burst", intString(c.burst)));
  if (c.idle !== undefined) out.push(w(U, "cpu.idle", intString(c.idle)));
  return out;
}

function cpusetWrites(r: LinuxResources): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  if (r.cpu?.cpus) out.push(w(U, "cpuset.cpus", r.cpu.cpus));
  if (r.cpu?.mems) out.push(w(U, "cpuset.mems", r.cpu.mems));
  return out;
}

function hugetlbWrites(r: LinuxResources): CgroupWrite[] {
  return (r.hugepageLimits ?? []).flatMap((h) => [
    w(U, `hugetlb.${h.pageSize}.max`, intString(h.limit)),
    w(U, `hugetlb.${h.pageSize}.rsvd.max`, intString(h.limit), { optional: true }),
  ]);
}

/** A unified key must name a file directly in the cgroup: no path separators, no climbing out. */
export function checkUnifiedKey(key: string): void {
  if (key === "" || key.includes("/") || key.includes("..") || key.includes("\0")) {
    throw new CgroupError(`linux.resources.unified key ${quote(key)} is not a cgroup file name (no "/" or ".." allowed)`);
  }
  if (!key.includes(".")) {
    throw new CgroupError(`linux.resources.unified key ${quote(key)} is not a cgroup file name of the form "<controller>.<file>"`);
  }
}

/** `linux.resources.unified` as writes to the cgroup2 directory (on hybrid hosts too). */
export function planUnified(r: LinuxResources | undefined): CgroupWrite[] {
  return Object.entries(r?.unified ?? {}).map(([key, value]) => {
    checkUnifiedKey(key);
    return w(U, key, value);
  });
}
