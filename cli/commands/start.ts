import type { Command } from "../command.ts";
import { lifecycle, notifySocketFromEnv } from "../lifecycle.ts";

export const startCommand: Command = {
  name: "start",
  summary: "execute the user process in a created container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Releases the container's process. With NOTIFY_SOCKET in the environment (a
container created with it too), start returns once the container has sent
READY=1, passed on to that socket with MAINPID set to the container's PID 1,
or once the container's PID 1 is gone.`,
  flags: {},
  async run(ctx, _flags, [id]) {
    const { startAndAwaitReady } = await import("../../runtime/container/release.ts");
    await startAndAwaitReady(await lifecycle(ctx), id, { notifySocket: notifySocketFromEnv() });
    return 0;
  },
};
