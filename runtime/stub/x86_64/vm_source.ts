/**
 * The source of the start-up program's interpreter for x86-64 (vm.ts has
 * what runs): it runs the records of the data segment, one raw system call
 * each, and reports the first failure. Only generate.ts and the tests load
 * this module: a container start uses the code assembled ahead of time
 * (vm_code.ts), not the assembler.
 */
import { assemble } from "./asm.ts";
import { syscallNumber } from "../syscalls.ts";
import { RECORD, REPORT_HEADER_SIZE } from "../layout.ts";
import { VM_CONSTANTS } from "./vm.ts";

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

/**
 * The interpreter's machine code, assembled from VM_SOURCE. Jumps are
 * relative and every address it uses is a constant, so the code runs
 * wherever it is put.
 */
export function assembleVm(): Uint8Array {
  return assemble(VM_SOURCE, { origin: 0, constants: VM_CONSTANTS }).code;
}

