import type { Command } from "../command.ts";
import { lifecycle } from "../lifecycle.ts";

export const resumeCommand: Command = {
  name: "resume",
  summary: "resume every process of a paused container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: "Thaws the cgroup 'runt pause' froze.",
  flags: {},
  async run(ctx, _flags, [id]) {
    const { resumeContainer } = await import("../../runtime/container/pause.ts");
    resumeContainer(await lifecycle(ctx), id);
    return 0;
  },
};
