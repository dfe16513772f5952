/**
 * The problems reported to users: one JSON path and one line each, listed
 * in the order their fields appear in the config, so the output reads
 * top to bottom like the file however the checks were ordered.
 */
import { formatPath, type Path } from "./describe.ts";
import type { Finding } from "./schema_check.ts";

export interface ConfigIssue {
  /** JSON path of the field, e.g. `linux.namespaces[2].type`; `(root)` for the document itself. */
  path: string;
  /** What is expected, on one line. */
  message: string;
}

/** `path: message`, the line printed for an issue. */
export const formatIssue = (issue: ConfigIssue) => `${issue.path}: ${issue.message}`;

/** Findings as issues, sorted by where they point in `input`. */
export function toIssues(input: unknown, findings: readonly Finding[]): ConfigIssue[] {
  const keyed = findings.map((f) => ({ f, at: position(input, f.path) }));
  keyed.sort((a, b) => compare(a.at, b.at)); // stable: findings at one place keep their order
  return keyed.map(({ f }) => ({ path: formatPath(f.path), message: f.message }));
}

/** Each step's index among its siblings; a missing key sorts after the keys that are there. */
function position(input: unknown, path: Path): number[] {
  const at: number[] = [];
  let value = input;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === "number") {
      at.push(segment);
      value = value[segment];
    } else if (typeof value === "object" && value !== null) {
      const keys = Object.keys(value);
      const i = keys.indexOf(String(segment));
      at.push(i < 0 ? keys.length : i);
      value = i < 0 ? undefined : (value as Record<string, unknown>)[keys[i]];
    } else {
      at.push(0);
      value = undefined;
    }
  }
  return at;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
