import type { Command } from "../command.ts";
import { lifecycle } from "../lifecycle.ts";

export const pauseCommand: Command = {
  name: "pause",
  summary: "suspend every process in a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Freezes the container's cgroup (v1 freezer, v2 cgroup.freeze); its status is
"paused" until 'runt resume'. Signals sent meanwhile are delivered on resume.`,
  flags: {},
  async run(ctx, _flags, [id]) {
    const { pauseContainer } = await import("../../runtime/container/pause.ts");
    pauseContainer(await lifecycle(ctx), id);
    return 0;
  },
};
