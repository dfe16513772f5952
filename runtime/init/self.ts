/**
 * How to start runt again as the container init: the compiled binary runs
 * itself (`/proc/self/exe init`, as runc does); from sources, the same
 * JavaScript runtime runs cli/main.ts — a file, or for sources imported by
 * URL (a script importing mod.ts from a web server or a registry), the
 * same URL, which Deno runs from its module cache.
 */
import { environment, executablePath } from "../host.ts";
import { fileUrlPath } from "../path.ts";
import { INIT_FD_ENV } from "./config.ts";

const CLI_MAIN = new URL("../../cli/main.ts", import.meta.url);
const DENO_CONFIG = new URL("../../deno.json", import.meta.url);

/** A file: URL as its path, any other as written. */
const located = (url: URL) => url.protocol === "file:" ? fileUrlPath(url) : url.href;

/** True inside a `bun build --compile` executable, whose sources live in a virtual /$bunfs. */
function isCompiledBun(): boolean {
  const bun = (globalThis as { Bun?: { main: string } }).Bun;
  return bun !== undefined && bun.main.startsWith("/$bunfs/");
}

/** argv (argv[0] is the executable path) that runs `runt init ID`; the ID is there for `ps`. */
export function initCommand(id: string): string[] {
  if (isCompiledBun()) return ["/proc/self/exe", "init", id];
  if ("Deno" in globalThis) {
    const config = DENO_CONFIG.protocol === "file:" ? ["--config", located(DENO_CONFIG)] : [];
    return [executablePath(), "run", "-A", "--quiet", ...config, located(CLI_MAIN), "init", id];
  }
  return [executablePath(), located(CLI_MAIN), "init", id];
}

/** The init's environment: runt's own, the channel's descriptor, and `extra`. */
export function initEnvironment(initFd: number, extra: Record<string, string> = {}): string[] {
  return Object.entries({ ...environment(), [INIT_FD_ENV]: String(initFd), ...extra }).map(([k, v]) => `${k}=${v}`);
}
