/**
 * Reads a start-up program back from its image: each op's system call and
 * arguments as the interpreter will pass them, with the data they point to
 * decoded for the calls the process settings plan. Lets a test assert the
 * exact calls (uids, masks, group lists, paths) rather than only their names.
 */
import { decodeCapData } from "../../ffi/structs.ts";
import type { CapSets } from "../../ffi/syscalls.ts";
import { errnoName } from "../../ffi/errno.ts";
import { HEADER_SIZE, RECORD } from "../../runtime/stub/layout.ts";
import type { StubProgram } from "../../runtime/stub/program.ts";
import { X86_64_SYSCALLS } from "../../runtime/seccomp/syscalls_x86_64.ts";
import { DATA_BASE } from "../../runtime/stub/x86_64/vm.ts";

/** An op as the old recording fake would have shown the call: name, then decoded arguments. */
export type PlannedCall = [string, ...unknown[]];

export interface PlannedOp {
  call: PlannedCall;
  what: string;
  /** The errno name that counts as success, if any. */
  ok?: string;
}

const NUMBERS = X86_64_SYSCALLS as Readonly<Record<string, number>>;

/** The data segment of the image (the second program header). */
function dataSegment(image: Uint8Array): Uint8Array {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const at = Number(v.getBigUint64(32, true)) + v.getUint16(54, true);
  const offset = Number(v.getBigUint64(at + 8, true));
  const filesz = Number(v.getBigUint64(at + 32, true));
  return image.subarray(offset, offset + filesz);
}

export function plannedOps(prog: StubProgram): PlannedOp[] {
  const data = dataSegment(prog.image());
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bytes = (addr: bigint, length: number) => data.subarray(Number(addr - DATA_BASE), Number(addr - DATA_BASE) + length);
  const cstr = (addr: bigint) => {
    const from = Number(addr - DATA_BASE);
    return new TextDecoder().decode(data.subarray(from, data.indexOf(0, from)));
  };
  const u64 = (addr: bigint) => v.getBigUint64(Number(addr - DATA_BASE), true);
  const strings = (addr: bigint) => {
    const out: string[] = [];
    for (let p = addr; u64(p) !== 0n; p += 8n) out.push(cstr(u64(p)));
    return out;
  };
  const count = Number(v.getBigUint64(0, true));
  const ops = prog.ops;
  if (ops.length !== count) throw new Error(`image holds ${count} records, the program ${ops.length} ops`);
  return ops.map(({ name, what }, i) => {
    const at = HEADER_SIZE + i * RECORD.size;
    const word = (field: number) => v.getBigUint64(at + field, true);
    if (Number(word(RECORD.nr)) !== NUMBERS[name]) throw new Error(`record ${i} is not ${name}`);
    const mask = Number(word(RECORD.argSlotMask));
    const raw = Array.from({ length: 6 }, (_, j) => word(RECORD.args + 8 * j));
    // Slots stay slots; numbers read as the signed values the caller wrote (AT_FDCWD is -100).
    const arg = (j: number): unknown => mask & (1 << j) ? { slot: Number(raw[j]) } : Number(BigInt.asIntN(64, raw[j]));
    const message = new TextDecoder().decode(bytes(word(RECORD.msgPtr), Number(word(RECORD.msgLen))));
    if (message !== what) throw new Error(`record ${i} reports ${JSON.stringify(message)}, not ${JSON.stringify(what)}`);
    const okErrno = Number(word(RECORD.okErrno));
    return { call: decode(name, raw, arg, { bytes, cstr, strings }), what, ...(okErrno ? { ok: errnoName(okErrno) } : {}) };
  });
}

interface Memory {
  bytes(addr: bigint, length: number): Uint8Array;
  cstr(addr: bigint): string;
  strings(addr: bigint): string[];
}

function decode(name: string, raw: bigint[], arg: (j: number) => unknown, m: Memory): PlannedCall {
  switch (name) {
    case "prctl":
      return ["prctl", arg(0), arg(1), arg(2), arg(3), arg(4)];
    case "setgroups": {
      const n = Number(raw[0]);
      const list = n ? [...new Uint32Array(m.bytes(raw[1], 4 * n).slice().buffer)] : [];
      return ["setgroups", list];
    }
    case "setresuid":
    case "setresgid":
      return [name, arg(0), arg(1), arg(2)];
    case "chdir":
      return ["chdir", m.cstr(raw[0])];
    case "openat2": {
      // struct open_how: flags, mode, resolve.
      const how = new DataView(m.bytes(raw[2], 24).slice().buffer);
      const words = [0, 8, 16].map((at) => Number(how.getBigUint64(at, true)));
      return ["openat2", arg(0), m.cstr(raw[1]), words, arg(3)];
    }
    case "fchdir":
      return ["fchdir", arg(0)];
    case "capset": {
      const header = new DataView(m.bytes(raw[0], 8).slice().buffer);
      const sets: CapSets = decodeCapData(m.bytes(raw[1], 24).slice());
      return ["capset", sets, header.getInt32(4, true)];
    }
    case "openat":
      return ["openat", arg(0), m.cstr(raw[1]), arg(2), arg(3)];
    case "write":
      return ["write", arg(0), new TextDecoder().decode(m.bytes(raw[1], Number(raw[2]))), arg(2)];
    case "close":
      return ["close", arg(0)];
    case "execve":
      return ["execve", m.cstr(raw[0]), m.strings(raw[1]), m.strings(raw[2])];
    default:
      return [name, ...raw.map((_, j) => arg(j))];
  }
}

/** The planned calls alone, for asserting a sequence. */
export function plannedCalls(prog: StubProgram): PlannedCall[] {
  return plannedOps(prog).map((op) => op.call);
}
