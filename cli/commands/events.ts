import { parseDuration } from "../../runtime/container/duration.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { lifecycle } from "../lifecycle.ts";
import { writeAll } from "../../runtime/host.ts";

export const eventsCommand: Command = {
  name: "events",
  summary: "display container events: OOM notifications and resource usage statistics",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Prints one JSON object per line, as runc does: a "stats" event every interval
and an "oom" event whenever the kernel kills one of the container's processes
for lack of memory, until the container stops. With --stats, one stats event.`,
  flags: {
    interval: { type: "string", value: "DURATION", description: "time between stats events (5s, 500ms, 1m)", default: "5s" },
    stats: { type: "boolean", description: "print the container's stats once and exit" },
  },
  async run(ctx, flags, [id]) {
    const intervalMs = intervalFlag(flags.interval as string);
    const lc = await lifecycle(ctx);
    const { statsEvent, streamEvents } = await import("../../runtime/container/events.ts");
    if (flags.stats) {
      writeAll(1, statsEvent(lc, id) + "\n");
      return 0;
    }
    await streamEvents(lc, id, { intervalMs, emit: (line) => writeAll(1, line + "\n") });
    return 0;
  },
};

function intervalFlag(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    throw new UsageError(`--interval: ${(e as Error).message}`);
  }
  if (ms <= 0) throw new UsageError(`--interval: must be greater than 0, got "${text}"`);
  return ms;
}
