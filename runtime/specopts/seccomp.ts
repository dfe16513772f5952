/** Seccomp options: runt's default profile (--seccomp), a profile from a file, or none. */
import { readFileSync } from "../host_fs.ts";
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import { AF_VSOCK, ALWAYS_ALLOWED, BY_CAPABILITY, CLONE_NAMESPACE_FLAGS, ENOSYS, PERSONALITIES } from "./seccomp_profile.ts";
import type { SpecOpt } from "./types.ts";

type Seccomp = NonNullable<NonNullable<Spec["linux"]>["seccomp"]>;

/** The default profile for a container holding `capabilities` (its bounding set). */
export function defaultSeccompProfile(capabilities: readonly string[]): Seccomp {
  const held = new Set(capabilities);
  const allowed = new Set(ALWAYS_ALLOWED);
  for (const [cap, names] of Object.entries(BY_CAPABILITY)) if (held.has(cap)) names.forEach((n) => allowed.add(n));
  const syscalls: Seccomp["syscalls"] = [
    { names: [...allowed], action: "SCMP_ACT_ALLOW" },
    { names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: AF_VSOCK, op: "SCMP_CMP_NE" }] },
    ...PERSONALITIES.map((value) => ({ names: ["personality"], action: "SCMP_ACT_ALLOW" as const, args: [{ index: 0, value, op: "SCMP_CMP_EQ" as const }] })),
  ];
  if (!held.has("CAP_SYS_ADMIN")) {
    syscalls.push(
      { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] },
      { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS },
    );
  }
  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls,
  };
}

/** The default profile, fitted to the capabilities the spec holds when applied (apply it after capability options). */
export function withSeccompDefault(): SpecOpt {
  return (spec) => {
    spec.linux ??= {};
    spec.linux.seccomp = defaultSeccompProfile(spec.process?.capabilities?.bounding ?? []);
  };
}

/** A profile in the spec's own form (linux.seccomp), read from `path`. */
export function withSeccompProfile(path: string): SpecOpt {
  let profile: Seccomp;
  try {
    profile = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new RuntError(`--seccomp-profile: cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof profile !== "object" || profile === null || typeof profile.defaultAction !== "string") {
    throw new RuntError(`--seccomp-profile: ${path} is not a seccomp profile (no defaultAction)`);
  }
  return (spec) => {
    spec.linux ??= {};
    spec.linux.seccomp = structuredClone(profile);
  };
}

export function withNoSeccomp(): SpecOpt {
  return (spec) => {
    if (spec.linux) delete spec.linux.seccomp;
  };
}
