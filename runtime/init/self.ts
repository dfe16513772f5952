/**
 * How to start runt again as the container init: the compiled binary runs
 * itself (`/proc/self/exe init`, as runc does); from sources, the same
 * JavaScript runtime runs cli/main.ts — a file, or for sources imported by
 * URL (a script importing mod.ts from a web server or a registry), the
 * same URL, which Deno runs from its module cache.
 */
import { currentDirectory, environment, envVar, executablePath } from "../host.ts";
import { fileUrlPath, join, resolve } from "../path.ts";
import { INIT_FD_ENV } from "./config.ts";
import { F_SETFD, FD_CLOEXEC } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

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

/**
 * Where Deno running runt from its sources keeps the modules it compiled,
 * found as Deno finds it: $DENO_DIR (against the working directory), else
 * $XDG_CACHE_HOME/deno, else ~/.cache/deno. Undefined for the compiled
 * binary and under Bun, whose init needs no cache.
 */
export function denoCacheDir(): string | undefined {
  if (!("Deno" in globalThis)) return undefined;
  const set = envVar("DENO_DIR");
  if (set) return resolve(currentDirectory(), set);
  const xdg = envVar("XDG_CACHE_HOME");
  if (xdg?.startsWith("/")) return join(xdg, "deno");
  const home = envVar("HOME");
  return home ? join(home, ".cache", "deno") : undefined;
}

/**
 * Under Deno from sources, the init's own modules compiled into Deno's
 * cache by runt, which may write it, before a user namespace's init needs
 * them: that init reads the cache but, as the namespace's root, cannot
 * write it, and each run it found the init's modules uncompiled cost it
 * ~0.13 s. Once they are cached, this loads them (~1 ms); they run nothing
 * at import.
 */
export async function compileInitModules(): Promise<void> {
  if (!("Deno" in globalThis) || CLI_MAIN.protocol !== "file:") return;
  await import("../../cli/init_main.ts");
}

/** `DENO_DIR` for an init that reads Deno's cache through descriptor `fd` (see user_namespace.ts). */
export function denoCacheThrough(fd: number): Record<string, string> {
  return { DENO_DIR: `/proc/self/fd/${fd}` };
}

/**
 * In the init: the cache's descriptor closed on exec, so no process the
 * init starts (a createContainer hook, its start-up program) inherits it.
 * Deno goes on reading the cache by its /proc/self/fd path.
 */
export function keepDenoCacheToInit(sys: Pick<Syscalls, "fcntl">, denoDir = envVar("DENO_DIR")): void {
  const fd = /^\/proc\/self\/fd\/(\d+)$/.exec(denoDir ?? "")?.[1];
  if (fd !== undefined) sys.fcntl(Number(fd), F_SETFD, FD_CLOEXEC);
}
