/**
 * Byte layouts of the C structs runt passes to the kernel (LP64: x86_64 and
 * aarch64 agree). Pure functions over Uint8Array so they are unit-testable;
 * pointers inside structs are given as addresses by the caller.
 */
import type { CapSets, FileStat, FilesystemStat, MountAttr, Rlimit } from "./syscalls.ts";
import { LINUX_CAPABILITY_VERSION_3, SCM_RIGHTS, SOL_SOCKET } from "./constants.ts";
import { type Arch, currentArch } from "./constants.ts";

/**
 * Memory whose address is taken must not move: a fresh ArrayBuffer is always
 * allocated off the GC heap (small `new Uint8Array(n)` may not be, in V8 and JSC).
 */
export function alloc(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(Math.max(size, 1)), 0, size);
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** NUL-terminated UTF-8; rejects embedded NULs, which C would silently truncate at. */
export function cstr(s: string): Uint8Array {
  if (s.includes("\0")) throw new TypeError(`string contains a NUL byte: ${JSON.stringify(s)}`);
  const bytes = encoder.encode(s);
  const out = alloc(bytes.length + 1);
  out.set(bytes);
  return out;
}

export function decodeCstr(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return decoder.decode(end < 0 ? buf : buf.subarray(0, end));
}

/** A NULL-terminated array of pointers (argv/envp) plus the strings it points to. */
export function pointerArray(
  strings: readonly string[],
  addressOf: (b: Uint8Array) => number | bigint,
): { table: Uint8Array; strings: Uint8Array[] } {
  const encoded = strings.map(cstr);
  const table = alloc(8 * (encoded.length + 1));
  const v = view(table);
  encoded.forEach((b, i) => v.setBigUint64(8 * i, BigInt(addressOf(b)), true));
  return { table, strings: encoded };
}

/** struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }. */
export function encodeMountAttr(attr: MountAttr): Uint8Array {
  const buf = alloc(32);
  const v = view(buf);
  v.setBigUint64(0, BigInt(attr.attrSet ?? 0), true);
  v.setBigUint64(8, BigInt(attr.attrClr ?? 0), true);
  v.setBigUint64(16, BigInt(attr.propagation ?? 0), true);
  v.setBigUint64(24, BigInt(attr.usernsFd ?? 0), true);
  return buf;
}

/** struct rlimit { u64 rlim_cur, rlim_max }. */
export function encodeRlimit(limit: Rlimit): Uint8Array {
  const buf = alloc(16);
  const v = view(buf);
  v.setBigUint64(0, BigInt.asUintN(64, limit.soft), true);
  v.setBigUint64(8, BigInt.asUintN(64, limit.hard), true);
  return buf;
}

export function decodeRlimit(buf: Uint8Array): Rlimit {
  const v = view(buf);
  return { soft: v.getBigUint64(0, true), hard: v.getBigUint64(8, true) };
}

/** struct __user_cap_header_struct { u32 version; i32 pid }. */
export function encodeCapHeader(pid: number): Uint8Array {
  const buf = alloc(8);
  const v = view(buf);
  v.setUint32(0, LINUX_CAPABILITY_VERSION_3, true);
  v.setInt32(4, pid, true);
  return buf;
}

/** Two struct __user_cap_data_struct { u32 effective, permitted, inheritable }: low then high 32 bits. */
export function encodeCapData(sets: CapSets): Uint8Array {
  const buf = alloc(24);
  const v = view(buf);
  const order = [sets.effective, sets.permitted, sets.inheritable];
  order.forEach((mask, i) => {
    v.setUint32(4 * i, Number(BigInt.asUintN(32, mask)), true);
    v.setUint32(12 + 4 * i, Number(BigInt.asUintN(32, mask >> 32n)), true);
  });
  return buf;
}

export function decodeCapData(buf: Uint8Array): CapSets {
  const v = view(buf);
  const mask = (i: number) => BigInt(v.getUint32(4 * i, true)) | (BigInt(v.getUint32(12 + 4 * i, true)) << 32n);
  return { effective: mask(0), permitted: mask(1), inheritable: mask(2) };
}

/** glibc sigset_t: 1024 bits, signal n at bit n-1. */
export const SIGSET_SIZE = 128;
export function encodeSigset(signals: Iterable<number>): Uint8Array {
  const buf = alloc(SIGSET_SIZE);
  for (const s of signals) {
    if (s < 1 || s > SIGSET_SIZE * 8) throw new RangeError(`bad signal number ${s}`);
    buf[(s - 1) >> 3] |= 1 << ((s - 1) & 7);
  }
  return buf;
}

/** The signals (1-64, the kernel's range) set in a sigset_t. */
export function decodeSigset(buf: Uint8Array): number[] {
  const signals: number[] = [];
  for (let s = 1; s <= 64; s++) if (buf[(s - 1) >> 3] & (1 << ((s - 1) & 7))) signals.push(s);
  return signals;
}

/** struct iovec { void *base; size_t len }. */
export function encodeIovec(base: bigint, len: number): Uint8Array {
  const buf = alloc(16);
  const v = view(buf);
  v.setBigUint64(0, base, true);
  v.setBigUint64(8, BigInt(len), true);
  return buf;
}

/** struct msghdr without a name: iov at 16, iovlen at 24, control at 32, controllen at 40, flags at 48. */
export const MSGHDR_SIZE = 56;
export function encodeMsghdr(iov: bigint, iovlen: number, control: bigint, controllen: number): Uint8Array {
  const buf = alloc(MSGHDR_SIZE);
  const v = view(buf);
  v.setBigUint64(16, iov, true);
  v.setBigUint64(24, BigInt(iovlen), true);
  v.setBigUint64(32, control, true);
  v.setBigUint64(40, BigInt(controllen), true);
  return buf;
}

export function msghdrControlLen(msg: Uint8Array): number {
  return Number(view(msg).getBigUint64(40, true));
}

export function msghdrFlags(msg: Uint8Array): number {
  return view(msg).getInt32(48, true);
}

const CMSG_HDR = 16; // size_t len; int level; int type
const align8 = (n: number) => (n + 7) & ~7;
export const cmsgSpace = (dataLen: number): number => CMSG_HDR + align8(dataLen);

/** A control buffer holding one SCM_RIGHTS message with `fds`. */
export function encodeRights(fds: readonly number[]): Uint8Array {
  const buf = alloc(cmsgSpace(4 * fds.length));
  const v = view(buf);
  v.setBigUint64(0, BigInt(CMSG_HDR + 4 * fds.length), true);
  v.setInt32(8, SOL_SOCKET, true);
  v.setInt32(12, SCM_RIGHTS, true);
  fds.forEach((fd, i) => v.setInt32(CMSG_HDR + 4 * i, fd, true));
  return buf;
}

/** Every descriptor carried by SCM_RIGHTS messages in the first `len` bytes of a control buffer. */
export function decodeRights(control: Uint8Array, len: number): number[] {
  const v = view(control);
  const fds: number[] = [];
  let off = 0;
  while (off + CMSG_HDR <= len) {
    const cmsgLen = Number(v.getBigUint64(off, true));
    if (cmsgLen < CMSG_HDR || off + cmsgLen > len) break;
    if (v.getInt32(off + 8, true) === SOL_SOCKET && v.getInt32(off + 12, true) === SCM_RIGHTS) {
      for (let p = off + CMSG_HDR; p + 4 <= off + cmsgLen; p += 4) fds.push(v.getInt32(p, true));
    }
    off += align8(cmsgLen);
  }
  return fds;
}

/**
 * Why `path` cannot be a unix socket address, or undefined: sun_path holds
 * 108 bytes, a filesystem path's terminating NUL among them; an abstract
 * name is written "@name" (systemd's notation) and needs no NUL.
 */
export function unixSocketPathProblem(path: string): string | undefined {
  const [min, max] = path.startsWith("@") ? [2, 108] : [1, 107];
  const length = new TextEncoder().encode(path).length;
  if (length < min) return "is empty";
  if (length > max) return `is ${length} bytes, longer than the ${max} a unix socket path can have`;
  return undefined;
}

/** struct sockaddr_un for `path` (see unixSocketPathProblem); its length is what connect/bind take. */
export function encodeSockaddrUn(path: string): Uint8Array {
  const problem = unixSocketPathProblem(path);
  if (problem) throw new RangeError(`unix socket path ${path} ${problem}`);
  const abstract = path.startsWith("@");
  const bytes = new TextEncoder().encode(path);
  const buf = alloc(2 + bytes.length + Number(!abstract));
  new DataView(buf.buffer).setUint16(0, 1 /* AF_UNIX */, true);
  buf.set(bytes, 2);
  if (abstract) buf[2] = 0;
  return buf;
}

/** An array of struct pollfd (int fd; short events; short revents). */
export function encodePollFds(fds: readonly { fd: number; events: number }[]): Uint8Array {
  const buf = alloc(8 * Math.max(fds.length, 1));
  const v = new DataView(buf.buffer);
  // Loops rather than forEach and Array.from here: poll is on the path of start and run, and the first call of
  // such a built-in costs a fresh process tens of microseconds.
  for (let i = 0; i < fds.length; i++) {
    v.setInt32(8 * i, fds[i].fd, true);
    v.setInt16(8 * i + 4, fds[i].events, true);
  }
  return buf;
}

/** A struct timespec (two 64-bit words) of a timeout in whole milliseconds, as ppoll takes it; a fraction is dropped, as poll's int drops it. */
export function encodeTimespec(ms: number): Uint8Array {
  const whole = Math.trunc(ms);
  const buf = alloc(16);
  const v = new DataView(buf.buffer);
  v.setBigInt64(0, BigInt(Math.floor(whole / 1000)), true);
  v.setBigInt64(8, BigInt((whole % 1000) * 1_000_000), true);
  return buf;
}

export function decodePollRevents(buf: Uint8Array, count: number): number[] {
  const v = new DataView(buf.buffer, buf.byteOffset);
  const revents: number[] = [];
  for (let i = 0; i < count; i++) revents.push(v.getUint16(8 * i + 6, true));
  return revents;
}

/** struct statfs on 64-bit Linux: eleven 8-byte words (f_flags the eleventh) and four spare. */
export const STATFS_SIZE = 120;

export function decodeStatfs(buf: Uint8Array): FilesystemStat {
  const v = view(buf);
  return { type: v.getBigInt64(0, true), flags: Number(v.getBigUint64(80, true)) };
}

/** struct stat: x86_64 keeps its old layout, aarch64 uses the generic one; both fit in 144 bytes. */
export const STAT_SIZE = 144;

export function decodeStat(buf: Uint8Array, arch: Arch = currentArch()): FileStat {
  const v = view(buf);
  const x64 = arch === "x64";
  return {
    dev: v.getBigUint64(0, true),
    ino: v.getBigUint64(8, true),
    mode: v.getUint32(x64 ? 24 : 16, true),
    uid: v.getUint32(x64 ? 28 : 24, true),
    gid: v.getUint32(x64 ? 32 : 28, true),
    rdev: v.getBigUint64(x64 ? 40 : 32, true),
    size: v.getBigInt64(48, true),
  };
}
