/**
 * The fast path of validation: a config that is plainly valid — it fits the
 * schema as written, needs no key read case-insensitively, carries no
 * "__proto__" key, and breaks no MUST rule — is accepted here without
 * loading zod. Anything else returns undefined, and the caller asks
 * validate.ts, which finds and words every problem. So this module never
 * reports a problem itself, and never accepts what validate.ts would not
 * (tests/unit/spec_quick.test.ts).
 *
 * The schema check and the walk to each rule's values are generated code
 * (quick_generated.ts, from shape.ts and the rules' scopes): a compiled runt
 * checks a valid config with them in a fraction of the time a walk over
 * the schema's tables and the scopes' strings takes the first time.
 */
import { accessNotes } from "./device_access.ts";
import { type ConfigIssue, toIssues } from "./issues.ts";
import { copySpec, NO, visitRules } from "./quick_generated.ts";
import { RULES } from "./rules/index.ts";
import type { Spec } from "./schema.ts";

/** The spec `input` describes, with its warnings, when it is plainly valid; otherwise undefined. */
export function quickValidate(input: unknown): { spec: Spec; warnings: ConfigIssue[] } | undefined {
  const spec = copySpec(input);
  if (spec === NO || breaksRule(input as Spec)) return undefined;
  return { spec, warnings: toIssues(input, accessNotes(input)) };
}

/** Whether `value` fits the schema exactly as written (no folded keys, no "__proto__"). */
export const fits = (value: unknown): boolean => copySpec(value) !== NO;

/** Whether any rule reports a problem in `spec`, which fits the schema (so every rule may trust its types). */
function breaksRule(spec: Spec): boolean {
  let broken = false;
  const report = () => void (broken = true);
  visitRules(spec, (index, value, at) => RULES[index].check(value, report, { spec, at, reportAt: report }));
  return broken;
}
