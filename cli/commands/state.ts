import { writeAll } from "../../runtime/host.ts";
import type { Command } from "../command.ts";

export const stateCommand: Command = {
  name: "state",
  summary: "output the state of a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: "Prints the container's state as JSON (state-schema.json plus runc's created, owner and rootfs).",
  flags: {},
  async run(ctx, _flags, [id]) {
    const [{ containerState }, { StateStore }] = await Promise.all([import("../../runtime/container/query.ts"), import("../../runtime/state/store.ts")]);
    // runc's state leaves owner empty (only list looks it up); scripts comparing the two rely on that.
    const state = { ...containerState(new StateStore(ctx.global.root), id), owner: "" };
    // Without a final newline, as runc prints it.
    writeAll(1, JSON.stringify(state, null, 2));
    return 0;
  },
};
