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
  | { type: "ready" }
  | { type: "error"; message: string };

/** What the parent answers to `hooks`. */
export type ParentReply = { type: "continue" } | { type: "abort" };

export class InitChannelClosed extends RuntError {}

export class Channel {
  private pending = "";
  private readonly decoder = new TextDecoder();
  private readonly buf = new Uint8Array(64 * 1024);

  constructor(private readonly sys: Syscalls, readonly fd: number) {}

  send(message: unknown): void {
    let data = new TextEncoder().encode(JSON.stringify(message) + "\n");
    while (data.length > 0) data = data.subarray(this.sys.write(this.fd, data));
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
      const n = this.sys.read(this.fd, this.buf);
      if (n === 0) return null;
      this.pending += this.decoder.decode(this.buf.subarray(0, n), { stream: true });
    }
  }

  close(): void {
    this.sys.close(this.fd);
  }
}
