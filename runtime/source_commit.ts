/**
 * The commit of a checkout, read from its .git without running git. Apart
 * from version.ts, whose constants everything imports: only `--version` of
 * a binary built without a commit compiled in reads files for it.
 */
import { existsSync, readFileSync, statSync } from "./host_fs.ts";
import { fileUrlPath, join } from "./path.ts";

/**
 * The git commit runt was built from, for `--version` (docker shows runc's
 * `commit:` line): read from the checkout the sources run from, "unknown"
 * for a binary built elsewhere and copied away.
 */
export function sourceCommit(checkout: string | URL): string {
  const repo = typeof checkout === "string" ? checkout : fileUrlPath(checkout);
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
