/**
 * node:fs's synchronous file calls, as runt's commands make them, over raw
 * system calls through libc: for Bun, where loading node:fs and making its
 * first call costs a compiled program 1.3–1.9 ms, and binding libc's
 * syscall() 0.3–0.5 ms (`runt state` takes ~9 ms in all). Results and errors
 * are node:fs's: the same `code`, `errno`, `syscall`, `path` and `dest`, and a
 * message worded "ENOENT: no such file or directory, open '/x'". What runt
 * calls only off its hot paths (mkdtemp, copyFile, the promise API) is
 * node:fs's own, loaded on first use.
 *
 * The numbers below are kept here rather than taken from constants.ts,
 * which imports runtime/host.ts: host.ts reads its files through this one.
 */
/// <reference types="../node_modules/bun-types/ffi.d.ts" />
import { errnoDescription, errnoName } from "./errno.ts";

export interface FileStats {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

export interface DirEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

export interface WriteOptions {
  mode?: number;
  /** node:fs's flags: "w" (the default), "wx" (fail if it exists), "a" (append). */
  flag?: "w" | "wx" | "a";
}

/** The part of node:fs runt uses, as runtime/host_fs.ts and runtime/host.ts call it. */
export interface NodeFs {
  readFileSync(path: string, encoding?: "utf8"): string | Uint8Array;
  writeFileSync(path: string, data: string | Uint8Array, options?: WriteOptions): void;
  existsSync(path: string): boolean;
  statSync(path: string): FileStats;
  lstatSync(path: string): FileStats;
  mkdirSync(path: string, options?: { recursive?: boolean; mode?: number }): void;
  readdirSync(path: string, options?: { withFileTypes: true }): string[] | DirEntry[];
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  renameSync(from: string, to: string): void;
  chmodSync(path: string, mode: number): void;
  readlinkSync(path: string): string;
  symlinkSync(target: string, path: string): void;
  realpathSync(path: string): string;
  unlinkSync(path: string): void;
  rmdirSync(path: string): void;
  mkdtempSync(prefix: string): string;
  copyFileSync(from: string, to: string): void;
  statfsSync(path: string): { type: number | bigint };
  fstatSync(fd: number): FileStats;
  appendFileSync(path: string, data: string): void;
  openSync(path: string, flags: number): number;
  writeSync(fd: number, data: string | Uint8Array): number;
  closeSync(fd: number): void;
  constants: { O_WRONLY: number; O_TRUNC: number };
  promises: { writeFile(path: string, data: string, options: { flag: "r+" }): Promise<void> };
}

type Nr =
  | "read"
  | "write"
  | "openat"
  | "close"
  | "getdents64"
  | "readlinkat"
  | "faccessat"
  | "mkdirat"
  | "unlinkat"
  | "renameat2"
  | "symlinkat"
  | "fchmodat"
  | "statx"
  | "statfs";

interface Abi {
  nr: Record<Nr, number>;
  O_DIRECTORY: number;
}

const ABI: Record<string, Abi> = {
  x64: {
    nr: {
      read: 0,
      write: 1,
      close: 3,
      statfs: 137,
      getdents64: 217,
      openat: 257,
      mkdirat: 258,
      unlinkat: 263,
      symlinkat: 266,
      readlinkat: 267,
      fchmodat: 268,
      faccessat: 269,
      renameat2: 316,
      statx: 332,
    },
    O_DIRECTORY: 0o200000,
  },
  arm64: {
    nr: {
      mkdirat: 34,
      unlinkat: 35,
      symlinkat: 36,
      statfs: 43,
      faccessat: 48,
      fchmodat: 53,
      openat: 56,
      close: 57,
      getdents64: 61,
      read: 63,
      write: 64,
      readlinkat: 78,
      renameat2: 276,
      statx: 291,
    },
    O_DIRECTORY: 0o40000,
  },
};

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;
const O_WRONLY = 1;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const STATX_BASIC_STATS = 0x7ff;
const EINTR = 4;
const ENOENT = 2;
const EEXIST = 17;
const EISDIR = 21;
const S_IFMT = 0o170000;

interface Libc {
  abi: Abi;
  /** syscall(2); -1 with errno set on failure. */
  call(nr: number, ...args: number[]): number;
  addr(buf: Uint8Array): number;
  errno(): number;
}

interface BunFfi {
  dlopen(lib: string, symbols: Record<string, { args: number[]; returns: number }>): { symbols: Record<string, (...args: number[]) => number> };
  FFIType: { i64_fast: number; ptr: number };
  ptr(buf: Uint8Array): number;
  read: { i32(address: number, offset: number): number };
}

declare const require: {
  (name: "bun:ffi"): BunFfi;
  (name: "node:fs"): NodeFs;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let bound: Libc | undefined;

function libc(): Libc {
  if (bound) return bound;
  // Only ever under Bun, whose `process` costs nothing to touch.
  const { arch } = (globalThis as unknown as { process: { arch: string } }).process;
  const abi = ABI[arch];
  if (!abi) throw new Error(`runt supports x86_64 and aarch64 only, not ${arch}`);
  const { dlopen, FFIType, ptr, read } = require("bun:ffi");
  const I = FFIType.i64_fast;
  const lib = dlopen("libc.so.6", {
    syscall: { args: [I, I, I, I, I, I], returns: I },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  const { syscall, __errno_location } = lib.symbols;
  return bound = {
    abi,
    call: (nr, a = 0, b = 0, c = 0, d = 0, e = 0) => Number(syscall(nr, a, b, c, d, e)),
    addr: ptr,
    errno: () => read.i32(__errno_location(), 0),
  };
}

type FsError = Error & { errno: number; code: string; syscall: string; path: string; dest?: string };

/** The error node:fs throws for `errno` from `syscall` on `path` (and `dest`, for two-path calls). */
function fsError(errno: number, syscall: string, path: string, dest?: string): FsError {
  const code = errnoName(errno);
  const reason = errnoDescription(errno);
  const where = dest === undefined ? `'${path}'` : `'${path}' -> '${dest}'`;
  const e = new Error(`${code}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}, ${syscall} ${where}`) as FsError;
  e.errno = -errno;
  e.code = code;
  e.syscall = syscall;
  e.path = path;
  if (dest !== undefined) e.dest = dest;
  return e;
}

/** A NUL-terminated copy of `s`, as the kernel takes a path. */
function cstr(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 3 + 1);
  return b.subarray(0, encoder.encodeInto(s, b).written + 1);
}

/** Written after each call and never read: a store to module state, which no optimiser may drop, keeps a call's buffers reachable until it returns. */
// deno-lint-ignore no-unused-vars
let held: unknown = null;

/** An argument: a number, or a buffer whose address is passed (held until the call returns). */
type Arg = number | Uint8Array;

/** One system call, repeated while a signal interrupts it; its result, or the errno when it failed. */
function attempt(nr: Nr, ...args: Arg[]): { result: number; errno: number } {
  const lib = libc();
  const raw = args.map((a) => typeof a === "number" ? a : lib.addr(a));
  for (;;) {
    const result = lib.call(lib.abi.nr[nr], ...raw);
    held = args;
    if (result !== -1) return { result, errno: 0 };
    const errno = lib.errno();
    if (errno !== EINTR) return { result, errno };
  }
}

/** attempt(), throwing node:fs's error for a failure. */
function must(nr: Nr, what: { syscall: string; path: string; dest?: string }, ...args: Arg[]): number {
  const r = attempt(nr, ...args);
  if (r.errno) throw fsError(r.errno, what.syscall, what.path, what.dest);
  return r.result;
}

function openFile(path: string, flags: number, mode = 0o666, syscall = "open"): number {
  const p = cstr(path);
  return must("openat", { syscall, path }, AT_FDCWD, p, flags | O_CLOEXEC, mode);
}

function close(fd: number): void {
  libc().call(libc().abi.nr.close, fd);
}

function readAll(fd: number, path: string): Uint8Array {
  let buf = new Uint8Array(16384);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = must("read", { syscall: "read", path }, fd, buf.subarray(length), buf.length - length);
    if (n === 0) return buf.subarray(0, length);
    length += n;
  }
}

function writeAll(fd: number, bytes: Uint8Array, path: string): void {
  for (let done = 0; done < bytes.length;) {
    done += must("write", { syscall: "write", path }, fd, bytes.subarray(done), bytes.length - done);
  }
}

const asBytes = (data: string | Uint8Array) => typeof data === "string" ? encoder.encode(data) : data;

function readFileSync(path: string, encoding?: "utf8"): string | Uint8Array {
  const fd = openFile(path, 0);
  try {
    const bytes = readAll(fd, path);
    return encoding ? decoder.decode(bytes) : bytes;
  } finally {
    close(fd);
  }
}

function writeFileSync(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const how = options.flag === "wx" ? O_EXCL : options.flag === "a" ? O_APPEND : O_TRUNC;
  const fd = openFile(path, O_WRONLY | O_CREAT | how, options.mode ?? 0o666);
  try {
    writeAll(fd, asBytes(data), path);
  } finally {
    close(fd);
  }
}

const STATX_SIZE = 256;

/** glibc's makedev(): the st_dev and st_rdev node:fs reports. */
function makedev(major: number, minor: number): number {
  return (major & 0xfffff000) * 2 ** 32 + (minor & 0xffffff00) * 2 ** 12 + (major & 0xfff) * 256 + (minor & 0xff);
}

function decodeStatx(buf: Uint8Array): FileStats {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const mode = v.getUint16(28, true);
  const type = mode & S_IFMT;
  return {
    dev: makedev(v.getUint32(136, true), v.getUint32(140, true)),
    ino: Number(v.getBigUint64(32, true)),
    mode,
    nlink: v.getUint32(16, true),
    uid: v.getUint32(20, true),
    gid: v.getUint32(24, true),
    rdev: makedev(v.getUint32(128, true), v.getUint32(132, true)),
    size: Number(v.getBigUint64(40, true)),
    mtimeMs: Number(v.getBigInt64(112, true)) * 1000 + v.getUint32(120, true) / 1e6,
    isFile: () => type === 0o100000,
    isDirectory: () => type === 0o040000,
    isSymbolicLink: () => type === 0o120000,
    isFIFO: () => type === 0o010000,
    isSocket: () => type === 0o140000,
    isCharacterDevice: () => type === 0o020000,
    isBlockDevice: () => type === 0o060000,
  };
}

function statx(dirfd: number, path: string, flags: number, syscall: string): FileStats {
  const p = cstr(path);
  const buf = new Uint8Array(STATX_SIZE);
  must("statx", { syscall, path }, dirfd, p, flags, STATX_BASIC_STATS, buf);
  return decodeStatx(buf);
}

function mkdirSync(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
  const mode = options.mode ?? 0o777;
  const p = cstr(path);
  const r = attempt("mkdirat", AT_FDCWD, p, mode);
  if (!r.errno) return;
  if (options.recursive) {
    // As node:fs: a directory that is there already is fine, a missing parent is made first.
    if (r.errno === EEXIST && statx(AT_FDCWD, path, 0, "mkdir").isDirectory()) return;
    const parent = path.replace(/\/+[^/]*\/*$/, "");
    if (r.errno === ENOENT && parent !== "" && parent !== path) {
      mkdirSync(parent, options);
      return mkdirSync(path, options);
    }
  }
  throw fsError(r.errno, "mkdir", path);
}

const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;
const DT_UNKNOWN = 0;

/** A directory's entries with their d_type, "." and ".." left out, in the kernel's order. */
function scan(path: string): { name: string; type: number }[] {
  const fd = openFile(path, libc().abi.O_DIRECTORY, 0, "scandir");
  try {
    const buf = new Uint8Array(32768);
    const v = new DataView(buf.buffer);
    const out: { name: string; type: number }[] = [];
    for (;;) {
      const n = must("getdents64", { syscall: "scandir", path }, fd, buf, buf.length);
      if (n === 0) return out;
      for (let at = 0; at < n;) {
        const reclen = v.getUint16(at + 16, true);
        const nameStart = at + 19;
        const name = decoder.decode(buf.subarray(nameStart, buf.indexOf(0, nameStart)));
        if (name !== "." && name !== "..") out.push({ name, type: buf[at + 18] });
        at += reclen;
      }
    }
  } finally {
    close(fd);
  }
}

function readdirSync(path: string, options?: { withFileTypes: true }): string[] | DirEntry[] {
  const entries = scan(path);
  if (!options?.withFileTypes) return entries.map((e) => e.name);
  return entries.map(({ name, type }) => {
    // Filesystems that do not fill d_type leave it to an lstat, as node:fs does.
    const kind = type !== DT_UNKNOWN ? type : lstatKind(`${path}/${name}`);
    return { name, isFile: () => kind === DT_REG, isDirectory: () => kind === DT_DIR, isSymbolicLink: () => kind === DT_LNK };
  });
}

function lstatKind(path: string): number {
  const st = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "lstat");
  return st.isDirectory() ? DT_DIR : st.isSymbolicLink() ? DT_LNK : st.isFile() ? DT_REG : -1;
}

function unlinkat(path: string, flags: number, syscall: string): void {
  const p = cstr(path);
  must("unlinkat", { syscall, path }, AT_FDCWD, p, flags);
}

function rmSync(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
  let st: FileStats;
  try {
    st = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "lstat");
  } catch (e) {
    if (options.force && (e as FsError).code === "ENOENT") return;
    throw e;
  }
  if (!st.isDirectory()) return unlinkat(path, 0, "rm");
  if (!options.recursive) throw fsError(EISDIR, "rm", path);
  for (const { name, type } of scan(path)) {
    const child = `${path}/${name}`;
    if (type === DT_DIR || type === DT_UNKNOWN) rmSync(child, options);
    else unlinkat(child, 0, "rm");
  }
  unlinkat(path, AT_REMOVEDIR, "rm");
}

function readlinkSync(path: string): string {
  const p = cstr(path);
  const buf = new Uint8Array(4096);
  const n = must("readlinkat", { syscall: "readlink", path }, AT_FDCWD, p, buf, buf.length);
  return decoder.decode(buf.subarray(0, n));
}

/** The path the kernel resolves `path` to, as it names the descriptor it opens there. */
function realpathSync(path: string): string {
  const fd = openFile(path, O_PATH, 0, "realpath");
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } finally {
    close(fd);
  }
}

let files: NodeFs | undefined;
let nodeFs: NodeFs | undefined;
const node = () => (nodeFs ??= require("node:fs"));

/** NodeFs for Bun: the file calls over libc, the rest node:fs's own. */
export function bunFiles(): NodeFs {
  return files ??= {
    readFileSync: readFileSync as NodeFs["readFileSync"],
    writeFileSync,
    appendFileSync: (path, data) => writeFileSync(path, data, { flag: "a" }),
    existsSync: (path) => {
      const p = cstr(path);
      return attempt("faccessat", AT_FDCWD, p, 0, 0).errno === 0;
    },
    statSync: (path) => statx(AT_FDCWD, path, 0, "stat"),
    lstatSync: (path) => statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "lstat"),
    fstatSync: (fd) => statx(fd, "", AT_EMPTY_PATH, "fstat"),
    mkdirSync,
    readdirSync: readdirSync as NodeFs["readdirSync"],
    rmSync,
    unlinkSync: (path) => unlinkat(path, 0, "unlink"),
    rmdirSync: (path) => unlinkat(path, AT_REMOVEDIR, "rmdir"),
    renameSync: (from, to) => {
      const f = cstr(from), t = cstr(to);
      must("renameat2", { syscall: "rename", path: from, dest: to }, AT_FDCWD, f, AT_FDCWD, t, 0);
    },
    chmodSync: (path, mode) => {
      const p = cstr(path);
      must("fchmodat", { syscall: "chmod", path }, AT_FDCWD, p, mode);
    },
    readlinkSync,
    symlinkSync: (target, path) => {
      const t = cstr(target), p = cstr(path);
      must("symlinkat", { syscall: "symlink", path: target, dest: path }, t, AT_FDCWD, p);
    },
    realpathSync,
    statfsSync: (path) => {
      const p = cstr(path);
      const buf = new Uint8Array(120);
      must("statfs", { syscall: "statfs", path }, p, buf);
      // f_type, a long, comes first on both architectures.
      return { type: Number(new DataView(buf.buffer).getBigInt64(0, true)) };
    },
    openSync: (path, flags) => openFile(path, flags),
    writeSync: (fd, data) => {
      const bytes = asBytes(data);
      if (bytes.length === 0) return 0;
      return must("write", { syscall: "write", path: `fd ${fd}` }, fd, bytes, bytes.length);
    },
    closeSync: close,
    constants: { O_WRONLY, O_TRUNC },
    mkdtempSync: (prefix) => node().mkdtempSync(prefix),
    copyFileSync: (from, to) => node().copyFileSync(from, to),
    get promises() {
      return node().promises;
    },
  };
}
