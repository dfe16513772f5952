/**
 * The bundle of a container made from an image (`run --image`, `create
 * --image`): STORE/containers/ID holds config.json and a rootfs that is an
 * overlayfs of the image's unpacked layers (shared, read-only) under the
 * container's own upper directory — or, where the kernel refuses overlayfs,
 * a copy of the layers. A marker file names the container, so deleting it
 * removes exactly this directory, and prune keeps the layers it uses.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { SpecOpt } from "../specopts/types.ts";
import { copyLayers, type RootSource, sourceManifest, writeImageSpec } from "./bundle.ts";
import { ImageError } from "./errors.ts";
import { type Marker, removeImageBundle, writeMarker } from "./marker.ts";
import { needsRemap, remapOwnership } from "./remap.ts";
import type { ImageStore } from "./store.ts";

export function containerBundleDir(store: ImageStore, id: string): string {
  return join(store.root, "containers", id);
}

/** Makes the bundle; returns its directory. Nothing is left when it fails. */
export async function prepareImageBundle(
  sys: Syscalls,
  store: ImageStore,
  source: RootSource,
  id: string,
  opts: SpecOpt[],
): Promise<string> {
  const manifest = sourceManifest(store, source);
  const dir = containerBundleDir(store, id);
  if (existsSync(dir)) throw new ImageError(`container "${id}": ${dir} already exists (runt delete ${id} removes it)`);
  mkdirSync(join(store.root, "containers"), { recursive: true, mode: 0o700 });
  mkdirSync(dir, { mode: 0o700 });
  const layers = manifest ? store.layers(manifest) : [];
  const marker: Marker = { id, image: source.image ?? source.rootfs!, layers, rootfs: manifest ? "overlay" : "directory" };
  writeMarker(dir, marker);
  try {
    if (!manifest) {
      writeImageSpec(sys, dir, undefined, opts, source.rootfs);
      return dir;
    }
    const rootfs = join(dir, "rootfs");
    for (const sub of ["rootfs", "upper", "work"]) mkdirSync(join(dir, sub), { mode: 0o755 });
    if (!mountOverlay(sys, layers, dir)) {
      marker.rootfs = "copy";
      writeMarker(dir, marker);
      await copyLayers(sys, store, manifest, rootfs);
    }
    const spec = writeImageSpec(sys, dir, store.config(manifest), opts);
    if (needsRemap(spec)) {
      // The shared layers cannot be the root of a user namespace: a shifted copy instead.
      if (marker.rootfs === "overlay") {
        sys.umount2(rootfs, 0);
        writeMarker(dir, { ...marker, rootfs: "copy" });
        await copyLayers(sys, store, manifest, rootfs);
      }
      remapOwnership(rootfs, spec);
      // The container's root, an unprivileged ID on the host, must reach its root filesystem to mount it.
      for (const d of [join(store.root, "containers"), dir]) chmodSync(d, 0o711);
    }
    return dir;
  } catch (e) {
    removeImageBundle(sys, dir, id);
    throw e;
  }
}

/** False where the kernel refuses overlayfs here (then the caller copies). */
function mountOverlay(sys: Syscalls, layers: string[], dir: string): boolean {
  const lower = [...layers].reverse().join(":");
  const data = `lowerdir=${lower},upperdir=${join(dir, "upper")},workdir=${join(dir, "work")}`;
  try {
    sys.mount("overlay", join(dir, "rootfs"), "overlay", 0, data);
    return true;
  } catch (e) {
    if (isErrno(e, "EPERM") || isErrno(e, "EINVAL") || isErrno(e, "ENODEV")) return false;
    throw e;
  }
}
