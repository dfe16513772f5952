/**
 * Where the container's cgroup goes, from `linux.cgroupsPath`.
 *
 * Absolute paths are taken from each hierarchy's root, relative ones from
 * runt's own cgroup in that hierarchy (runtime-spec leaves the base to the
 * runtime; runc's cgroupfs driver does the same on v1).
 */
import { CgroupError } from "./errors.ts";
import type { CgroupMount, CgroupVersion } from "./layout.ts";
import { quote } from "../quote.ts";

export const DEFAULT_CGROUP_PARENT = "/runt";

export interface CgroupPathSpec {
  absolute: boolean;
  /** Normalised: "/a/b" when absolute, "a/b" when relative; never contains "." or "..". */
  path: string;
}

/** systemd's "slice:prefix:name" form, which only the systemd driver (systemd/unit_name.ts) understands. */
const SYSTEMD_FORM = /^[^/:]*:[^:]*:[^:]*$/;

/** Validates and normalises `linux.cgroupsPath`, or returns the default for container `id`. */
/**
 * Without linux.cgroupsPath: on v1 and hybrid hosts runc's choice, the ID
 * under runt's own cgroup (so a container sees the same cgroup paths under
 * both runtimes); on pure v2 /runt/<id>, since a cgroup2 directory that
 * holds processes, as runt's own usually does, cannot delegate controllers.
 */
export function resolveCgroupsPath(cgroupsPath: string | undefined, id: string, version: CgroupVersion = "v2"): CgroupPathSpec {
  if (cgroupsPath === undefined || cgroupsPath === "") {
    return version === "v2" ? { absolute: true, path: `${DEFAULT_CGROUP_PARENT}/${id}` } : { absolute: false, path: id };
  }
  const shown = quote(cgroupsPath);
  if (SYSTEMD_FORM.test(cgroupsPath)) {
    throw new CgroupError(
      `linux.cgroupsPath ${shown} is systemd's "slice:prefix:name" form, which needs the systemd cgroup driver: pass --systemd-cgroup, or give a path such as "/runt/${id}"`,
    );
  }
  if (cgroupsPath.includes("\0")) throw new CgroupError(`linux.cgroupsPath ${shown} contains a NUL byte`);
  const absolute = cgroupsPath.startsWith("/");
  const kept: string[] = [];
  for (const part of cgroupsPath.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (kept.length === 0) {
        throw new CgroupError(
          `linux.cgroupsPath ${shown} climbs above ${absolute ? "the cgroup root" : "runt's own cgroup"} with ".."`,
        );
      }
      kept.pop();
      continue;
    }
    kept.push(part);
  }
  if (kept.length === 0) {
    throw new CgroupError(`linux.cgroupsPath ${shown} names ${absolute ? "the cgroup root" : "runt's own cgroup"} itself, not a cgroup of its own`);
  }
  return absolute ? { absolute, path: "/" + kept.join("/") } : { absolute, path: kept.join("/") };
}

/** The cgroup path in one hierarchy, given runt's own cgroup there (from /proc/self/cgroup). */
export function cgroupPathIn(spec: CgroupPathSpec, ownPath: string | undefined): string {
  if (spec.absolute) return spec.path;
  const base = (ownPath ?? "/").replace(/\/+$/, "");
  return `${base}/${spec.path}`;
}

/** The directory of cgroup `path` under a mount whose top is cgroup `mount.root`. */
export function cgroupDir(mount: CgroupMount, path: string): string {
  const root = mount.root === "/" ? "" : mount.root.replace(/\/+$/, "");
  if (root !== "" && path !== root && !path.startsWith(root + "/")) {
    throw new CgroupError(`cgroup ${path} is outside the part of the hierarchy mounted at ${mount.mountPoint} (${mount.root})`);
  }
  const rest = path.slice(root.length);
  return mount.mountPoint.replace(/\/+$/, "") + rest;
}
