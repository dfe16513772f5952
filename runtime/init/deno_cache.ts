/**
 * Deno's cache of compiled modules, for a user namespace's init that Deno
 * runs from runt's sources: the init runs as the namespace's root, which
 * may be unable to enter the directory the cache is in (root's 0700 home)
 * and cannot write it. runt opens it for the init (user_namespace.ts) and
 * compiles the init's own modules into it first.
 */
import { currentDirectory, envVar } from "../host.ts";
import { join, resolve } from "../path.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

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
 * Deno's cache of runt's compiled modules, opened with runt's rights, for an
 * init run from sources by Deno: the namespace's root may not enter the
 * directory it is in (root's 0700 home, where the cache of a Deno run as
 * root is), and without it that Deno compiles every module again, about
 * 0.3 s of each container. The init reads it through the descriptor, which
 * it makes close-on-exec with the rest of what it was started with
 * (runInit): no hook it starts, nor the container, inherits it.
 */
export function openDenoCache(sys: Syscalls): number | undefined {
  const dir = denoCacheDir();
  if (dir === undefined) return undefined;
  try {
    return sys.open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  } catch {
    // None yet, or none runt may open: the init's Deno makes do as it would without one.
    return undefined;
  }
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
  if (!("Deno" in globalThis) || !import.meta.url.startsWith("file:")) return;
  await import("../../cli/init_main.ts");
}

/** `DENO_DIR` for an init that reads Deno's cache through descriptor `fd` (see user_namespace.ts). */
export function denoCacheThrough(fd: number): Record<string, string> {
  return { DENO_DIR: `/proc/self/fd/${fd}` };
}
