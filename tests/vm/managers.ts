/** What the tests of container managers driving runt (podman, docker) share. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isRunningSystemd } from "../../runtime/cgroups/systemd/running.ts";
import { cgroupVersion } from "../integration/containers.ts";
import { hasCommand, isRoot, REPO, UNDER } from "../integration/runt.ts";

/** The runt a manager is configured with: the compiled binary. */
export const RUNT = join(REPO, "dist", "runt");

/** Why a test of `manager` (its command `binary`) cannot run here, or false. */
export function managerSkip(manager: string, binary: string): string | false {
  return !isRoot
    ? "needs root"
    : UNDER !== "binary"
    ? `${manager} runs the compiled dist/runt`
    : !isRunningSystemd() || cgroupVersion !== "v2"
    ? "needs systemd on a pure cgroup v2 host (the tests/vm guest)"
    : !hasCommand(binary)
    ? `needs ${manager}`
    : false;
}

/** Runs a command to its end (at most 5 minutes: the guest is emulated). */
export function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", killSignal: "SIGKILL", timeout: 300_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The --root under which a container manager has runt keep container `id`: the directory holding `id`/state.json. */
export function runtRootOf(id: string): string | undefined {
  const walk = (dir: string, depth: number): string | undefined => {
    if (depth > 4) return undefined;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === id && existsSync(join(dir, id, "state.json"))) return dir;
      const found = walk(join(dir, e.name), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk("/run", 0);
}
