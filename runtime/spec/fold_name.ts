/**
 * How Go's encoding/json, and so runc, matches a JSON key to a field: ASCII
 * case folded, plus U+212A KELVIN SIGN for k and U+017F LONG S for s. Kept
 * apart from case_fold.ts (which needs the schema) for the few reads create
 * makes before the config is validated.
 */

/** The key as Go's decoder compares it. */
export function foldName(key: string): string {
  return key.replace(/[A-Z\u212a\u017f]/g, (c) => c === "\u212a" ? "k" : c === "\u017f" ? "s" : c.toLowerCase());
}

/**
 * The value `validateConfig` reads for field `name` of `value`: the exact
 * key if present, otherwise the last key that folds to it; undefined when
 * `value` is not an object or has neither.
 */
export function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name];
  const folded = foldName(name);
  // The last key that folds to it, as Go's decoder takes it; a loop, as the config check runs on every create.
  const keys = Object.keys(record);
  for (let i = keys.length - 1; i >= 0; i--) {
    if (keys[i] !== "__proto__" && foldName(keys[i]) === folded) return record[keys[i]];
  }
  return undefined;
}
