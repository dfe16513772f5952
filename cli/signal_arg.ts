import { parseSignal } from "../runtime/spec/signals.ts";
import { UsageError } from "./errors.ts";

/** A signal as kill takes it on the command line: a name, with or without SIG, or a number. */
export function signalArg(text: string): number {
  const signal = parseSignal(text);
  if (signal === undefined) throw new UsageError(`unknown signal "${text}" (expected a name like TERM or SIGKILL, or a number)`);
  return signal;
}
