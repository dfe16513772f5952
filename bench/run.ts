/**
 * `make bench`: runc, the compiled runt and runt's sources under Deno, side
 * by side on the same busybox bundle. Prints a table, the pass/fail lines
 * of the speed targets, and writes bench/results.json and bench/results.md.
 * A runtime that fails is reported and the others are still measured.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../tests/fixtures/rootfs.ts";
import { defaultSpec } from "../runtime/spec/defaults.ts";
import { CONTENDERS, REPO, versionOf } from "./contenders.ts";
import { measureLifecycle, measureRun } from "./measure.ts";
import { markdown, type Results, targets, textTable, withRatios } from "./report.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const LIFECYCLE_ITERATIONS = Number(process.env.BENCH_LIFECYCLES ?? 10);
/** Maximum `run` wall time relative to runc. */
const LIMITS = { "runt (dist/runt)": 0.8, "runt (deno)": 1.5 };

function bundleRunning(dir: string, args: string[]): string {
  const spec = defaultSpec();
  spec.root = { path: ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox")), readonly: true };
  spec.process!.terminal = false;
  spec.process!.args = args;
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec, null, 2));
  return dir;
}

function main(): number {
  if (process.getuid?.() !== 0) {
    console.error("bench: needs root (it runs real containers)");
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), "runt-bench-"));
  try {
    const trueBundle = bundleRunning(mkdtempSync(join(work, "true-")), ["/bin/true"]);
    const sleepBundle = bundleRunning(mkdtempSync(join(work, "sleep-")), ["sleep", "60"]);
    const measured = CONTENDERS.map((c) => {
      const root = mkdtempSync(join(work, "state-"));
      console.error(`measuring ${c.name} ...`);
      return {
        name: c.name,
        version: versionOf(c),
        run: measureRun(c, root, trueBundle, RUNS),
        lifecycle: measureLifecycle(c, root, sleepBundle, LIFECYCLE_ITERATIONS),
      };
    });
    const contenders = withRatios(measured);
    const results: Results = {
      date: new Date().toISOString(),
      host: { kernel: release(), cpus: cpus().length },
      runs: RUNS,
      lifecycleIterations: LIFECYCLE_ITERATIONS,
      contenders,
      targets: targets(contenders, LIMITS),
    };
    console.log(textTable(results));
    writeFileSync(join(REPO, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
    writeFileSync(join(REPO, "bench", "results.md"), markdown(results));
    console.log("\nwrote bench/results.json and bench/results.md");
    return contenders[0].run.medianMs === null ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
