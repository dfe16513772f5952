/** The status a container has now, read off its record and the live process. */
import type { ContainerRecord, Status } from "../state/record.ts";
import { isSameLiveProcess } from "../state/process.ts";

export function isAlive(record: ContainerRecord): boolean {
  return record.pid > 0 && isSameLiveProcess(record.pid, record.pidStartTime);
}

export function containerStatus(record: ContainerRecord): Status {
  // A create that has not spawned its init yet has nothing to check.
  if (record.phase === "creating" && record.pid === 0) return "creating";
  if (record.phase === "stopped" || !isAlive(record)) return "stopped";
  return record.phase;
}
