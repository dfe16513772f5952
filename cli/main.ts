#!/usr/bin/env -S deno run -A
/**
 * Entry point for `deno run -A cli/main.ts`, `bun cli/main.ts` and the
 * compiled `dist/runt`. No top-level await: compiled to bytecode without
 * --format=esm, the bundle is CommonJS. Everything past this file is a
 * dynamic import, so a command loads (and, built with --splitting, reads
 * from the binary) only its own modules.
 */
import { traceStep } from "../runtime/trace.ts";

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "init") {
    // The container init loads only what building a container needs: its start-up time is every container's.
    const { initMain } = await import("./init_main.ts");
    await initMain(argv.slice(1));
    return;
  }
  traceStep("main");
  const { runCli } = await import("./app.ts");
  process.exitCode = await runCli(argv);
}

main(process.argv.slice(2));
