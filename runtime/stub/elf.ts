/**
 * A static ELF64 executable (ET_EXEC, fixed addresses, no sections): one
 * read+execute segment holding the headers and the code, one read+write
 * segment holding the data with a zero-filled tail (the bss), and a
 * PT_GNU_STACK entry so the stack is not executable.
 */

export const PAGE = 0x1000;
export const EM_X86_64 = 62;
const EHDR_SIZE = 64, PHDR_SIZE = 56, PHDR_COUNT = 3;
/** File offset of the code: right after the ELF header and program headers, in the same page. */
export const CODE_OFFSET = EHDR_SIZE + PHDR_SIZE * PHDR_COUNT;

const ET_EXEC = 2, PT_LOAD = 1, PT_GNU_STACK = 0x6474e551;
const PF_X = 1, PF_W = 2, PF_R = 4;

export interface ElfLayout {
  machine: number;
  /** Page-aligned address of the first segment; the code starts CODE_OFFSET after it and is the entry point. */
  codeBase: bigint;
  code: Uint8Array;
  /** Page-aligned address of the data segment, above the code's pages. */
  dataBase: bigint;
  data: Uint8Array;
  /** Size of the data segment in memory: data.length plus the bss. */
  dataMemSize: bigint;
}

export function elfExecutable(layout: ElfLayout): Uint8Array {
  const { codeBase, code, dataBase, data, dataMemSize } = layout;
  const page = BigInt(PAGE);
  if (codeBase % page !== 0n || dataBase % page !== 0n) throw new Error("ELF segments must start on a page");
  const codeEnd = CODE_OFFSET + code.length;
  if (codeBase + BigInt(codeEnd) > dataBase) throw new Error("ELF code overlaps the data segment");
  if (dataMemSize < BigInt(data.length)) throw new Error("ELF data segment smaller than its contents");
  // The data's file offset must be congruent to its address modulo the page size.
  const dataOffset = Math.ceil(codeEnd / PAGE) * PAGE;

  const out = new Uint8Array(dataOffset + data.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little-endian */, 1 /* EV_CURRENT */], 0);
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, layout.machine, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, codeBase + BigInt(CODE_OFFSET), true);
  v.setBigUint64(32, BigInt(EHDR_SIZE), true);
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, PHDR_COUNT, true);

  const phdr = (i: number, type: number, flags: number, offset: number, vaddr: bigint, filesz: number, memsz: bigint) => {
    const at = EHDR_SIZE + i * PHDR_SIZE;
    v.setUint32(at, type, true);
    v.setUint32(at + 4, flags, true);
    v.setBigUint64(at + 8, BigInt(offset), true);
    v.setBigUint64(at + 16, vaddr, true);
    v.setBigUint64(at + 24, vaddr, true);
    v.setBigUint64(at + 32, BigInt(filesz), true);
    v.setBigUint64(at + 40, memsz, true);
    v.setBigUint64(at + 48, type === PT_LOAD ? page : 16n, true);
  };
  phdr(0, PT_LOAD, PF_R | PF_X, 0, codeBase, codeEnd, BigInt(codeEnd));
  phdr(1, PT_LOAD, PF_R | PF_W, dataOffset, dataBase, data.length, dataMemSize);
  phdr(2, PT_GNU_STACK, PF_R | PF_W, 0, 0n, 0, 0n);

  out.set(code, CODE_OFFSET);
  out.set(data, dataOffset);
  return out;
}
