/**
 * Field names the way runc reads them. runc decodes config.json with Go's
 * encoding/json, which matches a key to a field case-insensitively (ASCII
 * letters, plus U+212A KELVIN SIGN for k and U+017F LONG S for s), so
 * configs in the wild carry `pagesize` for `pageSize` and still run. runt
 * maps such a key to its field before validation and says so in a warning.
 *
 * Where a field's exact key is present too, the exact key is read and the
 * other is left as an unknown property (config.md: unknown properties MUST
 * be ignored) — runc would read whichever comes last. Among several folded
 * keys for one field, the last is read, as runc does. Keys of maps
 * (annotations, sysctl …) are data, never folded.
 */
import type { z } from "zod";
import type { Path } from "./describe.ts";
import { foldName } from "./fold_name.ts";
import type { Finding } from "./schema_check.ts";
import { specSchema } from "./schema.ts";

/** Where a folded key can appear: the schema reduced to its objects, arrays and maps. */
type Shape =
  | { kind: "object"; fields: Map<string, Shape | undefined>; byFold: Map<string, string> }
  | { kind: "array"; item: Shape }
  | { kind: "map"; value: Shape };

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType };

function shapeOf(schema: z.ZodType): Shape | undefined {
  const def = schema._zod.def as unknown as Def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
      return shapeOf(def.innerType!);
    case "object": {
      const fields = new Map(Object.entries(def.shape!).map(([key, child]) => [key, shapeOf(child)]));
      return { kind: "object", fields, byFold: new Map([...fields.keys()].map((key) => [foldName(key), key])) };
    }
    case "array": {
      const item = shapeOf(def.element!);
      return item && { kind: "array", item };
    }
    case "record": {
      const value = shapeOf(def.valueType!);
      return value && { kind: "map", value };
    }
    default:
      return undefined;
  }
}

let specShape: Shape | undefined;

export interface Folded {
  /** `input` with every folded key renamed to its field; `input` itself when nothing changed. */
  config: unknown;
  /** One per folded key, at the key's path as the file spells it. */
  notes: Finding[];
}

/** Renames the keys of `input` that runc would read as a field of the spec to that field's name. */
export function foldKeys(input: unknown): Folded {
  specShape ??= shapeOf(specSchema);
  const notes: Finding[] = [];
  return { config: walk(input, specShape, [], notes), notes };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function walk(value: unknown, shape: Shape | undefined, at: Path, notes: Finding[]): unknown {
  if (shape === undefined) return value;
  if (shape.kind === "array") {
    if (!Array.isArray(value)) return value;
    const items = value.map((item, i) => walk(item, shape.item, [...at, i], notes));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  // zod never reads a "__proto__" key, so neither a map entry nor a field can come from one.
  const names = new Map(keys.filter((k) => k !== "__proto__").map((k) => [k, shape.kind === "map" ? k : fieldFor(shape, value, k, at, notes)]));
  if (shape.kind === "object") {
    // The last folded key for a field is the one read; the earlier ones stay unknown properties.
    const read = new Map<string, string>();
    for (const [key, field] of names) if (field !== undefined && field !== key) read.set(field, key);
    for (const [key, field] of names) {
      if (field === undefined || field === key) continue;
      if (read.get(field) === key) notes.push({ path: [...at, key], message: `read as "${field}"` });
      else {
        notes.push({ path: [...at, key], message: `ignored: a later key is read as "${field}"` });
        names.set(key, undefined);
      }
    }
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const name = names.get(key) ?? key;
    const child = shape.kind === "map" ? shape.value : shape.fields.get(name);
    const walked = names.get(key) === undefined ? value[key] : walk(value[key], child, [...at, key], notes);
    if (name !== key || walked !== value[key]) changed = true;
    // defineProperty keeps a "__proto__" key an ordinary property of the copy.
    Object.defineProperty(out, name, { value: walked, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : value;
}

/** The field `key` is read as, or undefined for an unknown property. */
function fieldFor(shape: Extract<Shape, { kind: "object" }>, value: Record<string, unknown>, key: string, at: Path, notes: Finding[]) {
  if (shape.fields.has(key)) return key;
  const field = shape.byFold.get(foldName(key));
  if (field === undefined) return undefined;
  if (Object.hasOwn(value, field)) {
    notes.push({ path: [...at, key], message: `ignored: "${field}" is given too` });
    return undefined;
  }
  return field;
}
