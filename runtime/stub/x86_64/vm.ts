/**
 * The start-up program's interpreter for x86-64: it runs the records of the
 * data segment, one raw system call each, and reports the first failure.
 * The code never changes; only the data segment differs between programs,
 * so everything it touches sits at an address fixed here.
 */
import { assemble } from "./asm.ts";
import { VM_CODE_HEX } from "./vm_code.ts";
import { syscallNumber } from "../syscalls.ts";
import { HEADER_SIZE, RECORD, REPORT_HEADER_SIZE, SLOT_COUNT, type StubMachine } from "../layout.ts";
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

const SYS_WRITEV = syscallNumber("x86_64", "writev");
const SYS_EXIT_GROUP = syscallNumber("x86_64", "exit_group");

/**
 * Registers: rbx the current record, r12 the record count, r13 its index,
 * r14 the argument slot mask, r15 the slots. All survive `syscall` (which
 * clobbers rcx and r11).
 */
const ARG_REGISTERS = ["rdi", "rsi", "rdx", "r10", "r8", "r9"];

const loadArgs = ARG_REGISTERS.map((r, i) => `
  mov ${r}, [rbx+${RECORD.args + 8 * i}]
  test r14, ${1 << i}
  jz arg${i}_done
  shl ${r}, 3
  add ${r}, r15
  mov ${r}, [${r}]
arg${i}_done:`).join("");

export const VM_SOURCE = `
_start:
  mov rax, HEADER
  mov r12, [rax]
  mov rcx, [rax+8]
  mov r15, SLOTS
  mov [r15], rcx
  mov rbx, RECORDS
  mov r13, 0
next:
  cmp r13, r12
  jae done
  mov r14, [rbx+${RECORD.argSlotMask}]
${loadArgs}
  mov rax, [rbx+${RECORD.nr}]
  syscall
  cmp rax, -4095
  jb succeeded              ; unsigned: below -4095 is a result, not an error
  neg rax
  mov rcx, [rbx+${RECORD.okErrno}]
  cmp rax, rcx
  je advance                ; an accepted errno: the result is discarded
  jmp failed
succeeded:
  mov rcx, [rbx+${RECORD.resultSlot}]
  test rcx, rcx
  jz stored
  shl rcx, 3
  add rcx, r15
  mov [rcx-8], rax          ; resultSlot k+1 is slot k
stored:
  test rax, rax
  jnz advance
  mov rcx, [rbx+${RECORD.skipIfZero}]
skip:                       ; a zero result skips the records meant for a non-zero one
  test rcx, rcx
  jz advance
  add rbx, ${RECORD.size}
  inc r13
  dec rcx
  jmp skip
advance:
  add rbx, ${RECORD.size}
  inc r13
  jmp next
done:
  mov rax, ${SYS_EXIT_GROUP}
  mov rdi, 0
  syscall
failed:                     ; rax = errno: one writev of [errno, index] and the message
  mov rsi, SCRATCH
  mov [rsi], rax
  mov [rsi+8], r13
  mov [rsi+${REPORT_HEADER_SIZE}], rsi
  mov rax, ${REPORT_HEADER_SIZE}
  mov [rsi+${REPORT_HEADER_SIZE + 8}], rax
  mov rax, [rbx+${RECORD.msgPtr}]
  mov [rsi+${REPORT_HEADER_SIZE + 16}], rax
  mov rax, [rbx+${RECORD.msgLen}]
  mov [rsi+${REPORT_HEADER_SIZE + 24}], rax
  add rsi, ${REPORT_HEADER_SIZE}
  mov rdi, [r15]
  mov rdx, 2
  mov rax, ${SYS_WRITEV}
  syscall
  mov rdi, [rbx+${RECORD.failExit}]
  mov rax, ${SYS_EXIT_GROUP}
  syscall
`;

/** The names VM_SOURCE uses for fixed addresses. */
export const VM_CONSTANTS: Readonly<Record<string, bigint>> = {
  HEADER: DATA_BASE,
  RECORDS: DATA_BASE + BigInt(HEADER_SIZE),
  SLOTS,
  SCRATCH,
};

/**
 * The interpreter's machine code, assembled from VM_SOURCE. Jumps are
 * relative and every address it uses is a constant, so the code runs
 * wherever it is put.
 */
export function assembleVm(): Uint8Array {
  return assemble(VM_SOURCE, { origin: 0, constants: VM_CONSTANTS }).code;
}

let code: Uint8Array | undefined;

/**
 * The same code as assembled ahead of time (vm_code.ts, which
 * `deno run -A runtime/stub/x86_64/generate.ts` rewrites and a unit test
 * holds equal to assembleVm()): assembling costs milliseconds that every
 * container start would pay.
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
