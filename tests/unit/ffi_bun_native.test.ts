/**
 * Bun's FFI taken from the runtime (Bun.FFI) rather than the bun:ffi module:
 * the type codes runt passes are bun:ffi's, the native calls are there,
 * and a library that cannot be opened throws as bun:ffi's dlopen does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bunFfi, FFI_TYPE } from "../../ffi/bun_native.ts";

const bun = (globalThis as { Bun?: { FFI?: unknown } }).Bun;
const skip = bun === undefined ? "Bun only" : false;
const SYS_GETPID: Record<string, number> = { x64: 39, arm64: 172 };

test("FFI_TYPE's codes are bun:ffi's FFIType values", { skip }, async () => {
  const { FFIType } = await import("bun:ffi");
  for (const [name, code] of Object.entries(FFI_TYPE)) assert.equal(code, (FFIType as Record<string, number>)[name], name);
});

test("the running Bun has FFI of its own, and runt takes it rather than loading bun:ffi", { skip }, () => {
  const native = bun!.FFI as { dlopen?: unknown; ptr?: unknown; read?: { i32?: unknown } } | undefined;
  assert.equal(typeof native?.dlopen, "function");
  assert.equal(typeof native?.ptr, "function");
  assert.equal(typeof native?.read?.i32, "function");
  assert.equal(bunFfi().read, native!.read);
});

test("a bound libc call returns its result; ptr and read.i32 reach a buffer's memory", { skip }, () => {
  const { dlopen, ptr, read } = bunFfi();
  const I = FFI_TYPE.i64_fast;
  const lib = dlopen("libc.so.6", { syscall: { args: [I], returns: I } });
  const syscall = lib.symbols.syscall as (nr: number) => number;
  assert.equal(Number(syscall(SYS_GETPID[process.arch])), process.pid);
  const cell = new Int32Array([-123456789]);
  assert.equal(read.i32(ptr(cell), 0), -123456789);
});

test("a library that cannot be opened throws, naming it", { skip }, () => {
  assert.throws(() => bunFfi().dlopen("libnot-there-runt.so.9", { f: { args: [], returns: FFI_TYPE.void } }), /libnot-there-runt/);
});
