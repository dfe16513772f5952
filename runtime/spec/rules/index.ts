/** Every semantic rule, in the order they run (the order of findings is fixed later, by position in the config). */
import type { Rule } from "./engine.ts";
import { cStringRules } from "./c_strings.ts";
import { generalRules } from "./general.ts";
import { linuxRules } from "./linux.ts";
import { mountRules } from "./mounts.ts";
import { namespaceRules } from "./namespaces.ts";
import { processRules } from "./process.ts";
import { resourceRules } from "./resources.ts";
import { seccompRules } from "./seccomp.ts";

export const RULES: readonly Rule[] = [
  ...generalRules,
  ...cStringRules,
  ...mountRules,
  ...processRules,
  ...namespaceRules,
  ...linuxRules,
  ...resourceRules,
  ...seccompRules,
];
