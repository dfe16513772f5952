import { writeFileSync } from "../../runtime/host_fs.ts";
import { join } from "../../runtime/path.ts";
import { bundleDir, CONFIG_FILE } from "../../runtime/bundle.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

export const specCommand: Command = {
  name: "spec",
  summary: "create a new specification file",
  description: `Writes a starter config.json into the bundle directory: the same config
'runc spec' writes, with runt's ociVersion and hostname. Edit process.args
before running it; the default runs "sh".

EXAMPLE:
   mkdir -p bundle/rootfs && cd bundle
   # fill rootfs/, e.g. from a busybox-static install
   runt spec
   sed -i 's/"sh"/"\\/bin\\/busybox", "echo", "hi"/' config.json`,
  flags: {
    bundle: { type: "string", short: "b", value: "DIR", description: "path to the root of the bundle directory" },
    rootless: { type: "boolean", description: "generate a configuration for a rootless container" },
  },
  run(_ctx, flags) {
    const dir = bundleDir(flags.bundle as string | undefined);
    const file = join(dir, CONFIG_FILE);
    const text = JSON.stringify(defaultSpec({ rootless: flags.rootless === true }), null, "\t") + "\n";
    try {
      // Exclusive create: never overwrite a config someone has edited.
      writeFileSync(file, text, { flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        throw new UsageError(`${file} already exists; remove it first`);
      }
      throw e;
    }
    return 0;
  },
};
