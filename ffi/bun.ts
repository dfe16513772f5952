/** The Bun backend: bun:ffi over the shared symbol table. */
/// <reference types="../node_modules/bun-types/ffi.d.ts" />
import { dlopen, type FFIFunction, FFIType, ptr, read } from "bun:ffi";
import type { Native, NativeFn } from "./native.ts";
import { LIBC, type NativeType, SYMBOLS, type SymbolName } from "./symbols.ts";
import { lazySymbols } from "./lazy.ts";

// "buffer" maps to ptr: Bun's ptr accepts a TypedArray or null, its buffer type does not take null.
const TYPES: Record<NativeType, FFIType> = {
  i16: FFIType.i16,
  i32: FFIType.i32,
  u32: FFIType.u32,
  i64: FFIType.i64,
  u64: FFIType.u64,
  usize: FFIType.u64,
  buffer: FFIType.ptr,
  void: FFIType.void,
};

/** Libraries opened per symbol; held so none is ever collected and unloaded. */
const opened: unknown[] = [];

function bindOne(name: SymbolName): NativeFn {
  const sig = SYMBOLS[name];
  // A 64-bit result as a number when it fits, as every result runt reads does: no bigint to make and convert.
  const returns = sig.result === "i64" ? FFIType.i64_fast : TYPES[sig.result];
  const lib = dlopen(LIBC, { [name]: { args: sig.args.map((t) => TYPES[t]), returns } as FFIFunction });
  opened.push(lib);
  return lib.symbols[name] as unknown as NativeFn;
}

export function openNative(): Native {
  const lib = dlopen(LIBC, { __errno_location: { args: [], returns: FFIType.ptr } });
  opened.push(lib);
  const errnoLocation = lib.symbols.__errno_location as unknown as () => number;
  return {
    runtime: "bun",
    fn: lazySymbols(bindOne),
    addressOf: (buf) => ptr(buf),
    errno: () => read.i32(errnoLocation() as never, 0),
  };
}
