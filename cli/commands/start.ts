import { startContainer } from "../../runtime/container/start.ts";
import type { Command } from "../command.ts";
import { lifecycle } from "../lifecycle.ts";

export const startCommand: Command = {
  name: "start",
  summary: "execute the user process in a created container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  flags: {},
  async run(ctx, _flags, [id]) {
    startContainer(await lifecycle(ctx), id);
    return 0;
  },
};
