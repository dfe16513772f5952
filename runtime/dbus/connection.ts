/**
 * A synchronous D-Bus connection over a unix stream socket, on the same
 * `Syscalls` the rest of runt uses: everything in runtime/cgroups is
 * synchronous, and a blocking call with a deadline (poll, then recvmsg) is
 * all a command-line runtime needs. Messages that arrive while a reply is
 * awaited (signals, mostly) are kept in order for waitFor() and receive().
 */
import { AF_UNIX, POLLIN, SOCK_CLOEXEC, SOCK_STREAM, type Syscalls } from "../../ffi/syscalls.ts";
import { socketPaths, systemBusAddress } from "./address.ts";
import { authExternalLine, BEGIN_LINE, parseAuthReply } from "./auth.ts";
import { DBusError, DBusProtocolError } from "./errors.ts";
import type { DBusValue } from "./marshal.ts";
import { decodeMessage, encodeMessage, ERROR, type Message, messageLength, METHOD_CALL, METHOD_RETURN, SIGNAL } from "./message.ts";

/** libdbus's default reply timeout. */
export const DEFAULT_TIMEOUT_MS = 25_000;
/** Messages nobody asked for yet are kept up to this many; the oldest go first. */
const INBOX_LIMIT = 1024;

export const BUS_NAME = "org.freedesktop.DBus";
const BUS_PATH = "/org/freedesktop/DBus";

export interface MethodCall {
  destination?: string;
  path: string;
  interface?: string;
  member: string;
  signature?: string;
  body?: DBusValue[];
}

export class DBusConnection {
  private serial = 0;
  private buffer = new Uint8Array(0);
  private readonly inbox: Message[] = [];
  private closed = false;
  /** The name the bus gave this connection (":1.42"). */
  uniqueName = "";

  private constructor(private readonly sys: Syscalls, private readonly fd: number, readonly address: string) {}

  /** Connects to `address` (the system bus by default), authenticates as this process's uid and says Hello. */
  static open(sys: Syscalls, address = systemBusAddress(), timeoutMs = DEFAULT_TIMEOUT_MS): DBusConnection {
    const deadline = Date.now() + timeoutMs;
    const failures: string[] = [];
    for (const path of socketPaths(address)) {
      const fd = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
      try {
        sys.connect(fd, path);
      } catch (e) {
        sys.close(fd);
        failures.push(`${path}: ${(e as { code?: string }).code ?? (e as Error).message}`);
        continue;
      }
      const connection = new DBusConnection(sys, fd, address);
      try {
        connection.authenticate(deadline);
        connection.uniqueName = connection.callBus("Hello")[0] as string;
        return connection;
      } catch (e) {
        connection.close();
        throw e;
      }
    }
    throw new DBusProtocolError(`cannot connect to the D-Bus bus at ${address} (${failures.join("; ")})`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }

  private authenticate(deadline: number): void {
    this.write(new TextEncoder().encode("\0" + authExternalLine(this.sys.geteuid())));
    parseAuthReply(this.readLine(deadline));
    this.write(new TextEncoder().encode(BEGIN_LINE));
  }

  /** Sends `message` with the next serial; returns the serial. */
  send(message: Omit<Message, "serial">): number {
    const serial = ++this.serial;
    this.write(encodeMessage({ ...message, serial }));
    return serial;
  }

  /** Calls a method and returns the reply's body; an error reply throws DBusError. */
  call(call: MethodCall, timeoutMs = DEFAULT_TIMEOUT_MS): DBusValue[] {
    const deadline = Date.now() + timeoutMs;
    const serial = this.send({ type: METHOD_CALL, ...call });
    const what = `the reply to ${call.interface ? `${call.interface}.` : ""}${call.member}`;
    for (;;) {
      const m = this.next(deadline, what);
      if (m.replySerial === serial && (m.type === METHOD_RETURN || m.type === ERROR)) {
        if (m.type === ERROR) throw new DBusError(m.errorName ?? "org.freedesktop.DBus.Error.Failed", typeof m.body?.[0] === "string" ? m.body[0] : "");
        return m.body ?? [];
      }
      this.keep(m);
    }
  }

  /** A method of the bus itself (Hello, AddMatch, RequestName, GetNameOwner …). */
  callBus(member: string, signature = "", body: DBusValue[] = [], timeoutMs = DEFAULT_TIMEOUT_MS): DBusValue[] {
    return this.call({ destination: BUS_NAME, path: BUS_PATH, interface: BUS_NAME, member, signature, body }, timeoutMs);
  }

  /** Asks the bus to route the signals `rule` matches here ("type='signal',interface='…',member='…'"). */
  addMatch(rule: string): void {
    this.callBus("AddMatch", "s", [rule]);
  }

  /** The first message, kept or new, that `matches` accepts; the others stay kept. */
  waitFor(matches: (m: Message) => boolean, timeoutMs: number, what: string): Message {
    const kept = this.inbox.findIndex(matches);
    if (kept >= 0) return this.inbox.splice(kept, 1)[0];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.next(deadline, what);
      if (matches(m)) return m;
      this.keep(m);
    }
  }

  /** The next message, kept ones first; undefined when none comes within `timeoutMs`. */
  receive(timeoutMs: number): Message | undefined {
    if (this.inbox.length) return this.inbox.shift();
    try {
      return this.next(Date.now() + timeoutMs, "a message");
    } catch (e) {
      if (e instanceof DBusTimeout) return undefined;
      throw e;
    }
  }

  reply(to: Message, signature = "", body: DBusValue[] = []): void {
    this.send({ type: METHOD_RETURN, replySerial: to.serial, destination: to.sender, signature, body });
  }

  replyError(to: Message, errorName: string, text: string): void {
    this.send({ type: ERROR, replySerial: to.serial, destination: to.sender, errorName, signature: "s", body: [text] });
  }

  emitSignal(path: string, iface: string, member: string, signature = "", body: DBusValue[] = []): void {
    this.send({ type: SIGNAL, path, interface: iface, member, signature, body });
  }

  private keep(m: Message): void {
    this.inbox.push(m);
    if (this.inbox.length > INBOX_LIMIT) this.inbox.shift();
  }

  private next(deadline: number, what: string): Message {
    for (;;) {
      const length = messageLength(this.buffer);
      if (length !== undefined && this.buffer.length >= length) {
        const bytes = this.buffer.slice(0, length);
        this.buffer = this.buffer.slice(length);
        return decodeMessage(bytes);
      }
      this.readMore(deadline, what);
    }
  }

  private readLine(deadline: number): string {
    for (;;) {
      const end = this.buffer.findIndex((b, i) => b === 0x0d && this.buffer[i + 1] === 0x0a);
      if (end >= 0) {
        const line = new TextDecoder().decode(this.buffer.subarray(0, end));
        this.buffer = this.buffer.slice(end + 2);
        return line;
      }
      this.readMore(deadline, "the bus's answer to AUTH");
    }
  }

  private readMore(deadline: number, what: string): void {
    if (this.closed) throw new DBusProtocolError("the D-Bus connection is closed");
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new DBusTimeout(`timed out waiting for ${what} on the D-Bus bus at ${this.address}`);
      const [revents] = this.sys.poll([{ fd: this.fd, events: POLLIN }], Math.min(left, 1000));
      if (revents !== 0) break;
    }
    const chunk = new Uint8Array(65536);
    const { bytes } = this.sys.recvmsg(this.fd, chunk, 0);
    if (bytes === 0) throw new DBusProtocolError(`the D-Bus bus at ${this.address} closed the connection while runt waited for ${what}`);
    const joined = new Uint8Array(this.buffer.length + bytes);
    joined.set(this.buffer);
    joined.set(chunk.subarray(0, bytes), this.buffer.length);
    this.buffer = joined;
  }

  private write(data: Uint8Array): void {
    let sent = 0;
    while (sent < data.length) sent += this.sys.sendmsg(this.fd, data.subarray(sent));
  }
}

/** A reply or signal that did not come in time. */
export class DBusTimeout extends DBusProtocolError {}
