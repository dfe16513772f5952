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
import type { z } from "./zod.ts";
import type { Path } from "./describe.ts";
import { foldName } from "./fold_name.ts";
import type { Finding } from "./schema_check.ts";
import { specSchema } from "./schema.ts";

/**
 * Where a folded key can appear: the schema reduced to its objects, arrays
 * and maps. Built node by node as a config reaches it, so a config pays only
 * for the parts of the schema it has.
 */
type Shape =
  | { kind: "object"; fields: Record<string, z.ZodType>; byFold: Map<string, string> }
  | { kind: "array"; item: z.ZodType }
  | { kind: "map"; value: z.ZodType };

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType };

const shapes = new WeakMap<z.ZodType, Shape | null>();

function shapeOf(schema: z.ZodType | undefined): Shape | undefined {
  if (schema === undefined) return undefined;
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = build(schema);
    shapes.set(schema, shape);
  }
  return shape ?? undefined;
}

function build(schema: z.ZodType): Shape | null {
  const def = schema._zod.def as unknown as Def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
      return shapeOf(def.innerType) ?? null;
    case "object":
      return { kind: "object", fields: def.shape!, byFold: new Map(Object.keys(def.shape!).map((key) => [foldName(key), key])) };
    case "array":
      return { kind: "array", item: def.element! };
    case "record":
      return { kind: "map", value: def.valueType! };
    default:
      return null;
  }
}

export interface Folded {
  /** `input` with every folded key renamed to its field; `input` itself when nothing changed. */
  config: unknown;
  /** One per folded key, at the key's path as the file spells it. */
  notes: Finding[];
}

/** Renames the keys of `input` that runc would read as a field of the spec to that field's name. */
export function foldKeys(input: unknown): Folded {
  const notes: Finding[] = [];
  return { config: walk(input, shapeOf(specSchema), [], notes), notes };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function walk(value: unknown, shape: Shape | undefined, at: Path, notes: Finding[]): unknown {
  if (shape === undefined) return value;
  if (shape.kind === "array") {
    if (!Array.isArray(value)) return value;
    const item = shapeOf(shape.item);
    const items = value.map((el, i) => walk(el, item, [...at, i], notes));
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
  const nameOf = (key: string) => names.get(key) ?? key;
  const walked = keys.map((key) => {
    if (names.get(key) === undefined) return value[key];
    return walk(value[key], shapeOf(shape.kind === "map" ? shape.value : shape.fields[nameOf(key)]), [...at, key], notes);
  });
  if (keys.every((key, i) => nameOf(key) === key && walked[i] === value[key])) return value;
  const out: Record<string, unknown> = {};
  // defineProperty keeps a "__proto__" key an ordinary property of the copy.
  keys.forEach((key, i) => Object.defineProperty(out, nameOf(key), { value: walked[i], enumerable: true, writable: true, configurable: true }));
  return out;
}

/** The field `key` is read as, or undefined for an unknown property. */
function fieldFor(shape: Extract<Shape, { kind: "object" }>, value: Record<string, unknown>, key: string, at: Path, notes: Finding[]) {
  if (Object.hasOwn(shape.fields, key)) return key;
  const field = shape.byFold.get(foldName(key));
  if (field === undefined) return undefined;
  if (Object.hasOwn(value, field)) {
    notes.push({ path: [...at, key], message: `ignored: "${field}" is given too` });
    return undefined;
  }
  return field;
}
