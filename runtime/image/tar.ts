/**
 * A tar reader for image layers: ustar, pax (extended headers, xattrs,
 * sub-second times, long names) and GNU (long names and link names, base-256
 * numbers). It only decodes: where an entry may be written is the
 * extractor's business (extract.ts), so names come out exactly as the
 * archive holds them, `../` and leading `/` included.
 */
import { ChunkReader } from "./chunks.ts";
import { LayerError } from "./errors.ts";

export type EntryType = "file" | "hardlink" | "symlink" | "char" | "block" | "directory" | "fifo";

export interface TarEntry {
  name: string;
  type: EntryType;
  /** Permission bits with setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Nanoseconds since the epoch. */
  mtimeNs: bigint;
  atimeNs: bigint;
  /** Target of a symlink or hardlink. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** From pax SCHILY.xattr.* records. */
  xattrs: Map<string, Uint8Array>;
  /** The contents of a regular file (empty for everything else). */
  data: Uint8Array;
}

const BLOCK = 512;
const TYPES: Record<string, EntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "directory",
  "6": "fifo",
};
const decoder = new TextDecoder();

/** The entries of the tar stream `chunks`, one at a time, each with its data in memory. */
export async function* readTar(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(chunks);
  let global = new Map<string, Uint8Array>();
  let local = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === null || header.every((b) => b === 0)) return;
    if (header.length < BLOCK) throw new LayerError("the layer's tar stream ends inside a header");
    checkSum(header);
    const flag = String.fromCharCode(header[156]);
    const size = number(header, 124, 12, "size");
    const body = await readBody(reader, size);
    if (flag === "x") {
      local = new Map([...local, ...parsePax(body)]);
      continue;
    }
    if (flag === "g") {
      global = new Map([...global, ...parsePax(body)]);
      continue;
    }
    if (flag === "L") {
      longName = cString(body);
      continue;
    }
    if (flag === "K") {
      longLink = cString(body);
      continue;
    }
    const pax = new Map([...global, ...local]);
    const name = text(pax.get("path")) ?? longName ?? ustarName(header);
    const type = TYPES[flag];
    if (type === undefined) throw new LayerError(`layer entry ${name}: tar entry type ${JSON.stringify(flag)} is not supported`);
    const mtimeNs = paxTime(pax.get("mtime")) ?? BigInt(number(header, 136, 12, "mtime")) * 1_000_000_000n;
    yield {
      name,
      type,
      mode: number(header, 100, 8, "mode") & 0o7777,
      uid: paxInt(pax.get("uid")) ?? number(header, 108, 8, "uid"),
      gid: paxInt(pax.get("gid")) ?? number(header, 116, 8, "gid"),
      mtimeNs,
      atimeNs: paxTime(pax.get("atime")) ?? mtimeNs,
      linkname: text(pax.get("linkpath")) ?? longLink ?? field(header, 157, 100),
      devmajor: type === "char" || type === "block" ? number(header, 329, 8, "devmajor") : 0,
      devminor: type === "char" || type === "block" ? number(header, 337, 8, "devminor") : 0,
      xattrs: xattrs(pax),
      // A hardlink's size is 0 in practice; its data, if any, belongs to the target.
      data: type === "file" ? body : new Uint8Array(0),
    };
    local = new Map();
    longName = longLink = undefined;
  }
}

async function readBody(reader: ChunkReader, size: number): Promise<Uint8Array> {
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  const body = padded === 0 ? new Uint8Array(0) : await reader.read(padded);
  if (body === null || body.length < padded) throw new LayerError("the layer's tar stream ends inside an entry");
  return body.subarray(0, size);
}

function checkSum(header: Uint8Array): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  const digits = decoder.decode(header.subarray(148, 156)).replace(/\0.*$/s, "").trim();
  if (!/^[0-7]+$/.test(digits) || sum !== parseInt(digits, 8)) {
    throw new LayerError("the layer is not a tar stream (bad header checksum)");
  }
}

/** ustar splits long names into prefix + "/" + name; old tars have no prefix. */
function ustarName(header: Uint8Array): string {
  const name = field(header, 0, 100);
  const ustar = decoder.decode(header.subarray(257, 262)) === "ustar";
  const prefix = ustar ? field(header, 345, 155) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function field(header: Uint8Array, offset: number, length: number): string {
  return cString(header.subarray(offset, offset + length));
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function number(header: Uint8Array, offset: number, length: number, what: string): number {
  const bytes = header.subarray(offset, offset + length);
  if (bytes[0] & 0x80) {
    let value = BigInt(bytes[0] & 0x7f);
    for (const b of bytes.subarray(1)) value = (value << 8n) | BigInt(b);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new LayerError(`tar header field ${what} is out of range`);
    return Number(value);
  }
  const digits = decoder.decode(bytes).replace(/\0.*$/s, "").trim();
  if (digits === "") return 0;
  if (!/^[0-7]+$/.test(digits)) throw new LayerError(`tar header field ${what} is not an octal number: ${JSON.stringify(digits)}`);
  return parseInt(digits, 8);
}

/** pax records: "LEN key=value\n", LEN counting the whole record. */
function parsePax(body: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = space < 0 ? NaN : parseInt(decoder.decode(body.subarray(at, space)), 10);
    if (!(length > 0) || at + length > body.length) throw new LayerError("malformed pax extended header");
    const record = body.subarray(space + 1, at + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) throw new LayerError("malformed pax extended header record");
    out.set(decoder.decode(record.subarray(0, eq)), record.slice(eq + 1));
    at += length;
  }
  return out;
}

function text(value: Uint8Array | undefined): string | undefined {
  return value === undefined ? undefined : decoder.decode(value);
}

function paxInt(value: Uint8Array | undefined): number | undefined {
  return value === undefined ? undefined : Number(decoder.decode(value));
}

/** "1700000000.123456789" → nanoseconds. */
function paxTime(value: Uint8Array | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const match = /^(-?\d+)(?:\.(\d+))?$/.exec(decoder.decode(value));
  if (!match) throw new LayerError(`malformed pax time ${JSON.stringify(decoder.decode(value))}`);
  const fraction = (match[2] ?? "").padEnd(9, "0").slice(0, 9);
  return BigInt(match[1]) * 1_000_000_000n + BigInt(fraction);
}

function xattrs(pax: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [key, value] of pax) if (key.startsWith("SCHILY.xattr.")) out.set(key.slice("SCHILY.xattr.".length), value);
  return out;
}
