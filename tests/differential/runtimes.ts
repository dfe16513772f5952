/**
 * Runs a bundle in the foreground under runc or under runt (the sources
 * under Deno or the compiled binary, as RUNT_UNDER says), each with its own
 * state directory, and removes whatever the run left behind.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtArgv } from "../integration/runt.ts";

export type RuntimeName = "runc" | "runt";

export interface RunOutcome {
  /** Exit status of the runtime; a runtime killed by a signal counts as 128 + signal. */
  status: number;
  stdout: string;
  stderr: string;
}

export function runtimeArgv(name: RuntimeName): string[] {
  return name === "runc" ? ["runc"] : runtArgv();
}

export function hasRunc(): boolean {
  return spawnSync("runc", ["--version"], { stdio: "ignore" }).status === 0;
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };

/** `<runtime> --root <fresh dir> run --bundle <bundle> <id>` with stdin from /dev/null. */
export function runBundle(name: RuntimeName, bundle: string, id: string, timeoutMs = 30_000): RunOutcome {
  const [cmd, ...pre] = runtimeArgv(name);
  const root = mkdtempSync(join(tmpdir(), `diff-${name}-state-`));
  try {
    const r = spawnSync(cmd, [...pre, "--root", root, "run", "--bundle", bundle, id], {
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
    if (r.error && !r.signal) throw r.error;
    const status = r.status ?? 128 + (SIGNALS[r.signal ?? ""] ?? 0);
    const timedOut = r.signal !== null && r.error ? `\n(timed out after ${timeoutMs} ms)` : "";
    return { status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + timedOut };
  } finally {
    spawnSync(cmd, [...pre, "--root", root, "delete", "--force", id], { stdio: "ignore", killSignal: "SIGKILL", timeout: timeoutMs });
    rmSync(root, { recursive: true, force: true });
  }
}
