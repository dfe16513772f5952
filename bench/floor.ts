/**
 * The floor under the read-only commands: the least a process of each kind
 * costs to start and exit. runc's is its own `--version`; the compiled
 * runt's is a Bun binary that only prints a line; the Deno CLI's is
 * `deno run` of a script that only prints a line.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Contender, DENO, DIST, REPO, RUNC } from "./contenders.ts";
import { compileFlags } from "./compile_flags.ts";
import { type Usage, usageOf } from "./rusage.ts";

/** Builds the hello programs in `work`; returns argv per contender name. */
export function floorPrograms(work: string): Map<string, string[]> {
  const src = join(work, "hello.ts");
  writeFileSync(src, 'console.log("hello");\n');
  const bin = join(work, "hello");
  const built = spawnSync(join(REPO, "node_modules/.bin/bun"), ["build", ...compileFlags(), src, "--outfile", `${bin}.built`], {
    stdio: "ignore",
  });
  // Copied into place as the Makefile copies dist/runt (see its dist/runt rule).
  if (built.status === 0) copyFileSync(`${bin}.built`, bin);
  const floors = new Map<string, string[]>([
    [RUNC, ["runc", "--version"]],
    [DENO, [join(REPO, "node_modules/.bin/deno"), "run", "-A", src]],
  ]);
  if (built.status === 0) floors.set(DIST, [bin]);
  return floors;
}

/** Wall time of one floor program, start to exit, and the CPU time and page faults it took. */
export function sampleFloor(c: Contender, argv: string[]): Usage & { ms: number } {
  // Timed inside, so the wall time is the spawn's alone, as `invoke` times the runtimes'.
  const { result: { r, ms }, usage } = usageOf(() => {
    const start = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { stdio: "ignore", timeout: 60_000 });
    return { r, ms: performance.now() - start };
  });
  if (r.status !== 0) throw new Error(`${c.name}: floor program exited ${r.status}`);
  return { ms, ...usage };
}
