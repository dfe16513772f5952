import { test } from "node:test";
import assert from "node:assert/strict";
import { containerDeviceRules, DeviceEmulator, type DeviceRule, ruleFromSpec } from "../../runtime/cgroups/devices.ts";
import { deviceFilterProgram } from "../../runtime/cgroups/devices_bpf.ts";
import { encode, listing } from "../../runtime/cgroups/bpf_asm.ts";
import { CgroupError } from "../../runtime/cgroups/errors.ts";

/** runc's devicefilter_test comparison: trimmed lines, comments and blank lines dropped. */
function normalise(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("//")).join("\n");
}

const rule = (type: DeviceRule["type"], major: number, minor: number, access: string, allow: boolean): DeviceRule => ({
  type,
  major,
  minor,
  access,
  allow,
});

const PROLOGUE = `
        0: LdXMemW dst: r2 src: r1 off: 0 imm: 0
        1: AndImm32 dst: r2 imm: 65535
        2: LdXMemW dst: r3 src: r1 off: 0 imm: 0
        3: RShImm32 dst: r3 imm: 16
        4: LdXMemW dst: r4 src: r1 off: 4 imm: 0
        5: LdXMemW dst: r5 src: r1 off: 8 imm: 0`;

test("BPF: no rules rejects everything (runc TestDeviceFilter_Nil)", () => {
  assert.equal(listing(deviceFilterProgram([])), normalise(`${PROLOGUE}
block-0:
// return 0 (reject)
        6: MovImm32 dst: r0 imm: 0
        7: Exit`));
});

test("BPF: runc's built-in allow list (TestDeviceFilter_BuiltInAllowList)", () => {
  const expected = `${PROLOGUE}
block-0:
// (b, wildcard, wildcard, m, true)
        6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
        7: MovReg32 dst: r1 src: r3
        8: AndImm32 dst: r1 imm: 1
        9: JNEReg dst: r1 off: -1 src: r3 <block-1>
        10: MovImm32 dst: r0 imm: 1
        11: Exit
block-1:
// (c, wildcard, wildcard, m, true)
        12: JNEImm dst: r2 off: -1 imm: 2 <block-2>
        13: MovReg32 dst: r1 src: r3
        14: AndImm32 dst: r1 imm: 1
        15: JNEReg dst: r1 off: -1 src: r3 <block-2>
        16: MovImm32 dst: r0 imm: 1
        17: Exit
block-2:
        18: JNEImm dst: r2 off: -1 imm: 2 <block-3>
        19: JNEImm dst: r4 off: -1 imm: 1 <block-3>
        20: JNEImm dst: r5 off: -1 imm: 3 <block-3>
        21: MovImm32 dst: r0 imm: 1
        22: Exit
block-3:
        23: JNEImm dst: r2 off: -1 imm: 2 <block-4>
        24: JNEImm dst: r4 off: -1 imm: 1 <block-4>
        25: JNEImm dst: r5 off: -1 imm: 5 <block-4>
        26: MovImm32 dst: r0 imm: 1
        27: Exit
block-4:
        28: JNEImm dst: r2 off: -1 imm: 2 <block-5>
        29: JNEImm dst: r4 off: -1 imm: 1 <block-5>
        30: JNEImm dst: r5 off: -1 imm: 7 <block-5>
        31: MovImm32 dst: r0 imm: 1
        32: Exit
block-5:
        33: JNEImm dst: r2 off: -1 imm: 2 <block-6>
        34: JNEImm dst: r4 off: -1 imm: 1 <block-6>
        35: JNEImm dst: r5 off: -1 imm: 8 <block-6>
        36: MovImm32 dst: r0 imm: 1
        37: Exit
block-6:
        38: JNEImm dst: r2 off: -1 imm: 2 <block-7>
        39: JNEImm dst: r4 off: -1 imm: 1 <block-7>
        40: JNEImm dst: r5 off: -1 imm: 9 <block-7>
        41: MovImm32 dst: r0 imm: 1
        42: Exit
block-7:
        43: JNEImm dst: r2 off: -1 imm: 2 <block-8>
        44: JNEImm dst: r4 off: -1 imm: 5 <block-8>
        45: JNEImm dst: r5 off: -1 imm: 0 <block-8>
        46: MovImm32 dst: r0 imm: 1
        47: Exit
block-8:
        48: JNEImm dst: r2 off: -1 imm: 2 <block-9>
        49: JNEImm dst: r4 off: -1 imm: 5 <block-9>
        50: JNEImm dst: r5 off: -1 imm: 2 <block-9>
        51: MovImm32 dst: r0 imm: 1
        52: Exit
block-9:
// tuntap (c, 10, 200, rwm, true)
        53: JNEImm dst: r2 off: -1 imm: 2 <block-10>
        54: JNEImm dst: r4 off: -1 imm: 10 <block-10>
        55: JNEImm dst: r5 off: -1 imm: 200 <block-10>
        56: MovImm32 dst: r0 imm: 1
        57: Exit
block-10:
// /dev/pts (c, 136, wildcard, rwm, true)
        58: JNEImm dst: r2 off: -1 imm: 2 <block-11>
        59: JNEImm dst: r4 off: -1 imm: 136 <block-11>
        60: MovImm32 dst: r0 imm: 1
        61: Exit
block-11:
        62: MovImm32 dst: r0 imm: 0
        63: Exit
`;
  // runc's test feeds its AllowedDevices list in this order.
  const allowed = [
    rule("c", -1, -1, "m", true),
    rule("b", -1, -1, "m", true),
    rule("c", 1, 3, "rwm", true),
    rule("c", 1, 8, "rwm", true),
    rule("c", 1, 7, "rwm", true),
    rule("c", 5, 0, "rwm", true),
    rule("c", 1, 5, "rwm", true),
    rule("c", 1, 9, "rwm", true),
    rule("c", 136, -1, "rwm", true),
    rule("c", 5, 2, "rwm", true),
    rule("c", 10, 200, "rwm", true),
  ];
  assert.equal(listing(deviceFilterProgram(allowed)), normalise(expected));
  // runt's default list is the same set, so containers get the same program.
  assert.equal(listing(deviceFilterProgram(containerDeviceRules(undefined))), normalise(expected));
});

test("BPF: privileged (allow all) accepts everything (TestDeviceFilter_Privileged)", () => {
  assert.equal(listing(deviceFilterProgram([rule("a", -1, -1, "rwm", true)])), normalise(`${PROLOGUE}
block-0:
// return 1 (accept)
        6: MovImm32 dst: r0 imm: 1
        7: Exit`));
});

const EXCEPT_8_X = (minor: number) => `${PROLOGUE}
block-0:
        6: JNEImm dst: r2 off: -1 imm: 1 <block-1>
        7: JNEImm dst: r4 off: -1 imm: 8 <block-1>
        8: JNEImm dst: r5 off: -1 imm: ${minor} <block-1>
        9: MovImm32 dst: r0 imm: 0
        10: Exit
block-1:
        11: MovImm32 dst: r0 imm: 1
        12: Exit`;

test("BPF: allow all but one block device (TestDeviceFilter_PrivilegedExceptSingleDevice)", () => {
  const rules = [rule("a", -1, -1, "rwm", true), rule("b", 8, 0, "rwm", false)];
  assert.equal(listing(deviceFilterProgram(rules)), normalise(EXCEPT_8_X(0)));
});

test("BPF: a deny before an allow-all is forgotten (TestDeviceFilter_Weird)", () => {
  const rules = [rule("b", 8, 1, "rwm", false), rule("a", -1, -1, "rwm", true), rule("b", 8, 2, "rwm", false)];
  assert.equal(listing(deviceFilterProgram(rules)), normalise(EXCEPT_8_X(2)));
});

test("BPF encoding: opcodes, registers, resolved jump offsets and immediates", () => {
  const code = encode(deviceFilterProgram([rule("c", 1, 3, "rw", true)]));
  const insn = (i: number) => Array.from(code.subarray(i * 8, i * 8 + 8));
  assert.equal(code.length, 16 * 8);
  assert.deepEqual(insn(0), [0x61, 0x12, 0, 0, 0, 0, 0, 0]); // r2 = *(u32 *)(r1 + 0)
  assert.deepEqual(insn(1), [0x54, 0x02, 0, 0, 0xff, 0xff, 0, 0]); // w2 &= 0xffff
  assert.deepEqual(insn(3), [0x74, 0x03, 0, 0, 16, 0, 0, 0]); // w3 >>= 16
  assert.deepEqual(insn(5), [0x61, 0x15, 8, 0, 0, 0, 0, 0]); // r5 = *(u32 *)(r1 + 8)
  assert.deepEqual(insn(6), [0x55, 0x02, 7, 0, 2, 0, 0, 0]); // if r2 != 2 goto +7 (the default verdict at 14)
  assert.deepEqual(insn(7), [0xbc, 0x31, 0, 0, 0, 0, 0, 0]); // w1 = w3
  assert.deepEqual(insn(8), [0x54, 0x01, 0, 0, 6, 0, 0, 0]); // w1 &= r|w
  assert.deepEqual(insn(9), [0x5d, 0x31, 4, 0, 0, 0, 0, 0]); // if r1 != r3 goto +4
  assert.deepEqual(insn(10), [0x55, 0x04, 3, 0, 1, 0, 0, 0]); // if r4 != 1 goto +3
  assert.deepEqual(insn(11), [0x55, 0x05, 2, 0, 3, 0, 0, 0]); // if r5 != 3 goto +2
  assert.deepEqual(insn(12), [0xb4, 0x00, 0, 0, 1, 0, 0, 0]); // w0 = 1
  assert.deepEqual(insn(13), [0x95, 0x00, 0, 0, 0, 0, 0, 0]); // exit
  assert.deepEqual(insn(14), [0xb4, 0x00, 0, 0, 0, 0, 0, 0]); // w0 = 0
});

test("emulator: punching a hole into a wildcard allow is refused like runc, not silently ignored", () => {
  const rules = [rule("a", -1, -1, "rwm", false), rule("c", 1, -1, "rwm", true), rule("c", 1, 3, "w", false)];
  assert.throws(() => DeviceEmulator.of(rules), (e: Error) => e instanceof CgroupError && /cannot punch a hole/.test(e.message));
});

test("spec entries: defaults for type and numbers, access checked", () => {
  assert.deepEqual(ruleFromSpec({ allow: false, access: "mwr" }, 0), rule("a", -1, -1, "rwm", false));
  assert.throws(() => ruleFromSpec({ allow: true, access: "" }, 2), /devices\[2\]\.access/);
  // runc 1.1 reads the r, w and m of any other string and ignores the rest.
  assert.deepEqual(ruleFromSpec({ allow: true, type: "c", major: 10, minor: 229, access: "rwa" }, 0), rule("c", 10, 229, "rw", true));
  assert.deepEqual(ruleFromSpec({ allow: true, type: "c", major: 10, minor: 229, access: "wrr" }, 0), rule("c", 10, 229, "rw", true));
  assert.throws(() => ruleFromSpec({ allow: true, type: "p", access: "r" }, 1), /devices\[1\]\.type/);
  // A linux.devices entry redefining /dev/null takes the default rule's place, as in runc.
  const rules = containerDeviceRules([], ["/dev/null"]);
  assert.equal(rules.some((r) => r.major === 1 && r.minor === 3), false);
  assert.equal(rules.length, 10);
});

test("a rule with none of r, w, m: refused where it would make an exception, a no-op where it would remove one (runc 1.1)", () => {
  const nothing = (allow: boolean) => ruleFromSpec({ allow, type: "c", major: 10, minor: 229, access: "x" }, 1);
  assert.throws(() => DeviceEmulator.of([rule("a", -1, -1, "rwm", false), nothing(true)]), /"c 10:229" allows nothing/);
  assert.throws(() => DeviceEmulator.of([rule("a", -1, -1, "rwm", true), nothing(false)]), /"c 10:229" denies nothing/);
  assert.deepEqual(DeviceEmulator.of([rule("a", -1, -1, "rwm", false), nothing(false)]).entries(), []);
  assert.deepEqual(DeviceEmulator.of([rule("c", 10, 229, "r", true), nothing(true)]).entries(), [{ type: "c", major: 10, minor: 229, access: "r" }]);
  // A wildcard rule resets everything whatever its access says.
  assert.equal(DeviceEmulator.of([ruleFromSpec({ allow: true, access: "x" }, 0)]).defaultAllow, true);
});
