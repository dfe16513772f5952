/**
 * `runt image pull REF`: the manifest for this host or --platform (an index
 * or manifest list resolved to that platform), then the config and the
 * layers the store lacks, a few at a time, into partial files named by
 * digest that outlive a failed pull so the next one resumes them.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { digestHex, digestOfFile } from "../image/digest.ts";
import { ImageError } from "../image/errors.ts";
import { type Descriptor, type Index, isIndex, type Manifest, parseJson, pickManifest } from "../image/oci.ts";
import type { ImageStore } from "../image/store.ts";
import { credentialsFor } from "./auth.ts";
import type { Platform } from "../image/platform.ts";
import { type ClientOptions, RegistryClient } from "./client.ts";
import type { PullProgress } from "./progress.ts";
import { parseReference } from "./reference.ts";

/** Layers fetched at once. */
const PARALLEL = 3;

export interface PullOptions extends ClientOptions {
  /** The platform an index is resolved to (default: this host's). */
  platform?: Platform;
  progress?: PullProgress;
}

/** Returns the name the image is stored under. */
export async function pullImage(store: ImageStore, ref: string, options: PullOptions = {}): Promise<string> {
  const target = parseReference(ref);
  const client = new RegistryClient(target, { ...options, creds: options.creds ?? credentialsFor(target.host) });
  let top = await client.manifest(target.reference);
  if (isIndex(top.mediaType) || isIndex(parseJson<{ mediaType?: string }>(top.bytes, target.name).mediaType)) {
    const chosen = pickManifest(parseJson<Index>(top.bytes, target.name), target.name, options.platform);
    top = await client.manifest(chosen.digest);
  }
  const manifest = parseJson<Manifest>(top.bytes, top.digest);
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new ImageError(`${target.name}: not an image manifest`);
  const partials = store.partialDir();
  const partial = (digest: string) => join(partials, digestHex(digest, target.name));
  const missing = [manifest.config, ...manifest.layers].filter((d) => !store.hasBlob(d.digest));
  const progress = options.progress;
  progress?.start(missing.length, missing.reduce((sum, d) => sum + d.size, 0));
  const fetchOne = async (d: Descriptor) => {
    const path = partial(d.digest);
    await client.blob(d.digest, path, d.size, (n) => progress?.bytes(n));
    // A whole that does not match was not worth keeping: the next pull starts it over.
    const got = await digestOfFile(path);
    if (got.digest !== d.digest) {
      rmSync(path, { force: true });
      throw new ImageError(`${target.name}: blob ${d.digest} does not match its digest (got ${got.digest})`);
    }
    progress?.blobDone();
  };
  const queue = [...missing];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) await fetchOne(d);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  } finally {
    progress?.finish();
  }
  const name = await store.add({
    name: target.name,
    manifest: top.bytes,
    manifestDigest: top.digest,
    blobPath: (digest) => (store.hasBlob(digest) ? store.blobPath(digest) : partial(digest)),
  });
  for (const d of missing) rmSync(partial(d.digest), { force: true });
  return name;
}
