/**
 * Checking a parsed config.json against the OCI runtime spec: the schema
 * (shape, types, ranges) and then the spec's own MUST rules, all at once, so
 * a user fixes every problem in one go.
 */
import { ConfigValidationError } from "./errors.ts";
import { type ConfigIssue, toIssues } from "./issues.ts";
import { runRules } from "./rules/engine.ts";
import { RULES } from "./rules/index.ts";
import { checkSchema } from "./schema_check.ts";
import type { Spec } from "./schema.ts";

export type { ConfigIssue } from "./issues.ts";
export { ConfigValidationError } from "./errors.ts";

export type ValidationResult = { ok: true; spec: Spec } | { ok: false; issues: ConfigIssue[] };

/** Every problem in `input` (a parsed config.json), or the spec it describes. Never throws. */
export function validateConfig(input: unknown): ValidationResult {
  const schema = checkSchema(input);
  const schemaFindings = schema.ok ? [] : schema.findings;
  const findings = [...schemaFindings, ...runRules(input, RULES, schemaFindings)];
  if (schema.ok && findings.length === 0) return { ok: true, spec: schema.spec };
  return { ok: false, issues: toIssues(input, findings) };
}

/**
 * The spec `input` describes; throws ConfigValidationError listing every
 * problem. The result is a copy: unknown properties are kept, but changing
 * it does not change `input`.
 */
export function parseConfig(input: unknown): Spec {
  const result = validateConfig(input);
  if (!result.ok) throw new ConfigValidationError(result.issues);
  return result.spec;
}
