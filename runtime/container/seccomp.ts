/** The config's seccomp filter, compiled in the parent for the init to install. */
import { compileSeccomp } from "../seccomp/compile.ts";
import { filterMessage, type SeccompFilter } from "../seccomp/install.ts";
import type { Spec } from "../spec/schema.ts";

export function seccompFor(spec: Spec): SeccompFilter | undefined {
  const seccomp = spec.linux?.seccomp;
  return seccomp ? filterMessage(compileSeccomp(seccomp)) : undefined;
}
