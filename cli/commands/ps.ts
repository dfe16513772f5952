import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { writeAll } from "../../runtime/host.ts";

export const psCommand: Command = {
  name: "ps",
  summary: "display the processes running inside a container",
  args: "<container-id> [ps options]",
  minArgs: 1,
  maxArgs: Infinity,
  verbatimAfter: 1,
  description: `The processes are those of the container's cgroup. As a table, the host's ps
runs with the given options (default -ef) and keeps its header and the lines of
those processes; as json, the PIDs.`,
  flags: {
    format: { type: "string", short: "f", value: "table|json", description: "output format", default: "table" },
  },
  async run(ctx, flags, [id, ...psArgs]) {
    const format = flags.format as string;
    if (format !== "table" && format !== "json") throw new UsageError(`--format: expected table or json, got "${format}"`);
    const [{ containerPids, filterPsOutput, hostPs }, { StateStore }] = await Promise.all([
      import("../../runtime/container/ps.ts"),
      import("../../runtime/state/store.ts"),
    ]);
    const pids = containerPids(new StateStore(ctx.global.root), id);
    writeAll(1, format === "json" ? JSON.stringify(pids) + "\n" : filterPsOutput(hostPs(psArgs), pids));
    return 0;
  },
};
