/** ctr's --config: a spec from a file as the starting point, in place of runt's default. */
import { readFileSync } from "../host_fs.ts";
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import type { SpecOpt } from "./types.ts";

/** Marks an option that replaces the whole spec: the bundle writer applies it before the image config. */
export interface StartingSpec extends SpecOpt {
  startsSpec: true;
}

/** The spec in `path`, keeping the root the bundle prepared (the file's root.readonly is kept). */
export function withSpecFromFile(path: string): StartingSpec {
  let base: Spec;
  try {
    base = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new RuntError(`--config: cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof base !== "object" || base === null || typeof base.process !== "object") {
    throw new RuntError(`--config: ${path} is not a runtime spec (no process)`);
  }
  const opt: SpecOpt = (spec) => {
    const root = spec.root!;
    for (const key of Object.keys(spec)) delete (spec as Record<string, unknown>)[key];
    Object.assign(spec, structuredClone(base), { root: { ...root, readonly: base.root?.readonly ?? root.readonly } });
  };
  return Object.assign(opt, { startsSpec: true as const });
}

export function startsSpec(opt: SpecOpt): boolean {
  return (opt as Partial<StartingSpec>).startsSpec === true;
}
