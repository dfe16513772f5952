/**
 * A foreground container's terminal on runt's own stdio: the host terminal
 * goes raw so every key reaches the container's line discipline, bytes are
 * copied both ways, window-size changes follow, and the host terminal is
 * restored however the container ends.
 *
 * The copy is a poll(2) loop on the main thread rather than async streams:
 * a descriptor received over SCM_RIGHTS is not one the runtimes' stream
 * APIs can wrap, under Deno or Bun alike. Each round blocks for at most a
 * few milliseconds and then yields, so signals are still delivered.
 */
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { F_GETFL, F_SETFL, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLOUT } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { readTermios, readWindowSize, writeTermios, writeWindowSize } from "./pty.ts";
import { makeRaw } from "./termios.ts";
import { exitStatus } from "../process/reap.ts";
import { onSignal } from "../host.ts";

const ROUND_MS = 20;
const CHUNK = 64 * 1024;
/** Input held for a container that does not read it; stdin is not read past this. */
const MAX_PENDING = 256 * 1024;

export interface RelayOptions {
  /** Where keys come from and output goes (default 0 and 1). */
  input?: number;
  output?: number;
}

/**
 * Relays between `master` and runt's stdio until `pid` (our child) exits;
 * returns its wait status. Closes `master`.
 */
export async function relayTerminal(sys: Syscalls, master: number, pid: number, opts: RelayOptions = {}): Promise<WaitStatus> {
  const input = opts.input ?? 0, output = opts.output ?? 1;
  const saved = readTermios(sys, input);
  const resize = () => followWindowSize(sys, master);
  resize();
  const stopResizing = onSignal("SIGWINCH", resize);
  // Output processing stays on: the container's terminal sends bare "\n" (see clearOnlcr).
  if (saved) writeTermios(sys, input, { ...makeRaw(saved), oflag: saved.oflag });
  try {
    sys.fcntl(master, F_SETFL, sys.fcntl(master, F_GETFL) | O_NONBLOCK);
    return await copyUntilExit(sys, master, pid, input, output);
  } finally {
    stopResizing();
    if (saved) writeTermios(sys, input, saved);
    sys.close(master);
  }
}

/** The container's terminal takes the size of whichever of runt's stdio is a terminal. */
function followWindowSize(sys: Syscalls, master: number): void {
  for (const fd of [0, 1, 2]) {
    const size = readWindowSize(sys, fd);
    if (size && size.rows > 0) {
      try {
        writeWindowSize(sys, master, size);
      } catch { /* the container's terminal is gone */ }
      return;
    }
  }
}

async function copyUntilExit(sys: Syscalls, master: number, pid: number, input: number, output: number): Promise<WaitStatus> {
  const buf = new Uint8Array(CHUNK);
  let pending: Uint8Array = new Uint8Array(0);
  let inputOpen = true, masterOpen = true;
  for (;;) {
    // A negative descriptor is skipped by poll: a hung-up master would wake it at once, every round.
    const watch = [{ fd: masterOpen ? master : -1, events: POLLIN | (pending.length ? POLLOUT : 0) }];
    const readInput = inputOpen && pending.length < MAX_PENDING;
    if (readInput) watch.push({ fd: input, events: POLLIN });
    const [fromMaster, fromInput = 0] = sys.poll(watch, masterOpen || readInput ? ROUND_MS : 0);

    if (masterOpen && fromMaster & (POLLIN | POLLHUP | POLLERR)) masterOpen = drain(sys, master, output, buf);
    if (masterOpen && pending.length && fromMaster & POLLOUT) pending = writeSome(sys, master, pending);
    if (readInput && fromInput & (POLLIN | POLLHUP | POLLERR)) {
      const n = readSome(sys, input, buf);
      if (n === 0) inputOpen = false;
      else if (n > 0) pending = concat(pending, buf.subarray(0, n));
    }

    const status = exitStatus(sys, pid);
    if (status) {
      if (masterOpen) drainAfterExit(sys, master, output, buf);
      return status;
    }
    if (!masterOpen && !readInput) await sleep(ROUND_MS);
    else await sleep(0);
  }
}

/** Copies what the container's terminal has; false once it has hung up for good. */
function drain(sys: Syscalls, master: number, output: number, buf: Uint8Array): boolean {
  for (;;) {
    let n: number;
    try {
      n = sys.read(master, buf);
    } catch (e) {
      if (isErrno(e, "EAGAIN")) return true;
      // EIO: every slave descriptor is closed.
      return false;
    }
    if (n === 0) return false;
    writeAll(sys, output, buf.subarray(0, n));
  }
}

/**
 * What the container wrote last may still be on its way through the
 * terminal's buffers: read until the terminal hangs up, or until it stays
 * quiet because something else in the container still holds it open.
 */
function drainAfterExit(sys: Syscalls, master: number, output: number, buf: Uint8Array): void {
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    const [ready] = sys.poll([{ fd: master, events: POLLIN }], 50);
    if (!(ready & (POLLIN | POLLHUP | POLLERR)) || !drain(sys, master, output, buf)) return;
  }
}

/** Bytes read, 0 at end of input, -1 when nothing was there after all. */
function readSome(sys: Syscalls, fd: number, buf: Uint8Array): number {
  try {
    return sys.read(fd, buf);
  } catch (e) {
    if (isErrno(e, "EAGAIN")) return -1;
    return 0;
  }
}

function writeSome(sys: Syscalls, fd: number, data: Uint8Array): Uint8Array {
  try {
    return data.subarray(sys.write(fd, data));
  } catch (e) {
    if (isErrno(e, "EAGAIN")) return data;
    // The terminal is gone; its input with it.
    return new Uint8Array(0);
  }
}

/** runt's stdout may be non-blocking (shared with whoever set it so): wait for room. */
function writeAll(sys: Syscalls, fd: number, data: Uint8Array): void {
  while (data.length > 0) {
    try {
      data = data.subarray(sys.write(fd, data));
    } catch (e) {
      if (!isErrno(e, "EAGAIN")) return; // nobody is reading runt's output any more
      sys.poll([{ fd, events: POLLOUT }], ROUND_MS);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
