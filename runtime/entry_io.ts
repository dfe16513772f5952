/**
 * What cli/main.ts needs before it knows the command — its arguments, the
 * clock its first trace step reads, the exit status, and for `--version` a
 * write to stdout — without host.ts, which brings the file calls
 * (ffi/files.ts) every other command loads anyway: `runt --version`, which
 * managers run to probe a runtime, starts without them.
 */

type WriteSync = (fd: number, bytes: Uint8Array) => number;

interface DenoEntry {
  args: string[];
  exitCode: number;
  stdout: { writeSync(bytes: Uint8Array): number };
}

const deno = (globalThis as { Deno?: DenoEntry }).Deno;
// Read only when there is no Deno: under Deno, touching `process` is what costs.
const node = () => (globalThis as unknown as { process: { argv: string[]; exitCode?: number } }).process;
const bunConsole = globalThis.console as { write?: (text: string) => number | Promise<number> };
const encoder = new TextEncoder();

/** The command line after the program (and, under Deno, the script). */
export function commandArgs(): string[] {
  return deno ? deno.args : node().argv.slice(2);
}

export function setExitCode(code: number): void {
  if (deno) deno.exitCode = code;
  else node().exitCode = code;
}

/** The wall clock in milliseconds since the epoch, fractional: what RUNT_TRACE prints. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** All of `text` through `write`, in order; a non-blocking pipe that is full is retried. */
export function writeFully(write: WriteSync, fd: number, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(write(fd, bytes));
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" && !(e instanceof Error && e.name === "WouldBlock")) throw e;
    }
  }
}

/**
 * `text` to stdout through Bun's console.write: at once when the
 * descriptor takes it (the usual case), else queued in order and written
 * before the process exits; `failed` hears of a queued write that failed.
 * False, having written nothing, where there is no console.write (Deno).
 */
export function consoleWrite(text: string, failed: (e: unknown) => void): boolean {
  if (deno || !bunConsole.write) return false;
  const written = bunConsole.write(text);
  if (typeof written !== "number") written.catch(failed);
  return true;
}

/** `text` to stdout by Deno's own call or Bun's console.write; false, having written nothing, where neither is there. */
export function writeStdout(text: string, failed: (e: unknown) => void): boolean {
  if (!deno) return consoleWrite(text, failed);
  writeFully((_, bytes) => deno.stdout.writeSync(bytes), 1, text);
  return true;
}
