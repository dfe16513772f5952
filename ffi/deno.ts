/** The Deno backend: Deno.dlopen over the shared symbol table. */
import type { Native, NativeFn } from "./native.ts";
import { LIBC, type NativeType, SYMBOLS, type SymbolName } from "./symbols.ts";
import { lazySymbols } from "./lazy.ts";

const TYPES: Record<NativeType, Deno.NativeType | "void"> = {
  i16: "i16",
  i32: "i32",
  u32: "u32",
  i64: "i64",
  u64: "u64",
  usize: "usize",
  buffer: "buffer",
  void: "void",
};

/** Libraries opened per symbol; held so none is ever collected and unloaded. */
const opened: Deno.DynamicLibrary<Record<string, Deno.ForeignFunction>>[] = [];

function bindOne(name: SymbolName): NativeFn {
  const sig = SYMBOLS[name];
  const def: Deno.ForeignFunction = {
    parameters: sig.args.map((t) => TYPES[t] as Deno.NativeType),
    result: TYPES[sig.result],
  };
  const lib = Deno.dlopen(LIBC, { [name]: def });
  opened.push(lib);
  return lib.symbols[name] as unknown as NativeFn;
}

export function openNative(): Native {
  const lib = Deno.dlopen(LIBC, { __errno_location: { parameters: [], result: "pointer" } });
  opened.push(lib);
  const errnoLocation = lib.symbols.__errno_location as () => Deno.PointerValue;
  return {
    runtime: "deno",
    fn: lazySymbols(bindOne),
    addressOf: (buf) => Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf as Uint8Array<ArrayBuffer>)),
    errno: () => new Deno.UnsafePointerView(errnoLocation()!).getInt32(),
  };
}
