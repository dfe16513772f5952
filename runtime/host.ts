/**
 * What runt needs of its own process — environment, arguments, IDs,
 * signals, exit, a program run, a write to stdout or stderr — without
 * Node's `process` object or `node:` modules under Deno, where their first
 * use loads Deno's Node compatibility layer (~50 ms per process), and
 * without `process.stdout` under Bun, whose first use costs 3–8 ms. Files
 * are host_fs.ts's.
 */
import { bunFiles } from "../ffi/files.ts";
import { RuntError } from "./errors.ts";

interface DenoHost {
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  execPath(): string;
  Command: new (program: string, options: { args: string[]; stdin: "null"; stdout: "piped"; stderr: "piped" }) => {
    outputSync(): { code: number; stderr: Uint8Array };
  };
  exit(code: number): never;
  kill(pid: number, signal: string): void;
  uid(): number | null;
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  args: string[];
  exitCode: number;
  build: { arch: string };
  pid: number;
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number };
  readTextFileSync(path: string): string;
  cwd(): string;
}

interface NodeHost {
  env: Record<string, string | undefined>;
  execPath: string;
  exit(code: number): never;
  kill(pid: number, signal: number): void;
  getuid?(): number;
  getegid?(): number;
  on(signal: string, handler: () => void): void;
  off(signal: string, handler: () => void): void;
  argv: string[];
  arch: string;
  pid: number;
  exitCode?: number;
  geteuid?(): number;
  cwd(): string;
}

/**
 * Bun's CommonJS `require`, present in its modules and in the compiled
 * binary: faster than process.getBuiltinModule. Only read when there is no
 * Deno.
 */
declare const require: {
  (name: "node:child_process"): {
    spawnSync(program: string, args: string[], options: object): { error?: Error; status: number | null; stderr: string | null };
  };
};

const deno = (globalThis as { Deno?: DenoHost }).Deno;
// Read only when there is no Deno: under Deno, touching `process` is what costs.
const node = () => (globalThis as unknown as { process: NodeHost }).process;
const encoder = new TextEncoder();

export function envVar(name: string): string | undefined {
  return deno ? deno.env.get(name) : node().env[name];
}

export function processId(): number {
  return deno ? deno.pid : node().pid;
}

/** node:os's tmpdir(): $TMPDIR without a trailing slash, else /tmp. */
export function temporaryDirectory(): string {
  const dir = envVar("TMPDIR")?.replace(/(.)\/+$/, "$1");
  return dir || "/tmp";
}

export function currentDirectory(): string {
  return deno ? deno.cwd() : node().cwd();
}

/** The command line after the program (and, under Deno, the script). */
export function commandArgs(): string[] {
  return deno ? deno.args : node().argv.slice(2);
}

export function setExitCode(code: number): void {
  if (deno) deno.exitCode = code;
  else node().exitCode = code;
}

/**
 * Ends a command that has finished with `code`. Deno's own end takes its
 * isolate apart first (~4 ms of a `run`, ~1 ms of a `state`) when nothing
 * is left to wait for: runt writes synchronously there, and every command
 * has awaited its work. Bun ends by itself, after any write console.write
 * queued for a slow stdout.
 */
export function endCommand(code: number): void {
  if (deno) deno.exit(code);
  setExitCode(code);
}

/** The CPU architecture in Node's names (x64, arm64), which the per-arch tables use. */
export function hostArch(): string {
  if (!deno) return node().arch;
  const arch = deno.build.arch;
  return arch === "x86_64" ? "x64" : arch === "aarch64" ? "arm64" : arch;
}

export interface ProgramResult {
  status: number | null;
  stderr: string;
}

/**
 * Runs a program found on PATH to its end, stdin from /dev/null, its
 * output taken; throws (code "ENOENT" when there is no such program) if it
 * cannot be started.
 */
export function runProgram(program: string, args: string[]): ProgramResult {
  if (deno) {
    const out = new deno.Command(program, { args, stdin: "null", stdout: "piped", stderr: "piped" }).outputSync();
    return { status: out.code, stderr: new TextDecoder().decode(out.stderr) };
  }
  const r = require("node:child_process").spawnSync(program, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw r.error;
  return { status: r.status, stderr: r.stderr ?? "" };
}

/** A copy of the whole environment. */
export function environment(): Record<string, string | undefined> {
  return deno ? deno.env.toObject() : { ...node().env };
}

/** The path of the running executable: dist/runt, or the bun or deno binary running the sources. */
export function executablePath(): string {
  return deno ? deno.execPath() : node().execPath;
}

/**
 * Sends signal number `signal` to `pid`; Deno's kill takes only its name
 * (`name`: "SIGTERM"). Throws with code "ESRCH" when there is no such process.
 */
export function killProcess(pid: number, signal: number, name: string): void {
  if (!deno) return node().kill(pid, signal);
  try {
    deno.kill(pid, name);
  } catch (e) {
    // Deno says NotFound, without the errno.
    if ((e as Error).name === "NotFound") throw Object.assign(new Error(`kill ${pid}: no such process`), { code: "ESRCH" });
    throw e;
  }
}

export function exitProcess(code: number): never {
  return deno ? deno.exit(code) : node().exit(code);
}

export function realUid(): number {
  return deno ? deno.uid() ?? 0 : node().getuid?.() ?? 0;
}

/** Calls `handler` on each `signal` ("SIGWINCH", ...) until the returned function is called. */
export function onSignal(signal: string, handler: () => void): () => void {
  if (deno) {
    deno.addSignalListener(signal, handler);
    return () => deno.removeSignalListener(signal, handler);
  }
  node().on(signal, handler);
  return () => node().off(signal, handler);
}

/** The effective ID of a Uid or Gid line of /proc/self/status (real, effective, saved, filesystem): Deno has no geteuid or getegid. */
function effectiveIdFromStatus(line: "Uid" | "Gid"): number {
  const ids = new RegExp(`^${line}:\\s+\\d+\\s+(\\d+)`, "m").exec(readTextFile("/proc/self/status"));
  return ids ? Number(ids[1]) : 0;
}

export function effectiveGid(): number {
  return deno ? effectiveIdFromStatus("Gid") : node().getegid?.() ?? 0;
}

export function effectiveUid(): number {
  return deno ? effectiveIdFromStatus("Uid") : node().geteuid?.() ?? 0;
}

type WriteSync = (fd: number, bytes: Uint8Array) => number;

/** A small text file (under /proc, say), read whole; throws as the runtime's file API does. */
export function readTextFile(path: string): string {
  return deno ? deno.readTextFileSync(path) : bunFiles().readFileSync(path, "utf8") as string;
}

/** Bun's console.write: stdout without loading node:fs (~0.5 ms at start-up). */
const bunConsole = globalThis.console as { write?: (text: string) => number | Promise<number> };

/**
 * All of `text` to descriptor 1 or 2, in order. Under Bun, stdout goes
 * through console.write: at once when the descriptor takes it (the usual
 * case), else queued in order and written before the process exits. A
 * write to stdout that fails (a full disk, a closed pipe) throws a
 * StdoutError, which the front end prints as its one line.
 */
export function writeAll(fd: 1 | 2, text: string): void {
  try {
    writeText(fd, text);
  } catch (e) {
    throw fd === 1 ? stdoutError(e) : e;
  }
}

function writeText(fd: 1 | 2, text: string): void {
  if (!deno && fd === 1 && bunConsole.write) {
    const written = bunConsole.write(text);
    if (typeof written !== "number") written.catch(stdoutFailed);
    return;
  }
  let bytes = encoder.encode(text);
  const write: WriteSync = deno
    ? (to, b) => (to === 1 ? deno.stdout : deno.stderr).writeSync(b)
    : bunFiles().writeSync;
  // A non-blocking pipe that is full is retried.
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(write(fd, bytes));
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" && !(e instanceof Error && e.name === "WouldBlock")) throw e;
    }
  }
}

/** A write to stdout that failed: not a bug in runt, and said as one line. */
export class StdoutError extends RuntError {}

function stdoutError(e: unknown): StdoutError {
  return e instanceof StdoutError ? e : new StdoutError(`writing to stdout: ${(e as Error).message}`);
}

/** A write to stdout that failed after the command went on (queued by Bun), or outside the front end: one line, and a failed exit status. */
export function stdoutFailed(e: unknown): void {
  writeAll(2, `runt: ${stdoutError(e).message}\n`);
  setExitCode(1);
}
