#!/usr/bin/env -S deno run -A
/** Entry point for `deno run -A cli/main.ts`, `bun cli/main.ts` and the compiled `dist/runt`. */
import { runCli } from "./app.ts";

process.exitCode = await runCli(process.argv.slice(2));
