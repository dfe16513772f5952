/**
 * `linux.resources.devices[].access` as runc 1.1 reads it: the set of the
 * letters r, w and m in the string, in any order, repeats allowed; other
 * characters are ignored ("rwa" grants rw). An empty string is refused
 * (rules/resources.ts), and a rule that would grant nothing is refused when
 * the device rules are applied, as runc refuses both.
 */
import type { Finding } from "./schema_check.ts";

const ORDER = "rwm";

/** The permissions `access` grants, in the devices cgroup's order: "mwr" → "rwm", "rwa" → "rw". */
export function accessLetters(access: string): string {
  return [...ORDER].filter((c) => access.includes(c)).join("");
}

/** A warning for each access string with characters runc ignores, naming what it is read as. */
export function accessNotes(config: unknown): Finding[] {
  const devices = (config as { linux?: { resources?: { devices?: unknown } } } | null)?.linux?.resources?.devices;
  if (!Array.isArray(devices)) return [];
  const notes: Finding[] = [];
  devices.forEach((device, i) => {
    const access = (device as { access?: unknown } | null)?.access;
    if (typeof access === "string" && /[^rwm]/.test(access)) {
      notes.push({
        path: ["linux", "resources", "devices", i, "access"],
        message: `read as "${accessLetters(access)}" (letters other than r, w and m are ignored, as runc does)`,
      });
    }
  });
  return notes;
}
