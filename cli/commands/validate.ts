import { join } from "../../runtime/path.ts";
import { bundleDir, CONFIG_FILE } from "../../runtime/bundle.ts";
import type { Command } from "../command.ts";

export const validateCommand: Command = {
  name: "validate",
  summary: "check a bundle's config.json against the OCI runtime spec",
  description: `Prints one line per problem, each naming the JSON path of the field and
what is expected, and exits 1; exits 0 for a valid config, printing only warnings
for what runc reads other than as written (a key in another case, such as
"pagesize" for "pageSize").
Catches before 'create' what would otherwise fail half-way through it.`,
  flags: {
    bundle: { type: "string", short: "b", value: "DIR", description: "path to the root of the bundle directory" },
    config: { type: "string", value: "FILE", description: "check FILE instead of the bundle's config.json" },
  },
  async run(ctx, flags) {
    const { readConfigFile } = await import("../../runtime/config_file.ts");
    const file = (flags.config as string | undefined) ?? join(bundleDir(flags.bundle as string | undefined), CONFIG_FILE);
    readConfigFile(file, (line) => ctx.log.warn(line));
    return 0;
  },
};
