/** The status a container has now, read off its record, the live process and its cgroup's freezer. */
import { readFileSync } from "../host_fs.ts";
import { type FreezerReader, freezerState } from "../cgroups/freezer.ts";
import type { ContainerRecord, Status } from "../state/record.ts";
import { isSameLiveProcess } from "../state/process.ts";

export function isAlive(record: ContainerRecord): boolean {
  return record.pid > 0 && isSameLiveProcess(record.pid, record.pidStartTime);
}

export function containerStatus(record: ContainerRecord): Status {
  if (record.phase === "creating" && createDied(record)) return "stopped";
  // A create that has not spawned its init yet has nothing else to check.
  if (record.phase === "creating" && record.pid === 0) return "creating";
  if (record.phase === "stopped" || !isAlive(record)) return "stopped";
  if (record.phase !== "creating" && isFrozen(record)) return "paused";
  return record.phase;
}

/**
 * A record still "creating" whose runt is gone: killed midway, it left a
 * broken container that will never be created. Shown as "stopped", as runc
 * shows a broken one, so a manager deletes it; an init it left waiting is
 * killed by delete like any other.
 */
export function createDied(record: ContainerRecord): boolean {
  return record.creator !== undefined && !isSameLiveProcess(record.creator.pid, record.creator.startTime);
}

/**
 * The freezer's two files read directly: `state` and `list` need no more,
 * and the cgroup manager (with its systemd client) takes longer to load
 * than the read itself.
 */
const freezerFiles: FreezerReader = {
  read: (path) => readFileSync(path, "utf8"),
  readIfExists(path) {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  },
};

/** Paused is not recorded but read off the freezer, so a thaw by anyone else shows at once. */
export function isFrozen(record: ContainerRecord): boolean {
  if (!record.cgroup) return false;
  try {
    return freezerState(freezerFiles, record.cgroup) === "frozen";
  } catch {
    // A freezer file that cannot be read is a cgroup nobody froze through runt.
    return false;
  }
}
