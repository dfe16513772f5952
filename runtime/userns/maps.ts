/**
 * Writing a new user namespace's ID maps, from outside it: the one place
 * that does, so a runtime run without root can replace it with
 * newuidmap/newgidmap. As root no "deny" goes to /proc/PID/setgroups (runc
 * writes it only when an unprivileged runtime maps its own IDs directly).
 */
import { writeFileSync } from "node:fs";
import type { LinuxIDMapping, Spec } from "../spec/schema.ts";
import { RuntError } from "../errors.ts";

export class IdMapError extends RuntError {}

/** The file's text: one "containerID hostID size" line per range, written in one write(2) as the kernel needs. */
export function idMapText(mappings: readonly LinuxIDMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

/** Gives the user namespace of process `pid` the config's maps; each file can be written once. */
export function writeIdMaps(pid: number, spec: Spec): void {
  for (const [field, file] of [["uidMappings", "uid_map"], ["gidMappings", "gid_map"]] as const) {
    const text = idMapText(spec.linux?.[field] ?? []);
    try {
      writeFileSync(`/proc/${pid}/${file}`, text);
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).message;
      throw new IdMapError(`linux.${field}: writing /proc/${pid}/${file}: ${code}`);
    }
  }
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
