/**
 * The parent ↔ init conversation: newline-delimited JSON over one end of a
 * socketpair each. Blocking reads are intended — the init has nothing else
 * to do, and its event loop must not run inside the container namespaces.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { RuntError } from "../errors.ts";

/** What the init sends while it builds the container. */
export type InitReport =
  | { type: "hooks" }
  /** Carries the terminal's master descriptor. */
  | { type: "console" }
  | { type: "ready" }
  | { type: "error"; message: string };

/** What the parent answers to `hooks`. */
export type ParentReply = { type: "continue" } | { type: "abort" };

export class InitChannelClosed extends RuntError {}

export class Channel {
  private pending = "";
  private readonly decoder = new TextDecoder();
  private readonly buf = new Uint8Array(64 * 1024);
  /** Descriptors that arrived with the messages read so far, oldest first. */
  private readonly fds: number[] = [];

  constructor(private readonly sys: Syscalls, readonly fd: number) {}

  /** `fds` travel with the message's first bytes (SCM_RIGHTS). */
  send(message: unknown, fds: number[] = []): void {
    let data = new TextEncoder().encode(JSON.stringify(message) + "\n");
    if (fds.length > 0) data = data.subarray(this.sys.sendmsg(this.fd, data, fds));
    while (data.length > 0) data = data.subarray(this.sys.write(this.fd, data));
  }

  /** The oldest descriptor received and not yet taken. */
  takeFd(): number | undefined {
    return this.fds.shift();
  }

  /** The next message, or null once the other end is closed. */
  receive<T>(): T | null {
    for (;;) {
      const nl = this.pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        return JSON.parse(line) as T;
      }
      const { bytes, fds } = this.sys.recvmsg(this.fd, this.buf);
      this.fds.push(...fds);
      if (bytes === 0) return null;
      this.pending += this.decoder.decode(this.buf.subarray(0, bytes), { stream: true });
    }
  }

  /** Closes the channel and any descriptor received but never taken. */
  close(): void {
    for (const fd of this.fds.splice(0)) this.sys.close(fd);
    this.sys.close(this.fd);
  }
}
