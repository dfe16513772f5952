/**
 * `runt.run({ image, … })` and `runt.create({ image, … })`: the bundle is
 * prepared as `run --image` prepares it (cli/image_container.ts), then the
 * container is made by the same create and run paths, with the script's
 * stdio.
 */
import { prepareBundle, withPreparedBundle } from "../../cli/image_container.ts";
import type { LifecycleContext } from "../container/context.ts";
import { createContainer } from "../container/create.ts";
import { type Input, openStdio, type Output } from "./capture.ts";
import { Container } from "./container.ts";
import { imageFlagValues, type ImageOptions } from "./image_options.ts";

export interface ImageRunOptions extends ImageOptions {
  /** The container's ID; a generated one by default. */
  id?: string;
  stdin?: Input;
  stdout?: Output;
  stderr?: Output;
  /** Keep the stopped container (and its root filesystem) instead of removing it. */
  keep?: boolean;
}

export interface RunResult {
  /** The exit code, 128+N for signal N. */
  status: number;
  /** What the container wrote, when piped. */
  stdout?: string;
  stderr?: string;
}

const OWN = ["id", "stdin", "stdout", "stderr", "keep"] as const;

/** Create, start, wait, then delete (unless `keep`), as `runt run --image --rm` does. */
export async function runImage(ctx: LifecycleContext, storeRoot: string | undefined, options: ImageRunOptions): Promise<RunResult> {
  const stdio = { stdin: options.stdin ?? "null", stdout: options.stdout ?? "piped", stderr: options.stderr ?? "piped" } as const;
  const { container, output } = await createWithStdio(ctx, storeRoot, { ...options, ...stdio });
  try {
    container.start();
    const [status, captured] = await Promise.all([container.wait(), output]);
    return { status, ...captured };
  } finally {
    if (!options.keep) container.delete({ force: true });
  }
}

export async function createFromImage(ctx: LifecycleContext, storeRoot: string | undefined, options: ImageRunOptions): Promise<Container> {
  const { container, output } = await createWithStdio(ctx, storeRoot, options);
  container.output = output;
  return container;
}

/** The container, and its captured output once its pipes are at their end. */
async function createWithStdio(ctx: LifecycleContext, storeRoot: string | undefined, options: ImageRunOptions) {
  const id = options.id ?? `runt-${crypto.randomUUID().slice(0, 8)}`;
  const bundle = await bundleFor(ctx, storeRoot, id, options);
  const stdio = openStdio(ctx.sys, options.stdin ?? "inherit", options.stdout ?? "inherit", options.stderr ?? "inherit");
  try {
    const create = () => createContainer(ctx, { id, bundle, stdio: stdio.fds });
    const record = await withPreparedBundle(ctx.sys, ctx.store, bundle, id, create);
    stdio.spawned();
    return { container: new Container(ctx, id, record.pid), output: stdio.drained().finally(() => stdio.close()) };
  } catch (e) {
    stdio.close();
    throw e;
  }
}

function bundleFor(ctx: LifecycleContext, storeRoot: string | undefined, id: string, options: ImageRunOptions): Promise<string> {
  const flags = { ...imageFlagValues(options, OWN), store: storeRoot };
  return prepareBundle(ctx.sys, flags, id, options.args ?? [], options.specOpts ?? []);
}
