/**
 * How integration tests invoke runt: the sources under Deno, or the compiled
 * binary, chosen by RUNT_UNDER (deno | binary), so one suite covers both.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const UNDER = process.env.RUNT_UNDER === "binary" ? "binary" : "deno";

export function runtArgv(): string[] {
  return UNDER === "binary"
    ? [join(REPO, "dist/runt")]
    : [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(REPO, "cli/main.ts")];
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stderr split into its non-empty lines. */
  errLines: string[];
}

export interface RuntOptions {
  cwd?: string;
  input?: string;
  env?: Record<string, string>;
  /**
   * Give runt files rather than pipes for stdout and stderr: a container
   * made by create keeps its stdio open, and a pipe would keep the caller
   * waiting until the container exits.
   */
  files?: boolean;
  /** Another runc-compatible runtime to run instead (["runc"]), for side-by-side checks. */
  argv?: string[];
}

export function runt(args: string[], opts: RuntOptions = {}): RunResult {
  if (opts.files) return runtToFiles(args, opts);
  const [cmd, ...pre] = opts.argv ?? runtArgv();
  const r = spawnSync(cmd, [...pre, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? "",
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    encoding: "utf8",
    killSignal: "SIGKILL",
    timeout: 60_000,
  });
  if (r.error) throw hung(args, r.error);
  const stderr = r.stderr ?? "";
  return {
    status: r.status ?? 128 + 9,
    stdout: r.stdout ?? "",
    stderr,
    errLines: stderr.split("\n").filter((l) => l.length > 0),
  };
}

/**
 * runt, which must succeed: a failure names the command and what runt said,
 * so a run that fails once on a busy machine leaves its reason in the log.
 */
export function runtOk(args: string[], opts: RuntOptions = {}): RunResult {
  const r = runt(args, opts);
  if (r.status !== 0) throw new Error(`runt ${args.join(" ")} exited ${r.status}: ${r.stderr.trim() || "(nothing on stderr)"}`);
  return r;
}

/**
 * A runtime that did not end within the time allowed (create ignores SIGTERM,
 * as runc does, hence the SIGKILL), named by its arguments.
 */
function hung(args: string[], error: Error): Error {
  return new Error(`runt ${args.join(" ")}: ${error.message}`, { cause: error });
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

export const isRoot = process.getuid?.() === 0;

/**
 * How much longer than on a host a test may wait for a state before it
 * calls it a hang: the emulated test guest (tests/vm), ~20 times slower and
 * sharing the machine with the other suites, sets RUNT_TEST_WAIT_SCALE.
 */
export const WAIT_SCALE = Number(process.env.RUNT_TEST_WAIT_SCALE ?? 1);

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "runt-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

function runtToFiles(args: string[], opts: RuntOptions): RunResult {
  const [cmd, ...pre] = opts.argv ?? runtArgv();
  const dir = mkdtempSync(join(tmpdir(), "runt-out-"));
  const out = openSync(join(dir, "stdout"), "w+");
  const err = openSync(join(dir, "stderr"), "w+");
  try {
    const r = spawnSync(cmd, [...pre, ...args], {
      cwd: opts.cwd,
      stdio: ["ignore", out, err],
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      killSignal: "SIGKILL",
      timeout: 60_000,
    });
    if (r.error) throw hung(args, r.error);
    const stderr = readFileSync(join(dir, "stderr"), "utf8");
    return {
      status: r.status ?? 128 + 9,
      stdout: readFileSync(join(dir, "stdout"), "utf8"),
      stderr,
      errLines: stderr.split("\n").filter((l) => l.length > 0),
    };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}
