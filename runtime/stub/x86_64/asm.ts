/**
 * A small x86-64 assembler for the start-up program's interpreter: Intel
 * syntax, 64-bit registers only, and only the forms the interpreter uses.
 * Immediates to `mov` are always 64-bit, displacements and jumps always
 * 32-bit; only arithmetic immediates take a shorter form, and those must be
 * numbers or constants. So every line's length is known before any label is,
 * and the output never depends on the distance of a jump.
 *
 * Source: one instruction per line; `name:` defines a label (optionally
 * followed by an instruction); `;` starts a comment. Operands: a register,
 * an immediate (decimal, 0x hex, negative, a constant's name or a label), or
 * a memory operand `[reg]`, `[reg+disp]`, `[reg-disp]` (disp a number or a
 * constant's name).
 */

const REGISTERS = [
  "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
] as const;

/** Names of 32/16/8-bit registers, refused rather than taken for symbols. */
const NARROW_REGISTER = /^(e?[abcd]x|[abcd][lh]|e?[sd]il?|e?[sb]pl?|r(8|9|1[0-5])[dwb])$/i;

/** Condition codes of Jcc (the low nibble of 0F 8x). */
const CONDITIONS: Readonly<Record<string, number>> = {
  o: 0x0, no: 0x1, b: 0x2, c: 0x2, nae: 0x2, ae: 0x3, nb: 0x3, nc: 0x3, e: 0x4, z: 0x4, ne: 0x5, nz: 0x5,
  be: 0x6, na: 0x6, a: 0x7, nbe: 0x7, s: 0x8, ns: 0x9, p: 0xa, np: 0xb, l: 0xc, ge: 0xd, le: 0xe, g: 0xf,
};

/**
 * Two-operand arithmetic: the `op r/m64, r64` opcode; the /digit of
 * `op r/m64, imm`; the sign-extended imm8 opcode (none for test); the short
 * `op rax, imm32` opcode. GNU as picks the shortest of these, and so does
 * this assembler, which keeps its output byte-identical to binutils'.
 */
const ARITH: Readonly<Record<string, { reg: number; digit: number; imm32: number; imm8?: number; rax: number }>> = {
  add: { reg: 0x01, digit: 0, imm32: 0x81, imm8: 0x83, rax: 0x05 },
  sub: { reg: 0x29, digit: 5, imm32: 0x81, imm8: 0x83, rax: 0x2d },
  cmp: { reg: 0x39, digit: 7, imm32: 0x81, imm8: 0x83, rax: 0x3d },
  test: { reg: 0x85, digit: 0, imm32: 0xf7, rax: 0xa9 },
};

/** One-operand forms: opcode and /digit. */
const UNARY: Readonly<Record<string, [opcode: number, digit: number]>> = {
  inc: [0xff, 0],
  dec: [0xff, 1],
  neg: [0xf7, 3],
};

const SHIFTS: Readonly<Record<string, number>> = { shl: 4, shr: 5 };

type Operand =
  | { kind: "reg"; reg: number }
  | { kind: "mem"; base: number; disp: string }
  | { kind: "imm"; text: string };

interface Line {
  number: number;
  text: string;
  mnemonic: string;
  operands: Operand[];
  offset: number;
  size: number;
}

export interface AsmOptions {
  /** Address of the first byte (labels are absolute addresses). */
  origin: number | bigint;
  /** Named values usable as immediates and displacements. */
  constants?: Readonly<Record<string, number | bigint>>;
}

export interface Assembled {
  code: Uint8Array;
  /** Label → absolute address. */
  labels: ReadonlyMap<string, bigint>;
}

export class AsmError extends Error {
  constructor(line: number, text: string, message: string) {
    super(`line ${line}: ${message}: ${text.trim()}`);
    this.name = "AsmError";
  }
}

const INT32_MIN = -(2n ** 31n), INT32_MAX = 2n ** 31n - 1n;

export function assemble(source: string, options: AsmOptions): Assembled {
  const origin = BigInt(options.origin);
  const constants = options.constants ?? {};
  const labels = new Map<string, bigint>();
  const lines: Line[] = [];
  let offset = 0;

  source.split("\n").forEach((raw, i) => {
    const number = i + 1;
    let text = raw.replace(/;.*$/, "").trim();
    const label = /^([A-Za-z_.][\w.]*):\s*/.exec(text);
    if (label) {
      if (labels.has(label[1]) || label[1] in constants) throw new AsmError(number, raw, `label ${label[1]} defined twice`);
      labels.set(label[1], origin + BigInt(offset));
      text = text.slice(label[0].length);
    }
    if (text === "") return;
    const [mnemonic, rest = ""] = text.split(/\s+(.*)/s);
    const operands = rest.trim() === "" ? [] : rest.split(",").map((o) => parseOperand(o.trim(), number, raw));
    const line = { number, text: raw, mnemonic: mnemonic.toLowerCase(), operands, offset, size: 0 };
    // Labels may lie ahead: worth 0 while sizing, which no length depends on.
    line.size = encode(line, resolver(line, constants, null), 0n).length;
    lines.push(line);
    offset += line.size;
  });

  const code = new Uint8Array(offset);
  for (const line of lines) {
    code.set(encode(line, resolver(line, constants, labels), origin + BigInt(line.offset)), line.offset);
  }
  return { code, labels };
}

/** Resolves names for one line; `labels` null while sizing. */
type Resolver = (text: string, labelsAllowed?: boolean) => bigint;

function resolver(
  line: Line,
  constants: Readonly<Record<string, number | bigint>>,
  labels: ReadonlyMap<string, bigint> | null,
): Resolver {
  return (text, labelsAllowed = true) => {
    const v = resolve(text, constants, labelsAllowed ? labels ?? new Map() : new Map());
    if (v !== undefined) return v;
    if (labels === null && labelsAllowed) return 0n;
    throw new AsmError(line.number, line.text, labelsAllowed ? `unknown name ${text}` : `${text} must be a number or a constant`);
  };
}

function resolve(
  text: string,
  constants: Readonly<Record<string, number | bigint>>,
  labels: ReadonlyMap<string, bigint>,
): bigint | undefined {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1).trim() : text;
  let v: bigint | undefined;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(body)) v = BigInt(body);
  else if (Object.hasOwn(constants, body)) v = BigInt(constants[body]);
  else v = labels.get(body);
  return v === undefined ? undefined : negative ? -v : v;
}

function parseOperand(text: string, line: number, raw: string): Operand {
  const reg = REGISTERS.indexOf(text.toLowerCase() as typeof REGISTERS[number]);
  if (reg >= 0) return { kind: "reg", reg };
  if (NARROW_REGISTER.test(text)) throw new AsmError(line, raw, `not a 64-bit register: ${text}`);
  const mem = /^\[\s*(\w+)\s*(?:([+-])\s*([\w]+)\s*)?\]$/.exec(text);
  if (mem) {
    const base = REGISTERS.indexOf(mem[1].toLowerCase() as typeof REGISTERS[number]);
    if (base < 0) throw new AsmError(line, raw, `not a 64-bit register: ${mem[1]}`);
    return { kind: "mem", base, disp: mem[2] === undefined ? "0" : mem[2] === "-" ? `-${mem[3]}` : mem[3] };
  }
  if (/^-?\s*[\w.]+$/.test(text)) return { kind: "imm", text: text.replace(/\s+/g, "") };
  throw new AsmError(line, raw, `bad operand ${text}`);
}

/** REX.W with the R (ModRM.reg) and B (ModRM.rm) extensions. */
function rexW(reg: number, rm: number): number {
  return 0x48 | ((reg >> 3) << 2) | (rm >> 3);
}

/** ModRM for a register-direct r/m. */
function direct(reg: number, rm: number): number {
  return 0xc0 | ((reg & 7) << 3) | (rm & 7);
}

/** ModRM (+SIB for rsp/r12) + disp32 for `[base+disp]`. */
function memory(reg: number, base: number, disp: bigint): number[] {
  const out = [0x80 | ((reg & 7) << 3) | (base & 7)];
  if ((base & 7) === 4) out.push(0x24);
  return out.concat(le(disp, 4));
}

function le(value: bigint, bytes: number): number[] {
  const v = BigInt.asUintN(bytes * 8, value);
  return Array.from({ length: bytes }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

/** `address` is where the line starts. */
function encode(line: Line, value: Resolver, address: bigint): Uint8Array {
  const fail = (message: string): never => {
    throw new AsmError(line.number, line.text, message);
  };
  const int32 = (text: string): bigint => {
    const v = value(text);
    if (v < INT32_MIN || v > INT32_MAX) fail(`${text} does not fit in 32 bits`);
    return v;
  };
  const { mnemonic: m, operands: ops } = line;
  const shape = ops.map((o) => o.kind).join(",");
  const [a, b] = ops as [Operand, Operand];
  const reg = (o: Operand) => (o as { reg: number }).reg;
  const bytes = (list: number[]) => Uint8Array.from(list);

  if (m === "syscall" && shape === "") return bytes([0x0f, 0x05]);
  if (m === "mov") {
    if (shape === "reg,imm") {
      // movabs: the full 64-bit immediate, so addresses and -1 need no special case.
      const v = value((b as { text: string }).text);
      if (v < -(2n ** 63n) || v >= 2n ** 64n) fail("immediate does not fit in 64 bits");
      return bytes([0x48 | (reg(a) >> 3), 0xb8 + (reg(a) & 7), ...le(v, 8)]);
    }
    if (shape === "reg,reg") return bytes([rexW(reg(b), reg(a)), 0x89, direct(reg(b), reg(a))]);
    if (shape === "reg,mem") {
      const mem = b as { base: number; disp: string };
      return bytes([rexW(reg(a), mem.base), 0x8b, ...memory(reg(a), mem.base, int32(mem.disp))]);
    }
    if (shape === "mem,reg") {
      const mem = a as { base: number; disp: string };
      return bytes([rexW(reg(b), mem.base), 0x89, ...memory(reg(b), mem.base, int32(mem.disp))]);
    }
  }
  const arith = ARITH[m];
  if (arith) {
    if (shape === "reg,reg") return bytes([rexW(reg(b), reg(a)), arith.reg, direct(reg(b), reg(a))]);
    if (shape === "reg,imm") {
      const imm = value((b as { text: string }).text, false);
      if (imm < INT32_MIN || imm > INT32_MAX) fail(`${(b as { text: string }).text} does not fit in 32 bits`);
      if (arith.imm8 !== undefined && imm >= -128n && imm <= 127n) {
        return bytes([rexW(0, reg(a)), arith.imm8, direct(arith.digit, reg(a)), ...le(imm, 1)]);
      }
      if (reg(a) === 0) return bytes([0x48, arith.rax, ...le(imm, 4)]);
      return bytes([rexW(0, reg(a)), arith.imm32, direct(arith.digit, reg(a)), ...le(imm, 4)]);
    }
  }
  const unary = UNARY[m];
  if (unary && shape === "reg") return bytes([rexW(0, reg(a)), unary[0], direct(unary[1], reg(a))]);
  const shift = SHIFTS[m];
  if (shift !== undefined && shape === "reg,imm") {
    const n = value((b as { text: string }).text);
    if (n < 0n || n > 63n) fail("shift count must be 0-63");
    return bytes([rexW(0, reg(a)), 0xc1, direct(shift, reg(a)), Number(n)]);
  }
  const cc = m === "jmp" ? -1 : m.startsWith("j") ? CONDITIONS[m.slice(1)] : undefined;
  if (cc !== undefined && shape === "imm") {
    const prefix = cc < 0 ? [0xe9] : [0x0f, 0x80 | cc];
    const rel = value((a as { text: string }).text) - (address + BigInt(prefix.length + 4));
    if (rel < INT32_MIN || rel > INT32_MAX) fail("jump target out of range");
    return bytes([...prefix, ...le(rel, 4)]);
  }
  return fail(`unsupported instruction form ${m} ${shape.replaceAll(",", ", ")}`);
}
