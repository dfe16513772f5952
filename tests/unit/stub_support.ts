/** Helpers for the start-up program tests: run an image as a real process. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StubProgram } from "../../runtime/stub/program.ts";

/** A scratch directory, removed after `fn`. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "runt-stub-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the program's image to an executable file and runs it without a shell. */
export function runProgram(program: StubProgram, options: { env?: Record<string, string> } = {}): SpawnSyncReturns<Buffer> {
  return withTempDir((dir) => {
    const path = join(dir, "stub");
    writeFileSync(path, program.image());
    chmodSync(path, 0o755);
    return spawnSync(path, [], { env: options.env ?? {}, timeout: 10_000 });
  });
}
