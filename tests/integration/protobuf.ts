/**
 * The protobuf wire format, just enough for a test client: varints and
 * length-delimited fields (strings, bytes, nested messages) out, the same
 * back in. A message is a list of [field number, value]; a repeated field is
 * the same number more than once, a map is a repeated {1: key, 2: value}.
 */

export type Value = string | number | boolean | Uint8Array | Message;
export type Message = Array<[number, Value | undefined]>;

function varint(n: bigint, out: number[]): void {
  // Negative int64/int32 values are sent as their two's complement in 64 bits.
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

export function encode(message: Message): Uint8Array {
  const out: number[] = [];
  for (const [field, value] of message) {
    if (value === undefined) continue;
    if (typeof value === "number" || typeof value === "boolean") {
      varint(BigInt(field << 3 | 0), out);
      varint(BigInt(typeof value === "boolean" ? Number(value) : value), out);
      continue;
    }
    const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : encode(value);
    varint(BigInt(field << 3 | 2), out);
    varint(BigInt(bytes.length), out);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

/** A decoded message: each field number to its values in order (numbers for varints, bytes otherwise). */
export type Decoded = Map<number, Array<bigint | Uint8Array>>;

export function decode(bytes: Uint8Array): Decoded {
  const fields: Decoded = new Map();
  let at = 0;
  const readVarint = (): bigint => {
    let v = 0n;
    for (let shift = 0n;; shift += 7n) {
      if (at >= bytes.length) throw new Error("protobuf: truncated varint");
      const b = bytes[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (at < bytes.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Uint8Array;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const len = Number(readVarint());
      value = bytes.subarray(at, at + len);
      at += len;
    } else if (wire === 1 || wire === 5) {
      // Fixed 64/32-bit values: none of the fields read here use them; skip.
      value = bytes.subarray(at, at + (wire === 1 ? 8 : 4));
      at += wire === 1 ? 8 : 4;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function bytesOf(m: Decoded, field: number): Uint8Array | undefined {
  const v = m.get(field)?.at(-1);
  return v instanceof Uint8Array ? v : undefined;
}

export const str = (m: Decoded, field: number): string => new TextDecoder().decode(bytesOf(m, field) ?? new Uint8Array());
export const num = (m: Decoded, field: number): bigint => {
  const v = m.get(field)?.at(-1);
  return typeof v === "bigint" ? v : 0n;
};
export const sub = (m: Decoded, field: number): Decoded => decode(bytesOf(m, field) ?? new Uint8Array());
