/**
 * Binds libc symbols one at a time, on first call: a command uses a few
 * dozen of the table's symbols, and binding all of them up front cost ~9 ms
 * under Deno and ~1.5 ms under Bun before any command could start.
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
