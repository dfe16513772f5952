/** What a container may leave on the host after it is gone: mounts, processes, state. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Host mounts whose mount point or root mentions `path`. */
export function mountsMentioning(path: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(path));
}

/** PIDs of `runt init ID` processes and of processes whose environment carries `tag`. */
export function processesOf(id: string, tag?: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const i = argv.indexOf("init");
      const isInit = i >= 0 && argv[i + 1] === id;
      const hasTag = tag !== undefined && readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(tag);
      const state = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.[0];
      if ((isInit || hasTag) && state !== "Z") found.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

/** Every leftover of container `id` under state root `root`, described; empty when clean. */
export function leftovers(root: string, id: string, paths: string[], tag?: string): string[] {
  const problems: string[] = [];
  if (existsSync(join(root, id))) problems.push(`state directory ${join(root, id)} remains`);
  for (const p of paths) for (const m of mountsMentioning(p)) problems.push(`mount remains: ${m}`);
  for (const pid of processesOf(id, tag)) problems.push(`process ${pid} remains`);
  return problems;
}
