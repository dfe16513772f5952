/** `runt bundle --image REF [options] DIR [CMD…]`: a bundle for runc or any OCI runtime, from a stored image. */
import type { Command } from "../command.ts";
import { IMAGE_FLAGS } from "../image_args.ts";

export const bundleCommand: Command = {
  name: "bundle",
  summary: "write a bundle (rootfs + config.json) from an image, for runc or any OCI runtime",
  args: "DIR [CMD [ARG...]]",
  flags: IMAGE_FLAGS,
  verbatimAfter: 1,
  minArgs: 1,
  maxArgs: Infinity,
  async run(_ctx, flags, [dir, ...args]) {
    // Loaded on demand, as every command's own code: the CLI starts with only what parsing needs.
    const { loadSyscalls } = await import("../../ffi/mod.ts");
    const { writeImageBundle } = await import("../../runtime/image/bundle.ts");
    const { storeWithImage } = await import("../image_container.ts");
    const { imageSpecOpts, rootSource } = await import("../image_flags.ts");
    const sys = await loadSyscalls();
    const store = await storeWithImage(sys, flags);
    await writeImageBundle(sys, store, rootSource(flags), dir, imageSpecOpts(sys, flags, args));
    return 0;
  },
};
