import { features } from "../../runtime/features.ts";
import type { Command } from "../command.ts";
import { writeAll } from "../../runtime/host.ts";

export const featuresCommand: Command = {
  name: "features",
  summary: "show the enabled features",
  description: `Prints the Features structure of the OCI runtime spec (features.md) as JSON:
what runt recognizes in config.json, so callers can check before they create.`,
  flags: {},
  run() {
    writeAll(1, JSON.stringify(features(), null, 4) + "\n");
    return 0;
  },
};
