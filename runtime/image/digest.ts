/** Content addresses: every blob is checked against the digest that names it before it is used. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { ImageError } from "./errors.ts";

const SHA256 = /^sha256:([0-9a-f]{64})$/;

/** The hex part of a sha256 digest; anything else is refused (it becomes a file name). */
export function digestHex(digest: string, what: string): string {
  const match = SHA256.exec(digest);
  if (!match) throw new ImageError(`${what}: unsupported or malformed digest ${JSON.stringify(digest)} (expected sha256:<64 hex digits>)`);
  return match[1];
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export async function digestOfFile(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Uint8Array);
    size += (chunk as Uint8Array).length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}
