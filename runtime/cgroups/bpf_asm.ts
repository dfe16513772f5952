/**
 * The handful of eBPF instructions a device filter needs, with symbolic
 * jump targets, an encoder to struct bpf_insn and a listing in the textual
 * form of cilium/ebpf's asm package (which runc's tests are written in).
 */

export type BpfOp = "LdXMemW" | "AndImm32" | "RShImm32" | "MovImm32" | "MovReg32" | "JNEImm" | "JNEReg" | "Exit";

export interface BpfInsn {
  op: BpfOp;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** Label of this instruction, a jump target. */
  symbol?: string;
  /** For jumps: the label jumped to when the condition holds. */
  target?: string;
}

// Opcodes: class | operation | source (linux/bpf_common.h, linux/bpf.h).
const BPF_LDX = 0x01, BPF_ALU = 0x04, BPF_JMP = 0x05;
const BPF_W = 0x00, BPF_MEM = 0x60;
const BPF_K = 0x00, BPF_X = 0x08;
const BPF_AND = 0x50, BPF_RSH = 0x70, BPF_MOV = 0xb0, BPF_JNE = 0x50, BPF_EXIT = 0x90;

const OPCODES: Record<BpfOp, number> = {
  LdXMemW: BPF_LDX | BPF_MEM | BPF_W,
  AndImm32: BPF_ALU | BPF_AND | BPF_K,
  RShImm32: BPF_ALU | BPF_RSH | BPF_K,
  MovImm32: BPF_ALU | BPF_MOV | BPF_K,
  MovReg32: BPF_ALU | BPF_MOV | BPF_X,
  JNEImm: BPF_JMP | BPF_JNE | BPF_K,
  JNEReg: BPF_JMP | BPF_JNE | BPF_X,
  Exit: BPF_JMP | BPF_EXIT,
};

const insn = (op: BpfOp, fields: Partial<BpfInsn> = {}): BpfInsn => ({ op, dst: 0, src: 0, off: 0, imm: 0, ...fields });

export const asm = {
  loadWord: (dst: number, src: number, off: number) => insn("LdXMemW", { dst, src, off }),
  and32: (dst: number, imm: number) => insn("AndImm32", { dst, imm }),
  rsh32: (dst: number, imm: number) => insn("RShImm32", { dst, imm }),
  mov32: (dst: number, imm: number) => insn("MovImm32", { dst, imm }),
  movReg32: (dst: number, src: number) => insn("MovReg32", { dst, src }),
  /** Jump to `target` when dst != imm. */
  jneImm: (dst: number, imm: number, target: string) => insn("JNEImm", { dst, imm, target, off: -1 }),
  /** Jump to `target` when dst != src. */
  jneReg: (dst: number, src: number, target: string) => insn("JNEReg", { dst, src, target, off: -1 }),
  exit: () => insn("Exit"),
};

/** Jump offsets counted in instructions after the jump, from the labels. */
function resolve(insns: readonly BpfInsn[]): number[] {
  const at = new Map<string, number>();
  insns.forEach((i, n) => {
    if (i.symbol !== undefined) at.set(i.symbol, n);
  });
  return insns.map((i, n) => {
    if (i.target === undefined) return i.off;
    const t = at.get(i.target);
    if (t === undefined) throw new Error(`BPF jump to undefined label ${i.target}`);
    return t - n - 1;
  });
}

/** struct bpf_insn { u8 code; u8 dst:4, src:4; s16 off; s32 imm; }, little-endian. */
export function encode(insns: readonly BpfInsn[]): Uint8Array {
  const offsets = resolve(insns);
  const out = new Uint8Array(insns.length * 8);
  const v = new DataView(out.buffer);
  insns.forEach((i, n) => {
    v.setUint8(n * 8, OPCODES[i.op]);
    v.setUint8(n * 8 + 1, (i.src << 4) | i.dst);
    v.setInt16(n * 8 + 2, offsets[n], true);
    v.setInt32(n * 8 + 4, i.imm, true);
  });
  return out;
}

function text(i: BpfInsn): string {
  const r = (n: number) => `r${n}`;
  const ref = i.target !== undefined ? ` <${i.target}>` : "";
  switch (i.op) {
    case "LdXMemW":
      return `LdXMemW dst: ${r(i.dst)} src: ${r(i.src)} off: ${i.off} imm: ${i.imm}`;
    case "AndImm32":
    case "RShImm32":
    case "MovImm32":
      return `${i.op} dst: ${r(i.dst)} imm: ${i.imm}`;
    case "MovReg32":
      return `MovReg32 dst: ${r(i.dst)} src: ${r(i.src)}`;
    case "JNEImm":
      return `JNEImm dst: ${r(i.dst)} off: ${i.off} imm: ${i.imm}${ref}`;
    case "JNEReg":
      return `JNEReg dst: ${r(i.dst)} off: ${i.off} src: ${r(i.src)}${ref}`;
    case "Exit":
      return "Exit";
  }
}

/** One line per instruction ("6: JNEImm dst: r2 off: -1 imm: 2 <block-1>"), labels on lines of their own. */
export function listing(insns: readonly BpfInsn[]): string {
  const lines: string[] = [];
  insns.forEach((i, n) => {
    if (i.symbol !== undefined) lines.push(`${i.symbol}:`);
    lines.push(`${n}: ${text(i)}`);
  });
  return lines.join("\n");
}
