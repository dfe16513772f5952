import { errnoDescription, errnoName } from "./errno.ts";
import { callInfo } from "./calls.ts";

/**
 * A failed system call. The message is strace-like so a log line alone tells
 * which call, with what, and why:
 * `mount("proc", "/x/proc", "proc", 0x0, null): EPERM (Operation not permitted)`.
 * `method` is the Syscalls method name, `call` the libc/kernel name.
 */
export class SyscallError extends Error {
  // Declared, not defined: class fields would each be defined at construction, before being set.
  declare readonly method: string;
  declare readonly args: readonly unknown[];
  declare readonly errno: number;
  declare readonly code: string;

  constructor(method: string, args: readonly unknown[], errno: number) {
    // Worded when first read (see the message accessor below): most failures are expected and caught
    // unread (EEXIST from a mkdir, ENOENT from a probe), and wording one cost ~15 µs of a fresh process.
    super();
    this.name = "SyscallError";
    this.method = method;
    this.args = args;
    this.errno = errno;
    this.code = errnoName(errno);
  }

  /** The libc or kernel name of the call ("pivot_root"). */
  get call(): string {
    return callInfo(this.method).call;
  }

  /** Why, without the call: "ENOENT (No such file or directory)". */
  get reason(): string {
    return `${this.code} (${errnoDescription(this.errno)})`;
  }
}

/** strace's rendering of the call and its error, made once when first asked for. */
function wordCall(e: SyscallError): string {
  const info = callInfo(e.method);
  const shown = e.args.map((a, i) => {
    if (info.hex.includes(i)) return formatRadix(a, 16, "0x");
    if (info.oct.includes(i)) return formatRadix(a, 8, "0o");
    if (info.redact.includes(i) && Array.isArray(a)) return `[${a.length} vars]`;
    return formatArg(a);
  });
  return `${info.call}(${shown.join(", ")}): ${e.reason}`;
}

// An accessor on the prototype, as TypeScript will not let a class turn Error's message property into one.
// Read, or set, it becomes the instance's own data property, as an Error's message is.
Object.defineProperty(SyscallError.prototype, "message", {
  configurable: true,
  get(this: SyscallError): string {
    const value = wordCall(this);
    Object.defineProperty(this, "message", { value, writable: true, configurable: true });
    return value;
  },
  set(this: SyscallError, value: string) {
    Object.defineProperty(this, "message", { value, writable: true, configurable: true });
  },
});

/** True when `e` is a SyscallError with the given errno name or number. */
export function isErrno(e: unknown, code: string | number): e is SyscallError {
  return e instanceof SyscallError && (typeof code === "number" ? e.errno === code : e.code === code);
}

const MAX_STRING = 64;
const MAX_LIST = 8;

function formatRadix(arg: unknown, radix: number, prefix: string): string {
  if (typeof arg !== "number" && typeof arg !== "bigint") return formatArg(arg);
  const v = BigInt(arg);
  return v < 0n ? `-${prefix}${(-v).toString(radix)}` : `${prefix}${v.toString(radix)}`;
}

/** Renders one argument the way strace would, summarising large data. */
export function formatArg(arg: unknown): string {
  if (arg === null || arg === undefined) return "null";
  if (typeof arg === "string") {
    const s = arg.length > MAX_STRING ? arg.slice(0, MAX_STRING) + "..." : arg;
    return JSON.stringify(s);
  }
  if (typeof arg === "bigint" || typeof arg === "number" || typeof arg === "boolean") return String(arg);
  if (arg instanceof Uint8Array) return `<${arg.length} bytes>`;
  if (Array.isArray(arg)) {
    const head = arg.slice(0, MAX_LIST).map(formatArg);
    if (arg.length > MAX_LIST) head.push(`...${arg.length - MAX_LIST} more`);
    return `[${head.join(", ")}]`;
  }
  if (typeof arg === "object") {
    const parts = Object.entries(arg as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${formatArg(v)}`);
    return `{${parts.join(", ")}}`;
  }
  return String(arg);
}
