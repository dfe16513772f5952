/** Capability spec options, as containerd's WithCapabilities / WithAddedCapabilities / WithDroppedCapabilities (`ALL` included). */
import { readFileSync } from "../host_fs.ts";
import { capNames } from "../../ffi/constants.ts";
import { CAPABILITIES } from "../spec/constants.ts";
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import type { SpecOpt } from "./types.ts";

/** What containerd (and Docker) give a container by default, wider than runc's three. */
export const IMAGE_DEFAULT_CAPABILITIES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

const SETS = ["bounding", "effective", "permitted"] as const;

/**
 * The capabilities runt itself holds: what "all" can mean, as containerd's
 * WithAllCurrentCapabilities has it (a host may withhold some, and asking
 * for one the runtime lacks fails the container).
 */
export function currentCapabilities(): string[] {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith("CapEff:"));
  return capNames(BigInt(`0x${line?.split(/\s+/)[1] ?? "0"}`)).filter((name) => name in CAPABILITIES);
}

/** `chown`, `CAP_CHOWN` and `all` alike, checked against the capabilities runt knows. */
export function capabilityNames(names: readonly string[], flag: string): string[] {
  return names.flatMap((raw) => {
    const upper = raw.trim().toUpperCase();
    if (upper === "ALL") return currentCapabilities();
    const name = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
    if (!(name in CAPABILITIES)) throw new RuntError(`${flag}: unknown capability "${raw}"`);
    return [name];
  });
}

/** Exactly these in the bounding, effective and permitted sets; none inherited or ambient. */
export function withCapabilities(names: readonly string[]): SpecOpt {
  return (spec) => {
    const caps = [...new Set(names)];
    spec.process!.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
  };
}

export function withAddedCapabilities(names: readonly string[]): SpecOpt {
  return (spec) => {
    const caps = current(spec);
    for (const set of SETS) caps[set] = [...new Set([...(caps[set] ?? []), ...names])];
  };
}

export function withDroppedCapabilities(names: readonly string[]): SpecOpt {
  return (spec) => {
    const caps = current(spec);
    for (const set of [...SETS, "inheritable", "ambient"] as const) {
      if (caps[set]) caps[set] = caps[set]!.filter((c) => !names.includes(c));
    }
  };
}

function current(spec: Spec): NonNullable<NonNullable<Spec["process"]>["capabilities"]> {
  spec.process!.capabilities ??= {};
  return spec.process!.capabilities!;
}
