/**
 * What `image load` reads: an OCI image layout directory, an oci-archive
 * (that layout in a tar) or a docker-archive (`docker save`: manifest.json,
 * configs and layer tars), each turned into manifests plus a way to find
 * their blobs. Tars are unpacked with the layer extractor, so a hostile
 * archive cannot write outside the scratch directory either.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { digestHex, digestOf, digestOfFile } from "./digest.ts";
import { ImageError } from "./errors.ts";
import { extractLayerFile } from "./extract.ts";
import { type Descriptor, type Index, isIndex, MEDIA, parseJson, pickManifest } from "./oci.ts";

export interface StagedImage {
  /** The image's name as the source gives it, if it gives one. */
  name?: string;
  manifest: Uint8Array;
  /** The digest the source names the manifest by, checked when it is stored. */
  manifestDigest: string;
  /** Where the blob `digest` is in the source; the caller checks its contents. */
  blobPath(digest: string): string;
}

export async function readSource(sys: Syscalls, path: string, scratch: string): Promise<StagedImage[]> {
  if (!existsSync(path)) throw new ImageError(`image load: ${path} does not exist`);
  let dir = path;
  if (!statSync(path).isDirectory()) {
    await extractLayerFile(sys, scratch, path, "apply");
    dir = scratch;
  }
  if (existsSync(join(dir, "oci-layout"))) return readLayout(dir);
  if (existsSync(join(dir, "manifest.json"))) return await readDockerArchive(dir);
  throw new ImageError(`image load: ${path} is neither an OCI image layout (oci-layout) nor a docker-archive (manifest.json)`);
}

function readLayout(dir: string): StagedImage[] {
  const blobPath = (digest: string) => inside(dir, `blobs/sha256/${digestHex(digest, "image load")}`);
  const index = parseJson<Index>(readFileSync(inside(dir, "index.json")), "index.json");
  if (!Array.isArray(index?.manifests) || index.manifests.length === 0) throw new ImageError("image load: index.json lists no manifests");
  return index.manifests.map((top) => {
    let chosen: Descriptor = top;
    while (isIndex(chosen.mediaType)) chosen = pickManifest(parseJson<Index>(readFileSync(blobPath(chosen.digest)), chosen.digest), chosen.digest);
    const annotations = top.annotations ?? {};
    return {
      name: annotations["io.containerd.image.name"] ?? annotations["org.opencontainers.image.ref.name"],
      manifest: readFileSync(blobPath(chosen.digest)),
      manifestDigest: chosen.digest,
      blobPath,
    };
  });
}

interface DockerEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** docker save names files by path; the manifest runt stores is built from their digests. */
async function readDockerArchive(dir: string): Promise<StagedImage[]> {
  const entries = parseJson<DockerEntry[]>(readFileSync(inside(dir, "manifest.json")), "manifest.json");
  if (!Array.isArray(entries)) throw new ImageError("image load: manifest.json is not a list of images");
  const staged: StagedImage[] = [];
  for (const entry of entries) {
    const paths = new Map<string, string>();
    const describe = async (file: string, mediaType: string): Promise<Descriptor> => {
      const path = inside(dir, file);
      const { digest, size } = await digestOfFile(path);
      paths.set(digest, path);
      return { mediaType, digest, size };
    };
    const config = await describe(entry.Config, MEDIA.config);
    const layers = [];
    for (const layer of entry.Layers ?? []) layers.push(await describe(layer, MEDIA.layer));
    const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config, layers }));
    const names = entry.RepoTags?.length ? entry.RepoTags : [undefined];
    for (const name of names) {
      staged.push({ name, manifest, manifestDigest: digestOf(manifest), blobPath: (d) => paths.get(d) ?? missing(d) });
    }
  }
  return staged;
}

/** A path the archive names, which must stay in the archive. */
function inside(dir: string, file: unknown): string {
  if (typeof file !== "string" || file.split("/").includes("..") || file.startsWith("/")) {
    throw new ImageError(`image load: ${JSON.stringify(file)} is not a file in the archive`);
  }
  const path = join(dir, file);
  // A symlink in an unpacked archive may point anywhere on the host: only what resolves inside is read.
  if (existsSync(path) && !realpathSync(path).startsWith(realpathSync(dir) + "/")) {
    throw new ImageError(`image load: ${file} leads out of the archive`);
  }
  return path;
}

function missing(digest: string): never {
  throw new ImageError(`image load: blob ${digest} is not in the archive`);
}
