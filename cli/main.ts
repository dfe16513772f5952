#!/usr/bin/env -S deno run -A
/**
 * Entry point for `deno run -A cli/main.ts`, `bun cli/main.ts` and the
 * compiled `dist/runt`. Everything past this file is a dynamic import, so a
 * command loads (and, built with --splitting, reads from the binary) only
 * its own modules. The binary is built as ES modules, so the command is
 * awaited at the top level.
 */
import { traceStep } from "../runtime/trace.ts";
import { commandArgs, endCommand, stdoutFailed, writeAll } from "../runtime/host.ts";
import { versionText } from "./version_text.ts";

const argv = commandArgs();
if (argv[0] === "init") {
  // The container init loads only what building a container needs: its start-up time is every container's.
  const { initMain } = await import("./init_main.ts");
  await initMain(argv.slice(1));
} else if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  // What managers and scripts run to probe a runtime: answered before the command table and its modules load.
  const text = await versionText();
  try {
    writeAll(1, text);
    endCommand(0);
  } catch (e) {
    stdoutFailed(e);
  }
} else {
  traceStep("main");
  const { runCli } = await import("./app.ts");
  endCommand(await runCli(argv));
}
