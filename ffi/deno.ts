/** The Deno backend: Deno.dlopen over the shared symbol table. */
import type { Native, NativeFn } from "./native.ts";
import { LIBC, type NativeType, SYMBOLS, type SymbolName } from "./symbols.ts";

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

export function openNative(): Native {
  const defs: Record<string, Deno.ForeignFunction> = {
    __errno_location: { parameters: [], result: "pointer" },
  };
  for (const [name, sig] of Object.entries(SYMBOLS)) {
    defs[name] = {
      parameters: sig.args.map((t) => TYPES[t] as Deno.NativeType),
      result: TYPES[sig.result],
    };
  }
  const lib = Deno.dlopen(LIBC, defs);
  const symbols = lib.symbols as unknown as Record<string, NativeFn>;
  const errnoLocation = lib.symbols.__errno_location as () => Deno.PointerValue;
  return {
    runtime: "deno",
    fn: symbols as Record<SymbolName, NativeFn>,
    addressOf: (buf) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf as Uint8Array<ArrayBuffer>))),
    errno: () => new Deno.UnsafePointerView(errnoLocation()!).getInt32(),
  };
}
