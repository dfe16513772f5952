/**
 * Which cgroup layout the host has (v1, hybrid or v2), where each hierarchy
 * is mounted, and which cgroup a process is in. The parsers are pure; the
 * readers only read /proc.
 */
import { parseMountinfo as parseMountTable } from "../mount/mountinfo.ts";
import { readFileSync } from "../host_fs.ts";

export type CgroupVersion = "v1" | "hybrid" | "v2";

/** One mounted cgroup hierarchy. `root` is the cgroup the mount shows at its top ("/" outside cgroup namespaces). */
export interface CgroupMount {
  mountPoint: string;
  root: string;
  /** v1: the controllers bound to the hierarchy ("cpu", "cpuacct", "name=systemd"); v2: empty. */
  controllers: string[];
}

export interface CgroupLayout {
  version: CgroupVersion;
  /** v1 controller (or "name=..." hierarchy) → its mount; combined hierarchies appear under each controller. */
  v1: Record<string, CgroupMount>;
  /** The cgroup2 mount: the only hierarchy on v2, the extra one on hybrid hosts. */
  unified?: CgroupMount;
}

/** One line of /proc/<pid>/cgroup. */
export interface ProcCgroupEntry {
  hierarchy: number;
  /** Empty for the cgroup2 entry ("0::/path"). */
  controllers: string[];
  path: string;
}

/** Mount options of a v1 cgroup mount that are not controllers. */
const V1_NON_CONTROLLER_OPTIONS = new Set(["rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods"]);

/** The layout described by a /proc/self/mountinfo text; the first mount of a hierarchy wins. */
export function parseMountinfo(text: string): CgroupLayout {
  const v1: Record<string, CgroupMount> = {};
  let unified: CgroupMount | undefined;
  for (const m of parseMountTable(text)) {
    if (m.fsType === "cgroup2") {
      unified ??= { mountPoint: m.mountPoint, root: m.root, controllers: [] };
    } else if (m.fsType === "cgroup") {
      const controllers = m.superOptions.filter((o) =>
        !V1_NON_CONTROLLER_OPTIONS.has(o) && (!o.includes("=") || o.startsWith("name="))
      );
      const mount = { mountPoint: m.mountPoint, root: m.root, controllers };
      for (const c of controllers) v1[c] ??= mount;
    }
  }
  const hasV1 = Object.keys(v1).length > 0;
  const version: CgroupVersion = !hasV1 ? "v2" : unified ? "hybrid" : "v1";
  if (!hasV1 && !unified) throw new Error("no cgroup filesystem is mounted (neither cgroup nor cgroup2 in mountinfo)");
  return unified ? { version, v1, unified } : { version, v1 };
}

/** Parses /proc/<pid>/cgroup: "hierarchy-ID:controller-list:path", the path possibly containing colons. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const a = line.indexOf(":"), b = line.indexOf(":", a + 1);
    if (a < 0 || b < 0) continue;
    const list = line.slice(a + 1, b);
    entries.push({ hierarchy: Number(line.slice(0, a)), controllers: list === "" ? [] : list.split(","), path: line.slice(b + 1) });
  }
  return entries;
}

/** The cgroup path of `controller` ("" for the cgroup2 hierarchy) in parsed /proc/<pid>/cgroup entries. */
export function ownPathOf(entries: readonly ProcCgroupEntry[], controller: string): string | undefined {
  const e = controller === ""
    ? entries.find((e) => e.hierarchy === 0 && e.controllers.length === 0)
    : entries.find((e) => e.controllers.includes(controller));
  return e?.path;
}

/** The host's layout, from this process's mountinfo. */
export function readLayout(mountinfo = "/proc/self/mountinfo"): CgroupLayout {
  return parseMountinfo(readFileSync(mountinfo, "utf8"));
}

/** The cgroups a process is in (this one by default). */
export function readProcCgroup(pid: number | "self" = "self"): ProcCgroupEntry[] {
  return parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
}

/** v1 hierarchies, one mount each (combined hierarchies such as cpu,cpuacct appear once). */
export function v1Hierarchies(layout: CgroupLayout): CgroupMount[] {
  return [...new Set(Object.values(layout.v1))];
}
