/**
 * The parent ↔ init conversation: newline-delimited JSON over one end of a
 * socketpair each. Blocking reads are intended — the init has nothing else
 * to do, and its event loop must not run inside the container namespaces.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { SCM_MAX_FD } from "../../ffi/constants.ts";
import { RuntError } from "../errors.ts";
import { LISTENER_REPORT_MAGIC, NAMESPACES_REPORT_MAGIC, PID_REPORT_MAGIC, USERNS_REPORT_MAGIC } from "../startup/report.ts";

/** What the init sends while it builds the container. */
export type InitReport =
  | { type: "hooks" }
  /** Carries the terminal's master descriptor. */
  | { type: "console" }
  | { type: "ready" }
  | { type: "error"; message: string }
  /** The start-up program's clone: the PID, as runt's namespace numbers it, of the process it started. */
  | { type: "pid"; pid: number }
  /** The program holds a seccomp listener at this descriptor number, waiting for the runtime to copy it. */
  | { type: "seccomp-listener"; fd: number }
  /** The namespace stage has made the container's namespaces and waits for the runtime to build the rest. */
  | { type: "namespaces" }
  /** The program has made the container's user namespace and waits for its ID maps. */
  | { type: "userns" }
  /** What the start-up program wrote, raw, up to end of file (runtime/startup/report.ts reads it). */
  | { type: "tail"; bytes: Uint8Array };

/** What the parent answers to `hooks`. */
export type ParentReply = { type: "continue" } | { type: "abort" };

export class InitChannelClosed extends RuntError {}

export class Channel {
  private pending = new Uint8Array(0);
  private readonly buf = new Uint8Array(64 * 1024);
  /** Descriptors that arrived with the messages read so far, oldest first. */
  private readonly fds: number[] = [];

  constructor(private readonly sys: Syscalls, readonly fd: number) {}

  /**
   * `fds` travel with the message's first bytes (SCM_RIGHTS), SCM_MAX_FD to
   * a byte until the last of them: the kernel takes no more in one message
   * (a container of rootless podman's --privileged binds every device).
   */
  send(message: unknown, fds: number[] = []): void {
    let data = new TextEncoder().encode(JSON.stringify(message) + "\n");
    for (let i = 0; i < fds.length; i += SCM_MAX_FD) {
      const last = i + SCM_MAX_FD >= fds.length;
      data = data.subarray(this.sys.sendmsg(this.fd, last ? data : data.subarray(0, 1), fds.slice(i, i + SCM_MAX_FD)));
    }
    while (data.length > 0) data = data.subarray(this.sys.write(this.fd, data));
  }

  /** One byte the start-up program waits for (runtime/startup/plan.ts) before it goes on. */
  release(): void {
    this.sys.write(this.fd, "\n");
  }

  /** The oldest descriptor received and not yet taken. */
  takeFd(): number | undefined {
    return this.fds.shift();
  }

  /**
   * The next message, or null once the other end is closed. Messages are
   * JSON lines; the start-up program writes a PID or a seccomp listener as
   * 16 bytes of its own, and anything else of its writing comes last and is returned whole,
   * read to end of file, as a `tail` (only the parent reads those: see
   * InitReport).
   */
  receive<T>(): T | null {
    for (;;) {
      if (this.pending.length > 0 && this.pending[0] !== OPEN_BRACE) {
        // Enough to tell a PID (which more may follow) from a report (which ends the conversation).
        if (this.pending.length < REPORT_SIZE && this.fill()) continue;
        return this.programReport() ?? this.tail();
      }
      const nl = this.pending.indexOf(NEWLINE);
      if (nl >= 0) {
        const line = this.pending.subarray(0, nl);
        this.pending = this.pending.subarray(nl + 1);
        return JSON.parse(new TextDecoder().decode(line)) as T;
      }
      if (!this.fill()) return this.pending.length > 0 ? this.tail() : null;
    }
  }

  /** Reads more into `pending`; false at end of file. */
  private fill(): boolean {
    // Room for as many as a message can carry: the kernel closes those a smaller buffer has no room for.
    const { bytes, fds } = this.sys.recvmsg(this.fd, this.buf, SCM_MAX_FD);
    this.fds.push(...fds);
    if (bytes === 0) return false;
    const next = new Uint8Array(this.pending.length + bytes);
    next.set(this.pending);
    next.set(this.buf.subarray(0, bytes), this.pending.length);
    this.pending = next;
    return true;
  }

  /** A [magic, value] report of the program's, when that is what comes next. */
  private programReport<T>(): T | undefined {
    if (this.pending.length < REPORT_SIZE) return undefined;
    const v = new DataView(this.pending.buffer, this.pending.byteOffset, REPORT_SIZE);
    const magic = v.getBigUint64(0, true), value = Number(v.getBigUint64(8, true));
    const report = magic === PID_REPORT_MAGIC
      ? { type: "pid", pid: value }
      : magic === LISTENER_REPORT_MAGIC
      ? { type: "seccomp-listener", fd: value }
      : magic === USERNS_REPORT_MAGIC
      ? { type: "userns" }
      : magic === NAMESPACES_REPORT_MAGIC
      ? { type: "namespaces" }
      : undefined;
    if (report) this.pending = this.pending.subarray(REPORT_SIZE);
    return report as T | undefined;
  }

  private tail<T>(): T {
    while (this.fill());
    const bytes = this.pending;
    this.pending = new Uint8Array(0);
    return { type: "tail", bytes } as T;
  }

  /** Closes the channel and any descriptor received but never taken. */
  close(): void {
    for (const fd of this.fds.splice(0)) this.sys.close(fd);
    this.sys.close(this.fd);
  }
}

const OPEN_BRACE = 0x7b;
/** [u64 magic, u64 value]. */
const REPORT_SIZE = 16;
const NEWLINE = 0x0a;
