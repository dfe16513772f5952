/**
 * `runt image pull REF`: the manifest for this host (an index or manifest
 * list resolved to its platform), then the config and the layers the store
 * lacks, a few at a time, into scratch files the store checks by digest.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { digestHex } from "../image/digest.ts";
import { ImageError } from "../image/errors.ts";
import { type Index, isIndex, type Manifest, parseJson, pickManifest } from "../image/oci.ts";
import type { ImageStore } from "../image/store.ts";
import { credentialsFor } from "./auth.ts";
import { type ClientOptions, RegistryClient } from "./client.ts";
import { parseReference } from "./reference.ts";

/** Layers fetched at once. */
const PARALLEL = 3;

/** Returns the name the image is stored under. */
export async function pullImage(store: ImageStore, ref: string, options: ClientOptions = {}): Promise<string> {
  const target = parseReference(ref);
  const client = new RegistryClient(target, { ...options, creds: options.creds ?? credentialsFor(target.host) });
  let top = await client.manifest(target.reference);
  if (isIndex(top.mediaType) || isIndex(parseJson<{ mediaType?: string }>(top.bytes, target.name).mediaType)) {
    const chosen = pickManifest(parseJson<Index>(top.bytes, target.name), target.name);
    top = await client.manifest(chosen.digest);
  }
  const manifest = parseJson<Manifest>(top.bytes, top.digest);
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new ImageError(`${target.name}: not an image manifest`);
  const scratch = store.scratchDir();
  try {
    const missing = [manifest.config, ...manifest.layers].filter((d) => !store.hasBlob(d.digest));
    const queue = [...missing];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await client.blob(d.digest, join(scratch, digestHex(d.digest, target.name)));
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
    return await store.add({
      name: target.name,
      manifest: top.bytes,
      manifestDigest: top.digest,
      blobPath: (digest) => (store.hasBlob(digest) ? store.blobPath(digest) : join(scratch, digestHex(digest, target.name))),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
