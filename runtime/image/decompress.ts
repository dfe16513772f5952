/**
 * A layer blob's bytes as tar bytes: gzip, zstd or none, told by the
 * stream's first bytes rather than by a media type a registry may get wrong.
 * Both Deno and Bun ship node:zlib's zstd, so no native addon is needed.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createGunzip, createZstdDecompress } from "node:zlib";

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

export type Compression = "gzip" | "zstd" | "none";

export function compressionOf(head: Uint8Array): Compression {
  const starts = (magic: number[]) => magic.every((b, i) => head[i] === b);
  if (starts(GZIP)) return "gzip";
  if (starts(ZSTD)) return "zstd";
  return "none";
}

/** The decompressed contents of the layer file at `path`. */
export async function* layerStream(path: string): AsyncGenerator<Uint8Array> {
  const head = new Uint8Array(4);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const raw = createReadStream(path);
  const kind = compressionOf(head);
  const stream = kind === "gzip" ? raw.pipe(createGunzip()) : kind === "zstd" ? raw.pipe(createZstdDecompress()) : raw;
  for await (const chunk of stream) yield chunk as Uint8Array;
}
