/**
 * zod building blocks that carry runt's own error wording, so the schema
 * reads like the spec's tables and every issue already says what was
 * expected ("expected an integer from 0 to 4294967295, got -1").
 */
import { z } from "./zod.ts";
import { describe } from "./describe.ts";

// A config is parsed once per process: compiling fast paths with eval would cost more than it saves.
z.config({ jitless: true });

/** The message for a value that is missing or is not `what`. */
export function expectation(what: string, showGot = true): (issue: { input?: unknown }) => string {
  return (issue) => {
    if (issue.input === undefined) return `required, expected ${what}`;
    return showGot ? `expected ${what}, got ${describe(issue.input)}` : `expected ${what}`;
  };
}

/**
 * An integer within [min, max]. Bounds are JS numbers, so the 64-bit limits
 * round to 2^63 / 2^64 exactly as JSON.parse rounds the values in a config,
 * and exactly as ajv compares them; `range` keeps the exact decimal text for
 * the message. z.int() is not used because it stops at 2^53.
 */
function integer(min: number, max: number, range: string) {
  const error = expectation(range ? `an integer ${range}` : "an integer");
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

export const int32 = integer(-(2 ** 31), 2 ** 31 - 1, "from -2147483648 to 2147483647");
export const int64 = integer(-(2 ** 63), 2 ** 63, "from -9223372036854775808 to 9223372036854775807");
export const uint16 = integer(0, 2 ** 16 - 1, "from 0 to 65535");
export const uint32 = integer(0, 2 ** 32 - 1, "from 0 to 4294967295");
export const uint64 = integer(0, 2 ** 64, "from 0 to 18446744073709551615");
/** JSON Schema's bare "integer": any size. */
export const anyInteger = integer(-Infinity, Infinity, "");
/** A hook timeout: the schema's integer with minimum 1. */
export const positiveInteger = integer(1, Infinity, "greater than 0");
/**
 * A device's fileMode: config-linux.md's uint32, not the JSON schema's 0 to
 * 0o777. podman writes the host node's whole st_mode (S_IFCHR | 0o666 is
 * 8630) and runc takes it; the node's type comes from `type` alone.
 */
export const fileMode = uint32;

export const text = () => z.string({ error: expectation("a string") });
export const flag = () => z.boolean({ error: expectation("a boolean") });

/** A string that must match `re`; `what` says it in words. */
export const matching = (re: RegExp, what: string) => {
  const error = expectation(what);
  return z.string({ error }).regex(re, { error });
};

/** One of a closed list of names; the message lists them all (and so leaves out what was given). */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expectation(`one of ${values.join(", ")}`, false) });

export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: expectation("an array") });

/** An object that keeps unknown properties: config.md "Extensibility" forbids rejecting them. */
export const obj = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape, { error: expectation("an object") });

/** A string-keyed map (sysctl, annotations, rdma …). */
export const map = <T extends z.ZodType>(value: T) => z.record(z.string(), value, { error: expectation("an object") });

export const strings = () => list(text());
