/**
 * `events`: the container's resource usage as runc's JSON events, once
 * (`--stats`) or as a stream — a stats event every interval and an "oom"
 * event whenever the kernel OOM-kills one of its processes — that ends
 * when the container stops.
 */
import { statsEventJson } from "../cgroups/stats.ts";
import type { CgroupManager } from "../cgroups/manager.ts";
import type { ContainerRecord } from "../state/record.ts";
import { cgroupOf } from "./access.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { containerStatus, isAlive } from "./status.ts";

/** How often the stream looks for OOM kills and for the container's end, at most. */
const POLL_MS = 100;

export interface EventStreamOptions {
  /** Between two stats events; the first comes one interval after the start, as runc's ticker has it. */
  intervalMs: number;
  /** Receives each event, one JSON object per call, without a newline. */
  emit(line: string): void;
}

/** The container's stats now, as one `{"type":"stats",...}` event. */
export function statsEvent(ctx: LifecycleContext, id: string): string {
  const { record, cgroup } = liveCgroup(ctx, id);
  return statsEventJson(record.id, cgroup.stats());
}

/** Streams events until the container stops. */
export async function streamEvents(ctx: LifecycleContext, id: string, options: EventStreamOptions): Promise<void> {
  const { record, cgroup } = liveCgroup(ctx, id);
  const oom = cgroup.oomEvents();
  const oomEvent = JSON.stringify({ type: "oom", id: record.id });
  let nextStats = Date.now() + options.intervalMs;
  for (;;) {
    await sleep(Math.max(0, Math.min(POLL_MS, nextStats - Date.now())));
    // OOM kills first: the one that ended the container is still reported.
    for (let n = oom.poll(); n > 0; n--) options.emit(oomEvent);
    if (!isAlive(record)) return;
    if (Date.now() >= nextStats) {
      options.emit(statsEventJson(record.id, cgroup.stats()));
      nextStats += options.intervalMs * Math.max(1, Math.ceil((Date.now() - nextStats) / options.intervalMs));
    }
  }
}

function liveCgroup(ctx: LifecycleContext, id: string): { record: ContainerRecord; cgroup: CgroupManager } {
  const record = ctx.store.read(id);
  const status = containerStatus(record);
  if (status === "stopped" || status === "creating") {
    throw new ContainerStateError(`cannot show events of container "${id}": it is ${status}, not running`);
  }
  return { record, cgroup: cgroupOf(ctx, record, "show events of") };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
