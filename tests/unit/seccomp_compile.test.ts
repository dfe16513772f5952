/**
 * The seccomp compiler, checked by running its filters: a small interpreter
 * for seccomp's BPF subset evaluates each program against system calls, and
 * argument conditions are compared with plain BigInt arithmetic over random
 * 64-bit values.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSeccomp } from "../../runtime/seccomp/compile.ts";
import { X86_64_SYSCALLS } from "../../runtime/seccomp/syscalls_x86_64.ts";
import type { LinuxSeccomp, LinuxSeccompArg } from "../../runtime/spec/schema.ts";

const X86_64 = 0xc000003e, I386 = 0x40000003;
const ALLOW = 0x7fff0000, KILL = 0, ERRNO = (e: number) => 0x00050000 | e;
const NR = X86_64_SYSCALLS;

/** Runs `program` on one system call; returns the filter's verdict. */
function verdict(program: Uint8Array, nr: number, args: bigint[] = [], arch = X86_64): number {
  const data = new DataView(new ArrayBuffer(64));
  data.setUint32(0, nr >>> 0, true);
  data.setUint32(4, arch, true);
  args.forEach((a, i) => data.setBigUint64(16 + 8 * i, BigInt.asUintN(64, a), true));
  const code = new DataView(program.buffer, program.byteOffset, program.byteLength);
  let a = 0;
  for (let pc = 0; pc < program.length / 8;) {
    const op = code.getUint16(pc * 8, true), jt = code.getUint8(pc * 8 + 2), jf = code.getUint8(pc * 8 + 3), k = code.getUint32(pc * 8 + 4, true);
    pc++;
    switch (op) {
      case 0x20: a = data.getUint32(k, true); break;
      case 0x54: a = (a & k) >>> 0; break;
      case 0x15: pc += a === k ? jt : jf; break;
      case 0x25: pc += a > k ? jt : jf; break;
      case 0x35: pc += a >= k ? jt : jf; break;
      case 0x06: return k;
      default: throw new Error(`unexpected instruction ${op.toString(16)}`);
    }
  }
  throw new Error("the program ran off its end");
}

const compile = (s: Partial<LinuxSeccomp>) => compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", ...s } as LinuxSeccomp, "x64").program;

test("named calls get their action, errno defaulting to EPERM, and the rest the default", () => {
  const p = compile({
    syscalls: [
      { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" },
      { names: ["reboot"], action: "SCMP_ACT_KILL_PROCESS" },
      { names: ["ptrace"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
    ],
  });
  assert.equal(verdict(p, NR.mkdir), ERRNO(1));
  assert.equal(verdict(p, NR.mkdirat), ERRNO(1));
  assert.equal(verdict(p, NR.reboot), 0x80000000);
  assert.equal(verdict(p, NR.ptrace), ERRNO(38));
  assert.equal(verdict(p, NR.read), ALLOW);
  const deny = compileSeccomp({ defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW" }] }, "x64").program;
  assert.equal(verdict(deny, NR.read), ALLOW);
  assert.equal(verdict(deny, NR.write), ERRNO(38));
});

test("calls of another ABI are killed, not let through: i386 and x32", () => {
  const p = compile({ syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }] });
  assert.equal(verdict(p, NR.read, [], I386), KILL);
  assert.equal(verdict(p, 0x40000000 | NR.mkdir), KILL);
  assert.equal(verdict(p, NR.read), ALLOW);
});

test("names this table does not know are skipped, as runc skips them", () => {
  const p = compile({ syscalls: [{ names: ["no_such_call", "mkdir"], action: "SCMP_ACT_ERRNO" }] });
  assert.equal(verdict(p, NR.mkdir), ERRNO(1));
});

/** What each operator means, over unsigned 64-bit values. */
function holds(op: LinuxSeccompArg["op"], arg: bigint, value: bigint, two: bigint): boolean {
  switch (op) {
    case "SCMP_CMP_EQ": return arg === value;
    case "SCMP_CMP_NE": return arg !== value;
    case "SCMP_CMP_LT": return arg < value;
    case "SCMP_CMP_LE": return arg <= value;
    case "SCMP_CMP_GT": return arg > value;
    case "SCMP_CMP_GE": return arg >= value;
    case "SCMP_CMP_MASKED_EQ": return (arg & value) === two;
  }
}

test("every comparison operator agrees with 64-bit arithmetic, high words included", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  // Values that differ only in the high word, only in the low word, or are equal, plus random ones.
  const pick = (base: bigint) => {
    const r = random() % 5;
    if (r === 0) return base;
    if (r === 1) return base ^ (1n << BigInt(32 + (random() % 20)));
    if (r === 2) return base ^ BigInt(1 + (random() % 1000));
    return (BigInt(random()) << 32n) | BigInt(random());
  };
  const ops: LinuxSeccompArg["op"][] = ["SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ"];
  let checked = 0;
  for (const op of ops) {
    for (let round = 0; round < 40; round++) {
      // Values stay below 2^53: config.json numbers are doubles.
      const value = BigInt(random()) * BigInt(1 + (random() % 4_000_000));
      const two = op === "SCMP_CMP_MASKED_EQ" ? value & BigInt(random()) : 0n;
      const p = compile({ syscalls: [{ names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{ index: 1, value: Number(value), valueTwo: Number(two), op }] }] });
      for (let i = 0; i < 10; i++) {
        const arg = i === 0 ? value : pick(value);
        const expected = holds(op, arg, value, two) ? ERRNO(1) : ALLOW;
        assert.equal(verdict(p, NR.kill, [0n, arg]), expected, `${op} ${value} with ${arg}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 7 * 40 * 10);
});

test("conditions on different arguments must all hold; on the same argument any one does (runc's rule)", () => {
  const and = compile({
    syscalls: [{ names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }, { index: 1, value: 9, op: "SCMP_CMP_EQ" }] }],
  });
  assert.equal(verdict(and, NR.kill, [1n, 9n]), ERRNO(1));
  assert.equal(verdict(and, NR.kill, [1n, 15n]), ALLOW);
  assert.equal(verdict(and, NR.kill, [2n, 9n]), ALLOW);
  const or = compile({
    syscalls: [{ names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0, op: "SCMP_CMP_EQ" }, { index: 0, value: 8, op: "SCMP_CMP_EQ" }] }],
    defaultAction: "SCMP_ACT_ERRNO",
  });
  assert.equal(verdict(or, NR.personality, [0n]), ALLOW);
  assert.equal(verdict(or, NR.personality, [8n]), ALLOW);
  assert.equal(verdict(or, NR.personality, [9n]), ERRNO(1));
});

test("a manager-sized allowlist compiles within the kernel's limits and keeps its meaning", () => {
  const names = Object.keys(NR);
  const p = compileSeccomp({
    defaultAction: "SCMP_ACT_ERRNO",
    syscalls: [
      { names: names.filter((n) => n !== "unshare" && n !== "clone"), action: "SCMP_ACT_ALLOW" },
      { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] },
    ],
  }, "x64").program;
  assert.ok(p.length / 8 < 4096);
  for (const name of names) {
    const expected = name === "unshare" ? ERRNO(1) : ALLOW;
    if (name !== "clone") assert.equal(verdict(p, NR[name]), expected, name);
  }
  assert.equal(verdict(p, NR.clone, [0x11n]), ALLOW, "clone without namespace flags");
  assert.equal(verdict(p, NR.clone, [0x20000000n]), ERRNO(1), "clone(CLONE_NEWUSER)");
});

test("flags, and what cannot be compiled, each said in one line naming the field", () => {
  assert.equal(compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"] }, "x64").flags, 6);
  assert.throws(() => compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW" }, "arm64"), { message: "linux.seccomp: filters are supported on x86_64 only, not arm64" });
  // SCMP_ACT_NOTIFY: SECCOMP_RET_USER_NOTIF, and a filter that makes a listener for the agent.
  const notify = compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/a", syscalls: [{ names: ["read"], action: "SCMP_ACT_NOTIFY" }] }, "x64");
  assert.equal(notify.flags, 8);
  const rets = [...Array(notify.program.length / 8).keys()].map((i) => new DataView(notify.program.buffer).getUint32(8 * i + 4, true));
  assert.ok(rets.includes(0x7fc00000));
  assert.equal(compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/a" }, "x64").flags, 0);
  assert.throws(
    () => compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }, "x64"),
    { message: "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported" },
  );
});
