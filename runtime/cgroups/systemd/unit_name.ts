/**
 * linux.cgroupsPath under the systemd driver: runc's "slice:prefix:name",
 * the unit it names and where systemd puts that unit's cgroup.
 */
import { CgroupError } from "../errors.ts";
import { quote } from "../../quote.ts";

/** The transient unit that owns a container's cgroup; kept in the container's state. */
export interface SystemdUnitRef {
  /** "runt-c1.scope" (or a ".slice", when the name asks for one, as runc allows). */
  unit: string;
  /** The slice the unit goes in ("system.slice"). */
  slice: string;
  /** The name part, for the unit's description. */
  name: string;
}

export const DEFAULT_SLICE = "system.slice";
/** runc's default is system.slice:runc:<id>; runt's own prefix keeps the two apart. */
export const DEFAULT_PREFIX = "runt";

/** The unit for container `id`: from "slice:prefix:name", or system.slice:runt:<id> without a cgroupsPath. */
export function systemdUnitOf(cgroupsPath: string | undefined, id: string): SystemdUnitRef {
  if (cgroupsPath === undefined || cgroupsPath === "") return unitRef(DEFAULT_SLICE, DEFAULT_PREFIX, id);
  const parts = cgroupsPath.split(":");
  if (parts.length !== 3) {
    // runc's words, which managers already recognise.
    throw new CgroupError(`expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${quote(cgroupsPath)} instead`);
  }
  const [slice, prefix, name] = parts;
  const ref = unitRef(slice || DEFAULT_SLICE, prefix, name);
  expandSlice(ref.slice);
  return ref;
}

function unitRef(slice: string, prefix: string, name: string): SystemdUnitRef {
  // A name that is a slice is created as that slice, as runc does; anything else becomes a scope.
  const unit = name.endsWith(".slice") ? name : `${prefix}-${name}.scope`;
  return { unit, slice, name };
}

/**
 * The cgroup path of a slice: systemd nests "a-b.slice" in "a.slice", so
 * "a-b.slice" is /a.slice/a-b.slice, and "-.slice" is the root.
 */
export function expandSlice(slice: string): string {
  const suffix = ".slice";
  const invalid = () => new CgroupError(`invalid slice name ${quote(slice)} in linux.cgroupsPath: expected NAME.slice, its parts separated by "-" (no "/", no empty part)`);
  if (slice.length <= suffix.length || !slice.endsWith(suffix) || slice.includes("/")) throw invalid();
  const base = slice.slice(0, -suffix.length);
  if (base === "-") return "/";
  let path = "", prefix = "";
  for (const component of base.split("-")) {
    if (component === "") throw invalid();
    path += `/${prefix}${component}${suffix}`;
    prefix += `${component}-`;
  }
  return path;
}

/** The unit's cgroup path from the hierarchy's root: its slice's, then the unit. */
export function unitCgroupPath(ref: SystemdUnitRef): string {
  const slice = expandSlice(ref.slice);
  return `${slice === "/" ? "" : slice}/${ref.unit}`;
}
