import { test } from "node:test";
import assert from "node:assert/strict";
import { lazySymbols } from "../../ffi/lazy.ts";
import type { NativeFn } from "../../ffi/native.ts";
import { SYMBOLS, type SymbolName } from "../../ffi/symbols.ts";

test("a libc symbol is bound on its first use, once, and no other symbol is bound", () => {
  const bound: SymbolName[] = [];
  const fns = lazySymbols((name) => {
    bound.push(name);
    return (() => 7) as NativeFn;
  });
  assert.deepEqual(bound, []);
  const first = fns.getpid;
  assert.equal(first(), 7);
  assert.equal(fns.getpid, first);
  assert.deepEqual(bound, ["getpid"]);
  assert.deepEqual(Object.keys(fns).sort(), Object.keys(SYMBOLS).sort());
});
