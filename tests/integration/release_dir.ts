/**
 * A release as `make release` makes it, laid out as GitHub serves releases
 * (BASE/vVERSION/runt-VERSION-linux-amd64 and its .sha256), in a temporary
 * directory: what the release and GitHub Action tests download and check.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "./runt.ts";

export const VERSION: string = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
export const RELEASE_NAME = `runt-${VERSION}-linux-amd64`;

export interface ReleaseDir {
  /** The base URL's directory: holds v<VERSION>/. */
  base: string;
  /** base/v<VERSION>, where the two files are. */
  dir: string;
  cleanup(): void;
}

/**
 * Runs make in the checkout; `-o` keeps it from reinstalling node_modules
 * (and from rebuilding dist/runt) in the middle of a test run.
 */
export function make(args: string[]) {
  const r = spawnSync("make", ["--no-print-directory", "-o", "node_modules/.installed", "-o", "dist/runt", ...args], {
    cwd: REPO,
    encoding: "utf8",
    killSignal: "SIGKILL",
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  return r;
}

export function makeRelease(): ReleaseDir {
  const tmp = tempDir("runt-release-");
  const dir = join(tmp.path, `v${VERSION}`);
  const r = make(["release", `RELEASE_DIR=${dir}`]);
  if (r.status !== 0) {
    tmp.cleanup();
    throw new Error(`make release failed: ${r.stderr}`);
  }
  return { base: tmp.path, dir, cleanup: tmp.cleanup };
}

/** The commit the checkout is at, as --version should show it. */
export function headCommit(): string {
  return spawnSync("git", ["rev-parse", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
}
