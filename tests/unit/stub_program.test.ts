import { test } from "node:test";
import assert from "node:assert/strict";
import { slot, StubProgram } from "../../runtime/stub/program.ts";
import { HEADER_SIZE, RECORD } from "../../runtime/stub/layout.ts";
import { CODE_BASE, DATA_BASE, DATA_LIMIT, SLOTS, vmCode } from "../../runtime/stub/x86_64/vm.ts";
import { CODE_OFFSET, EM_X86_64 } from "../../runtime/stub/elf.ts";
import { X86_64_SYSCALLS } from "../../runtime/seccomp/syscalls_x86_64.ts";

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The program headers as the kernel reads them. */
function segments(image: Uint8Array) {
  const v = view(image);
  const count = v.getUint16(56, true), size = v.getUint16(54, true), at = Number(v.getBigUint64(32, true));
  return Array.from({ length: count }, (_, i) => {
    const p = at + i * size;
    return {
      type: v.getUint32(p, true),
      flags: v.getUint32(p + 4, true),
      offset: Number(v.getBigUint64(p + 8, true)),
      vaddr: v.getBigUint64(p + 16, true),
      filesz: Number(v.getBigUint64(p + 32, true)),
      memsz: v.getBigUint64(p + 40, true),
      align: v.getBigUint64(p + 48, true),
    };
  });
}

/** The data segment's bytes, from the image. */
function dataSegment(image: Uint8Array): Uint8Array {
  const data = segments(image)[1];
  return image.subarray(data.offset, data.offset + data.filesz);
}

test("the ELF header describes a static x86-64 executable entered at the interpreter", () => {
  const image = new StubProgram().call("getpid", [], { what: "getpid" }).image();
  const v = view(image);
  assert.deepEqual([...image.subarray(0, 7)], [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  assert.equal(v.getUint16(16, true), 2, "ET_EXEC");
  assert.equal(v.getUint16(18, true), EM_X86_64);
  assert.equal(v.getBigUint64(24, true), CODE_BASE + BigInt(CODE_OFFSET), "entry");
  assert.deepEqual(image.subarray(CODE_OFFSET, CODE_OFFSET + vmCode().length), vmCode());
  const [code, data, stack] = segments(image);
  assert.deepEqual(
    { type: code.type, flags: code.flags, offset: code.offset, vaddr: code.vaddr, align: code.align },
    { type: 1, flags: 5, offset: 0, vaddr: CODE_BASE, align: 0x1000n },
  );
  assert.equal(code.filesz, CODE_OFFSET + vmCode().length);
  assert.equal(data.type, 1);
  assert.equal(data.flags, 6, "R+W, not executable");
  assert.equal(data.vaddr, DATA_BASE);
  assert.equal(data.vaddr % 0x1000n, 0n);
  assert.equal(data.offset % 0x1000, 0);
  assert.ok(code.vaddr + BigInt(code.filesz) <= data.vaddr, "separate pages");
  assert.ok(data.memsz > BigInt(data.filesz), "a bss");
  assert.ok(data.vaddr + data.memsz >= SLOTS + 128n, "the slots lie inside the segment");
  assert.deepEqual({ type: stack.type, flags: stack.flags }, { type: 0x6474e551, flags: 6 }, "PT_GNU_STACK RW");
});

test("numbers of every size become the kernel's u64 words, negative ones as two's complement, as bigints do", () => {
  const p = new StubProgram();
  const numbers = [0, 1, 0xffff_ffff, 0x1_0000_0000, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER, -1, -100, -(2 ** 32), -(2 ** 40) - 3, Number.MIN_SAFE_INTEGER];
  p.call("prctl", numbers.slice(0, 5), { what: "first" });
  p.call("prctl", numbers.slice(5, 10), { what: "second" });
  const words = p.u64s([numbers[10], 2n ** 64n - 1n]);
  const data = dataSegment(p.image());
  const v = view(data);
  const at = (record: number, arg: number) => v.getBigUint64(HEADER_SIZE + record * RECORD.size + RECORD.args + 8 * arg, true);
  const written = [0, 1, 2, 3, 4].map((j) => at(0, j)).concat([0, 1, 2, 3, 4].map((j) => at(1, j)));
  assert.deepEqual(written, numbers.slice(0, 10).map((n) => BigInt.asUintN(64, BigInt(n))));
  const offset = Number(words.addr - DATA_BASE);
  assert.deepEqual([v.getBigUint64(offset, true), v.getBigUint64(offset + 8, true)], [BigInt.asUintN(64, BigInt(numbers[10])), 2n ** 64n - 1n]);
  assert.throws(() => p.call("prctl", [2 ** 53], { what: "unsafe" }), /is not an integer/);
  assert.throws(() => p.call("prctl", [0.5], { what: "fraction" }), /is not an integer/);
  assert.throws(() => p.call("prctl", [2n ** 64n], { what: "too big" }), /does not fit in 64 bits/);
});

test("a record holds the call's number, arguments, slot mask, result slot, accepted errno, message and exit", () => {
  const p = new StubProgram({ reportFd: 9 });
  const path = p.str("/etc/hostname");
  p.call("openat", [-100, path, 0o2000000, slot(3)], { what: "open hostname", result: 4, ok: "ENOENT", exit: 42 });
  const data = dataSegment(p.image());
  const v = view(data);
  assert.equal(v.getBigUint64(0, true), 1n, "record count");
  assert.equal(v.getBigUint64(8, true), 9n, "slot 0 starts as the report descriptor");
  const word = (field: number) => v.getBigUint64(HEADER_SIZE + field, true);
  assert.equal(word(RECORD.nr), BigInt(X86_64_SYSCALLS.openat));
  assert.equal(word(RECORD.args), 2n ** 64n - 100n, "AT_FDCWD as the kernel's u64");
  assert.equal(word(RECORD.args + 8), path.addr);
  assert.equal(word(RECORD.args + 16), 0o2000000n);
  assert.equal(word(RECORD.args + 24), 3n, "the slot's number");
  assert.equal(word(RECORD.args + 32), 0n);
  assert.equal(word(RECORD.argSlotMask), 0b1000n);
  assert.equal(word(RECORD.resultSlot), 5n, "slot 4 is stored as 5");
  assert.equal(word(RECORD.okErrno), 2n);
  assert.equal(word(RECORD.failExit), 42n);
  const at = (addr: bigint, length: number) => data.subarray(Number(addr - DATA_BASE), Number(addr - DATA_BASE) + length);
  assert.equal(new TextDecoder().decode(at(word(RECORD.msgPtr), Number(word(RECORD.msgLen)))), "open hostname");
  assert.equal(new TextDecoder().decode(at(path.addr, 14)), "/etc/hostname\0");
});

test("data follows the records, arrays hold the addresses of their strings, and slots sit at a fixed address", () => {
  const p = new StubProgram();
  const argv = p.strings(["/bin/echo", "hi"]);
  const words = p.u64s([7, 2n ** 64n - 1n, argv]);
  const scratch = p.reserve(16);
  const raw = p.bytes(Uint8Array.of(1, 2, 3));
  p.call("write", [1, raw, 3], { what: "a" }).call("exit_group", [0], { what: "b" });
  assert.deepEqual(p.ops, [{ name: "write", what: "a" }, { name: "exit_group", what: "b" }]);
  const data = dataSegment(p.image());
  const start = DATA_BASE + BigInt(HEADER_SIZE + 2 * RECORD.size);
  const end = DATA_BASE + BigInt(data.length);
  for (const a of [argv, words, scratch, raw]) assert.ok(a.addr >= start && a.addr < end, `${a.addr} inside the data`);
  for (const a of [argv, words, scratch, raw]) assert.equal(a.addr % 8n, 0n, "8-byte aligned");
  const v = view(data);
  const u64At = (addr: bigint) => v.getBigUint64(Number(addr - DATA_BASE), true);
  const cstrAt = (addr: bigint) => {
    const from = Number(addr - DATA_BASE);
    return new TextDecoder().decode(data.subarray(from, data.indexOf(0, from)));
  };
  assert.equal(cstrAt(u64At(argv.addr)), "/bin/echo");
  assert.equal(cstrAt(u64At(argv.addr + 8n)), "hi");
  assert.equal(u64At(argv.addr + 16n), 0n, "NULL-terminated");
  assert.deepEqual([u64At(words.addr), u64At(words.addr + 8n), u64At(words.addr + 16n)], [7n, 2n ** 64n - 1n, argv.addr]);
  assert.deepEqual([...data.subarray(Number(raw.addr - DATA_BASE), Number(raw.addr - DATA_BASE) + 3)], [1, 2, 3]);
  assert.equal(p.slotAddr(0).addr, DATA_BASE + DATA_LIMIT);
  assert.equal(p.slotAddr(15).addr - p.slotAddr(0).addr, 120n);
});

test("an address read before the last call is refused when the image is built", () => {
  const p = new StubProgram();
  const s = p.str("x");
  const early = s.addr;
  p.call("getpid", [], { what: "getpid" });
  assert.notEqual(s.addr, early);
  assert.throws(() => p.image(), /a data address was read before the last call was added/);
});

test("bad input is refused with a message naming it", () => {
  const p = new StubProgram();
  assert.throws(() => p.call("no_such_call", [], { what: "x" }), /unknown system call "no_such_call" on x86_64/);
  assert.throws(() => p.call("close", [1], { what: "x", ok: "ENOPE" }), /unknown errno name "ENOPE"/);
  assert.throws(() => p.call("close", [1], { what: "x", result: 16 }), /close result 16 is not a slot/);
  assert.throws(() => p.call("close", [1], { what: "x", exit: 256 }), /exit status 256 is not 0-255/);
  assert.throws(() => p.call("close", [1, 2, 3, 4, 5, 6, 7], { what: "x" }), /at most 6 arguments/);
  assert.throws(() => p.call("close", [1.5], { what: "x" }), /1.5 is not an integer/);
  assert.throws(() => slot(-1), /slot -1 is not a slot/);
  assert.throws(() => p.str("a\0b"), /contains a NUL byte/);
  assert.throws(() => new StubProgram({ arch: "arm64" as "x86_64" }), /unsupported architecture "arm64"/);
  assert.equal(p.ops.length, 0, "nothing half-added");
});

test("building a typical container start-up program takes well under a millisecond", () => {
  const build = () => {
    const p = new StubProgram({ reportFd: 3 });
    const env = Array.from({ length: 20 }, (_, i) => `VAR_${i}=value-${i}`);
    const buf = p.reserve(8);
    p.call("openat", [-100, p.str("/run/runt/abc/exec.fifo"), 0o2000001], { what: "open exec.fifo", result: 1 });
    p.call("write", [slot(1), p.str("0"), 1], { what: "write exec.fifo" });
    p.call("close", [slot(1)], { what: "close exec.fifo" });
    p.call("read", [0, buf, 0], { what: "read" });
    p.call("prctl", [38, 1, 0, 0, 0], { what: "no_new_privs" });
    p.call("close_range", [4, 0xffffffff, 0], { what: "close descriptors" });
    p.call("execve", [p.str("/bin/sh"), p.strings(["/bin/sh", "-c", "echo hi"]), p.strings(env)], {
      what: "process.args[0] \"/bin/sh\": execve",
      exit: 127,
    });
    return p.image();
  };
  build();
  const runs = 200;
  const t0 = performance.now();
  let size = 0;
  for (let i = 0; i < runs; i++) size = build().length;
  const perBuild = (performance.now() - t0) / runs;
  console.log(`start-up program: ${size} bytes, built in ${(perBuild * 1000).toFixed(0)} µs`);
  assert.ok(perBuild < 1, `${perBuild} ms per build`);
});
