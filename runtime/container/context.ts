/** What every lifecycle operation works with. */
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { StateStore } from "../state/store.ts";

export interface LifecycleContext {
  sys: Syscalls;
  store: StateStore;
  /** A problem that does not stop the operation (poststart/poststop hooks). */
  warn(line: string): void;
}
