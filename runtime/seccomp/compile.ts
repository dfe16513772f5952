/**
 * linux.seccomp compiled into the BPF filter the kernel runs, with runc's
 * (libseccomp's) meaning: the native architecture's calls by number, rules
 * in order, the default action for the rest, and any call from another ABI
 * (32-bit x86, x32) killed rather than let through unfiltered. Calls this
 * kernel's table does not know are skipped, as runc skips them.
 */
import type { LinuxSeccomp, LinuxSeccompArg } from "../spec/schema.ts";
import { hostArch } from "../host.ts";
import { RuntError } from "../errors.ts";
import { Assembler, JMP_JEQ_K, JMP_JGE_K, JMP_JGT_K, Label, type Target } from "./bpf.ts";
import { X86_64_SYSCALLS } from "./syscalls_x86_64.ts";

export class SeccompError extends RuntError {}

export interface CompiledSeccomp {
  /** The instructions, 8 bytes each, for seccomp(SECCOMP_SET_MODE_FILTER). */
  program: Uint8Array;
  /** SECCOMP_FILTER_FLAG_* bits. */
  flags: number;
}

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;

const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  USER_NOTIF: 0x7fc00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
};

export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;

const FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  // Synchronising threads is moot: the filter's process execs at once and has one thread.
  SECCOMP_FILTER_FLAG_TSYNC: 0,
};

/** Offsets in struct seccomp_data. */
const NR = 0, ARCH = 4;
const argLow = (index: number) => 16 + 8 * index;
const argHigh = (index: number) => 16 + 8 * index + 4;

/** `arch` in Node's names (hostArch): only x86_64 has a table here. */
export function compileSeccomp(seccomp: LinuxSeccomp, arch: string = hostArch()): CompiledSeccomp {
  if (arch !== "x64") throw new SeccompError(`linux.seccomp: filters are supported on x86_64 only, not ${arch}`);
  let flags = 0;
  // An agent answers SCMP_ACT_NOTIFY through the listener the kernel makes with the filter.
  if ((seccomp.syscalls ?? []).some((rule) => rule.action === "SCMP_ACT_NOTIFY")) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  for (const [i, flag] of (seccomp.flags ?? []).entries()) {
    if (!(flag in FLAGS)) throw new SeccompError(`linux.seccomp.flags[${i}]: ${flag} is not supported`);
    flags |= FLAGS[flag];
  }
  const defaultRet = actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet, "linux.seccomp.defaultAction");

  const asm = new Assembler();
  // Each kill sits next to its test: a conditional jump reaches 255 instructions at most.
  const native = new Label(), x64 = new Label();
  asm.load(ARCH);
  asm.jump(JMP_JEQ_K, AUDIT_ARCH_X86_64, native, 0);
  asm.ret(RET.KILL_THREAD);
  asm.place(native);
  asm.load(NR);
  asm.jump(JMP_JGE_K, X32_SYSCALL_BIT, 0, x64);
  asm.ret(RET.KILL_THREAD);
  asm.place(x64);
  let aHoldsNr = true;
  for (const [i, rule] of (seccomp.syscalls ?? []).entries()) {
    const ret = actionValue(rule.action, rule.errnoRet, `linux.seccomp.syscalls[${i}].action`);
    // As runc: a rule whose action is the default one changes nothing.
    if (ret === defaultRet) continue;
    for (const name of rule.names) {
      const nr = X86_64_SYSCALLS[name];
      if (nr === undefined) continue;
      for (const conditions of conditionSets(rule.args ?? [])) {
        const next = new Label();
        if (!aHoldsNr) asm.load(NR);
        asm.jump(JMP_JEQ_K, nr, 0, next);
        for (const condition of conditions) compare(asm, condition, next);
        aHoldsNr = conditions.length === 0;
        asm.ret(ret);
        asm.place(next);
      }
    }
  }
  asm.ret(defaultRet);
  try {
    return { program: asm.assemble(), flags };
  } catch (e) {
    throw new SeccompError(`linux.seccomp: ${(e as Error).message}`);
  }
}

/**
 * runc's rule: conditions on different arguments must all hold; several on
 * the same argument are alternatives, each a rule of its own.
 */
function conditionSets(args: LinuxSeccompArg[]): LinuxSeccompArg[][] {
  const indexes = args.map((a) => a.index);
  if (new Set(indexes).size === indexes.length) return [args];
  return args.map((a) => [a]);
}

function actionValue(action: string, errnoRet: number | undefined, field: string): number {
  switch (action) {
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return RET.KILL_THREAD;
    case "SCMP_ACT_KILL_PROCESS":
      return RET.KILL_PROCESS;
    case "SCMP_ACT_TRAP":
      return RET.TRAP;
    case "SCMP_ACT_ERRNO":
      return (RET.ERRNO | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case "SCMP_ACT_TRACE":
      return (RET.TRACE | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case "SCMP_ACT_LOG":
      return RET.LOG;
    case "SCMP_ACT_NOTIFY":
      return RET.USER_NOTIF;
    case "SCMP_ACT_ALLOW":
      return RET.ALLOW;
    default:
      throw new SeccompError(`${field}: ${action} is not supported`);
  }
}

/** Falls through when the 64-bit argument satisfies the condition, jumps to `fail` otherwise. */
function compare(asm: Assembler, arg: LinuxSeccompArg, fail: Label): void {
  const value = BigInt(arg.value), two = BigInt(arg.valueTwo ?? 0);
  const hi = (n: bigint) => Number((n >> 32n) & 0xffffffffn), lo = (n: bigint) => Number(n & 0xffffffffn);
  const pass = new Label();
  const i = arg.index;
  switch (arg.op) {
    case "SCMP_CMP_EQ":
      wordsEqual(asm, i, hi(value), lo(value), pass, fail);
      break;
    case "SCMP_CMP_NE":
      wordsEqual(asm, i, hi(value), lo(value), fail, pass);
      break;
    case "SCMP_CMP_MASKED_EQ":
      asm.load(argHigh(i));
      asm.and(hi(value));
      asm.jump(JMP_JEQ_K, hi(two), 0, fail);
      asm.load(argLow(i));
      asm.and(lo(value));
      asm.jump(JMP_JEQ_K, lo(two), pass, fail);
      break;
    case "SCMP_CMP_GT":
      ordered(asm, i, hi(value), lo(value), JMP_JGT_K, pass, fail);
      break;
    case "SCMP_CMP_GE":
      ordered(asm, i, hi(value), lo(value), JMP_JGE_K, pass, fail);
      break;
    case "SCMP_CMP_LT":
      ordered(asm, i, hi(value), lo(value), JMP_JGE_K, fail, pass);
      break;
    case "SCMP_CMP_LE":
      ordered(asm, i, hi(value), lo(value), JMP_JGT_K, fail, pass);
      break;
    default:
      throw new SeccompError(`linux.seccomp: operator ${arg.op} is not supported`);
  }
  asm.place(pass);
}

/**
 * An unsigned 64-bit comparison: above the value in the high word goes to
 * `above`, below to `below`, and an equal high word lets the low word decide
 * (`lowTest` true goes to `above`).
 */
function ordered(asm: Assembler, index: number, high: number, low: number, lowTest: typeof JMP_JGT_K | typeof JMP_JGE_K, above: Target, below: Target): void {
  const lowWord = new Label();
  asm.load(argHigh(index));
  asm.jump(JMP_JGT_K, high, above, 0);
  asm.jump(JMP_JEQ_K, high, lowWord, below);
  asm.place(lowWord);
  asm.load(argLow(index));
  asm.jump(lowTest, low, above, below);
}

function wordsEqual(asm: Assembler, index: number, high: number, low: number, equal: Target, different: Target): void {
  asm.load(argHigh(index));
  asm.jump(JMP_JEQ_K, high, 0, different);
  asm.load(argLow(index));
  asm.jump(JMP_JEQ_K, low, equal, different);
}
