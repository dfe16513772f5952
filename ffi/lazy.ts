/**
 * Binds libc symbols one at a time, on first call: a command uses a few of
 * the table's symbols (a `run` ten: `syscall` and posix_spawn's), and Deno
 * takes ~0.28 ms to bind each, Bun ~15 µs.
 */
import type { NativeFn } from "./native.ts";
import { SYMBOLS, type SymbolName } from "./symbols.ts";

/** Binds one symbol; the backend keeps whatever library handle it needs alive. */
export type BindOne = (name: SymbolName) => NativeFn;

/** An object with one property per symbol of SYMBOLS, each bound when first read. */
export function lazySymbols(bind: BindOne): Record<SymbolName, NativeFn> {
  const fns = {} as Record<SymbolName, NativeFn>;
  for (const name of Object.keys(SYMBOLS) as SymbolName[]) {
    Object.defineProperty(fns, name, {
      configurable: true,
      enumerable: true,
      get() {
        const fn = bind(name);
        // Replace the getter with the bound function, so later calls pay nothing.
        Object.defineProperty(fns, name, { value: fn, enumerable: true });
        return fn;
      },
    });
  }
  return fns;
}
