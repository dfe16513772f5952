/**
 * The start-up program's interpreter for x86-64: it runs the records of the
 * data segment, one raw system call each, and reports the first failure.
 * The code never changes; only the data segment differs between programs,
 * so everything it touches sits at an address fixed here.
 */
import { VM_CODE_HEX } from "./vm_code.ts";
import { HEADER_SIZE, REPORT_HEADER_SIZE, SLOT_COUNT, type StubMachine } from "../layout.ts";
import { EM_X86_64 } from "../elf.ts";

/** Where the ELF header, program headers and this code are mapped. */
export const CODE_BASE = 0x400000n;
/** The data segment: header, records, then the program's data. */
export const DATA_BASE = 0x401000n;
/**
 * Room for header, records and data. The slots live right after it at a
 * fixed address, in the segment's zero-filled tail: untouched pages of that
 * tail cost address space, not memory. 8 MiB holds the largest argument
 * and environment lists execve accepts.
 */
export const DATA_LIMIT = 0x800000n;
export const SLOTS = DATA_BASE + DATA_LIMIT;
/** The failure report's 16-byte header followed by its two iovecs. */
export const SCRATCH = SLOTS + BigInt(8 * SLOT_COUNT);
export const BSS_SIZE = 8 * SLOT_COUNT + REPORT_HEADER_SIZE + 32;

/** The names VM_SOURCE uses for fixed addresses. */
export const VM_CONSTANTS: Readonly<Record<string, bigint>> = {
  HEADER: DATA_BASE,
  RECORDS: DATA_BASE + BigInt(HEADER_SIZE),
  SLOTS,
  SCRATCH,
};

let code: Uint8Array | undefined;

/**
 * The same code as assembled ahead of time (vm_code.ts, which
 * `deno run -A runtime/stub/x86_64/generate.ts` rewrites and a unit test
 * holds equal to assembleVm() in vm_source.ts): assembling costs
 * milliseconds that every container start would pay, and the assembler and
 * the source are not loaded at all.
 */
export function vmCode(): Uint8Array {
  // fromHex (ES2025, in Bun and Deno) is native: a regular expression over the text took ~0.45 ms of each create.
  code ??= (Uint8Array as unknown as { fromHex(hex: string): Uint8Array }).fromHex(VM_CODE_HEX);
  return code;
}

export const X86_64: StubMachine = {
  elfMachine: EM_X86_64,
  codeBase: CODE_BASE,
  dataBase: DATA_BASE,
  dataLimit: DATA_LIMIT,
  slots: SLOTS,
  bssSize: BSS_SIZE,
  code: vmCode,
};
