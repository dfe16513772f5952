/** The Bun backend: Bun's FFI (bun_native.ts) over the shared symbol table. */
import { bunFfi, FFI_TYPE, type FfiSignature } from "./bun_native.ts";
import type { Native, NativeFn } from "./native.ts";
import { LIBC, type NativeType, SYMBOLS, type SymbolName } from "./symbols.ts";
import { lazySymbols } from "./lazy.ts";
import { bunErrno } from "./files.ts";

// "buffer" maps to ptr: Bun's ptr accepts a TypedArray or null, its buffer type does not take null.
const TYPES: Record<NativeType, number> = {
  i16: FFI_TYPE.i16,
  i32: FFI_TYPE.i32,
  u32: FFI_TYPE.u32,
  i64: FFI_TYPE.i64,
  u64: FFI_TYPE.u64,
  usize: FFI_TYPE.u64,
  buffer: FFI_TYPE.ptr,
  void: FFI_TYPE.void,
};

/** Libraries opened per symbol; held so none is ever collected and unloaded. */
const opened: unknown[] = [];

function bindOne(name: SymbolName): NativeFn {
  const sig = SYMBOLS[name];
  // A 64-bit result as a number when it fits, as every result runt reads does: no bigint to make and convert.
  const returns = sig.result === "i64" ? FFI_TYPE.i64_fast : TYPES[sig.result];
  const signature: FfiSignature = { args: sig.args.map((t) => TYPES[t]), returns };
  const lib = bunFfi().dlopen(LIBC, { [name]: signature });
  opened.push(lib);
  return lib.symbols[name] as unknown as NativeFn;
}

export function openNative(): Native {
  const { ptr } = bunFfi();
  return {
    runtime: "bun",
    fn: lazySymbols(bindOne),
    addressOf: (buf) => ptr(buf),
    // Bound once, for the file calls (files.ts) and these alike.
    errno: bunErrno,
  };
}
