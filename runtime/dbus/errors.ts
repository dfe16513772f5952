import { RuntError } from "../errors.ts";

/** An error reply from the bus or a service: its D-Bus error name and message, on one line. */
export class DBusError extends RuntError {
  constructor(readonly errorName: string, readonly text: string) {
    super(`${errorName}: ${text || "(no message)"}`);
  }
}

/** The bus could not be reached, refused us, or sent what the protocol does not allow. */
export class DBusProtocolError extends RuntError {}
