/**
 * `exec --cgroup` (runc 1.1): which sub-cgroup of the container's cgroup an
 * exec'd process joins. "controller[,controller…]:path" names it per v1
 * controller, and may be repeated; a path alone (or ":path") applies to
 * every hierarchy and is the only form cgroup v2 has.
 */
import { CgroupError } from "./errors.ts";

/** Controller → path below the container's cgroup; "" is every hierarchy. Paths are normalised ("" = the cgroup itself). */
export type SubCgroupPaths = Record<string, string>;

export function parseSubCgroupArgs(args: readonly string[]): SubCgroupPaths {
  const paths: SubCgroupPaths = {};
  for (const arg of args) {
    const parts = arg.split(":");
    if (parts.length > 2) throw new CgroupError(`invalid --cgroup argument: ${arg}`);
    if (parts.length === 1) {
      if (args.length !== 1) throw new CgroupError(`invalid --cgroup argument: ${arg} (missing <controller>: prefix)`);
      paths[""] = subCgroupPath(arg);
      continue;
    }
    for (const controller of parts[0].split(",")) paths[controller] = subCgroupPath(parts[1]);
  }
  return paths;
}

/** "a//b/./c" → "a/b/c"; a path that leaves the container's cgroup is refused. */
function subCgroupPath(text: string): string {
  const kept: string[] = [];
  for (const part of text.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") kept.push(part);
    else if (kept.pop() === undefined) throw new CgroupError(`invalid --cgroup argument: ${text} is not a sub cgroup path`);
  }
  return kept.join("/");
}
