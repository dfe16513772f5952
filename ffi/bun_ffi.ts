/**
 * bun:ffi's calls that files.ts uses, imported as a module: files.ts loads
 * this under Bun only (preloadBunFfi), so Deno never evaluates bun:ffi.
 */
/// <reference types="../node_modules/bun-types/ffi.d.ts" />
export { dlopen, FFIType, ptr, read } from "bun:ffi";
