import type { Command } from "../command.ts";
import { lifecycle } from "../lifecycle.ts";
import { signalArg } from "../signal_arg.ts";

export const killCommand: Command = {
  name: "kill",
  summary: "send a signal to a container's init process",
  args: "<container-id> [signal]",
  minArgs: 1,
  maxArgs: 2,
  description: `The signal is a name (TERM, SIGKILL) or a number; the default is SIGTERM.
Signal 0 sends nothing and checks the container is alive: exit status 0 while
its process exists (created, running or paused), 1 otherwise, as with runc.`,
  flags: {
    all: { type: "boolean", short: "a", description: "send the signal to every process in the container" },
  },
  async run(ctx, flags, [id, signal]) {
    const { killContainer } = await import("../../runtime/container/kill.ts");
    // kill(2)'s signal 0: the liveness check scripts and managers use.
    const number = signal === "0" ? 0 : signalArg(signal ?? "SIGTERM");
    killContainer(await lifecycle(ctx), id, number, flags.all === true);
    return 0;
  },
};
