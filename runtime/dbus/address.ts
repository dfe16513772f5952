/**
 * Bus addresses ("unix:path=/run/dbus/system_bus_socket",
 * "unix:abstract=/tmp/dbus-x,guid=…", several separated by ";") as the unix
 * socket paths to try, in order; "@name" is an abstract socket.
 */
import { DBusProtocolError } from "./errors.ts";
import { environment } from "../host.ts";

export const SYSTEM_BUS_DEFAULT = "unix:path=/run/dbus/system_bus_socket";

/** The system bus, as libdbus and sd-bus find it. */
export function systemBusAddress(env: Record<string, string | undefined> = environment()): string {
  return env.DBUS_SYSTEM_BUS_ADDRESS || SYSTEM_BUS_DEFAULT;
}

export function socketPaths(address: string): string[] {
  const paths: string[] = [];
  for (const entry of address.split(";")) {
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    const transport = entry.slice(0, colon);
    const keys = new Map(entry.slice(colon + 1).split(",").filter((kv) => kv !== "").map((kv) => {
      const eq = kv.indexOf("=");
      return [kv.slice(0, eq), unescape(kv.slice(eq + 1))] as const;
    }));
    if (transport !== "unix") continue;
    if (keys.has("path")) paths.push(keys.get("path")!);
    else if (keys.has("abstract")) paths.push("@" + keys.get("abstract")!);
  }
  if (paths.length === 0) throw new DBusProtocolError(`D-Bus address "${address}" names no unix socket (unix:path=… or unix:abstract=…)`);
  return paths;
}

/** Address values escape bytes as %xx. */
function unescape(value: string): string {
  return value.replace(/%([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}
