/**
 * Running OCI lifecycle hooks: the container state as JSON on stdin, `args`
 * as argv (args[0] included), exactly `env` as the environment, killed after
 * `timeout` seconds. Whether a failure stops the container is the caller's
 * decision (runtime.md: fatal for all kinds but poststop).
 */
import { spawnSync } from "node:child_process";
import { RuntError } from "./errors.ts";

export type HookKind = "prestart" | "createRuntime" | "createContainer" | "startContainer" | "poststart" | "poststop";

export interface HookSpec {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export class HookError extends RuntError {}

function envObject(env: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Runs one hook; throws HookError naming the kind, its index and what went wrong. */
export function runHook(kind: HookKind, index: number, hook: HookSpec, stateJson: string): void {
  const where = `${kind} hook ${index} (${hook.path})`;
  const [argv0, ...rest] = hook.args?.length ? hook.args : [hook.path];
  const r = spawnSync(hook.path, rest, {
    argv0,
    input: stateJson,
    env: envObject(hook.env),
    timeout: hook.timeout ? hook.timeout * 1000 : undefined,
    killSignal: "SIGKILL",
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
  const detail = (r.stderr || r.stdout || "").trim().split("\n").pop() ?? "";
  const suffix = detail ? `: ${detail}` : "";
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ETIMEDOUT") throw new HookError(`${where} timed out after ${hook.timeout}s`);
    throw new HookError(`${where} could not run: ${code ?? r.error.message}`);
  }
  if (r.signal) throw new HookError(`${where} was killed by ${r.signal}${suffix}`);
  if (r.status !== 0) throw new HookError(`${where} exited with status ${r.status}${suffix}`);
}

/** Runs every hook of one kind in order, stopping at the first failure. */
export function runHooks(kind: HookKind, hooks: HookSpec[] | undefined, stateJson: string): void {
  (hooks ?? []).forEach((hook, i) => runHook(kind, i, hook, stateJson));
}

/** poststop and other non-fatal hooks: every hook runs; failures come back as warnings. */
export function runHooksWarning(kind: HookKind, hooks: HookSpec[] | undefined, stateJson: string): string[] {
  const warnings: string[] = [];
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(kind, i, hook, stateJson);
    } catch (e) {
      if (!(e instanceof HookError)) throw e;
      warnings.push(e.message);
    }
  });
  return warnings;
}
