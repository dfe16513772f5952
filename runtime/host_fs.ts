/**
 * The file calls runt makes on its own files (state, bundles, cgroups,
 * /proc), with node:fs's names, results and error codes: under Bun they are
 * system calls through libc (ffi/files.ts), since loading node:fs costs
 * Bun 1.3–1.9 ms of every command; under Deno they are Deno's own file API,
 * because importing node:fs there loads Deno's Node layer (~50 ms). Errors
 * carry node:fs's `code` ("ENOENT", ...) and a message worded as its are.
 * Descriptor-level calls are not here: Deno has none; the Syscalls interface
 * makes those.
 */
import { basename, dirname } from "./path.ts";
import { type DirEntry, type FileStats, bunFiles, type WriteOptions } from "../ffi/files.ts";

export type { DirEntry, FileStats, WriteOptions };

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtime: Date | null;
  dev: number;
  ino: number | null;
  mode: number | null;
  nlink: number | null;
  uid: number | null;
  gid: number | null;
  rdev: number | null;
  isBlockDevice: boolean | null;
  isCharDevice: boolean | null;
  isFifo: boolean | null;
  isSocket: boolean | null;
}

interface DenoFs {
  readTextFileSync(path: string): string;
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array, options?: { mode?: number; createNew?: boolean; append?: boolean }): void;
  writeTextFileSync(path: string, data: string, options?: { mode?: number; createNew?: boolean; append?: boolean }): void;
  statSync(path: string): DenoFileInfo;
  lstatSync(path: string): DenoFileInfo;
  mkdirSync(path: string, options?: { recursive?: boolean; mode?: number }): void;
  readDirSync(path: string): Iterable<{ name: string; isFile: boolean; isDirectory: boolean; isSymlink: boolean }>;
  removeSync(path: string, options?: { recursive?: boolean }): void;
  renameSync(from: string, to: string): void;
  chmodSync(path: string, mode: number): void;
  readLinkSync(path: string): string;
  symlinkSync(target: string, path: string): void;
  realPathSync(path: string): string;
  makeTempDirSync(options: { dir?: string; prefix?: string }): string;
  copyFileSync(from: string, to: string): void;
  writeTextFile(path: string, data: string, options?: { create?: boolean }): Promise<void>;
  openSync(path: string, options: { write: true; truncate: boolean }): { writeSync(bytes: Uint8Array): number; close(): void };
}


const deno = (globalThis as { Deno?: DenoFs }).Deno;
/** Under Bun: node:fs's calls over libc (ffi/files.ts), and node:fs itself only for what that leaves to it. */
const bun = bunFiles;

/**
 * A Deno error as node:fs words it: "ENOENT: no such file or directory,
 * open '/x'", with the same `code`, `syscall` and `path`.
 */
function nodeError(e: unknown, syscall: string, path: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !(e instanceof Error)) return e;
  const reason = e.message.replace(/ \(os error \d+\).*$/s, "");
  const err = new Error(`${code}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}, ${syscall} '${path}'`) as Error & {
    code: string;
    syscall: string;
    path: string;
  };
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}

function call<T>(syscall: string, path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw nodeError(e, syscall, path);
  }
}

function stats(info: DenoFileInfo): FileStats {
  return {
    dev: info.dev,
    ino: info.ino ?? 0,
    mode: info.mode ?? 0,
    nlink: info.nlink ?? 0,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    rdev: info.rdev ?? 0,
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    isFile: () => info.isFile,
    isDirectory: () => info.isDirectory,
    isSymbolicLink: () => info.isSymlink,
    isFIFO: () => info.isFifo === true,
    isSocket: () => info.isSocket === true,
    isCharacterDevice: () => info.isCharDevice === true,
    isBlockDevice: () => info.isBlockDevice === true,
  };
}

export function readFileSync(path: string, encoding: "utf8"): string;
export function readFileSync(path: string): Uint8Array;
export function readFileSync(path: string, encoding?: "utf8"): string | Uint8Array {
  if (!deno) return bun().readFileSync(path, encoding);
  return call("open", path, () => (encoding ? deno.readTextFileSync(path) : deno.readFileSync(path)));
}

export function writeFileSync(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  if (!deno) return bun().writeFileSync(path, data, options);
  const opts = { mode: options.mode, createNew: options.flag === "wx", append: options.flag === "a" };
  call("open", path, () => (typeof data === "string" ? deno.writeTextFileSync(path, data, opts) : deno.writeFileSync(path, data, opts)));
}

export function appendFileSync(path: string, data: string): void {
  if (!deno) return bun().appendFileSync(path, data);
  call("open", path, () => deno.writeTextFileSync(path, data, { append: true }));
}

/**
 * One write(2) of `data` to a file that exists (no O_CREAT, with O_TRUNC):
 * the way to write a cgroup or /proc file, which acts on each write.
 */
export function writeExisting(path: string, data: string): void {
  if (!deno) {
    const fs = bun();
    const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  call("open", path, () => {
    const file = deno.openSync(path, { write: true, truncate: true });
    try {
      file.writeSync(new TextEncoder().encode(data));
    } finally {
      file.close();
    }
  });
}

/**
 * writeExisting's one write, on one of the runtime's I/O threads so the
 * caller goes on meanwhile: for a kernel file (cgroup.procs) that acts on
 * the write. Never makes the file.
 */
export function writeFileInBackground(path: string, data: string): Promise<void> {
  if (!deno) return bun().promises.writeFile(path, data, { flag: "r+" });
  return deno.writeTextFile(path, data, { create: false }).catch((e) => Promise.reject(nodeError(e, "open", path)));
}

export function existsSync(path: string): boolean {
  if (!deno) return bun().existsSync(path);
  try {
    deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function statSync(path: string): FileStats {
  return deno ? call("stat", path, () => stats(deno.statSync(path))) : bun().statSync(path);
}

/** fstat(2) of an open descriptor; under Deno, which has no descriptor calls, stat of its /proc/self/fd link. */
export function fstatSync(fd: number): FileStats {
  return deno ? statSync(`/proc/self/fd/${fd}`) : bun().fstatSync(fd);
}

export function lstatSync(path: string): FileStats {
  return deno ? call("lstat", path, () => stats(deno.lstatSync(path))) : bun().lstatSync(path);
}

export function mkdirSync(path: string, options: { recursive?: boolean; mode?: number } | number = {}): void {
  const opts = typeof options === "number" ? { mode: options } : options;
  if (!deno) return void bun().mkdirSync(path, opts);
  call("mkdir", path, () => deno.mkdirSync(path, opts));
}

export function readdirSync(path: string): string[] {
  if (!deno) return bun().readdirSync(path) as string[];
  return call("scandir", path, () => [...deno.readDirSync(path)].map((e) => e.name));
}

/** The entries of a directory with their types (node:fs's withFileTypes). */
export function readdirEntries(path: string): DirEntry[] {
  if (!deno) return bun().readdirSync(path, { withFileTypes: true }) as DirEntry[];
  return call("scandir", path, () =>
    [...deno.readDirSync(path)].map((e) => ({
      name: e.name,
      isFile: () => e.isFile,
      isDirectory: () => e.isDirectory,
      isSymbolicLink: () => e.isSymlink,
    })));
}

export function rmSync(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
  if (!deno) return bun().rmSync(path, options);
  try {
    // As node:fs: a directory goes only with `recursive`, even an empty one.
    if (!options.recursive && deno.lstatSync(path).isDirectory) throw Object.assign(new Error("Is a directory (os error 21)"), { code: "EISDIR" });
    deno.removeSync(path, { recursive: options.recursive });
  } catch (e) {
    if (options.force && (e as { code?: string }).code === "ENOENT") return;
    throw nodeError(e, "rm", path);
  }
}

export function unlinkSync(path: string): void {
  if (!deno) return bun().unlinkSync(path);
  call("unlink", path, () => {
    if (deno.lstatSync(path).isDirectory) throw Object.assign(new Error("Is a directory (os error 21)"), { code: "EISDIR" });
    deno.removeSync(path);
  });
}

export function rmdirSync(path: string): void {
  if (!deno) return bun().rmdirSync(path);
  call("rmdir", path, () => {
    if (!deno.lstatSync(path).isDirectory) throw Object.assign(new Error("Not a directory (os error 20)"), { code: "ENOTDIR" });
    deno.removeSync(path);
  });
}

export function renameSync(from: string, to: string): void {
  if (!deno) return bun().renameSync(from, to);
  call("rename", from, () => deno.renameSync(from, to));
}

export function chmodSync(path: string, mode: number): void {
  if (!deno) return bun().chmodSync(path, mode);
  call("chmod", path, () => deno.chmodSync(path, mode));
}

export function readlinkSync(path: string): string {
  return deno ? call("readlink", path, () => deno.readLinkSync(path)) : bun().readlinkSync(path);
}

export function symlinkSync(target: string, path: string): void {
  if (!deno) return bun().symlinkSync(target, path);
  call("symlink", path, () => deno.symlinkSync(target, path));
}

export function realpathSync(path: string): string {
  return deno ? call("realpath", path, () => deno.realPathSync(path)) : bun().realpathSync(path);
}

/** A new directory named `prefix` and six random characters, as node:fs's mkdtemp makes it. */
export function mkdtempSync(prefix: string): string {
  if (!deno) return bun().mkdtempSync(prefix);
  const dir = prefix.endsWith("/") ? prefix : dirname(prefix);
  const name = prefix.endsWith("/") ? "" : basename(prefix);
  return call("mkdtemp", prefix, () => deno.makeTempDirSync({ dir, prefix: name }));
}

export function copyFileSync(from: string, to: string): void {
  if (!deno) return bun().copyFileSync(from, to);
  call("copyfile", from, () => deno.copyFileSync(from, to));
}

/** statfs(2) f_type of the filesystems runt names. */
const FILESYSTEM_MAGIC: Record<number, string> = {
  0x9fa0: "proc",
  0x62656572: "sysfs",
  0x27e0eb: "cgroup",
  0x63677270: "cgroup2",
  0x01021994: "tmpfs",
};

/**
 * The type of the filesystem holding `path`, by its name in
 * /proc/filesystems ("proc", "tmpfs", ...): from statfs(2) under Bun (only
 * the kinds runt names; "" for others), from /proc/self/mountinfo under
 * Deno, which has no statfs, found by the device `path` is on.
 */
export function filesystemType(path: string): string {
  if (!deno) return FILESYSTEM_MAGIC[Number(bun().statfsSync(path).type)] ?? "";
  const dev = statSync(path).dev;
  const major = Math.floor(dev / 256) & 0xfff, minor = (dev & 0xff) | ((Math.floor(dev / 2 ** 20) & 0xfff) << 8);
  for (const line of deno.readTextFileSync("/proc/self/mountinfo").split("\n")) {
    const fields = line.split(" ");
    if (fields[2] === `${major}:${minor}`) return fields[fields.indexOf("-", 6) + 1] ?? "";
  }
  return "";
}
