/**
 * What a backend (deno.ts, bun.ts) provides: the bound symbols of SYMBOLS
 * and the few memory primitives libc.ts needs. Everything else — strings,
 * structs, error handling — lives once in libc.ts.
 */
import type { SymbolName } from "./symbols.ts";

/** Integers as number or bigint; "buffer" arguments as Uint8Array or null. */
export type NativeArg = number | bigint | Uint8Array | null;

/** 32-bit and smaller results come back as number, 64-bit ones as bigint. */
export type NativeFn = (...args: NativeArg[]) => number | bigint;

export interface Native {
  readonly runtime: "deno" | "bun";
  readonly fn: Readonly<Record<SymbolName, NativeFn>>;
  /**
   * Address of the first byte of `buf`, for pointers stored inside structs.
   * The caller keeps `buf` referenced until the call that uses it returns.
   */
  addressOf(buf: Uint8Array): number | bigint;
  /** The calling thread's errno; read it right after the failing call. */
  errno(): number;
}
