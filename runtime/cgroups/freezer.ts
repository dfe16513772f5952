/**
 * Freezing and thawing: v1's freezer.state, v2's cgroup.freeze. Both are
 * asynchronous in the kernel, so each call waits until the state is
 * reached (or gives up with an error naming the cgroup).
 */
import { sleepSync } from "../sleep.ts";
import { CgroupError } from "./errors.ts";
import type { CgroupFiles } from "./files.ts";
import type { CgroupVersion } from "./layout.ts";

export type FreezerState = "thawed" | "freezing" | "frozen";

/** What reading a freezer's state takes: CgroupFiles, or a bare reader where the cgroup manager is not loaded. */
export type FreezerReader = Pick<CgroupFiles, "read" | "readIfExists">;

/** The directories of a cgroup, as CgroupManager keeps them (and SavedCgroup records them). */
export interface CgroupDirs {
  version: CgroupVersion;
  v1: Record<string, string>;
  unified?: string;
}

/** Where the freezer is: the cgroup2 directory on v2, the freezer hierarchy's on v1 (and hybrid); none when it is not mounted. */
export function freezerDir(cgroup: CgroupDirs): { dir: string; v2: boolean } | undefined {
  if (cgroup.version === "v2") return cgroup.unified === undefined ? undefined : { dir: cgroup.unified, v2: true };
  if (cgroup.v1.freezer) return { dir: cgroup.v1.freezer, v2: false };
  return undefined;
}

/** "thawed" when no freezer is mounted: nothing can have frozen it. */
export function freezerState(files: FreezerReader, cgroup: CgroupDirs): FreezerState {
  const f = freezerDir(cgroup);
  if (!f) return "thawed";
  return f.v2 ? v2FreezerState(files, f.dir) : v1FreezerState(files, f.dir);
}

const WAIT_MS = 2000;

function waitFor(check: () => boolean, retry?: (attempt: number) => void): boolean {
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 0;; attempt++) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    retry?.(attempt);
    sleepSync(attempt < 10 ? 1 : 10);
  }
}

export function v1FreezerState(files: FreezerReader, dir: string): FreezerState {
  const s = files.read(`${dir}/freezer.state`).trim();
  return s === "FROZEN" ? "frozen" : s === "FREEZING" ? "freezing" : "thawed";
}

export function v1Freeze(files: CgroupFiles, dir: string): void {
  files.write(`${dir}/freezer.state`, "FROZEN");
  const ok = waitFor(() => v1FreezerState(files, dir) === "frozen", (attempt) => {
    // Processes forking while the freeze runs can keep it FREEZING; a thaw and a fresh attempt gets past them.
    if (attempt % 50 === 49) files.write(`${dir}/freezer.state`, "THAWED");
    files.write(`${dir}/freezer.state`, "FROZEN");
  });
  if (!ok) {
    files.write(`${dir}/freezer.state`, "THAWED");
    throw new CgroupError(`cgroup ${dir} did not freeze within ${WAIT_MS} ms (still FREEZING); left thawed`);
  }
}

export function v1Thaw(files: CgroupFiles, dir: string): void {
  files.write(`${dir}/freezer.state`, "THAWED");
  if (!waitFor(() => v1FreezerState(files, dir) === "thawed")) {
    throw new CgroupError(`cgroup ${dir} did not thaw within ${WAIT_MS} ms`);
  }
}

/** "frozen 1" in cgroup.events is the kernel's word that every task has stopped. */
function v2Frozen(files: FreezerReader, dir: string): boolean {
  return /^frozen 1$/m.test(files.readIfExists(`${dir}/cgroup.events`) ?? "");
}

export function v2FreezerState(files: FreezerReader, dir: string): FreezerState {
  const want = files.readIfExists(`${dir}/cgroup.freeze`)?.trim();
  if (want !== "1") return "thawed";
  return v2Frozen(files, dir) ? "frozen" : "freezing";
}

export function v2Freeze(files: CgroupFiles, dir: string): void {
  files.write(`${dir}/cgroup.freeze`, "1");
  if (!waitFor(() => v2Frozen(files, dir))) {
    files.write(`${dir}/cgroup.freeze`, "0");
    throw new CgroupError(`cgroup ${dir} did not freeze within ${WAIT_MS} ms (cgroup.events never said "frozen 1"); left thawed`);
  }
}

export function v2Thaw(files: CgroupFiles, dir: string): void {
  files.write(`${dir}/cgroup.freeze`, "0");
  if (!waitFor(() => !v2Frozen(files, dir))) throw new CgroupError(`cgroup ${dir} did not thaw within ${WAIT_MS} ms`);
}
