import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** runt's own release, kept in step with package.json by a unit test. */
export const RUNT_VERSION = "0.1.0";

/** The newest OCI runtime-spec version runt implements (the reference it was built against). */
export const OCI_VERSION = "1.3.0";

/** The oldest config.json `ociVersion` runt accepts. */
export const OCI_VERSION_MIN = "1.0.0";

/**
 * Set by `make build`/`make release` (bun build --define RUNT_BUILD_COMMIT='"…"'),
 * absent when runt runs from its sources.
 */
declare const RUNT_BUILD_COMMIT: string | undefined;

/**
 * The commit compiled into this binary, if any: a copy of the binary far
 * from its checkout still says which sources it is.
 */
export function builtCommit(): string | undefined {
  return typeof RUNT_BUILD_COMMIT === "string" && RUNT_BUILD_COMMIT !== "" ? RUNT_BUILD_COMMIT : undefined;
}

/** Which JavaScript runtime is executing runt, for `--version` and bug reports. */
export function hostRuntime(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}

/**
 * The git commit runt was built from, for `--version` (docker shows runc's
 * `commit:` line): read from the checkout the sources run from, "unknown"
 * for a binary built elsewhere and copied away.
 */
export function sourceCommit(repo: string): string {
  try {
    let gitDir = join(repo, ".git");
    // A worktree's .git is a file naming its real directory.
    if (statSync(gitDir).isFile()) gitDir = readFileSync(gitDir, "utf8").replace(/^gitdir:\s*/, "").trim();
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    const common = existsSync(join(gitDir, "commondir")) ? join(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim()) : gitDir;
    for (const dir of [gitDir, common]) {
      if (existsSync(join(dir, ref))) return readFileSync(join(dir, ref), "utf8").trim();
    }
    const packed = readFileSync(join(common, "packed-refs"), "utf8").split("\n").find((l) => l.endsWith(` ${ref}`));
    return packed?.split(" ")[0] ?? "unknown";
  } catch {
    return "unknown";
  }
}
