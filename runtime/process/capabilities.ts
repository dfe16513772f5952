/**
 * process.capabilities as masks the kernel accepts. A missing set is empty,
 * as in runc; names the running kernel does not know (above cap_last_cap)
 * are left out with a warning instead of failing the container.
 */
import { CAPABILITIES } from "../../ffi/constants.ts";
import type { LinuxCapabilities } from "../spec/schema.ts";

export interface CapabilityMasks {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  /**
   * Only capabilities also permitted and inheritable: the kernel refuses to
   * raise any other, and runc silently does without them (its default spec
   * asks for ambient capabilities with no inheritable set).
   */
  ambient: bigint;
  /** Names left out because this kernel or runt does not know them. */
  unavailable: string[];
}

export function capabilityMasks(caps: LinuxCapabilities | undefined, lastCap: number): CapabilityMasks {
  const unavailable = new Set<string>();
  const mask = (names: readonly string[] | undefined): bigint => {
    let m = 0n;
    for (const name of names ?? []) {
      const bit = CAPABILITIES[name];
      if (bit === undefined || bit > lastCap) unavailable.add(name);
      else m |= 1n << BigInt(bit);
    }
    return m;
  };
  const permitted = mask(caps?.permitted);
  const inheritable = mask(caps?.inheritable);
  return {
    bounding: mask(caps?.bounding),
    effective: mask(caps?.effective),
    permitted,
    inheritable,
    ambient: mask(caps?.ambient) & permitted & inheritable,
    unavailable: [...unavailable],
  };
}

/** Capability numbers set in `mask`, ascending. */
export function bitsOf(mask: bigint): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 64; bit++) if (mask & (1n << BigInt(bit))) out.push(bit);
  return out;
}
