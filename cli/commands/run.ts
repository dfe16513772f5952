import type { Command } from "../command.ts";
import { CREATE_FLAGS, createOptions, lifecycle } from "../lifecycle.ts";

export const runCommand: Command = {
  name: "run",
  summary: "create and run a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Creates and starts the container. In the foreground, runt waits for it,
forwards SIGINT, SIGTERM, SIGHUP and other signals to its PID 1, deletes it
afterwards (unless --keep) and exits with its exit status (128+N for signal N).`,
  flags: {
    ...CREATE_FLAGS,
    detach: { type: "boolean", short: "d", description: "return once the container is running" },
    keep: { type: "boolean", description: "keep the container's state after it exits" },
    "no-subreaper": { type: "boolean", description: "accepted for runc compatibility: runt never makes itself a child subreaper" },
  },
  async run(ctx, flags, [id]) {
    const options = { ...createOptions(ctx, flags, id), detach: flags.detach === true, keep: flags.keep === true };
    // Loaded on demand: config validation is the costliest module to load.
    const { runContainer } = await import("../../runtime/container/run.ts");
    return await runContainer(await lifecycle(ctx), options);
  },
};
