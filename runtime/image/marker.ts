/**
 * The file that says a bundle directory was made by runt for one container
 * from an image: only such a directory is removed with its container, and
 * the layers it names are kept by prune. Light on imports: delete loads it.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "../host_fs.ts";
import { join } from "../path.ts";
import { MNT_DETACH } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

const MARKER = "runt-image-bundle.json";

export interface Marker {
  id: string;
  image: string;
  /** The unpacked layers the rootfs stands on, lowest first. */
  layers: string[];
  rootfs: "overlay" | "copy" | "directory";
}

export function writeMarker(bundle: string, marker: Marker): void {
  writeFileSync(join(bundle, MARKER), JSON.stringify(marker) + "\n");
}

/** Removes the bundle of container `id` if `bundle` is one runt made for it; anything else is left alone. */
export function removeImageBundle(sys: Syscalls, bundle: string, id: string): void {
  const marker = readMarker(bundle);
  if (marker?.id !== id) return;
  try {
    sys.umount2(join(bundle, "rootfs"), MNT_DETACH);
  } catch (e) {
    // Not mounted: a copy, or a bundle whose mount failed.
    if (!isErrno(e, "EINVAL") && !isErrno(e, "ENOENT")) throw e;
  }
  rmSync(bundle, { recursive: true, force: true });
}

function readMarker(bundle: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(bundle, MARKER), "utf8")) as Marker;
  } catch {
    return undefined;
  }
}

/** The layers containers made from images stand on: prune must keep them. */
export function layersInUse(storeRoot: string): Set<string> {
  const dir = join(storeRoot, "containers");
  const used = new Set<string>();
  for (const id of existsSync(dir) ? readdirSync(dir) : []) for (const layer of readMarker(join(dir, id))?.layers ?? []) used.add(layer);
  return used;
}
