/**
 * The D-Bus wire format of values: each value aligned to its type's
 * boundary (counted from the start of the message, so a body marshalled on
 * its own starts at offset 0, which is 8-aligned in the message), integers
 * in the message's byte order, strings with a length and a NUL, arrays with
 * their byte length before the (aligned) first element.
 *
 * JavaScript values: y n q i u h d as numbers, x t as bigints (numbers are
 * accepted when writing), b as booleans, s o g as strings, arrays and
 * structs as arrays, a dict entry as a [key, value] pair, a variant as
 * { signature, value }.
 */
import { DBusProtocolError } from "./errors.ts";
import { alignmentOf, type DBusType, parseSignature, parseSingle } from "./signature.ts";

export interface Variant {
  signature: string;
  value: DBusValue;
}

export type DBusValue = number | bigint | boolean | string | Variant | DBusValue[];

export function variant(signature: string, value: DBusValue): Variant {
  return { signature, value };
}

/** 64 MiB: the specification's limit on an array's length. */
const MAX_ARRAY = 64 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  constructor(readonly littleEndian = true) {}

  private ensure(more: number): void {
    if (this.length + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + more) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.ensure(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  /** One fixed-size integer or float at its natural alignment. */
  private put(size: number, set: (view: DataView, at: number, little: boolean) => void): void {
    this.align(size);
    this.ensure(size);
    set(this.view, this.length, this.littleEndian);
    this.length += size;
  }

  u16 = (v: number) => this.put(2, (d, at, le) => d.setUint16(at, v, le));
  i16 = (v: number) => this.put(2, (d, at, le) => d.setInt16(at, v, le));
  u32 = (v: number) => this.put(4, (d, at, le) => d.setUint32(at, v, le));
  i32 = (v: number) => this.put(4, (d, at, le) => d.setInt32(at, v, le));
  u64 = (v: bigint) => this.put(8, (d, at, le) => d.setBigUint64(at, v, le));
  i64 = (v: bigint) => this.put(8, (d, at, le) => d.setBigInt64(at, v, le));
  f64 = (v: number) => this.put(8, (d, at, le) => d.setFloat64(at, v, le));

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Overwrites a u32 written earlier (an array's length, once its elements are known). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, this.littleEndian);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The body (or any sequence of values) of `signature`. */
export function marshal(signature: string, values: readonly DBusValue[], littleEndian = true): Uint8Array {
  const w = new Writer(littleEndian);
  writeValues(w, signature, values);
  return w.bytes();
}

export function writeValues(w: Writer, signature: string, values: readonly DBusValue[]): void {
  const types = parseSignature(signature);
  if (types.length !== values.length) {
    throw new DBusProtocolError(`signature "${signature}" has ${types.length} values, ${values.length} given`);
  }
  types.forEach((t, i) => writeValue(w, t, values[i], `[${i}]`));
}

function wrong(where: string, code: string, value: unknown): never {
  const shown = typeof value === "bigint" ? `${value}n` : JSON.stringify(value) ?? String(value);
  throw new DBusProtocolError(`D-Bus value ${where} of type "${code}" cannot be ${shown}`);
}

function integer(where: string, code: string, value: DBusValue, min: number, max: number): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) wrong(where, code, value);
  return n;
}

function big(where: string, code: string, value: DBusValue, min: bigint, max: bigint): bigint {
  let n: bigint;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  else wrong(where, code, value);
  if (n < min || n > max) wrong(where, code, value);
  return n;
}

function text(where: string, code: string, value: DBusValue): Uint8Array {
  if (typeof value !== "string" || value.includes("\0")) wrong(where, code, value);
  return encoder.encode(value);
}

export function writeValue(w: Writer, type: DBusType, value: DBusValue, where: string): void {
  switch (type.code) {
    case "y":
      return w.u8(integer(where, "y", value, 0, 0xff));
    case "b":
      if (typeof value !== "boolean") wrong(where, "b", value);
      return w.u32(value ? 1 : 0);
    case "n":
      return w.i16(integer(where, "n", value, -0x8000, 0x7fff));
    case "q":
      return w.u16(integer(where, "q", value, 0, 0xffff));
    case "i":
      return w.i32(integer(where, "i", value, -0x80000000, 0x7fffffff));
    case "u":
    case "h":
      return w.u32(integer(where, type.code, value, 0, 0xffffffff));
    case "x":
      return w.i64(big(where, "x", value, -(2n ** 63n), 2n ** 63n - 1n));
    case "t":
      return w.u64(big(where, "t", value, 0n, 2n ** 64n - 1n));
    case "d":
      if (typeof value !== "number") wrong(where, "d", value);
      return w.f64(value);
    case "s":
    case "o": {
      const bytes = text(where, type.code, value);
      if (type.code === "o" && !/^\/([A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*)?$/.test(value as string)) wrong(where, "o", value);
      w.u32(bytes.length);
      w.raw(bytes);
      return w.u8(0);
    }
    case "g": {
      const bytes = text(where, "g", value);
      parseSignature(value as string);
      w.u8(bytes.length);
      w.raw(bytes);
      return w.u8(0);
    }
    case "v": {
      if (typeof value !== "object" || Array.isArray(value) || value === null) wrong(where, "v", value);
      const v = value as Variant;
      writeValue(w, { code: "g" }, v.signature, `${where}.signature`);
      return writeValue(w, parseSingle(v.signature), v.value, `${where}.value`);
    }
    case "a": {
      if (!Array.isArray(value)) wrong(where, "a", value);
      w.u32(0);
      const lengthAt = w.length - 4;
      w.align(alignmentOf(type.element));
      const start = w.length;
      value.forEach((item, i) => writeValue(w, type.element, item, `${where}[${i}]`));
      const length = w.length - start;
      if (length > MAX_ARRAY) throw new DBusProtocolError(`D-Bus array ${where} is ${length} bytes, over the 64 MiB limit`);
      return w.patchU32(lengthAt, length);
    }
    case "(": {
      if (!Array.isArray(value) || value.length !== type.fields.length) wrong(where, "(…)", value);
      w.align(8);
      return type.fields.forEach((f, i) => writeValue(w, f, value[i], `${where}.${i}`));
    }
    case "{": {
      if (!Array.isArray(value) || value.length !== 2) wrong(where, "{…}", value);
      w.align(8);
      writeValue(w, type.key, value[0], `${where}.key`);
      return writeValue(w, type.value, value[1], `${where}.value`);
    }
  }
}

export class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly littleEndian: boolean, public offset = 0, readonly end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.end) throw new DBusProtocolError(`D-Bus message ends early: ${n} more bytes needed at offset ${this.offset}`);
  }

  align(n: number): void {
    const pad = (n - (this.offset % n)) % n;
    this.need(pad);
    this.offset += pad;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  private fixed<T>(size: number, get: (at: number) => T): T {
    this.align(size);
    this.need(size);
    const v = get(this.offset);
    this.offset += size;
    return v;
  }

  u16 = () => this.fixed(2, (at) => this.view.getUint16(at, this.littleEndian));
  i16 = () => this.fixed(2, (at) => this.view.getInt16(at, this.littleEndian));
  u32 = () => this.fixed(4, (at) => this.view.getUint32(at, this.littleEndian));
  i32 = () => this.fixed(4, (at) => this.view.getInt32(at, this.littleEndian));
  u64 = () => this.fixed(8, (at) => this.view.getBigUint64(at, this.littleEndian));
  i64 = () => this.fixed(8, (at) => this.view.getBigInt64(at, this.littleEndian));
  f64 = () => this.fixed(8, (at) => this.view.getFloat64(at, this.littleEndian));

  /** `length` bytes of text and the NUL after them. */
  text(length: number): string {
    this.need(length + 1);
    const s = decoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    if (this.bytes[this.offset + length] !== 0) throw new DBusProtocolError(`D-Bus string at offset ${this.offset} is not NUL-terminated`);
    this.offset += length + 1;
    return s;
  }
}

export function unmarshal(signature: string, bytes: Uint8Array, littleEndian = true): DBusValue[] {
  const r = new Reader(bytes, littleEndian);
  const values = readValues(r, signature);
  if (r.offset !== bytes.length) throw new DBusProtocolError(`D-Bus body has ${bytes.length - r.offset} bytes after its "${signature}" values`);
  return values;
}

export function readValues(r: Reader, signature: string): DBusValue[] {
  return parseSignature(signature).map((t) => readValue(r, t));
}

export function readValue(r: Reader, type: DBusType): DBusValue {
  switch (type.code) {
    case "y":
      return r.u8();
    case "b": {
      const v = r.u32();
      if (v > 1) throw new DBusProtocolError(`D-Bus boolean holds ${v}`);
      return v === 1;
    }
    case "n":
      return r.i16();
    case "q":
      return r.u16();
    case "i":
      return r.i32();
    case "u":
    case "h":
      return r.u32();
    case "x":
      return r.i64();
    case "t":
      return r.u64();
    case "d":
      return r.f64();
    case "s":
    case "o":
      return r.text(r.u32());
    case "g":
      return r.text(r.u8());
    case "v": {
      const signature = r.text(r.u8());
      return { signature, value: readValue(r, parseSingle(signature)) };
    }
    case "a": {
      const length = r.u32();
      if (length > MAX_ARRAY) throw new DBusProtocolError(`D-Bus array of ${length} bytes is over the 64 MiB limit`);
      r.align(alignmentOf(type.element));
      const end = r.offset + length;
      if (end > r.end) throw new DBusProtocolError(`D-Bus array of ${length} bytes runs past the message`);
      const items: DBusValue[] = [];
      while (r.offset < end) items.push(readValue(r, type.element));
      if (r.offset !== end) throw new DBusProtocolError("D-Bus array's elements do not fill its length");
      return items;
    }
    case "(":
      r.align(8);
      return type.fields.map((f) => readValue(r, f));
    case "{":
      r.align(8);
      return [readValue(r, type.key), readValue(r, type.value)];
  }
}
