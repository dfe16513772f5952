/**
 * Entry point of the libc boundary: `loadSyscalls()` returns the real
 * Syscalls for the running runtime; everything else is types, constants and
 * errors that pure code may use without loading FFI.
 */
import type { Syscalls } from "./syscalls.ts";
import type { Native } from "./native.ts";
import { LibcSyscalls } from "./libc.ts";

export * from "./syscalls.ts";
export * from "./errors.ts";
export * from "./errno.ts";
export { LibcSyscalls } from "./libc.ts";

let loaded: Promise<Syscalls> | undefined;

/** The real Syscalls for this process, bound once and shared. */
export function loadSyscalls(): Promise<Syscalls> {
  loaded ??= openNative().then((native) => new LibcSyscalls(native));
  return loaded;
}

export function runtimeName(): "deno" | "bun" {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  throw new Error("runt's FFI needs Deno or Bun");
}

async function openNative(): Promise<Native> {
  // Literal specifiers, so `bun build --compile` bundles the backend, and
  // Deno never evaluates bun:ffi.
  if (runtimeName() === "bun") return (await import("./bun.ts")).openNative();
  return (await import("./deno.ts")).openNative();
}
