/**
 * The runtimes the benchmark puts side by side, and how each one is
 * invoked: runc as installed, runt compiled by Bun, runt's sources under Deno.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));

export interface Contender {
  /** Short label used in tables and JSON keys. */
  name: string;
  argv: string[];
}

export const RUNC = "runc";
export const DIST = "runt (dist/runt)";
export const DENO = "runt (deno CLI)";

/**
 * BENCH_BASELINE=DIR adds the checkout in DIR (its dist/runt and its
 * cli/main.ts) as two more contenders, so a change is measured against the
 * code before it in the same interleaved run.
 */
const BASELINE = process.env.BENCH_BASELINE;

export const CONTENDERS: Contender[] = [
  { name: RUNC, argv: ["runc"] },
  { name: DIST, argv: [join(REPO, "dist/runt")] },
  { name: DENO, argv: [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(REPO, "cli/main.ts")] },
  ...(BASELINE
    ? [
      { name: "baseline (dist/runt)", argv: [join(BASELINE, "dist/runt")] },
      { name: "baseline (deno CLI)", argv: [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(BASELINE, "cli/main.ts")] },
    ]
    : []),
];

export interface Invocation {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `contender --root ROOT ARGS...` with stdio not connected to pipes it could hold open. */
/** `root` null: no --root at all, as a command that reads no state is run. */
export function invoke(contender: Contender, root: string | null, args: string[], capture = false): Invocation {
  const [cmd, ...pre] = contender.argv;
  const start = performance.now();
  const r = spawnSync(cmd, [...pre, ...(root === null ? [] : ["--root", root]), ...args], {
    // create leaves the container holding its stdio: capture only what exits at once.
    stdio: ["ignore", capture ? "pipe" : "ignore", capture ? "pipe" : "ignore"],
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    // create ignores SIGTERM until the container is made (runc's does too): a hung one must still end.
    killSignal: "SIGKILL",
    timeout: 60_000,
  });
  const ms = performance.now() - start;
  if (r.error && r.status === null && !r.signal) throw r.error;
  return { status: r.status ?? 128 + 9, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms };
}

/** The same command again with output captured, for a readable failure message. */
export function explainFailure(contender: Contender, root: string | null, args: string[]): string {
  const r = invoke(contender, root, args, true);
  const text = (r.stderr || r.stdout).split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return `exit ${r.status}: ${text.slice(0, 3).join(" / ") || "(no output)"}`;
}

export function versionOf(contender: Contender): string {
  const [cmd, ...pre] = contender.argv;
  const r = spawnSync(cmd, [...pre, "--version"], { encoding: "utf8", timeout: 60_000 });
  return (r.stdout ?? "").trim().split("\n")[0] || "unknown";
}
