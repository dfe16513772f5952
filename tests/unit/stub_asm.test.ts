import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AsmError, assemble } from "../../runtime/stub/x86_64/asm.ts";
import { VM_CONSTANTS, vmCode } from "../../runtime/stub/x86_64/vm.ts";
import { assembleVm, VM_SOURCE } from "../../runtime/stub/x86_64/vm_source.ts";
import { vmCodeModule } from "../../runtime/stub/x86_64/generate.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const one = (line: string) => hex(assemble(line, { origin: 0 }).code);

// Encodings from the Intel SDM, vol. 2: REX.W + opcode, ModRM mod=10 with disp32 (SIB for rsp/r12),
// the shortest immediate form of arithmetic (imm8, or the rax form of imm32).
const KNOWN: [string, string][] = [
  ["mov rax, 0x401000", "48 b8 00 10 40 00 00 00 00 00"],
  ["mov r15, -1", "49 bf ff ff ff ff ff ff ff ff"],
  ["mov r12, rcx", "49 89 cc"],
  ["mov rdi, [rbx+8]", "48 8b bb 08 00 00 00"],
  ["mov rdi, [r12+8]", "49 8b bc 24 08 00 00 00"],
  ["mov r13, [r13]", "4d 8b ad 00 00 00 00"],
  ["mov [r15-8], rcx", "49 89 8f f8 ff ff ff"],
  ["mov [rsp+16], rax", "48 89 84 24 10 00 00 00"],
  ["add rdi, r15", "4c 01 ff"],
  ["add rbx, 104", "48 83 c3 68"],
  ["add rbx, 128", "48 81 c3 80 00 00 00"],
  ["sub rax, 5", "48 83 e8 05"],
  ["sub rax, 500", "48 2d f4 01 00 00"],
  ["sub r9, rax", "49 29 c1"],
  ["cmp rax, -4095", "48 3d 01 f0 ff ff"],
  ["cmp rcx, -4095", "48 81 f9 01 f0 ff ff"],
  ["cmp r13, -1", "49 83 fd ff"],
  ["cmp r13, r12", "4d 39 e5"],
  ["test r14, 1", "49 f7 c6 01 00 00 00"],
  ["test rax, 1", "48 a9 01 00 00 00"],
  ["test rcx, rcx", "48 85 c9"],
  ["shl rcx, 3", "48 c1 e1 03"],
  ["shr r9, 63", "49 c1 e9 3f"],
  ["inc r13", "49 ff c5"],
  ["dec rax", "48 ff c8"],
  ["neg rax", "48 f7 d8"],
  ["syscall", "0f 05"],
];

test("each instruction form encodes to the manual's bytes", () => {
  for (const [line, bytes] of KNOWN) assert.equal(one(line), bytes, line);
});

test("jumps are rel32 from the end of the instruction, backwards and forwards", () => {
  assert.equal(hex(assemble("back: jmp back", { origin: 0x400000 }).code), "e9 fb ff ff ff");
  assert.equal(hex(assemble("jae ahead\nahead:", { origin: 0 }).code), "0f 83 00 00 00 00");
  assert.equal(hex(assemble("jz x\nsyscall\nx:", { origin: 0 }).code), "0f 84 02 00 00 00 0f 05");
  const { labels } = assemble("a:\nsyscall\nb: syscall", { origin: 0x1000 });
  assert.deepEqual([...labels], [["a", 0x1000n], ["b", 0x1002n]]);
});

test("constants stand for immediates and displacements", () => {
  const out = assemble("mov rax, BASE\nmov rdi, [rbx+OFF]", { origin: 0, constants: { BASE: 0x401000n, OFF: 72 } });
  assert.equal(hex(out.code), "48 b8 00 10 40 00 00 00 00 00 48 8b bb 48 00 00 00");
});

test("errors name the line and what is wrong with it", () => {
  const cases: [string, RegExp][] = [
    ["syscall\nmov eax, 1", /^line 2: not a 64-bit register: eax: mov eax, 1$/],
    ["jmp nowhere", /^line 1: unknown name nowhere: jmp nowhere$/],
    ["\n\nadd rax, 0x100000000", /^line 3: 0x100000000 does not fit in 32 bits/],
    ["push rax", /^line 1: unsupported instruction form push reg/],
    ["add rax, later\nlater:", /^line 1: later must be a number or a constant/],
    ["mov rax, [rbx*2]", /^line 1: bad operand \[rbx\*2\]/],
    ["x:\nx:", /^line 2: label x defined twice/],
    ["shl rax, 64", /^line 1: shift count must be 0-63/],
    ["mov rax, [eax+1]", /^line 1: not a 64-bit register: eax/],
  ];
  for (const [source, message] of cases) {
    assert.throws(() => assemble(source, { origin: 0 }), (e) => e instanceof AsmError && message.test(e.message), source);
  }
});

const binutils = ["as", "objcopy"].every((tool) => spawnSync(tool, ["--version"]).status === 0);

/**
 * GNU as picks the shortest encodings; `{disp32}` and `movabs` make it use the
 * fixed-length forms this assembler always emits.
 */
function toGnu(source: string, constants: Readonly<Record<string, bigint>>): string {
  const lines = source.split("\n").map((raw) => {
    let line = raw.replace(/;.*$/, "");
    for (const [name, value] of Object.entries(constants)) line = line.replaceAll(new RegExp(`\\b${name}\\b`, "g"), `0x${value.toString(16)}`);
    line = line.replace(/\[(\w+)\]/, "[$1+0]");
    if (/^\s*(\w+:)?\s*mov\s+\w+,\s*-?(0x)?[0-9a-f]+\s*$/i.test(line)) line = line.replace(/\bmov\b/, "movabs");
    if (/\[|\bj\w+\s/.test(line)) line = line.replace(/^(\s*(?:\w+:)?\s*)/, "$1{disp32} ");
    return line;
  });
  return [".intel_syntax noprefix", ".text", ...lines, ""].join("\n");
}

test("the interpreter assembles to the same bytes as GNU as", { skip: binutils ? undefined : "binutils not installed" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-stub-as-"));
  try {
    const mine = vmCode();
    writeFileSync(join(dir, "vm.s"), toGnu(VM_SOURCE, VM_CONSTANTS));
    const as = spawnSync("as", ["-o", join(dir, "vm.o"), join(dir, "vm.s")], { encoding: "utf8" });
    assert.equal(as.status, 0, as.stderr);
    const copy = spawnSync("objcopy", ["-O", "binary", "-j", ".text", join(dir, "vm.o"), join(dir, "vm.bin")]);
    assert.equal(copy.status, 0);
    assert.equal(hex(mine), hex(new Uint8Array(readFileSync(join(dir, "vm.bin")))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the forms table agrees with GNU as", { skip: binutils ? undefined : "binutils not installed" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-stub-as-"));
  try {
    const source = KNOWN.map(([line]) => line).join("\n");
    writeFileSync(join(dir, "forms.s"), toGnu(source, {}));
    assert.equal(spawnSync("as", ["-o", join(dir, "f.o"), join(dir, "forms.s")]).status, 0);
    assert.equal(spawnSync("objcopy", ["-O", "binary", "-j", ".text", join(dir, "f.o"), join(dir, "f.bin")]).status, 0);
    assert.equal(hex(new Uint8Array(readFileSync(join(dir, "f.bin")))), KNOWN.map(([, b]) => b).join(" "));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the interpreter's machine code shipped in vm_code.ts is what VM_SOURCE assembles to", () => {
  assert.equal(hex(vmCode()), hex(assembleVm()));
  const shipped = readFileSync(new URL("../../runtime/stub/x86_64/vm_code.ts", import.meta.url), "utf8");
  assert.equal(shipped, vmCodeModule(), "run: deno run -A runtime/stub/x86_64/generate.ts");
});
