import { RuntError } from "../errors.ts";
import type { HookKind } from "../spec/constants.ts";

/** A hook that could not run, failed or timed out: `<kind> hook <path>: <reason>`. */
export class HookError extends RuntError {
  constructor(readonly kind: HookKind, readonly path: string, readonly reason: string) {
    super(`${kind} hook ${path}: ${reason}`);
  }
}
