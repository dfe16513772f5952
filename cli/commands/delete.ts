import type { Command } from "../command.ts";
import { lifecycle } from "../lifecycle.ts";

export const deleteCommand: Command = {
  name: "delete",
  summary: "delete a container and everything it holds",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Removes a stopped or created container and runs its poststop hooks. A running
container is refused unless --force, which kills it first. With --force, a
container that does not exist is not an error (exit status 0, as with runc):
shims call it after the fact.`,
  flags: {
    force: { type: "boolean", short: "f", description: "kill the container first if it is running" },
  },
  async run(ctx, flags, [id]) {
    const [{ deleteContainer }, { loadCgroupDriverOf }, { ContainerNotFoundError }] = await Promise.all([
      import("../../runtime/container/delete.ts"),
      import("../../runtime/container/access.ts"),
      import("../../runtime/state/store.ts"),
    ]);
    try {
      const context = await lifecycle(ctx);
      await loadCgroupDriverOf(context, id);
      deleteContainer(context, id, flags.force === true);
    } catch (e) {
      if (!(flags.force === true && e instanceof ContainerNotFoundError)) throw e;
    }
    return 0;
  },
};
