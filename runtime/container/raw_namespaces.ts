/**
 * linux.namespaces of a config not validated yet, read as validation will
 * read it (a "Linux" or "Namespaces" key included): create must know some
 * of them before the spawn, while validation runs alongside. Anything
 * malformed is left out here and reported by validation.
 */
import { fieldOf } from "../spec/fold_name.ts";

export interface RawNamespace {
  type: string;
  path?: string;
}

export function rawNamespaces(json: unknown): RawNamespace[] {
  const namespaces = fieldOf(fieldOf(json, "linux"), "namespaces");
  if (!Array.isArray(namespaces)) return [];
  const out: RawNamespace[] = [];
  for (const ns of namespaces) {
    const type = fieldOf(ns, "type"), path = fieldOf(ns, "path");
    if (typeof type !== "string") continue;
    out.push(typeof path === "string" ? { type, path } : { type });
  }
  return out;
}

/** The entry of `type`, without its type: `{}` for a new namespace, `{ path }` for one joined. */
export function rawNamespace(json: unknown, type: string): { path?: string } | undefined {
  const ns = rawNamespaces(json).find((ns) => ns.type === type);
  return ns && (ns.path === undefined ? {} : { path: ns.path });
}
