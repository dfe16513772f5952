/** A small synchronous D-Bus client: wire format, messages, EXTERNAL authentication, calls and signals. */
export { SYSTEM_BUS_DEFAULT, socketPaths, systemBusAddress } from "./address.ts";
export { authExternalLine, parseAuthReply } from "./auth.ts";
export { BUS_NAME, DBusConnection, DBusTimeout, DEFAULT_TIMEOUT_MS, type MethodCall } from "./connection.ts";
export { DBusError, DBusProtocolError } from "./errors.ts";
export { type DBusValue, marshal, unmarshal, type Variant, variant } from "./marshal.ts";
export { decodeMessage, encodeMessage, ERROR, type Message, messageLength, METHOD_CALL, METHOD_RETURN, SIGNAL } from "./message.ts";
export { type DBusType, parseSignature } from "./signature.ts";
