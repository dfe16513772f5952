/**
 * Runs the semantic rules — the spec's MUSTs that a schema cannot say — over
 * a config, including one that failed the schema, so a user sees every
 * problem at once. A rule declares the parts of the config it reads (its
 * scope, and any other paths it needs); it runs only where those parts
 * passed the schema, so it can trust their types and never reports noise
 * about a value that is already reported as malformed.
 */
import type { Path, PathSegment } from "../describe.ts";
import type { Finding } from "../schema_check.ts";
import type { Spec } from "../schema.ts";

/** Reports a problem at the rule's current value, or below it at `sub`. */
export type Report = (message: string, ...sub: PathSegment[]) => void;

export interface RuleContext {
  /** The whole config; only the rule's scope and `needs` are known to be well-typed. */
  spec: Spec;
  /** Where the current value sits. */
  at: Path;
  /** Reports a problem somewhere else, for rules about how two parts of the config fit together. */
  reportAt(path: Path, message: string): void;
}

export interface Rule<T = any> {
  /** kebab-case, unique: tests and docs refer to rules by it. */
  name: string;
  /**
   * Dotted paths to the values checked, e.g. `process.cwd`, `mounts[*]`
   * (each element), `linux.sysctl.*` (each entry of a map).
   */
  scope: string | readonly string[];
  /** Also call `check` (with undefined) where the scope's value is absent, for rules that require it. */
  checkAbsent?: boolean;
  /** Other plain paths the rule reads through `ctx.spec`. */
  needs?: readonly string[];
  check(value: T, report: Report, ctx: RuleContext): void;
}

/** Declares a rule with the type of the value its scope points at. */
export const rule = <T>(r: Rule<T>): Rule<T> => r;

export type Step = { key: string; each: "none" | "element" | "entry" };

const parsedScopes = new Map<string, Step[]>();

/** A scope as steps: `mounts[*].destination` → mounts (each element), destination. */
export function parseScope(scope: string): Step[] {
  let steps = parsedScopes.get(scope);
  if (!steps) {
    steps = scope.split(".").map((part): Step => {
      if (part === "*") return { key: "", each: "entry" };
      if (part.endsWith("[*]")) return { key: part.slice(0, -3), each: "element" };
      return { key: part, each: "none" };
    });
    parsedScopes.set(scope, steps);
  }
  return steps;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const own = (v: unknown, key: string): unknown => isRecord(v) && Object.hasOwn(v, key) ? v[key] : undefined;

/** Every (path, value) a scope points at in `input`. */
function resolve(input: unknown, scope: string): { path: PathSegment[]; value: unknown }[] {
  let found: { path: PathSegment[]; value: unknown }[] = [{ path: [], value: input }];
  for (const step of parseScope(scope)) {
    const next: typeof found = [];
    for (const { path, value } of found) {
      if (step.each === "entry") {
        // zod neither checks nor copies a "__proto__" key, so it is not part of the spec runt acts on.
        if (isRecord(value)) {
          for (const key of Object.keys(value)) if (key !== "__proto__") next.push({ path: [...path, key], value: value[key] });
        }
        continue;
      }
      const child = own(value, step.key);
      if (step.each === "none") next.push({ path: [...path, step.key], value: child });
      else if (Array.isArray(child)) child.forEach((el, i) => next.push({ path: [...path, step.key, i], value: el }));
    }
    found = next;
  }
  return found;
}

const startsWith = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((s, i) => s === path[i]);

export function runRules(input: unknown, rules: readonly Rule[], schemaFindings: readonly Finding[]): Finding[] {
  const broken = schemaFindings.map((f) => f.path);
  const clean = (path: Path) => !broken.some((b) => startsWith(path, b) || startsWith(b, path));
  const findings: Finding[] = [];
  const spec = input as Spec;
  for (const r of rules) {
    if (r.needs && !r.needs.every((need) => clean(parseScope(need).map((s) => s.key)))) continue;
    for (const scope of typeof r.scope === "string" ? [r.scope] : r.scope) {
      for (const { path, value } of resolve(input, scope)) {
        if (!clean(path) || (value === undefined && !r.checkAbsent)) continue;
        const reportAt = (at: Path, message: string) => findings.push({ path: at, message });
        const report: Report = (message, ...sub) => reportAt([...path, ...sub], message);
        r.check(value, report, { spec, at: path, reportAt });
      }
    }
  }
  return findings;
}
