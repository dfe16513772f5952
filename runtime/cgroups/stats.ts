/**
 * Resource usage of a container's cgroup in the JSON shape of runc's
 * `events --stats` (runc's types.Stats), with Go's omitempty applied.
 * Counters beyond 2^53 are bigints; statsEventJson prints them exactly.
 */
import type { CgroupFiles } from "./files.ts";

export type Counter = number | bigint;

export interface MemoryEntry {
  limit: Counter;
  usage?: Counter;
  max?: Counter;
  failcnt: Counter;
}

export interface Stats {
  cpu: {
    usage: { total?: Counter; percpu?: Counter[]; kernel: Counter; user: Counter };
    throttling: { periods?: Counter; throttledPeriods?: Counter; throttledTime?: Counter };
  };
  memory: {
    cache?: Counter;
    usage: MemoryEntry;
    swap: MemoryEntry;
    kernel: MemoryEntry;
    kernelTCP: MemoryEntry;
    raw?: Record<string, Counter>;
  };
  pids: { current?: Counter; limit?: Counter };
  blkio: Record<string, never>;
  hugetlb: Record<string, never>;
  intel_rdt: Record<string, never>;
  network_interfaces: null;
}

const UINT64_MAX = 2n ** 64n - 1n;
// USER_HZ, the unit of cpuacct.stat; 100 on every Linux architecture runt runs on.
const NS_PER_TICK = 10_000_000n;

/** A counter: "max" is 2^64-1 as runc reports it; small values stay numbers. */
export function parseCounter(text: string | undefined): Counter {
  const t = text?.trim() ?? "";
  if (t === "") return 0;
  if (t === "max") return UINT64_MAX;
  const v = BigInt(t.split(/\s+/)[0]);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** "key value" lines (memory.stat, cpu.stat, memory.events) as a map. */
export function parseKeyValues(text: string | undefined): Record<string, Counter> {
  const out: Record<string, Counter> = {};
  for (const line of (text ?? "").split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = parseCounter(v);
  }
  return out;
}

const big = (c: Counter | undefined) => BigInt(c ?? 0);
const counter = (v: bigint): Counter => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** Go's omitempty: zero-valued fields are left out. */
function omitZero<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== 0 && v !== 0n && !(Array.isArray(v) && v.length === 0))) as T;
}

function entry(limit: Counter, usage: Counter, max: Counter, failcnt: Counter): MemoryEntry {
  return { limit, ...omitZero({ usage, max }), failcnt };
}

const EMPTY_ENTRY: MemoryEntry = { limit: 0, failcnt: 0 };

function pidsStats(files: CgroupFiles, dir: string | undefined): Stats["pids"] {
  if (!dir) return {};
  const limit = parseCounter(files.readIfExists(`${dir}/pids.max`));
  return omitZero({ current: parseCounter(files.readIfExists(`${dir}/pids.current`)), limit: limit === UINT64_MAX ? 0 : limit });
}

function shell(): Omit<Stats, "cpu" | "memory" | "pids"> {
  return { blkio: {}, hugetlb: {}, intel_rdt: {}, network_interfaces: null };
}

/** Stats from v1 hierarchies (`dirs` maps controller → directory). */
export function statsV1(files: CgroupFiles, dirs: Record<string, string>): Stats {
  const read = (controller: string, file: string) => dirs[controller] ? files.readIfExists(`${dirs[controller]}/${file}`) : undefined;
  const cpuacct = parseKeyValues(read("cpuacct", "cpuacct.stat"));
  const percpu = (read("cpuacct", "cpuacct.usage_percpu") ?? "").trim().split(/\s+/).filter((s) => s !== "").map(parseCounter);
  const throttle = parseKeyValues(read("cpu", "cpu.stat"));
  const mem = (prefix: string): MemoryEntry => {
    const usage = read("memory", `${prefix}.usage_in_bytes`);
    if (usage === undefined) return EMPTY_ENTRY;
    return entry(
      parseCounter(read("memory", `${prefix}.limit_in_bytes`)),
      parseCounter(usage),
      parseCounter(read("memory", `${prefix}.max_usage_in_bytes`)),
      parseCounter(read("memory", `${prefix}.failcnt`)),
    );
  };
  const raw = parseKeyValues(read("memory", "memory.stat"));
  return {
    cpu: {
      usage: {
        ...omitZero({ total: parseCounter(read("cpuacct", "cpuacct.usage")), percpu }),
        kernel: counter(big(cpuacct.system) * NS_PER_TICK),
        user: counter(big(cpuacct.user) * NS_PER_TICK),
      },
      throttling: omitZero({ periods: throttle.nr_periods, throttledPeriods: throttle.nr_throttled, throttledTime: throttle.throttled_time }),
    },
    memory: {
      ...omitZero({ cache: raw.cache }),
      usage: mem("memory"),
      swap: mem("memory.memsw"),
      kernel: mem("memory.kmem"),
      kernelTCP: mem("memory.kmem.tcp"),
      ...(Object.keys(raw).length ? { raw } : {}),
    },
    pids: pidsStats(files, dirs.pids),
    ...shell(),
  };
}

/** Stats from one cgroup2 directory. */
export function statsV2(files: CgroupFiles, dir: string): Stats {
  const read = (file: string) => files.readIfExists(`${dir}/${file}`);
  const cpu = parseKeyValues(read("cpu.stat"));
  const raw = parseKeyValues(read("memory.stat"));
  const events = parseKeyValues(read("memory.events"));
  const usage = parseCounter(read("memory.current"));
  const limit = parseCounter(read("memory.max"));
  const swapCurrent = read("memory.swap.current");
  const swapLimit = parseCounter(read("memory.swap.max"));
  // runc reports v2 swap as memory+swap, like v1's memsw.
  const swapTotalLimit = big(swapLimit) === UINT64_MAX || big(limit) === UINT64_MAX ? UINT64_MAX : big(swapLimit) + big(limit);
  const usec = (v: Counter | undefined) => counter(big(v) * 1000n);
  const hasMemory = read("memory.current") !== undefined;
  return {
    cpu: {
      usage: { ...omitZero({ total: usec(cpu.usage_usec) }), kernel: usec(cpu.system_usec), user: usec(cpu.user_usec) },
      throttling: omitZero({ periods: cpu.nr_periods, throttledPeriods: cpu.nr_throttled, throttledTime: usec(cpu.throttled_usec) }),
    },
    memory: {
      ...omitZero({ cache: raw.file }),
      usage: hasMemory ? entry(limit, usage, parseCounter(read("memory.peak")), events.max ?? 0) : EMPTY_ENTRY,
      swap: hasMemory && swapCurrent !== undefined
        ? entry(counter(swapTotalLimit), counter(big(parseCounter(swapCurrent)) + big(usage)), 0, 0)
        : EMPTY_ENTRY,
      kernel: EMPTY_ENTRY,
      kernelTCP: EMPTY_ENTRY,
      ...(Object.keys(raw).length ? { raw } : {}),
    },
    pids: pidsStats(files, dir),
    ...shell(),
  };
}

/** `{"type":"stats","id":…,"data":…}` with every counter printed exactly. */
export function statsEventJson(id: string, stats: Stats): string {
  const marks: string[] = [];
  const text = JSON.stringify({ type: "stats", id, data: stats }, (_, v) => {
    if (typeof v !== "bigint") return v;
    marks.push(v.toString());
    return `\u0000${marks.length - 1}\u0000`;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => marks[Number(i)]);
}
