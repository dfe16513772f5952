/**
 * Bun's foreign-function calls as Bun itself holds them (`Bun.FFI`), which
 * the bun:ffi module only wraps: a compiled runt that imported bun:ffi paid
 * ~0.9 ms of every command for that module and the chunk importing it,
 * where `Bun.FFI` is there already. bun:ffi stays the fallback, for a Bun
 * without it. Called under Bun only; Deno never evaluates either.
 */

/**
 * bun:ffi's FFIType codes for the types runt passes (Bun.FFI takes the
 * codes, not the names); tests/unit/ffi_bun_native.test.ts holds them to
 * bun:ffi's own table.
 */
export const FFI_TYPE = {
  i16: 3,
  i32: 5,
  u32: 6,
  i64: 7,
  u64: 8,
  ptr: 12,
  void: 13,
  i64_fast: 15,
} as const;

export interface FfiSignature {
  args: number[];
  returns: number;
}

export interface BunFfi {
  dlopen(path: string, symbols: Record<string, FfiSignature>): { symbols: Record<string, (...args: never[]) => unknown> };
  ptr(buf: ArrayBufferView): number;
  read: { i32(address: number, offset: number): number };
}

interface NativeFfi {
  /** A library that cannot be opened comes back as an Error, which bun:ffi's dlopen throws. */
  dlopen(path: string, symbols: Record<string, FfiSignature>): ReturnType<BunFfi["dlopen"]> | Error;
  ptr: BunFfi["ptr"];
  read: BunFfi["read"];
}

declare const require: (name: "bun:ffi") => BunFfi;

let ffi: BunFfi | undefined;

export function bunFfi(): BunFfi {
  return ffi ??= fromNative((globalThis as { Bun?: { FFI?: Partial<NativeFfi> } }).Bun?.FFI) ?? require("bun:ffi");
}

function fromNative(native: Partial<NativeFfi> | undefined): BunFfi | undefined {
  const { dlopen, ptr, read } = native ?? {};
  if (typeof dlopen !== "function" || typeof ptr !== "function" || typeof read?.i32 !== "function") return undefined;
  return {
    dlopen(path, symbols) {
      const lib = dlopen(path, symbols);
      if (lib instanceof Error) throw lib;
      return lib;
    },
    ptr,
    read,
  };
}
