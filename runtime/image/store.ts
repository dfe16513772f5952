/**
 * The image store: blobs once by digest, unpacked layers once by diff-ID
 * (each an overlayfs lower directory, shared by every container of every
 * image that has it), and names → manifest digests.
 *
 *   ROOT/blobs/sha256/HEX      manifests, configs, compressed layers, all verified
 *   ROOT/layers/sha256/HEX/    a layer unpacked, whiteouts in overlayfs form
 *   ROOT/images.json           { "images": { NAME: { "digest": MANIFEST } } }
 *
 * Everything appears by rename from ROOT/tmp, so a reader never sees half a
 * blob or half a layer.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { layerStream } from "./decompress.ts";
import { digestHex, digestOf, digestOfFile } from "./digest.ts";
import { layersInUse } from "./marker.ts";
import { ImageError } from "./errors.ts";
import { extractLayer } from "./extract.ts";
import { checkConfig, checkManifest, type ImageConfig, type Manifest, parseJson } from "./oci.ts";
import { normalizeReference } from "./reference.ts";
import { readSource, type StagedImage } from "./sources.ts";
import { readTar } from "./tar.ts";

export interface ImageRecord {
  name: string;
  digest: string;
  /** Config and layers as stored (compressed), in bytes. */
  size: number;
  created?: string;
}

interface Names {
  images: Record<string, { digest: string }>;
}

/** /var/lib/runt for root, $XDG_DATA_HOME/runt (~/.local/share/runt) otherwise. */
export function defaultStoreRoot(): string {
  if (process.getuid?.() === 0) return "/var/lib/runt";
  const data = process.env.XDG_DATA_HOME || join(process.env.HOME ?? "/", ".local", "share");
  return join(data, "runt");
}

export class ImageStore {
  constructor(private readonly sys: Syscalls, readonly root: string = defaultStoreRoot()) {}

  blobPath(digest: string): string {
    return join(this.root, "blobs", "sha256", digestHex(digest, "image store"));
  }

  /** The unpacked layer with this diff-ID, an overlayfs lower directory. */
  layerPath(diffId: string): string {
    return join(this.root, "layers", "sha256", digestHex(diffId, "image store"));
  }

  /** Loads every image of an OCI layout, oci-archive or docker-archive; returns their names. */
  async load(path: string): Promise<string[]> {
    const scratch = this.scratchDir();
    try {
      const names: string[] = [];
      for (const staged of await readSource(this.sys, path, scratch)) names.push(await this.add(staged));
      return names;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Stores an image whose manifest and blobs come from somewhere else (an
   * archive, a registry): every digest and size checked, layers unpacked,
   * the name recorded last. Returns the name.
   */
  async add(staged: StagedImage): Promise<string> {
    if (staged.manifestDigest !== digestOf(staged.manifest)) {
      throw new ImageError(`image: manifest ${staged.manifestDigest} does not match its digest`);
    }
    const manifest = parseJson<Manifest>(staged.manifest, staged.manifestDigest);
    checkManifest(manifest, staged.manifestDigest);
    for (const d of [manifest.config, ...manifest.layers]) await this.putBlobFile(staged.blobPath(d.digest), d.digest, d.size);
    this.putBlobBytes(staged.manifest, staged.manifestDigest);
    await this.unpack(manifest);
    const name = staged.name ? normalizeReference(staged.name) : `sha256:${digestHex(staged.manifestDigest, "image")}`;
    this.tag(name, staged.manifestDigest);
    return name;
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  manifest(digest: string): Manifest {
    return parseJson<Manifest>(readFileSync(this.blobPath(digest)), digest);
  }

  config(manifest: Manifest): ImageConfig {
    return parseJson<ImageConfig>(readFileSync(this.blobPath(manifest.config.digest)), manifest.config.digest);
  }

  /** The unpacked layers of an image, lowest first. */
  layers(manifest: Manifest): string[] {
    const config = this.config(manifest);
    return config.rootfs.diff_ids.map((id) => this.layerPath(id));
  }

  /** The manifest digest a name (or a manifest digest) stands for, or undefined. */
  resolve(ref: string): { name: string; digest: string } | undefined {
    const names = this.names().images;
    if (/^sha256:[0-9a-f]{64}$/.test(ref)) {
      const name = Object.keys(names).find((n) => names[n].digest === ref);
      return name ? { name, digest: ref } : undefined;
    }
    const name = normalizeReference(ref);
    return names[name] ? { name, digest: names[name].digest } : undefined;
  }

  list(): ImageRecord[] {
    return Object.entries(this.names().images).sort(([a], [b]) => a.localeCompare(b)).map(([name, { digest }]) => {
      const manifest = this.manifest(digest);
      const size = [manifest.config, ...manifest.layers].reduce((n, d) => n + d.size, 0);
      return { name, digest, size, created: this.config(manifest).created };
    });
  }

  /** Forgets a name; its blobs and layers stay until prune. */
  remove(ref: string): string {
    const found = this.resolve(ref);
    if (!found) throw new ImageError(`image rm: no image ${ref}`);
    const names = this.names();
    delete names.images[found.name];
    this.writeNames(names);
    return found.name;
  }

  /** Removes blobs and unpacked layers no named image refers to; returns how many. */
  prune(): { blobs: number; layers: number } {
    const blobs = new Set<string>(), layers = new Set<string>();
    // A container's rootfs stands on its layers even after its image's name is gone.
    for (const path of layersInUse(this.root)) layers.add(basename(path));
    for (const { digest } of Object.values(this.names().images)) {
      const manifest = this.manifest(digest);
      blobs.add(digestHex(digest, "prune"));
      for (const d of [manifest.config, ...manifest.layers]) blobs.add(digestHex(d.digest, "prune"));
      for (const id of this.config(manifest).rootfs.diff_ids) layers.add(digestHex(id, "prune"));
    }
    const sweep = (dir: string, keep: Set<string>) => {
      let removed = 0;
      for (const hex of existsSync(dir) ? readdirSync(dir) : []) {
        if (keep.has(hex)) continue;
        rmSync(join(dir, hex), { recursive: true, force: true });
        removed++;
      }
      return removed;
    };
    return { blobs: sweep(join(this.root, "blobs", "sha256"), blobs), layers: sweep(join(this.root, "layers", "sha256"), layers) };
  }

  private async putBlobFile(source: string, digest: string, size: number): Promise<void> {
    const target = this.blobPath(digest);
    if (existsSync(target)) return;
    if (!existsSync(source)) throw new ImageError(`image: blob ${digest} is missing from the source`);
    const actual = await digestOfFile(source);
    if (actual.digest !== digest) throw new ImageError(`image: blob ${digest} does not match its digest (got ${actual.digest})`);
    if (actual.size !== size) throw new ImageError(`image: blob ${digest} is ${actual.size} bytes, its descriptor says ${size}`);
    const tmp = join(this.scratchDir(), "blob");
    copyFileSync(source, tmp);
    this.place(tmp, target);
  }

  private putBlobBytes(bytes: Uint8Array, digest: string): void {
    const target = this.blobPath(digest);
    if (existsSync(target)) return;
    const tmp = join(this.scratchDir(), "blob");
    writeFileSync(tmp, bytes);
    this.place(tmp, target);
  }

  /** Each layer unpacked once: its decompressed bytes must hash to the diff-ID the config gives. */
  private async unpack(manifest: Manifest): Promise<void> {
    const config = this.config(manifest);
    checkConfig(config, manifest.layers.length, manifest.config.digest);
    for (const [i, layer] of manifest.layers.entries()) {
      const diffId = config.rootfs.diff_ids[i];
      const target = this.layerPath(diffId);
      if (existsSync(target)) continue;
      const tmp = join(this.scratchDir(), "layer");
      mkdirSync(tmp);
      const hash = createHash("sha256");
      const stream = hashing(layerStream(this.blobPath(layer.digest)), hash);
      await extractLayer(this.sys, tmp, readTar(stream), "overlay");
      // The tar's end marker may be followed by padding, which the diff-ID covers too.
      for await (const _ of stream) { /* drained into the hash */ }
      const actual = `sha256:${hash.digest("hex")}`;
      if (actual !== diffId) {
        throw new ImageError(`image: layer ${layer.digest} unpacks to ${actual}, the config's diff-ID is ${diffId}`);
      }
      this.place(tmp, target);
    }
  }

  private tag(name: string, digest: string): void {
    const names = this.names();
    names.images[name] = { digest };
    this.writeNames(names);
  }

  private names(): Names {
    const path = join(this.root, "images.json");
    if (!existsSync(path)) return { images: {} };
    return parseJson<Names>(readFileSync(path), path);
  }

  private writeNames(names: Names): void {
    const tmp = join(this.scratchDir(), "images.json");
    writeFileSync(tmp, JSON.stringify(names, null, 2) + "\n");
    renameSync(tmp, join(this.root, "images.json"));
    rmSync(dirname(tmp), { recursive: true, force: true });
  }

  /** ROOT/tmp/partial: blob downloads that broke off, named by digest, for the next pull to resume. */
  partialDir(): string {
    const dir = join(this.root, "tmp", "partial");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** A fresh directory under ROOT/tmp (same filesystem as its targets, for rename); the caller removes it. */
  scratchDir(): string {
    mkdirSync(join(this.root, "tmp"), { recursive: true, mode: 0o700 });
    return mkdtempSync(join(this.root, "tmp", "work-"));
  }

  /** Moves a finished blob or layer into place; another loader having placed it first is fine. */
  private place(tmp: string, target: string): void {
    mkdirSync(dirname(target), { recursive: true });
    try {
      renameSync(tmp, target);
    } catch (e) {
      if (!existsSync(target)) throw e;
    } finally {
      rmSync(dirname(tmp), { recursive: true, force: true });
    }
  }
}

/** Passes chunks through, hashing them; a second iteration continues where the first stopped. */
function hashing(source: AsyncGenerator<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  const iterator = (async function* () {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  })();
  return iterator;
}
