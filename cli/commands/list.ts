import { writeAll } from "../../runtime/host.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

export const listCommand: Command = {
  name: "list",
  summary: "list the containers under --root",
  flags: {
    format: { type: "string", short: "f", value: "table|json", description: "output format", default: "table" },
    quiet: { type: "boolean", short: "q", description: "print only the container IDs" },
  },
  async run(ctx, flags) {
    const format = flags.format as string;
    if (format !== "table" && format !== "json") throw new UsageError(`--format: expected table or json, got "${format}"`);
    const [{ listContainers }, { StateStore }] = await Promise.all([import("../../runtime/container/query.ts"), import("../../runtime/state/store.ts")]);
    const states = listContainers(new StateStore(ctx.global.root));
    if (flags.quiet) {
      writeAll(1, states.map((s) => s.id + "\n").join(""));
    } else if (format === "json") {
      // runc encodes an empty list as Go's nil slice: null.
      writeAll(1, JSON.stringify(states.length ? states : null) + "\n");
    } else {
      writeAll(1, table([
        ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"],
        ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]),
      ]));
    }
    return 0;
  },
};

/** Laid out as runc's tabwriter does it: columns at least 12 wide, 3 spaces of padding. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(12, ...rows.map((r) => r[col].length + 3)));
  return rows.map((r) => r.map((cell, col) => (col < r.length - 1 ? cell.padEnd(widths[col]) : cell)).join("") + "\n").join("");
}
