/**
 * The SASL exchange that opens a D-Bus connection: a NUL byte, then
 * "AUTH EXTERNAL <uid as hex of its decimal digits>"; the bus checks the uid
 * against the socket's peer credentials and answers "OK <server guid>", and
 * "BEGIN" switches the stream to messages.
 */
import { DBusProtocolError } from "./errors.ts";

export function authExternalLine(uid: number): string {
  const hex = [...String(uid)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  return `AUTH EXTERNAL ${hex}\r\n`;
}

export const BEGIN_LINE = "BEGIN\r\n";

/** The server's guid from its answer to AUTH, or an error naming what it said. */
export function parseAuthReply(line: string): string {
  const m = /^OK ([0-9a-fA-F]+)$/.exec(line);
  if (m) return m[1];
  if (line.startsWith("REJECTED")) {
    throw new DBusProtocolError(`the bus refused EXTERNAL authentication (it offers: ${line.slice(8).trim() || "nothing"})`);
  }
  throw new DBusProtocolError(`unexpected answer to AUTH EXTERNAL: "${line}"`);
}
