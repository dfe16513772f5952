/**
 * D-Bus messages: the fixed 12-byte start (byte order, type, flags,
 * version, body length, serial), the header fields as a(yv), padding to 8,
 * then the body.
 */
import { DBusProtocolError } from "./errors.ts";
import { type DBusValue, marshal, Reader, readValue, readValues, Writer, writeValue } from "./marshal.ts";
import { parseSignature } from "./signature.ts";

export const METHOD_CALL = 1;
export const METHOD_RETURN = 2;
export const ERROR = 3;
export const SIGNAL = 4;

export const NO_REPLY_EXPECTED = 0x1;

export interface Message {
  type: number;
  flags?: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature; "" (or absent) for no body. */
  signature?: string;
  body?: DBusValue[];
}

const FIELDS = [
  [1, "path", "o"],
  [2, "interface", "s"],
  [3, "member", "s"],
  [4, "errorName", "s"],
  [5, "replySerial", "u"],
  [6, "destination", "s"],
  [7, "sender", "s"],
  [8, "signature", "g"],
] as const;

/** 128 MiB: the specification's limit on a whole message. */
const MAX_MESSAGE = 128 * 1024 * 1024;
const FIELD_ARRAY = parseSignature("a(yv)")[0];

export function encodeMessage(m: Message): Uint8Array {
  const signature = m.signature ?? "";
  const body = signature === "" ? new Uint8Array(0) : marshal(signature, m.body ?? []);
  const fields: DBusValue[] = [];
  for (const [code, key, sig] of FIELDS) {
    const value = key === "signature" ? (signature === "" ? undefined : signature) : m[key];
    if (value !== undefined) fields.push([code, { signature: sig, value }]);
  }
  const w = new Writer(true);
  w.u8("l".charCodeAt(0));
  w.u8(m.type);
  w.u8(m.flags ?? 0);
  w.u8(1);
  w.u32(body.length);
  w.u32(m.serial);
  writeValue(w, FIELD_ARRAY, fields, "header");
  w.align(8);
  w.raw(body);
  return w.bytes();
}

/** The whole length of the message starting at `bytes`, once its first 16 bytes are there. */
export function messageLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 16) return undefined;
  const little = byteOrder(bytes[0]);
  const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const body = v.getUint32(4, little), fields = v.getUint32(12, little);
  const total = align8(16 + fields) + body;
  if (total > MAX_MESSAGE) throw new DBusProtocolError(`D-Bus message of ${total} bytes is over the 128 MiB limit`);
  return total;
}

export function decodeMessage(bytes: Uint8Array): Message {
  const little = byteOrder(bytes[0]);
  if (bytes[3] !== 1) throw new DBusProtocolError(`D-Bus message has protocol version ${bytes[3]}, expected 1`);
  const r = new Reader(bytes, little, 4);
  const bodyLength = r.u32();
  const m: Message = { type: bytes[1], flags: bytes[2], serial: r.u32() };
  for (const field of readValue(r, FIELD_ARRAY) as Array<[number, { value: DBusValue }]>) {
    const known = FIELDS.find(([code]) => code === field[0]);
    if (known) (m as unknown as Record<string, DBusValue>)[known[1]] = field[1].value;
  }
  r.align(8);
  if (r.offset + bodyLength !== bytes.length) throw new DBusProtocolError("D-Bus message length does not match its header");
  const body = new Reader(bytes.subarray(r.offset), little, 0);
  m.body = m.signature ? readValues(body, m.signature) : [];
  if (body.offset !== bodyLength) throw new DBusProtocolError(`D-Bus body has ${bodyLength - body.offset} bytes after its values`);
  return m;
}

function byteOrder(mark: number): boolean {
  if (mark === 0x6c) return true; // "l"
  if (mark === 0x42) return false; // "B"
  throw new DBusProtocolError(`D-Bus message starts with byte ${mark}, not a byte-order mark`);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
