/**
 * D-Bus type signatures ("a(sv)", "a{sv}", "uoss" …) parsed into trees, so
 * the marshaller walks a value and its type together. Only what the
 * specification allows is accepted: a dict entry's key is a basic type and
 * it appears only as an array element; nesting is bounded.
 */
import { DBusProtocolError } from "./errors.ts";

export type DBusType =
  | { code: BasicCode }
  | { code: "v" }
  | { code: "a"; element: DBusType }
  | { code: "("; fields: DBusType[] }
  | { code: "{"; key: DBusType; value: DBusType };

export type BasicCode = "y" | "b" | "n" | "q" | "i" | "u" | "x" | "t" | "d" | "h" | "s" | "o" | "g";

const BASIC = new Set<string>(["y", "b", "n", "q", "i", "u", "x", "t", "d", "h", "s", "o", "g"]);
/** The specification's limits: 32 nested arrays, 32 nested structs, 255 bytes. */
const MAX_DEPTH = 32;
const MAX_SIGNATURE = 255;

/** The complete types of `signature`, in order. */
export function parseSignature(signature: string): DBusType[] {
  if (signature.length > MAX_SIGNATURE) throw new DBusProtocolError(`signature "${signature}" is longer than ${MAX_SIGNATURE} characters`);
  const types: DBusType[] = [];
  let at = 0;
  while (at < signature.length) {
    const [type, next] = parseOne(signature, at, 0, 0);
    types.push(type);
    at = next;
  }
  return types;
}

/** The one complete type `signature` must be (a variant's, a dict's value …). */
export function parseSingle(signature: string): DBusType {
  const types = parseSignature(signature);
  if (types.length !== 1) throw new DBusProtocolError(`signature "${signature}" is not exactly one complete type`);
  return types[0];
}

function parseOne(sig: string, at: number, arrays: number, structs: number): [DBusType, number] {
  const c = sig[at];
  if (c === undefined) throw new DBusProtocolError(`signature "${sig}" ends inside a type`);
  if (BASIC.has(c)) return [{ code: c as BasicCode }, at + 1];
  if (c === "v") return [{ code: "v" }, at + 1];
  if (c === "a") {
    if (arrays + 1 > MAX_DEPTH) throw new DBusProtocolError(`signature "${sig}" nests arrays too deeply`);
    if (sig[at + 1] === "{") {
      const [key, afterKey] = parseOne(sig, at + 2, arrays + 1, structs + 1);
      if (!("code" in key) || !BASIC.has(key.code)) throw new DBusProtocolError(`signature "${sig}": a dict entry's key must be a basic type`);
      const [value, afterValue] = parseOne(sig, afterKey, arrays + 1, structs + 1);
      if (sig[afterValue] !== "}") throw new DBusProtocolError(`signature "${sig}": a dict entry holds exactly a key and a value`);
      return [{ code: "a", element: { code: "{", key, value } }, afterValue + 1];
    }
    const [element, next] = parseOne(sig, at + 1, arrays + 1, structs);
    return [{ code: "a", element }, next];
  }
  if (c === "(") {
    if (structs + 1 > MAX_DEPTH) throw new DBusProtocolError(`signature "${sig}" nests structs too deeply`);
    const fields: DBusType[] = [];
    let next = at + 1;
    while (sig[next] !== ")") {
      if (next >= sig.length) throw new DBusProtocolError(`signature "${sig}" has an unclosed "("`);
      const [field, after] = parseOne(sig, next, arrays, structs + 1);
      fields.push(field);
      next = after;
    }
    if (fields.length === 0) throw new DBusProtocolError(`signature "${sig}" has an empty struct`);
    return [{ code: "(", fields }, next + 1];
  }
  throw new DBusProtocolError(`signature "${sig}" has an unexpected "${c}" at ${at}`);
}

/** Where a value of `type` starts: its alignment in bytes. */
export function alignmentOf(type: DBusType): number {
  switch (type.code) {
    case "y":
    case "g":
    case "v":
      return 1;
    case "n":
    case "q":
      return 2;
    case "b":
    case "i":
    case "u":
    case "h":
    case "s":
    case "o":
    case "a":
      return 4;
    default: // x t d ( {
      return 8;
  }
}
