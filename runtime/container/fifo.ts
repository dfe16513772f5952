/**
 * The reading side of the exec fifo, used by `start`. Opening it releases
 * the init, which writes one byte at once, then either execs (close-on-exec
 * closes its end: end of file, success) or reports the step that failed.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { F_GETFL, F_SETFL, O_CLOEXEC, O_NONBLOCK, O_RDONLY, POLLIN } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { sleepSync } from "../sleep.ts";
import { parseStartupTail } from "../startup/report.ts";

/**
 * Releases the init; returns what it reported ("" when the user process was
 * exec'd). `meanwhile` runs once the init has taken its byte, while it
 * execs the user's program, before the wait for that exec's outcome.
 */
export function releaseInit(sys: Syscalls, fifoPath: string, alive: () => boolean, meanwhile: () => void = () => {}): string {
  // Non-blocking, so a dead init cannot leave start hanging in open or read.
  const fd = sys.open(fifoPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  try {
    const buf = new Uint8Array(4096);
    let delay = 0.2;
    for (;;) {
      // Liveness first: a process that wrote its byte and ended since the last read left the byte behind.
      const wasAlive = alive();
      const n = readNonBlocking(sys, fd, buf); // -1: nothing yet; 0: end of file
      if (n > 0) {
        meanwhile();
        // The init is on the other end now: a blocking read ends when it execs or exits.
        sys.fcntl(fd, F_SETFL, sys.fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return readToEnd(sys, fd, buf.slice(1, n));
      }
      // Nothing yet means the init has not opened its end yet.
      if (!wasAlive) return "container init exited before it could be started";
      // A fifo whose writer has not opened it yet does not poll readable: this wakes on the
      // init's byte, or after `delay` to look at its liveness again. A writer that came and
      // went (end of file rather than "nothing yet") polls readable at once with nothing to
      // read, hence the sleep then; after "nothing yet", readable means the byte is there.
      if (sys.poll([{ fd, events: POLLIN }], Math.ceil(delay))[0] !== 0 && n === 0) sleepSync(delay);
      delay = Math.min(delay * 2, 10);
    }
  } finally {
    sys.close(fd);
  }
}

/** Bytes read; -1 when there are none yet (EAGAIN), 0 at end of file (no writer). */
function readNonBlocking(sys: Syscalls, fd: number, buf: Uint8Array): number {
  try {
    return sys.read(fd, buf);
  } catch (e) {
    if (isErrno(e, "EAGAIN")) return -1;
    throw e;
  }
}

/** The start-up program's report of a failed step, if it wrote one, in one line. */
function readToEnd(sys: Syscalls, fd: number, first: Uint8Array): string {
  const chunks = [first];
  const buf = new Uint8Array(4096);
  for (let n = sys.read(fd, buf); n > 0; n = sys.read(fd, buf)) chunks.push(buf.slice(0, n));
  let length = 0;
  for (const c of chunks) length += c.length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes.length === 0 ? "" : parseStartupTail(bytes).failure ?? "";
}
