/** Shared helpers for the ffi tests. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const PROBE = fileURLToPath(new URL("./probe.ts", import.meta.url));

/** A reason to skip tests needing real root, or undefined when we have it. */
export const needsRoot: string | undefined = process.getuid?.() === 0 ? undefined : "needs root";

/** Runs tests/ffi/probe.ts with the runtime running the tests; returns its JSON. */
export function runProbe(...args: string[]): any {
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", "--no-check", PROBE] : [PROBE];
  const r = spawnSync(process.execPath, [...runtimeArgs, ...args], { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`probe ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
