/**
 * Writing a new user namespace's ID maps, from outside it: the one place
 * that does. As runc's nsexec does: each map is written directly, and
 * where the kernel refuses that (EPERM: runt runs without root and the map
 * is more than its own ID) through the setuid newuidmap/newgidmap, which
 * allow the ranges /etc/subuid and /etc/subgid give the user. "deny" goes to
 * /proc/PID/setgroups only when a user without root maps just its own gid to
 * root, which the kernel allows only after it (runc's rule).
 */
import { writeFileSync } from "../host_fs.ts";
import type { LinuxIDMapping, Spec } from "../spec/schema.ts";
import { IdMapError } from "./errors.ts";
import { runMapTool } from "./map_tool.ts";
import { effectiveGid, effectiveUid } from "../host.ts";

/** The file's text: one "containerID hostID size" line per range, written in one write(2) as the kernel needs. */
export function idMapText(mappings: readonly LinuxIDMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

/** Gives the user namespace of process `pid` the config's maps; each file can be written once. */
export function writeIdMaps(pid: number, spec: Spec): void {
  const uidMappings = spec.linux?.uidMappings ?? [];
  const gidMappings = spec.linux?.gidMappings ?? [];
  const euid = effectiveUid();
  if (euid !== 0 && isOwnIdOnly(gidMappings, effectiveGid())) writeProcFile(pid, "setgroups", "deny", "linux.gidMappings");
  writeIdMap(pid, "uid", uidMappings, "linux.uidMappings");
  writeIdMap(pid, "gid", gidMappings, "linux.gidMappings");
}

/**
 * One map of process `pid`'s user namespace; `field` names it in errors.
 * Exported for the user namespaces runt makes for idmapped mounts.
 */
export function writeIdMap(pid: number, kind: "uid" | "gid", mappings: readonly LinuxIDMapping[], field: string): void {
  try {
    writeFileSync(`/proc/${pid}/${kind}_map`, idMapText(mappings));
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== "EPERM" || effectiveUid() === 0) throw mapError(pid, `${kind}_map`, field, e);
  }
  runMapTool(kind === "uid" ? "newuidmap" : "newgidmap", pid, mappings, field);
}

/** The one map the kernel lets a user without root write itself: its own ID as root (runc's default rootless map). */
export function isOwnIdOnly(mappings: readonly LinuxIDMapping[], own: number): boolean {
  return mappings.length === 1 && mappings[0].containerID === 0 && mappings[0].hostID === own && mappings[0].size === 1;
}

function writeProcFile(pid: number, file: string, text: string, field: string): void {
  try {
    writeFileSync(`/proc/${pid}/${file}`, text);
  } catch (e) {
    throw mapError(pid, file, field, e);
  }
}

function mapError(pid: number, file: string, field: string, e: unknown): IdMapError {
  const code = (e as { code?: string }).code ?? (e as Error).message;
  return new IdMapError(`${field}: writing /proc/${pid}/${file}: ${code}`);
}

/**
 * The host ID that `id` inside a user namespace is, from the namespace's
 * uid_map or gid_map text; undefined when the map leaves it out.
 */
export function hostIdOf(mapText: string, id: number): number | undefined {
  for (const line of mapText.split("\n")) {
    const [inside, outside, size] = line.trim().split(/\s+/).map(Number);
    if (id >= inside && id < inside + size) return outside + (id - inside);
  }
  return undefined;
}
