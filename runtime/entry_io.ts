/**
 * What cli/main.ts needs before it knows the command — its arguments, and
 * for `--version` a write to stdout — without host.ts, which brings the
 * file calls (ffi/files.ts) every other command loads anyway: `runt
 * --version`, which managers run to probe a runtime, starts without them.
 */

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
// Read only when there is no Deno: under Deno, touching `process` is what costs.
const node = () => (globalThis as unknown as { process: { argv: string[] } }).process;
const bunConsole = globalThis.console as { write?: (text: string) => number | Promise<number> };

/** The command line after the program (and, under Deno, the script). */
export function commandArgs(): string[] {
  return deno ? deno.args : node().argv.slice(2);
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
