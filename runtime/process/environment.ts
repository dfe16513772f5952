/**
 * The environment the container process starts with, as runc builds it:
 * each entry is set in turn (a repeated name keeps its first position and
 * its last value), and HOME, when unset or empty, comes from the
 * container's /etc/passwd ("/" for a user it does not list). Read after
 * pivot_root, so /etc/passwd is the container's.
 */
import { passwdEntry, readPasswd } from "../passwd.ts";

/** The home directory of `uid` in a passwd file's text, if listed. */
export function homeOf(passwd: string, uid: number): string | undefined {
  return passwdEntry(passwd, uid)?.home;
}

export function processEnv(env: readonly string[], uid: number, passwd: () => string = readPasswd): string[] {
  const values = new Map<string, string>();
  for (const entry of env) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    values.set(name, eq < 0 ? "" : entry.slice(eq + 1));
  }
  if (!values.get("HOME")) values.set("HOME", homeOf(passwd(), uid) || "/");
  return [...values].map(([name, value]) => `${name}=${value}`);
}
