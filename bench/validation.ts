/**
 * What checking a valid config costs the compiled runt: a program built as
 * dist/runt is (the Makefile's COMPILE_FLAGS) that imports
 * runtime/config_check.ts and checks the bench's config.json once, timing
 * the import and the first check as `run` and `create` pay them. Measured
 * in a process of its own rather than between two steps of a traced `run`,
 * where the container's init starting up on the other core makes the same
 * work take anywhere from one to several times as long.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileFlags } from "./compile_flags.ts";
import { REPO } from "./contenders.ts";

/** Builds the probe in `work`; undefined when it does not build. */
export function validationProbe(work: string): string | undefined {
  const src = join(work, "validation_probe.ts");
  writeFileSync(
    src,
    `import { readFileSync } from "node:fs";
import { NAMESPACE_FLAGS } from ${JSON.stringify(join(REPO, "ffi", "constants.ts"))};
async function main(): Promise<void> {
  // runt has bound its system calls, and so loaded their constants, before it reads a config.
  if (NAMESPACE_FLAGS.pid === undefined) return;
  const json = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const start = performance.now();
  const { checkConfigJson } = await import(${JSON.stringify(join(REPO, "runtime", "config_check.ts"))});
  await checkConfigJson(json, "config.json");
  console.log(performance.now() - start);
}
main();
`,
  );
  const bin = join(work, "validation_probe");
  const built = spawnSync(join(REPO, "node_modules/.bin/bun"), ["build", ...compileFlags(), src, "--outfile", bin], {
    stdio: "ignore",
  });
  return built.status === 0 ? bin : undefined;
}

/** Milliseconds the probe took to import the check and check `config` once. */
export function sampleValidation(probe: string, config: string): number {
  const r = spawnSync(probe, [config], { encoding: "utf8", timeout: 60_000 });
  const ms = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`validation probe exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}
