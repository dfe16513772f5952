/**
 * `run --image` and `create --image` (or `--rootfs`): the container's bundle
 * is prepared in the image store before runc's create path takes it over,
 * and removed again when the container could not be made.
 */
import type { Syscalls } from "../ffi/syscalls.ts";
import { prepareImageBundle } from "../runtime/image/container.ts";
import { removeImageBundle } from "../runtime/image/marker.ts";
import { checkImagePlatform, parsePlatform } from "../runtime/image/platform.ts";
import { ImageStore } from "../runtime/image/store.ts";
import type { SpecOpt } from "../runtime/specopts/types.ts";
import type { StateStore } from "../runtime/state/store.ts";
import type { FlagValues } from "./command.ts";
import { pull } from "./commands/image.ts";
import { imageSpecOpts, rootSource } from "./image_flags.ts";




/** The store named by --store, holding the --image asked for: pulled first when missing, as docker run does. */
export async function storeWithImage(sys: Syscalls, flags: FlagValues): Promise<ImageStore> {
  const store = new ImageStore(sys, (flags.store as string | undefined) || undefined);
  if (flags.platform !== undefined) parsePlatform(flags.platform as string);
  if (flags.image && !store.resolve(flags.image as string)) await pull(store, flags, flags.image as string);
  if (flags.image && flags.platform !== undefined) checkImagePlatform(store, flags.image as string, flags.platform as string);
  return store;
}

/** The prepared bundle's directory; `extra`: a script's own spec options, applied after the flags'. */
export async function prepareBundle(sys: Syscalls, flags: FlagValues, id: string, command: string[], extra: SpecOpt[] = []): Promise<string> {
  const store = await storeWithImage(sys, flags);
  return await prepareImageBundle(sys, store, rootSource(flags), id, [...imageSpecOpts(sys, flags, command), ...extra]);
}

/** Runs `body`; if it fails before the container exists, its prepared bundle goes too. */
export async function withPreparedBundle<T>(sys: Syscalls, state: StateStore, bundle: string, id: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (!state.exists(id)) removeImageBundle(sys, bundle, id);
    throw e;
  }
}

