/**
 * How to start runt again as the container init: the compiled binary runs
 * itself (`/proc/self/exe init`, as runc does); from sources, the same
 * JavaScript runtime runs cli/main.ts.
 */
import { fileURLToPath } from "node:url";

const CLI_MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const DENO_CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** True inside a `bun build --compile` executable, whose sources live in a virtual /$bunfs. */
function isCompiledBun(): boolean {
  const bun = (globalThis as { Bun?: { main: string } }).Bun;
  return bun !== undefined && bun.main.startsWith("/$bunfs/");
}

/** argv (argv[0] is the executable path) that runs `runt init ID`; the ID is there for `ps`. */
export function initCommand(id: string): string[] {
  if (isCompiledBun()) return ["/proc/self/exe", "init", id];
  if ("Deno" in globalThis) {
    // deno's own binary path: process.execPath is it under Deno.
    return [process.execPath, "run", "-A", "--quiet", "--config", DENO_CONFIG, CLI_MAIN, "init", id];
  }
  return [process.execPath, CLI_MAIN, "init", id];
}
