/**
 * How config values and locations are written in error messages. Every
 * message must stay on one line whatever the config holds, so user-supplied
 * strings are always JSON-quoted (which escapes newlines) and shortened.
 */
import { quote } from "../quote.ts";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `linux.namespaces[2].type`, `linux.sysctl["net.ipv4.ip_forward"]`; the document itself is `(root)`. */
export function formatPath(path: Path): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${quote(segment)}]`;
  }
  return out;
}

/** A string as JSON, cut to a readable length: the one quote every message uses. */
export { quote };

/** What a value is, for "got …": literals as themselves, containers by kind. Never throws. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `${value.toString()}n`;
    case "undefined":
      return "nothing";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
  }
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : "an object";
}
