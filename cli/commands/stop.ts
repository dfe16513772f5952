import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { lifecycle } from "../lifecycle.ts";

export const stopCommand: Command = {
  name: "stop",
  summary: "stop a container: its stop signal, then SIGKILL after a timeout",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Sends the container's stop signal (the image's StopSignal, as the
org.opencontainers.image.stopSignal annotation; SIGTERM otherwise), waits up to
the timeout for the process to exit, then sends SIGKILL. Exits 0 once the
container is stopped. 'kill' keeps runc's meaning: one signal, no waiting.`,
  flags: {
    time: { type: "string", short: "t", value: "SECONDS", description: "how long to wait before SIGKILL (default 10)" },
  },
  async run(ctx, flags, [id]) {
    const text = (flags.time as string | undefined) ?? "10";
    const seconds = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(seconds)) throw new UsageError(`--time: expected seconds, got "${text}"`);
    const { stopContainer } = await import("../../runtime/container/stop.ts");
    stopContainer(await lifecycle(ctx), id, seconds);
    return 0;
  },
};
