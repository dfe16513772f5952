/**
 * Checking a parsed config.json against the OCI runtime spec: the schema
 * (shape, types, ranges) and then the spec's own MUST rules, all at once, so
 * a user fixes every problem in one go. Before both, keys runc would read
 * case-insensitively are mapped to their fields (case_fold.ts); that and
 * device access strings runc reads leniently come back as warnings.
 */
import { foldKeys } from "./case_fold.ts";
import { accessNotes } from "./device_access.ts";
import { ConfigValidationError } from "./errors.ts";
import { type ConfigIssue, toIssues } from "./issues.ts";
import { runRules } from "./rules/engine.ts";
import { RULES } from "./rules/index.ts";
import { checkSchema } from "./schema_check.ts";
import type { Spec } from "./schema.ts";

export type { ConfigIssue } from "./issues.ts";
export { ConfigValidationError } from "./errors.ts";

/** `warnings`: what was read other than as written (a folded key, an access string's stray letters), in file order. */
export type ValidationResult =
  | { ok: true; spec: Spec; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] };

/** Every problem in `input` (a parsed config.json), or the spec it describes. Never throws. */
export function validateConfig(input: unknown): ValidationResult {
  const folded = foldKeys(input);
  const config = folded.config;
  const warnings = [...toIssues(input, folded.notes), ...toIssues(config, accessNotes(config))];
  const schema = checkSchema(config);
  const schemaFindings = schema.ok ? [] : schema.findings;
  const findings = [...schemaFindings, ...runRules(config, RULES, schemaFindings)];
  if (schema.ok && findings.length === 0) return { ok: true, spec: schema.spec, warnings };
  return { ok: false, issues: toIssues(config, findings), warnings };
}

/**
 * The spec `input` describes; throws ConfigValidationError listing every
 * problem. The result is a copy: unknown properties are kept, but changing
 * it does not change `input`. Warnings go to `warn` first, valid or not.
 */
export function parseConfig(input: unknown, warn: (warning: ConfigIssue) => void = () => {}): Spec {
  const result = validateConfig(input);
  result.warnings.forEach(warn);
  if (!result.ok) throw new ConfigValidationError(result.issues);
  return result.spec;
}
