/**
 * Telling whether a recorded PID is still the container's process. PIDs are
 * reused, so a PID alone proves nothing: the start time in /proc/PID/stat
 * (clock ticks since boot) must match the one recorded at create.
 */
import { readFileSync } from "../host_fs.ts";

export interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

/** Parses /proc/PID/stat, whose second field (comm) may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).trim().split(" ");
  // fields[0] is field 3 of proc(5): state; ppid is field 4, starttime field 22.
  return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
}

export function readProcStat(pid: number, procRoot = "/proc"): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** True while `pid` exists, is the process started at `startTime`, and is not a zombie. */
export function isSameLiveProcess(pid: number, startTime: string, procRoot = "/proc"): boolean {
  if (pid <= 0) return false;
  const stat = readProcStat(pid, procRoot);
  return stat !== null && stat.startTime === startTime && stat.state !== "Z" && stat.state !== "X";
}
