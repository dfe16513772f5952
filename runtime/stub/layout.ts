/**
 * The program format every architecture's interpreter reads, at the start of
 * its data segment: a header, then fixed-size records (one system call
 * each), then the data the records point into. All words are little-endian
 * u64.
 */

/** Header: the record count, then the initial value of slot 0 (the report descriptor). */
export const HEADER_SIZE = 16;

/** Word offsets of a record's fields, in bytes. */
export const RECORD = {
  nr: 0,
  /** a0..a5, 8 bytes each. */
  args: 8,
  /** Bit i set: argument i is a slot number, replaced by that slot's value at run time. */
  argSlotMask: 56,
  /** 0: discard the result; k+1: store it in slot k. */
  resultSlot: 64,
  /** An errno (positive) that counts as success, its result discarded; 0 for none. */
  okErrno: 72,
  /** The op's description, reported on failure. */
  msgPtr: 80,
  msgLen: 88,
  /** Exit status when the call fails. */
  failExit: 96,
  /** On success with a result of 0, skip this many records (a clone's child skips its parent's part). */
  skipIfZero: 104,
  size: 112,
} as const;

/** Run-time values an op can store and later ops read; slot 0 is the report descriptor. */
export const SLOT_COUNT = 16;

/** The failure report the interpreter writes (one writev): [u64 errno, u64 record index] + description. */
export const REPORT_HEADER_SIZE = 16;

/** What the builder needs to know about one architecture's interpreter. */
export interface StubMachine {
  elfMachine: number;
  /** Page-aligned address of the headers and code. */
  codeBase: bigint;
  /** Page-aligned address of the data segment (the header comes first). */
  dataBase: bigint;
  /** Most bytes of header, records and data the segment holds before the slots. */
  dataLimit: bigint;
  /** Address of slot 0; slot k is 8k bytes further. */
  slots: bigint;
  /** Bytes of zero-filled memory the interpreter uses from `slots` on. */
  bssSize: number;
  /** The interpreter's machine code. */
  code(): Uint8Array;
}
