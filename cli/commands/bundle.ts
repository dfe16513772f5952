/** `runt bundle --image REF [options] DIR [CMD…]`: a bundle for runc or any OCI runtime, from a stored image. */
import { loadSyscalls } from "../../ffi/mod.ts";
import { writeImageBundle } from "../../runtime/image/bundle.ts";
import type { Command } from "../command.ts";
import { storeWithImage } from "../image_container.ts";
import { IMAGE_FLAGS, imageSpecOpts, rootSource } from "../image_flags.ts";

export const bundleCommand: Command = {
  name: "bundle",
  summary: "write a bundle (rootfs + config.json) from an image, for runc or any OCI runtime",
  args: "DIR [CMD [ARG...]]",
  flags: IMAGE_FLAGS,
  verbatimAfter: 1,
  minArgs: 1,
  maxArgs: Infinity,
  async run(_ctx, flags, [dir, ...args]) {
    const sys = await loadSyscalls();
    const store = await storeWithImage(sys, flags);
    await writeImageBundle(sys, store, rootSource(flags), dir, imageSpecOpts(sys, flags, args));
    return 0;
  },
};
