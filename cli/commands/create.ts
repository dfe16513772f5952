import type { Command } from "../command.ts";
import { checkPlainArgs, IMAGE_FLAGS, imageArgsAfter, usesImage } from "../image_args.ts";
import { CREATE_FLAGS, createOptions } from "../create_flags.ts";
import { lifecycle } from "../lifecycle.ts";

export const createCommand: Command = {
  name: "create",
  summary: "create a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: Infinity,
  verbatimAfter: imageArgsAfter,
  description: `Builds the container described by the bundle's config.json and returns once
it is ready to run its process: namespaces, root filesystem and mounts, devices,
credentials — everything but the process itself, which 'runt start' releases.
The container's stdio is the stdio given to 'runt create'; with
process.terminal, the terminal's master goes to --console-socket instead.
SIGINT, SIGTERM and the like are ignored until the container is made, as runc
ignores them, so a creation is never left half-way.
With --image REF (or --rootfs DIR), as "runt create --image REF [options] ID
[CMD…]", the bundle is made from the image and the options below; runt delete
removes it with the container.`,
  flags: { ...CREATE_FLAGS, ...IMAGE_FLAGS },
  async run(ctx, flags, [id, ...command]) {
    checkPlainArgs(createCommand, flags, [id, ...command]);
    // Loaded on demand: config validation is the costliest module to load.
    const { createContainer } = await import("../../runtime/container/create.ts");
    const { forwardSignals } = await import("../../runtime/container/wait.ts");
    const context = await lifecycle(ctx);
    const image = usesImage(flags) ? await import("../image_container.ts") : undefined;
    const bundle = image ? await image.prepareBundle(context.sys, flags, id, command) : undefined;
    const options = createOptions(ctx, bundle ? { ...flags, bundle } : flags, id);
    // Held and dropped, as runc does: a SIGTERM half-way would leave the container half-made.
    const signals = forwardSignals(context.sys);
    try {
      const create = () => createContainer(context, options);
      await (image && bundle ? image.withPreparedBundle(context.sys, context.store, bundle, id, create) : create());
    } finally {
      signals.stop();
    }
    return 0;
  },
};
