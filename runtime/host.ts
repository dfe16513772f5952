/**
 * The few things of the host process the hot paths need — an environment
 * variable, the process ID, a write to stdout or stderr — without Node's
 * `process` object or `node:` modules under Deno, where their first use
 * loads Deno's Node compatibility layer (tens of milliseconds per process),
 * and without `process.stdout` under Bun, whose first use costs 3–8 ms.
 */
interface DenoHost {
  env: { get(name: string): string | undefined };
  pid: number;
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number };
  readTextFileSync(path: string): string;
}

interface NodeHost {
  env: Record<string, string | undefined>;
  pid: number;
  exitCode?: number;
}

interface NodeFs {
  writeSync(fd: number, bytes: Uint8Array): number;
  readFileSync(path: string, encoding: "utf8"): string;
}

/**
 * Bun's CommonJS `require`, present in its modules and in the compiled
 * binary: it loads node:fs in ~0.4 ms, where process.getBuiltinModule
 * takes ~1.4 ms. Only read when there is no Deno.
 */
declare const require: (name: "node:fs") => NodeFs;

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

type WriteSync = (fd: number, bytes: Uint8Array) => number;
let fs: NodeFs | undefined;
const nodeFs = () => (fs ??= require("node:fs"));

/** A small text file (under /proc, say), read whole; throws as the runtime's file API does. */
export function readTextFile(path: string): string {
  return deno ? deno.readTextFileSync(path) : nodeFs().readFileSync(path, "utf8");
}

/** Bun's console.write: stdout without loading node:fs (~0.5 ms at start-up). */
const bunConsole = globalThis.console as { write?: (text: string) => number | Promise<number> };

/**
 * All of `text` to descriptor 1 or 2, in order. Under Bun, stdout goes
 * through console.write: at once when the descriptor takes it (the usual
 * case), else queued in order and written before the process exits.
 */
export function writeAll(fd: 1 | 2, text: string): void {
  if (!deno && fd === 1 && bunConsole.write) {
    const written = bunConsole.write(text);
    if (typeof written !== "number") written.catch(stdoutFailed);
    return;
  }
  let bytes = encoder.encode(text);
  const write: WriteSync = deno
    ? (to, b) => (to === 1 ? deno.stdout : deno.stderr).writeSync(b)
    : nodeFs().writeSync;
  // A non-blocking pipe that is full is retried.
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(write(fd, bytes));
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" && !(e instanceof Error && e.name === "WouldBlock")) throw e;
    }
  }
}

/** As a failed synchronous write would end the command: one line, and a failed exit status. */
function stdoutFailed(e: unknown): void {
  writeAll(2, `runt: writing to stdout: ${(e as Error).message}\n`);
  node().exitCode = 1;
}
