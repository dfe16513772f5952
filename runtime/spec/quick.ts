/**
 * The fast path of validation: a config that is plainly valid — it fits the
 * schema as written, needs no key read case-insensitively, carries no
 * "__proto__" key, and breaks no MUST rule — is accepted here without
 * loading zod. Anything else returns undefined, and the caller asks
 * validate.ts, which finds and words every problem. So this module never
 * reports a problem itself, and never accepts what validate.ts would not
 * (tests/unit/spec_quick.test.ts).
 */
import { accessNotes } from "./device_access.ts";
import { foldName } from "./fold_name.ts";
import { type ConfigIssue, toIssues } from "./issues.ts";
import { runRules } from "./rules/engine.ts";
import { RULES } from "./rules/index.ts";
import type { Spec } from "./schema.ts";
import { type Shape, SPEC_SHAPE } from "./shape.ts";

/** The spec `input` describes, with its warnings, when it is plainly valid; otherwise undefined. */
export function quickValidate(input: unknown): { spec: Spec; warnings: ConfigIssue[] } | undefined {
  if (!fits(SPEC_SHAPE, input)) return undefined;
  if (runRules(input as Spec, RULES, []).length > 0) return undefined;
  return { spec: copy(SPEC_SHAPE, input) as Spec, warnings: toIssues(input, accessNotes(input)) };
}

/** A copy as zod makes one: what the schema describes is copied, unknown properties are shared. */
function copy(shape: Shape, value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (shape.kind === "array") return (value as unknown[]).map((item) => copy(shape.item, item));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const inner = shape.kind === "map" ? shape.value : shape.kind === "object" && Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    out[key] = inner === undefined ? v : copy(inner, v);
  }
  return out;
}

/** Whether `value` fits `shape` exactly as written (no folded keys, no "__proto__"). */
export function fits(shape: Shape, value: unknown): boolean {
  switch (shape.kind) {
    case "string":
      return typeof value === "string" && (shape.pattern === undefined || shape.pattern.test(value));
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && value >= shape.min && value <= shape.max;
    case "enum":
      return typeof value === "string" && shape.values.has(value);
    case "array":
      return Array.isArray(value) && value.length >= (shape.minItems ?? 0) && value.every((item) => fits(shape.item, item));
    case "map":
      return isRecord(value) && Object.keys(value).every((key) => key !== "__proto__" && fits(shape.value, value[key]));
    case "object": {
      if (!isRecord(value)) return false;
      for (const key of shape.required) if (!Object.hasOwn(value, key)) return false;
      const folds = foldsOf(shape);
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape.fields, key)) {
          if (value[key] === undefined && !shape.required.has(key)) continue;
          if (!fits(shape.fields[key], value[key])) return false;
        } else if (key === "__proto__" || folds.has(foldName(key))) {
          return false;
        }
      }
      return true;
    }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const foldCache = new WeakMap<Shape, ReadonlySet<string>>();

/** The folded names of an object's fields: an unknown key among them would be read as a field. */
function foldsOf(shape: Extract<Shape, { kind: "object" }>): ReadonlySet<string> {
  let folds = foldCache.get(shape);
  if (folds === undefined) {
    folds = new Set(Object.keys(shape.fields).map(foldName));
    foldCache.set(shape, folds);
  }
  return folds;
}
