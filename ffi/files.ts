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
import { errnoDescription, errnoName } from "./errno.ts";
import { bunFfi, FFI_TYPE } from "./bun_native.ts";

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
  nr: Record<Nr, number>;
  O_DIRECTORY: number;
  /** syscall(2): the result, or -1 with errno set. */
  syscall(nr: number, a: number, b: number, c: number, d: number, e: number): number;
  errno(): number;
  ptr(buf: Uint8Array): number;
  /** Scratch memory, one buffer per use, each at an address taken once: paths (a call takes two at most), statx, reads. */
  paths: [Uint8Array, Uint8Array];
  pathAt: [number, number];
  stat: DataView;
  statAt: number;
  io: Uint8Array;
  ioAt: number;
}

declare const require: (name: "node:fs") => NodeFs;

/** PATH_MAX characters of three UTF-8 bytes each, and the NUL. */
const PATH_BYTES = 3 * 4096 + 1;
const STATX_SIZE = 256;
const IO_BYTES = 65536;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let bound: Libc | undefined;

function libc(): Libc {
  if (bound) return bound;
  // Only ever under Bun, whose `process` costs nothing to touch.
  const { arch } = (globalThis as unknown as { process: { arch: string } }).process;
  const abi = ABI[arch];
  if (!abi) throw new Error(`runt supports x86_64 and aarch64 only, not ${arch}`);
  const { dlopen, ptr, read } = bunFfi();
  const I = FFI_TYPE.i64_fast;
  const lib = dlopen("libc.so.6", {
    syscall: { args: [I, I, I, I, I, I], returns: I },
    __errno_location: { args: [], returns: FFI_TYPE.ptr },
  });
  const syscall = lib.symbols.syscall as (...args: number[]) => number;
  const __errno_location = lib.symbols.__errno_location as () => number;
  const paths: [Uint8Array, Uint8Array] = [new Uint8Array(PATH_BYTES), new Uint8Array(PATH_BYTES)];
  const stat = new Uint8Array(STATX_SIZE);
  const io = new Uint8Array(IO_BYTES);
  return bound = {
    nr: abi.nr,
    O_DIRECTORY: abi.O_DIRECTORY,
    syscall: (nr, a, b, c, d, e) => Number(syscall(nr, a, b, c, d, e)),
    errno: () => read.i32(__errno_location(), 0),
    ptr,
    paths,
    pathAt: [ptr(paths[0]), ptr(paths[1])],
    stat: new DataView(stat.buffer),
    statAt: ptr(stat),
    io,
    ioAt: ptr(io),
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

/** Written after each call and never read: a store to module state, which no optimiser may drop, keeps a call's buffer reachable until it returns. */
// deno-lint-ignore no-unused-vars
let held: unknown = null;

/** The address of `buf`, which stays reachable until the next call. */
function addressOf(buf: Uint8Array): number {
  held = buf;
  return libc().ptr(buf);
}

/** The address of `path` as the kernel takes it (NUL-terminated), in path buffer `which`. */
function cpath(path: string, which: 0 | 1 = 0): number {
  if (path.includes("\0")) {
    throw Object.assign(new TypeError(`The argument 'path' must be a string without null bytes. Received '${path}'`), { code: "ERR_INVALID_ARG_VALUE" });
  }
  const lib = libc();
  const buf = lib.paths[which];
  const { read, written } = encoder.encodeInto(path, buf);
  // Longer than PATH_MAX: the kernel refuses it (ENAMETOOLONG) from a buffer of its own.
  if (read < path.length || written === buf.length) return addressOf(encoder.encode(`${path}\0`));
  buf[written] = 0;
  return lib.pathAt[which];
}

/** One system call, repeated while a signal interrupts it: its result, or minus the errno. */
function attempt(nr: Nr, a = 0, b = 0, c = 0, d = 0, e = 0): number {
  const lib = libc();
  const n = lib.nr[nr];
  for (;;) {
    const result = lib.syscall(n, a, b, c, d, e);
    if (result !== -1) return result;
    const errno = lib.errno();
    if (errno !== EINTR) return -errno;
  }
}

/** `result`, or node:fs's error for a failed call. */
function check(result: number, syscall: string, path: string, dest?: string): number {
  if (result < 0) throw fsError(-result, syscall, path, dest);
  return result;
}

function openFile(path: string, flags: number, mode = 0o666, syscall = "open"): number {
  return check(attempt("openat", AT_FDCWD, cpath(path), flags | O_CLOEXEC, mode), syscall, path);
}

function close(fd: number): void {
  attempt("close", fd);
}

/** The whole file behind `fd`, read through the scratch buffer; `use` sees the bytes before the next call reuses it. */
function readAll<T>(fd: number, path: string, use: (bytes: Uint8Array) => T): T {
  const { io, ioAt } = libc();
  let length = 0;
  let more: Uint8Array[] | undefined;
  for (;;) {
    const n = check(attempt("read", fd, ioAt + length, io.length - length), "read", path);
    if (n === 0) break;
    length += n;
    if (length === io.length) {
      // Larger than the buffer: kept in pieces, joined at the end.
      (more ??= []).push(io.slice());
      length = 0;
    }
  }
  if (!more) return use(io.subarray(0, length));
  more.push(io.slice(0, length));
  const all = new Uint8Array(more.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of more) {
    all.set(piece, at);
    at += piece.length;
  }
  return use(all);
}

function writeAll(fd: number, data: string | Uint8Array, path: string): void {
  const { io, ioAt } = libc();
  let bytes: Uint8Array, at: number;
  const fits = typeof data === "string" ? encoder.encodeInto(data, io) : undefined;
  if (fits && fits.read === (data as string).length) {
    bytes = io.subarray(0, fits.written);
    at = ioAt;
  } else {
    bytes = typeof data === "string" ? encoder.encode(data) : data;
    at = bytes.length > 0 ? addressOf(bytes) : 0;
  }
  for (let done = 0; done < bytes.length;) {
    done += check(attempt("write", fd, at + done, bytes.length - done), "write", path);
  }
}

function readFileSync(path: string, encoding?: "utf8"): string | Uint8Array {
  const fd = openFile(path, 0);
  try {
    return readAll(fd, path, (bytes) => encoding ? decoder.decode(bytes) : bytes.slice());
  } finally {
    close(fd);
  }
}

function writeFileSync(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const how = options.flag === "wx" ? O_EXCL : options.flag === "a" ? O_APPEND : O_TRUNC;
  const fd = openFile(path, O_WRONLY | O_CREAT | how, options.mode ?? 0o666);
  try {
    writeAll(fd, data, path);
  } finally {
    close(fd);
  }
}

/** glibc's makedev(): the st_dev and st_rdev node:fs reports. */
function makedev(major: number, minor: number): number {
  return (major & 0xfffff000) * 2 ** 32 + (minor & 0xffffff00) * 2 ** 12 + (major & 0xfff) * 256 + (minor & 0xff);
}

function decodeStatx(v: DataView): FileStats {
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
  const lib = libc();
  check(attempt("statx", dirfd, cpath(path), flags, STATX_BASIC_STATS, lib.statAt), syscall, path);
  return decodeStatx(lib.stat);
}

function mkdirSync(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
  const mode = options.mode ?? 0o777;
  let r = attempt("mkdirat", AT_FDCWD, cpath(path), mode);
  if (r >= 0) return;
  if (options.recursive) {
    // As node:fs: a missing parent is made first, then the directory is tried once more, and only
    // once: a parent that is there yet takes no new entry (procfs answers ENOENT) must not loop.
    const parent = path.replace(/\/+[^/]*\/*$/, "");
    if (r === -ENOENT && parent !== "" && parent !== path) {
      mkdirSync(parent, options);
      r = attempt("mkdirat", AT_FDCWD, cpath(path), mode);
      if (r >= 0) return;
    }
    // A directory that is there already is fine.
    if (r === -EEXIST && statx(AT_FDCWD, path, 0, "mkdir").isDirectory()) return;
  }
  throw fsError(-r, "mkdir", path);
}

const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;
const DT_UNKNOWN = 0;

/** A directory's entries with their d_type, "." and ".." left out, in the kernel's order. */
function scan(path: string): { name: string; type: number }[] {
  const fd = openFile(path, libc().O_DIRECTORY, 0, "scandir");
  try {
    const { io, ioAt } = libc();
    const v = new DataView(io.buffer);
    const out: { name: string; type: number }[] = [];
    for (;;) {
      const n = check(attempt("getdents64", fd, ioAt, io.length), "scandir", path);
      if (n === 0) return out;
      for (let at = 0; at < n;) {
        const reclen = v.getUint16(at + 16, true);
        const nameStart = at + 19;
        const name = decoder.decode(io.subarray(nameStart, io.indexOf(0, nameStart)));
        if (name !== "." && name !== "..") out.push({ name, type: io[at + 18] });
        at += reclen;
      }
    }
  } finally {
    close(fd);
  }
}

function readdirSync(path: string, options?: { withFileTypes: true }): string[] | DirEntry[] {
  const entries = scan(path);
  const out: (string | DirEntry)[] = [];
  for (const { name, type } of entries) {
    if (!options?.withFileTypes) {
      out.push(name);
      continue;
    }
    // Filesystems that do not fill d_type leave it to an lstat, as node:fs does.
    const kind = type !== DT_UNKNOWN ? type : lstatKind(`${path}/${name}`);
    out.push({ name, isFile: () => kind === DT_REG, isDirectory: () => kind === DT_DIR, isSymbolicLink: () => kind === DT_LNK });
  }
  return out as string[] | DirEntry[];
}

function lstatKind(path: string): number {
  const st = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "lstat");
  return st.isDirectory() ? DT_DIR : st.isSymbolicLink() ? DT_LNK : st.isFile() ? DT_REG : -1;
}

function unlinkat(path: string, flags: number, syscall: string): void {
  check(attempt("unlinkat", AT_FDCWD, cpath(path), flags), syscall, path);
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
  const { io, ioAt } = libc();
  const n = check(attempt("readlinkat", AT_FDCWD, cpath(path), ioAt, io.length), "readlink", path);
  return decoder.decode(io.subarray(0, n));
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

/**
 * The calling thread's errno, through the binding these calls make: the
 * Bun backend of the Syscalls (bun.ts) reads it here too, rather than bind
 * __errno_location a second time.
 */
export function bunErrno(): number {
  return libc().errno();
}

/** NodeFs for Bun: the file calls over libc, the rest node:fs's own. */
export function bunFiles(): NodeFs {
  return files ??= {
    readFileSync: readFileSync as NodeFs["readFileSync"],
    writeFileSync,
    appendFileSync: (path, data) => writeFileSync(path, data, { flag: "a" }),
    existsSync: (path) => attempt("faccessat", AT_FDCWD, cpath(path), 0, 0) === 0,
    statSync: (path) => statx(AT_FDCWD, path, 0, "stat"),
    lstatSync: (path) => statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "lstat"),
    fstatSync: (fd) => statx(fd, "", AT_EMPTY_PATH, "fstat"),
    mkdirSync,
    readdirSync: readdirSync as NodeFs["readdirSync"],
    rmSync,
    unlinkSync: (path) => unlinkat(path, 0, "unlink"),
    rmdirSync: (path) => unlinkat(path, AT_REMOVEDIR, "rmdir"),
    renameSync: (from, to) => {
      check(attempt("renameat2", AT_FDCWD, cpath(from, 0), AT_FDCWD, cpath(to, 1), 0), "rename", from, to);
    },
    chmodSync: (path, mode) => {
      check(attempt("fchmodat", AT_FDCWD, cpath(path), mode), "chmod", path);
    },
    readlinkSync,
    symlinkSync: (target, path) => {
      check(attempt("symlinkat", cpath(target, 0), AT_FDCWD, cpath(path, 1)), "symlink", target, path);
    },
    realpathSync,
    statfsSync: (path) => {
      const { io, ioAt } = libc();
      check(attempt("statfs", cpath(path), ioAt), "statfs", path);
      // f_type, a long, comes first on both architectures.
      return { type: Number(new DataView(io.buffer).getBigInt64(0, true)) };
    },
    openSync: (path, flags) => openFile(path, flags),
    writeSync: (fd, data) => {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      if (bytes.length === 0) return 0;
      return check(attempt("write", fd, addressOf(bytes), bytes.length), "write", `fd ${fd}`);
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
