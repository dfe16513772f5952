/**
 * Builds a start-up program: an ordered list of raw system calls with their
 * arguments resolved in advance (strings, argv arrays and structs placed at
 * known addresses of the data segment), packed with the interpreter into a
 * static ELF. Failure of a call makes the program write a report (see
 * report.ts) to its report descriptor and exit with the op's status.
 *
 * Data addresses depend on how many calls precede the data, so an Addr is
 * resolved when the image is built. Passing Addr objects as arguments is
 * always right; a number read from `.addr` is final only once the last call
 * has been added, and image() refuses to build if one was read earlier.
 */
import { errnoNumber } from "../../ffi/errno.ts";
import { elfExecutable } from "./elf.ts";
import { HEADER_SIZE, RECORD, SLOT_COUNT, type StubMachine } from "./layout.ts";
import { type StubArch, syscallNumber } from "./syscalls.ts";
import { X86_64 } from "./x86_64/vm.ts";

export type Addr = { readonly addr: bigint };
export type Slot = { readonly slot: number };
export type Arg = number | bigint | Addr | Slot;

export interface OpOptions {
  /** The description reported on failure, e.g. `process.args[0] "/bin/sh": execve`. */
  what: string;
  /** Store the result in slot N (0 = the report descriptor). */
  result?: number;
  /** An errno name (e.g. "ENOENT") that counts as success. */
  ok?: string;
  /** Exit status on failure (default 1). */
  exit?: number;
  /**
   * When the call succeeds with 0, skip the next N calls: after a clone, the
   * parent (a PID) runs them and the child (0) goes on past them.
   */
  skipIfZero?: number;
}

const MACHINES: Readonly<Record<StubArch, StubMachine>> = { x86_64: X86_64 };

type Word = number | bigint | Addr;

interface Op {
  name: string;
  what: string;
  nr: number;
  args: Arg[];
  message: DataAddr;
  messageLength: number;
  resultSlot: number;
  okErrno: number;
  exit: number;
  skipIfZero: number;
}

interface Chunk {
  offset: number;
  bytes?: Uint8Array;
  words?: Word[];
}

/** An address in the data area, final once the number of records is. */
class DataAddr implements Addr {
  constructor(readonly program: StubProgram, readonly offset: number) {}
  get addr(): bigint {
    return this.program.resolveRead(this);
  }
}

const encoder = new TextEncoder();

export function slot(k: number): Slot {
  checkSlot(k, "slot");
  return { slot: k };
}

function checkSlot(k: number, what: string): void {
  if (!Number.isInteger(k) || k < 0 || k >= SLOT_COUNT) {
    throw new Error(`start-up program: ${what} ${k} is not a slot (0-${SLOT_COUNT - 1})`);
  }
}

export class StubProgram {
  private readonly arch: StubArch;
  private readonly machine: StubMachine;
  private readonly reportFd: number;
  private readonly list: Op[] = [];
  private readonly chunks: Chunk[] = [];
  private size = 0;
  /** Record counts at which some `.addr` was read; each must equal the final one. */
  private readonly readAt = new Set<number>();

  constructor(opts: { arch?: "x86_64"; reportFd?: number } = {}) {
    this.arch = opts.arch ?? "x86_64";
    const machine = MACHINES[this.arch];
    if (!machine) throw new Error(`start-up program: unsupported architecture ${JSON.stringify(this.arch)}`);
    this.machine = machine;
    this.reportFd = opts.reportFd ?? 2;
    if (!Number.isInteger(this.reportFd)) throw new Error(`start-up program: report descriptor ${this.reportFd} is not an integer`);
  }

  get ops(): readonly { name: string; what: string }[] {
    return this.list.map(({ name, what }) => ({ name, what }));
  }

  /** A NUL-terminated copy; a NUL inside would silently cut the string short, so it is refused. */
  str(s: string | Uint8Array): Addr {
    const bytes = typeof s === "string" ? encoder.encode(s) : s;
    if (bytes.includes(0)) throw new Error(`start-up program: string ${JSON.stringify(text(bytes))} contains a NUL byte`);
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes);
    return this.place({ bytes: out }, out.length, 1);
  }

  bytes(b: Uint8Array): Addr {
    return this.place({ bytes: b.slice() }, b.length, 8);
  }

  u64s(values: Word[]): Addr {
    for (const v of values) word(v);
    return this.place({ words: [...values] }, 8 * values.length, 8);
  }

  strings(list: string[]): Addr {
    return this.u64s([...list.map((s) => this.str(s)), 0]);
  }

  reserve(n: number): Addr {
    if (!Number.isInteger(n) || n < 0) throw new Error(`start-up program: cannot reserve ${n} bytes`);
    return this.place({}, n, 8);
  }

  slotAddr(k: number): Addr {
    checkSlot(k, "slotAddr");
    return { addr: this.machine.slots + BigInt(8 * k) };
  }

  call(name: string, args: Arg[], opts: OpOptions): this {
    const nr = syscallNumber(this.arch, name);
    if (args.length > 6) throw new Error(`start-up program: ${name} takes at most 6 arguments, got ${args.length}`);
    for (const a of args) {
      if (typeof a === "object" && "slot" in a) checkSlot(a.slot, `${name} argument`);
      else word(a as Word);
    }
    if (opts.result !== undefined) checkSlot(opts.result, `${name} result`);
    let okErrno = 0;
    if (opts.ok !== undefined) {
      const n = errnoNumber(opts.ok);
      if (n === undefined) throw new Error(`start-up program: unknown errno name ${JSON.stringify(opts.ok)}`);
      okErrno = n;
    }
    const exit = opts.exit ?? 1;
    if (!Number.isInteger(exit) || exit < 0 || exit > 255) throw new Error(`start-up program: exit status ${exit} is not 0-255`);
    const skipIfZero = opts.skipIfZero ?? 0;
    if (!Number.isInteger(skipIfZero) || skipIfZero < 0) throw new Error(`start-up program: cannot skip ${skipIfZero} calls`);
    const message = encoder.encode(opts.what);
    this.list.push({
      name,
      what: opts.what,
      nr,
      args: [...args],
      message: this.place({ bytes: message }, message.length, 1),
      messageLength: message.length,
      resultSlot: opts.result === undefined ? 0 : opts.result + 1,
      okErrno,
      exit,
      skipIfZero,
    });
    return this;
  }

  image(): Uint8Array {
    for (const n of this.readAt) {
      if (n !== this.list.length) {
        throw new Error("start-up program: a data address was read before the last call was added, and has moved since");
      }
    }
    const start = this.dataStart();
    const total = start + this.size;
    if (BigInt(total) > this.machine.dataLimit) {
      throw new Error(`start-up program: ${total} bytes of data exceed the limit of ${this.machine.dataLimit}`);
    }
    const data = new Uint8Array(total);
    const v = new DataView(data.buffer);
    setWord(v, 0, this.list.length);
    setWord(v, 8, this.reportFd);
    // Loops and numbers: writing a record's fourteen words through bigints took a fresh process 1.5-2 times as long.
    for (let i = 0; i < this.list.length; i++) {
      const op = this.list[i];
      const at = HEADER_SIZE + i * RECORD.size;
      let mask = 0;
      setWord(v, at + RECORD.nr, op.nr);
      for (let j = 0; j < op.args.length; j++) {
        const a = op.args[j];
        if (typeof a === "object" && "slot" in a) {
          mask |= 1 << j;
          setWord(v, at + RECORD.args + 8 * j, a.slot);
        } else {
          setWord(v, at + RECORD.args + 8 * j, this.value(a));
        }
      }
      setWord(v, at + RECORD.argSlotMask, mask);
      setWord(v, at + RECORD.resultSlot, op.resultSlot);
      setWord(v, at + RECORD.okErrno, op.okErrno);
      setWord(v, at + RECORD.msgPtr, this.value(op.message));
      setWord(v, at + RECORD.msgLen, op.messageLength);
      setWord(v, at + RECORD.failExit, op.exit);
      setWord(v, at + RECORD.skipIfZero, op.skipIfZero);
    }
    for (const chunk of this.chunks) {
      if (chunk.bytes) data.set(chunk.bytes, start + chunk.offset);
      const words = chunk.words;
      if (words) for (let j = 0; j < words.length; j++) setWord(v, start + chunk.offset + 8 * j, this.value(words[j]));
    }
    return elfExecutable({
      machine: this.machine.elfMachine,
      codeBase: this.machine.codeBase,
      code: this.machine.code(),
      dataBase: this.machine.dataBase,
      data,
      dataMemSize: this.machine.dataLimit + BigInt(this.machine.bssSize),
    });
  }

  /** For DataAddr's getter: the address as the layout stands now, remembered so image() can check it. */
  resolveRead(a: DataAddr): bigint {
    this.readAt.add(this.list.length);
    return BigInt(this.address(a));
  }

  /** Offset of the data area from the segment's start: after the header and every record. */
  private dataStart(): number {
    return HEADER_SIZE + this.list.length * RECORD.size;
  }

  /** The address as the layout stands now; the data segment sits low enough for every address to be a safe integer. */
  private address(a: DataAddr): number {
    return Number(this.machine.dataBase) + this.dataStart() + a.offset;
  }

  /** An argument or array element as the kernel receives it: a number where it is one, a bigint otherwise. */
  private value(w: Word): number | bigint {
    if (typeof w === "number") return w;
    if (w instanceof DataAddr) {
      if (w.program !== this) throw new Error("start-up program: an address from another program");
      return this.address(w);
    }
    return typeof w === "object" ? u64(w.addr) : u64(w);
  }

  private place(chunk: Omit<Chunk, "offset">, length: number, align: number): DataAddr {
    const offset = Math.ceil(this.size / align) * align;
    this.chunks.push({ ...chunk, offset });
    this.size = offset + length;
    return new DataAddr(this, offset);
  }
}

/** Checks that a value is usable as a u64 word. */
function word(v: Word): void {
  if (typeof v === "object") {
    if (v === null || !("addr" in v)) throw new Error(`start-up program: ${String(v)} is not an address`);
    return;
  }
  // Every safe integer fits, negative ones as two's complement: only a bigint needs its range checked.
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`start-up program: ${v} is not an integer`);
    return;
  }
  u64(v);
}

const TWO_32 = 0x1_0000_0000;
const I64_MIN = -(2n ** 63n);
const U64_END = 2n ** 64n;

/** A word little-endian at `at`: a safe integer (checked by word()) without a bigint, two's complement when negative. */
function setWord(view: DataView, at: number, w: number | bigint): void {
  if (typeof w === "bigint") {
    view.setBigUint64(at, w, true);
    return;
  }
  const high = Math.floor(w / TWO_32);
  view.setUint32(at, w - high * TWO_32, true);
  view.setInt32(at + 4, high, true);
}

/** A bigint as the u64 the kernel receives: two's complement when negative. Numbers never come here (see word()). */
function u64(v: bigint): bigint {
  if (v < I64_MIN || v >= U64_END) throw new Error(`start-up program: ${v} does not fit in 64 bits`);
  return BigInt.asUintN(64, v);
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
