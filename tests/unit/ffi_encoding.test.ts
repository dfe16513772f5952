import { test } from "node:test";
import assert from "node:assert/strict";
import {
  capMask,
  capNames,
  currentArch,
  decodeWaitStatus,
  makedev,
  MS_BIND,
  MS_REC,
  NAMESPACE_FLAGS,
  O_DIRECTORY,
  O_NOFOLLOW,
  RLIM_INFINITY,
  RLIMITS,
  rlimitName,
  signalName,
  signalNumber,
  SIGNALS,
  SYS,
} from "../../ffi/syscalls.ts";
import {
  cmsgSpace,
  cstr,
  decodeCapData,
  decodeRights,
  decodeRlimit,
  encodeCapData,
  encodeCapHeader,
  encodeMountAttr,
  encodeRights,
  encodeRlimit,
  encodeSigset,
  encodeTimespec,
  pointerArray,
} from "../../ffi/structs.ts";

const u64 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

test("signals convert both ways, including real-time and bare names", () => {
  assert.equal(SIGNALS.SIGKILL, 9);
  assert.equal(signalNumber("SIGTERM"), 15);
  assert.equal(signalNumber("term"), 15);
  assert.equal(signalNumber("9"), 9);
  assert.equal(signalNumber("SIGRTMIN+2"), 36);
  assert.equal(signalNumber("RTMAX-1"), 63);
  assert.equal(signalNumber("SIGRTMAX+1"), undefined);
  assert.equal(signalNumber("SIGNOPE"), undefined);
  assert.equal(signalNumber("0"), undefined);
  assert.equal(signalName(15), "SIGTERM");
  assert.equal(signalName(35), "SIGRTMIN+1");
  assert.equal(signalName(0), undefined);
});

test("rlimits, capabilities and namespaces by name", () => {
  assert.equal(RLIMITS.RLIMIT_NOFILE, 7);
  assert.equal(RLIMITS.RLIMIT_RTTIME, 15);
  assert.equal(rlimitName(4), "RLIMIT_CORE");
  assert.equal(capMask(["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE"]), (1n << 0n) | (1n << 21n) | (1n << 40n));
  assert.deepEqual(capNames((1n << 5n) | (1n << 40n) | (1n << 50n)), ["CAP_KILL", "CAP_CHECKPOINT_RESTORE", "CAP_50"]);
  assert.throws(() => capMask(["CAP_NOPE"]), /unknown capability/);
  assert.equal(NAMESPACE_FLAGS.pid, 0x20000000);
  assert.equal(MS_BIND | MS_REC, 0x5000);
});

test("per-architecture constants follow process.arch", () => {
  if (currentArch() === "x64") {
    assert.equal(SYS.pivot_root, 155);
    // The calls glibc wraps, made through syscall(2): a wrong number is another call entirely.
    assert.deepEqual([SYS.openat, SYS.read, SYS.write, SYS.close, SYS.fcntl, SYS.flock, SYS.ioctl], [257, 0, 1, 3, 72, 73, 16]);
    assert.deepEqual([SYS.mount, SYS.umount2, SYS.unshare, SYS.setns, SYS.prlimit64, SYS.wait4, SYS.ppoll], [165, 166, 272, 308, 302, 61, 271]);
    assert.equal(O_DIRECTORY, 0o200000);
    assert.equal(O_NOFOLLOW, 0o400000);
  } else {
    assert.equal(SYS.pivot_root, 41);
    assert.deepEqual([SYS.openat, SYS.read, SYS.write, SYS.close, SYS.fcntl, SYS.flock, SYS.ioctl], [56, 63, 64, 57, 25, 32, 29]);
    assert.deepEqual([SYS.mount, SYS.umount2, SYS.unshare, SYS.setns, SYS.prlimit64, SYS.wait4, SYS.ppoll], [40, 39, 97, 268, 261, 260, 73]);
    assert.equal(O_DIRECTORY, 0o40000);
  }
  assert.equal(SYS.pidfd_open, 434);
  assert.equal(SYS.mount_setattr, 442);
});

test("wait status words decode like the W* macros", () => {
  assert.deepEqual(decodeWaitStatus(3 << 8), { kind: "exited", code: 3 });
  assert.deepEqual(decodeWaitStatus(9), { kind: "signaled", signal: 9, coreDumped: false });
  assert.deepEqual(decodeWaitStatus(0x80 | 11), { kind: "signaled", signal: 11, coreDumped: true });
  assert.deepEqual(decodeWaitStatus((19 << 8) | 0x7f), { kind: "stopped", signal: 19 });
  assert.deepEqual(decodeWaitStatus(0xffff), { kind: "continued" });
});

test("makedev matches glibc's encoding", () => {
  assert.equal(makedev(1, 3), 0x103n); // /dev/null
  assert.equal(makedev(136, 0), 0x8800n);
  assert.equal(makedev(0x1234, 0x56789), 0x1000_5672_3489n);
});

test("cstr is NUL-terminated and refuses embedded NULs", () => {
  assert.deepEqual([...cstr("ab")], [97, 98, 0]);
  assert.deepEqual([...cstr("")], [0]);
  assert.throws(() => cstr("a\0b"), /NUL/);
});

test("pointer arrays hold each string's address and end with NULL", () => {
  const seen: Uint8Array[] = [];
  const { table, strings } = pointerArray(["a", "bc"], (b) => {
    seen.push(b);
    return BigInt(0x1000 * seen.length);
  });
  assert.equal(table.length, 24);
  assert.deepEqual([u64(table, 0), u64(table, 8), u64(table, 16)], [0x1000n, 0x2000n, 0n]);
  assert.deepEqual(strings.map((s) => [...s]), [[97, 0], [98, 99, 0]]);
});

test("struct mount_attr, rlimit and cap data layouts", () => {
  const attr = encodeMountAttr({ attrSet: 1, attrClr: 0x70, propagation: 0x40000 });
  assert.equal(attr.length, 32);
  assert.deepEqual([u64(attr, 0), u64(attr, 8), u64(attr, 16), u64(attr, 24)], [1n, 0x70n, 0x40000n, 0n]);

  const lim = encodeRlimit({ soft: 1024n, hard: RLIM_INFINITY });
  assert.equal(u64(lim, 8), 0xffff_ffff_ffff_ffffn);
  assert.deepEqual(decodeRlimit(lim), { soft: 1024n, hard: RLIM_INFINITY });

  const header = encodeCapHeader(42);
  assert.deepEqual([u32(header, 0), u32(header, 4)], [0x20080522, 42]);
  const sets = { effective: (1n << 40n) | 1n, permitted: (1n << 41n) - 1n, inheritable: 0n };
  const data = encodeCapData(sets);
  assert.deepEqual([u32(data, 0), u32(data, 4), u32(data, 8)], [1, 0xffffffff, 0]);
  assert.deepEqual([u32(data, 12), u32(data, 16), u32(data, 20)], [0x100, 0x1ff, 0]);
  assert.deepEqual(decodeCapData(data), sets);
});

test("sigset bits and SCM_RIGHTS control messages", () => {
  const set = encodeSigset([1, 9, 64]);
  assert.equal(set.length, 128);
  assert.deepEqual([set[0], set[1], set[7]], [0b1, 0b1, 0x80]);

  const control = encodeRights([5, 7]);
  assert.equal(control.length, cmsgSpace(8));
  assert.equal(control.length, 24);
  assert.equal(u64(control, 0), 24n); // cmsg_len = CMSG_LEN(8)
  assert.deepEqual([u32(control, 8), u32(control, 12)], [1, 1]);
  assert.deepEqual(decodeRights(control, control.length), [5, 7]);
  assert.deepEqual(decodeRights(control, 0), []);
  const odd = encodeRights([3]);
  assert.equal(odd.length, 24); // padded to 8
  assert.deepEqual(decodeRights(odd, odd.length), [3]);
});

test("a timespec of a poll timeout: seconds and nanoseconds, a fraction of a millisecond dropped", () => {
  const ts = encodeTimespec(2500.7);
  assert.equal(ts.length, 16);
  assert.equal(u64(ts, 0), 2n);
  assert.equal(u64(ts, 8), 500_000_000n);
  assert.equal(u64(encodeTimespec(0), 8), 0n);
});
