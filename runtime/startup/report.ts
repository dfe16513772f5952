/**
 * What the start-up program tells the runtime, read back: the line that
 * says the container is ready, the PID of a process `exec` started, and the
 * report of a step that failed (see runtime/stub/report.ts).
 */
import { decodeReport, describeReport } from "../stub/report.ts";

/** The same line the JavaScript init sent before it became the start-up program. */
export const READY_LINE = JSON.stringify({ type: "ready" }) + "\n";

/** Marks the 16 bytes [magic, pid] the program writes after its clone; no errno is this large. */
export const PID_REPORT_MAGIC = 0x7275_6e74_7069_6421n; // "runtpid!"
/** Marks the 16 bytes [magic, 0] with which the program, in its new user namespace, asks for its ID maps. */
export const USERNS_REPORT_MAGIC = 0x7275_6e74_7573_6e21n; // "runtusn!"
/** Marks the 16 bytes [magic, 0] with which the namespace stage says the container's namespaces exist. */
export const NAMESPACES_REPORT_MAGIC = 0x7275_6e74_6e73_7321n; // "runtnss!"
/** Marks the 16 bytes [magic, descriptor number] of a seccomp listener the program holds. */
export const LISTENER_REPORT_MAGIC = 0x7275_6e74_6c73_6e21n; // "runtlsn!"

export interface StartupTail {
  /** The process `exec` started, as runt's PID namespace numbers it. */
  pid?: number;
  /** Why a step failed, in one line. */
  failure?: string;
  /** The errno of that step. */
  errno?: number;
  ready: boolean;
}

/** Everything the program wrote on the channel, up to end of file. */
export function parseStartupTail(bytes: Uint8Array): StartupTail {
  const tail: StartupTail = { ready: false };
  let rest = bytes;
  if (rest.length >= 16) {
    const v = new DataView(rest.buffer, rest.byteOffset + rest.length - 16, 16);
    if (v.getBigUint64(0, true) === PID_REPORT_MAGIC) {
      tail.pid = Number(v.getBigUint64(8, true));
      rest = rest.subarray(0, rest.length - 16);
    }
  }
  const ready = new TextEncoder().encode(READY_LINE);
  if (startsWith(rest, ready)) {
    tail.ready = true;
    rest = rest.subarray(ready.length);
  }
  if (rest.length > 0) {
    const report = decodeReport(rest);
    if (report) {
      tail.failure = describeReport(report);
      tail.errno = report.errno;
    } else {
      tail.failure = "the container's start-up program failed without saying why";
    }
  }
  return tail;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
