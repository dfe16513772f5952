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
}

interface NodeHost {
  env: Record<string, string | undefined>;
  pid: number;
  getBuiltinModule(name: "node:fs"): { writeSync(fd: number, bytes: Uint8Array): number };
}

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
let nodeWrite: WriteSync | undefined;

/** All of `text` to descriptor 1 or 2, synchronously (a non-blocking pipe that is full is retried). */
export function writeAll(fd: 1 | 2, text: string): void {
  let bytes = encoder.encode(text);
  const write: WriteSync = deno
    ? (to, b) => (to === 1 ? deno.stdout : deno.stderr).writeSync(b)
    : (nodeWrite ??= node().getBuiltinModule("node:fs").writeSync);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(write(fd, bytes));
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" && !(e instanceof Error && e.name === "WouldBlock")) throw e;
    }
  }
}
