/**
 * Classic BPF as seccomp runs it: the instruction encoding, and a small
 * assembler whose forward jumps name labels, resolved once the program is laid out.
 */

export const LD_W_ABS = 0x20;
export const ALU_AND_K = 0x54;
export const JMP_JEQ_K = 0x15;
export const JMP_JGT_K = 0x25;
export const JMP_JGE_K = 0x35;
export const RET_K = 0x06;

/** The kernel refuses longer filters (BPF_MAXINSNS). */
export const MAX_INSTRUCTIONS = 4096;

export class Label {}

/** A jump target: a label, or 0 for the next instruction. */
export type Target = Label | 0;

interface Instruction {
  code: number;
  jt: Target;
  jf: Target;
  k: number;
}

export class Assembler {
  private readonly code: (Instruction | Label)[] = [];

  load(offset: number): void {
    this.emit(LD_W_ABS, 0, 0, offset);
  }

  and(mask: number): void {
    this.emit(ALU_AND_K, 0, 0, mask);
  }

  /** Conditional jump on A compared with `k`. */
  jump(code: typeof JMP_JEQ_K | typeof JMP_JGT_K | typeof JMP_JGE_K, k: number, jt: Target, jf: Target): void {
    this.emit(code, jt, jf, k);
  }

  ret(value: number): void {
    this.emit(RET_K, 0, 0, value);
  }

  place(label: Label): void {
    this.code.push(label);
  }

  /** The program as the kernel takes it: 8 bytes per instruction (code u16, jt u8, jf u8, k u32). */
  assemble(): Uint8Array {
    const at = new Map<Label, number>();
    const insns: Instruction[] = [];
    for (const item of this.code) {
      if (item instanceof Label) at.set(item, insns.length);
      else insns.push(item);
    }
    if (insns.length > MAX_INSTRUCTIONS) {
      throw new RangeError(`the filter needs ${insns.length} instructions; the kernel takes at most ${MAX_INSTRUCTIONS}`);
    }
    const out = new Uint8Array(insns.length * 8);
    const v = new DataView(out.buffer);
    insns.forEach((insn, i) => {
      const offset = (target: Target) => {
        if (target === 0) return 0;
        const to = at.get(target);
        if (to === undefined) throw new Error("jump to a label never placed");
        const distance = to - (i + 1);
        if (distance < 0 || distance > 255) throw new RangeError(`jump of ${distance} instructions cannot be encoded`);
        return distance;
      };
      v.setUint16(i * 8, insn.code, true);
      v.setUint8(i * 8 + 2, offset(insn.jt));
      v.setUint8(i * 8 + 3, offset(insn.jf));
      v.setUint32(i * 8 + 4, insn.k >>> 0, true);
    });
    return out;
  }

  private emit(code: number, jt: Target, jf: Target, k: number): void {
    this.code.push({ code, jt, jf, k });
  }
}
