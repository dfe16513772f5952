import type { Command } from "../command.ts";
import { CREATE_FLAGS, createOptions, lifecycle } from "../lifecycle.ts";

export const createCommand: Command = {
  name: "create",
  summary: "create a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Builds the container described by the bundle's config.json and returns once
it is ready to run its process: namespaces, root filesystem and mounts, devices,
credentials — everything but the process itself, which 'runt start' releases.
The container's stdio is the stdio given to 'runt create'; with
process.terminal, the terminal's master goes to --console-socket instead.
SIGINT, SIGTERM and the like are ignored until the container is made, as runc
ignores them, so a creation is never left half-way.`,
  flags: CREATE_FLAGS,
  async run(ctx, flags, [id]) {
    const options = createOptions(ctx, flags, id);
    // Loaded on demand: config validation is the costliest module to load.
    const { createContainer } = await import("../../runtime/container/create.ts");
    const { forwardSignals } = await import("../../runtime/container/wait.ts");
    const context = await lifecycle(ctx);
    // Held and dropped, as runc does: a SIGTERM half-way would leave the container half-made.
    const signals = forwardSignals(context.sys);
    try {
      await createContainer(context, options);
    } finally {
      signals.stop();
    }
    return 0;
  },
};
