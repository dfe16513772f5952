/**
 * Runs the zod schema and turns its issues into runt's findings: a path and
 * one line saying what is expected. The schema's own error functions word
 * almost every issue; the fallback here covers the rest so no zod phrasing
 * ("Invalid input") reaches a user.
 */
import type { z } from "./zod.ts";
import { describe, type Path, type PathSegment } from "./describe.ts";
import { type Spec, specSchema } from "./schema.ts";

export interface Finding {
  path: Path;
  message: string;
}

export type SchemaResult = { ok: true; spec: Spec } | { ok: false; findings: Finding[] };

export function checkSchema(input: unknown): SchemaResult {
  const result = specSchema.safeParse(input, { error: fallbackMessage });
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    findings: result.error.issues.map((issue) => ({ path: issue.path.map(toSegment), message: issue.message })),
  };
}

const toSegment = (key: PropertyKey): PathSegment => typeof key === "symbol" ? String(key.description) : key;

const KINDS: Record<string, string> = {
  string: "a string",
  boolean: "a boolean",
  number: "a number",
  object: "an object",
  record: "an object",
  array: "an array",
};

function fallbackMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      const what = KINDS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required, expected ${what}` : `expected ${what}, got ${describe(issue.input)}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => String(v)).join(", ")}`;
    case "too_small":
      return `expected at least ${issue.minimum}`;
    default:
      return `invalid value ${describe(issue.input)}`;
  }
}
