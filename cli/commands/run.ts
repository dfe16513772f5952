import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { checkPlainArgs, IMAGE_FLAGS, imageArgsAfter, usesImage } from "../image_args.ts";
import { CREATE_FLAGS, createOptions } from "../create_flags.ts";
import { lifecycle } from "../lifecycle.ts";

export const runCommand: Command = {
  name: "run",
  summary: "create and run a container",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: Infinity,
  verbatimAfter: imageArgsAfter,
  description: `Creates and starts the container. In the foreground, runt waits for it,
forwards SIGINT, SIGTERM, SIGHUP and other signals to its PID 1, deletes it
afterwards (unless --keep) and exits with its exit status (128+N for signal N).
With --image REF (or --rootfs DIR), as "runt run --image REF [options] ID
[CMD…]", the bundle is made from the image and the options below; the
container then stays, stopped, after it exits (runt delete removes it and its
root filesystem) unless --rm.`,
  flags: {
    ...CREATE_FLAGS,
    detach: { type: "boolean", short: "d", description: "return once the container is running" },
    keep: { type: "boolean", description: "keep the container's state after it exits" },
    "no-subreaper": { type: "boolean", description: "accepted for runc compatibility: runt never makes itself a child subreaper" },
    ...IMAGE_FLAGS,
    rm: { type: "boolean", description: "with --image: remove the container and its root filesystem when it exits" },
  },
  async run(ctx, flags, [id, ...command]) {
    checkPlainArgs(runCommand, flags, [id, ...command]);
    const context = await lifecycle(ctx);
    // Loaded on demand: config validation is the costliest module to load.
    const { runContainer } = await import("../../runtime/container/run.ts");
    if (!usesImage(flags)) {
      return await runContainer(context, { ...createOptions(ctx, flags, id), detach: flags.detach === true, keep: flags.keep === true });
    }
    if (flags.rm && flags.detach) throw new UsageError("--rm and --detach cannot be used together");
    const { prepareBundle, withPreparedBundle } = await import("../image_container.ts");
    const bundle = await prepareBundle(context.sys, flags, id, command);
    const options = { ...createOptions(ctx, { ...flags, bundle }, id), detach: flags.detach === true, keep: flags.rm !== true };
    return await withPreparedBundle(context.sys, context.store, bundle, id, () => runContainer(context, options));
  },
};
