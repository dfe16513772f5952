/**
 * A container a script made from an image (`runt.create({ image })`): the
 * lifecycle commands bound to its ID. Its init is this process's child, so
 * `wait` reaps it through its pidfd, as a foreground `runt run` does.
 */
import type { LifecycleContext } from "../container/context.ts";
import { deleteContainer } from "../container/delete.ts";
import { killContainer } from "../container/kill.ts";
import { containerState } from "../container/query.ts";
import { startContainer } from "../container/start.ts";
import { stopContainer } from "../container/stop.ts";
import { exitCodeOf, waitForExit } from "../container/wait.ts";
import { RuntError } from "../errors.ts";
import { parseSignal } from "../spec/signals.ts";
import type { OciState } from "../state/record.ts";

/** A signal as scripts give it: a number, or a name with or without SIG. */
export function signalNumber(signal: string | number): number {
  const number = typeof signal === "number" ? signal : parseSignal(signal);
  if (number === undefined) throw new RuntError(`unknown signal "${signal}"`);
  return number;
}

export class Container {
  private exit?: Promise<number>;
  /** What the container wrote to the outputs created "piped", once they are at their end. */
  output?: Promise<{ stdout?: string; stderr?: string }>;

  constructor(private readonly ctx: LifecycleContext, readonly id: string, readonly pid: number) {}

  start(): void {
    startContainer(this.ctx, this.id);
  }

  state(): OciState {
    return containerState(this.ctx.store, this.id);
  }

  /** Resolves to the exit status once the process has exited: its code, 128+N for signal N. */
  wait(): Promise<number> {
    return this.exit ??= waitForExit(this.ctx.sys, this.pid).then(exitCodeOf);
  }

  kill(signal: string | number = "SIGTERM", options: { all?: boolean } = {}): void {
    killContainer(this.ctx, this.id, signalNumber(signal), options.all ?? false);
  }

  /** As `runt stop`: the stop signal, SIGKILL after `timeoutSeconds`; resolves to the exit status. */
  stop(timeoutSeconds = 10): Promise<number> {
    stopContainer(this.ctx, this.id, timeoutSeconds);
    return this.wait();
  }

  /** Removes the container and its root filesystem (`force`: a running one too). */
  delete(options: { force?: boolean } = {}): void {
    deleteContainer(this.ctx, this.id, options.force ?? false);
  }
}
