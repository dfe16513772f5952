/**
 * runc's conversions from the v1-shaped OCI resources to cgroup v2 values.
 */
import { CgroupError } from "./errors.ts";

/**
 * cpu.shares [2, 262144] → cpu.weight [1, 10000] on the curve current runc
 * and crun use, which maps the default 1024 to the default 100 (the older
 * linear formula mapped it to 39). 0 means unset.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(Math.pow(10, exponent));
}

/** blkio.weight [10, 1000] → io.weight [1, 10000], runc's linear mapping. 0 means unset. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * OCI swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone.
 * -1 stays "max", 0 stays unset; unlimited memory with unset swap means
 * unlimited swap too.
 */
export function memorySwapToV2(swap: number, memory: number): number {
  if (memory === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (memory === 0 || memory === -1) {
    throw new CgroupError("linux.resources.memory.swap cannot be set without a memory limit (memory.limit) on cgroup v2");
  }
  if (memory < 0) throw new CgroupError(`linux.resources.memory.limit ${memory} is invalid`);
  if (swap < memory) {
    throw new CgroupError(`linux.resources.memory.swap ${swap} is below the memory limit ${memory}: it counts memory+swap and must be at least the limit`);
  }
  return swap - memory;
}
