/**
 * newuidmap/newgidmap (shadow's setuid helpers, Debian package uidmap):
 * how a user without root gives a user namespace more than its own ID, from
 * the ranges /etc/subuid and /etc/subgid grant it. runc calls the same
 * tools, found on PATH, when its own write is refused.
 */
import { effectiveGid, effectiveUid, type ProgramResult, runProgram } from "../host.ts";
import type { LinuxIDMapping } from "../spec/schema.ts";
import { IdMapError } from "./errors.ts";

/** Runs `tool PID containerID hostID size …`; `field` names the map in errors. */
export function runMapTool(tool: "newuidmap" | "newgidmap", pid: number, mappings: readonly LinuxIDMapping[], field: string): void {
  const args = [String(pid), ...mappings.flatMap((m) => [m.containerID, m.hostID, m.size].map(String))];
  const own = tool === "newuidmap" ? `uid ${effectiveUid()}` : `gid ${effectiveGid()}`;
  const file = tool === "newuidmap" ? "/etc/subuid" : "/etc/subgid";
  let r: ProgramResult;
  try {
    r = runProgram(tool, args);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new IdMapError(`${field}: maps other than ${own} alone need ${tool}${missing ? " (Debian package uidmap), which is not installed" : `: ${(e as Error).message}`}`);
  }
  if (r.status !== 0) {
    const said = r.stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "").at(-1) ?? `exit status ${r.status}`;
    throw new IdMapError(`${field}: ${tool} refused the maps (${said}); a user without root may map ${own} and the ranges ${file} gives it`);
  }
}
