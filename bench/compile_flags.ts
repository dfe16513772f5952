/**
 * The flags `make build` compiles dist/runt with (the Makefile's
 * COMPILE_FLAGS), so a probe or floor program the bench compiles starts the
 * way runt does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./contenders.ts";

export function compileFlags(): string[] {
  const line = /^COMPILE_FLAGS := (.+)$/m.exec(readFileSync(join(REPO, "Makefile"), "utf8"))?.[1];
  if (line === undefined) throw new Error("Makefile: no COMPILE_FLAGS line");
  return line.trim().split(/\s+/);
}
