/**
 * What `update` is asked to change, as runc reads it: flag values parsed
 * the way runc parses them, and the rules runc's update applies to any
 * request (0 means "leave as it is", device rules and kernel memory are not
 * changed). Pure: no files, no cgroups.
 */
import type { LinuxResources } from "../spec/schema.ts";
import { ResourceValueError } from "./errors.ts";

/** runc's update flags, as given on the command line (absent when not given). */
export interface UpdateFlags {
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  cpuShare?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  blkioWeight?: string;
}

const BINARY_UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i;

/**
 * Bytes from a size such as "512m", "1.5GiB" or "4096", as docker's
 * units.RAMInBytes reads it (runc's parser): binary units, case-insensitive,
 * optional "i" and "b", fractions truncated to whole bytes.
 */
export function ramInBytes(text: string): number {
  const m = SIZE.exec(text);
  if (!m) throw new ResourceValueError(`invalid size "${text}" (expected bytes with an optional k, m, g, t or p suffix)`);
  return Math.trunc(Number(m[1]) * BINARY_UNITS[(m[2] ?? "").toLowerCase()]);
}

/** A memory flag: a size, or -1 for "no limit". */
function memoryFlag(name: string, text: string): number {
  if (text === "-1") return -1;
  try {
    return ramInBytes(text);
  } catch (e) {
    throw new ResourceValueError(`--${name}: ${(e as Error).message}`);
  }
}

function unsignedFlag(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new ResourceValueError(`--${name}: expected an unsigned integer, got "${text}"`);
  return Number(text);
}

function signedFlag(name: string, text: string): number {
  if (!/^[-+]?\d+$/.test(text)) throw new ResourceValueError(`--${name}: expected an integer, got "${text}"`);
  return Number(text);
}

/** The resources runc's update flags ask for; flags not given are left out. */
export function resourcesFromFlags(flags: UpdateFlags): LinuxResources {
  const memory: NonNullable<LinuxResources["memory"]> = {};
  const cpu: NonNullable<LinuxResources["cpu"]> = {};
  const r: LinuxResources = {};
  if (flags.memory !== undefined) memory.limit = memoryFlag("memory", flags.memory);
  if (flags.memoryReservation !== undefined) memory.reservation = memoryFlag("memory-reservation", flags.memoryReservation);
  if (flags.memorySwap !== undefined) memory.swap = memoryFlag("memory-swap", flags.memorySwap);
  if (flags.kernelMemory !== undefined) memory.kernel = memoryFlag("kernel-memory", flags.kernelMemory);
  if (flags.kernelMemoryTcp !== undefined) memory.kernelTCP = memoryFlag("kernel-memory-tcp", flags.kernelMemoryTcp);
  if (flags.cpuShare !== undefined) cpu.shares = unsignedFlag("cpu-share", flags.cpuShare);
  if (flags.cpuPeriod !== undefined) cpu.period = unsignedFlag("cpu-period", flags.cpuPeriod);
  if (flags.cpuQuota !== undefined) cpu.quota = signedFlag("cpu-quota", flags.cpuQuota);
  if (flags.cpuRtPeriod !== undefined) cpu.realtimePeriod = unsignedFlag("cpu-rt-period", flags.cpuRtPeriod);
  if (flags.cpuRtRuntime !== undefined) cpu.realtimeRuntime = signedFlag("cpu-rt-runtime", flags.cpuRtRuntime);
  if (flags.cpusetCpus) cpu.cpus = flags.cpusetCpus;
  if (flags.cpusetMems) cpu.mems = flags.cpusetMems;
  if (Object.keys(memory).length) r.memory = memory;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (flags.pidsLimit !== undefined) r.pids = { limit: signedFlag("pids-limit", flags.pidsLimit) };
  if (flags.blkioWeight !== undefined) r.blockIO = { weight: signedFlag("blkio-weight", flags.blkioWeight) };
  return r;
}

/** Settings where runc's update reads 0 as "unchanged" (its Go zero value). */
const ZERO_IS_UNCHANGED = {
  memory: ["limit", "reservation", "swap"],
  cpu: ["shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems"],
  blockIO: ["weight"],
  pids: ["limit"],
} as const;

export interface UpdateRequest {
  /** The changes to make. */
  resources: LinuxResources;
  /** Settings of the request that update leaves alone, as config paths. */
  ignored: string[];
}

/**
 * The part of `requested` that update applies: zero values (runc's
 * "unchanged") dropped, kernel memory ignored as runc 1.1 ignores it, and
 * device rules dropped silently — managers send the whole resources object,
 * devices included, on every update, and runc never changes them either.
 */
export function updateRequest(requested: LinuxResources): UpdateRequest {
  const resources = structuredClone(requested);
  const ignored: string[] = [];
  delete resources.devices;
  for (const key of ["kernel", "kernelTCP"] as const) {
    if (resources.memory?.[key] !== undefined) {
      if (resources.memory[key] !== 0) ignored.push(`linux.resources.memory.${key}`);
      delete resources.memory[key];
    }
  }
  for (const [section, fields] of Object.entries(ZERO_IS_UNCHANGED)) {
    const values = resources[section as keyof typeof ZERO_IS_UNCHANGED] as Record<string, unknown> | undefined;
    if (!values) continue;
    for (const field of fields) if (values[field] === 0 || values[field] === "") delete values[field];
    if (Object.keys(values).length === 0) delete resources[section as keyof typeof ZERO_IS_UNCHANGED];
  }
  return { resources, ignored };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `current` with `changes` laid over it: objects merged key by key, anything else (lists included) replaced. */
export function mergeResources(current: LinuxResources | undefined, changes: LinuxResources): LinuxResources {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return structuredClone(b);
    const out: Record<string, unknown> = structuredClone(a);
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : structuredClone(v);
    return out;
  };
  return merge(current ?? {}, changes) as LinuxResources;
}
