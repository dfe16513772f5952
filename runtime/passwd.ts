/** /etc/passwd lookups by uid: the owner shown by `state`, the HOME a container process gets. */
import { readFileSync } from "./host_fs.ts";

export interface PasswdEntry {
  name: string;
  home: string;
}

/** The entry for `uid` in a passwd file's text, if it lists one. */
export function passwdEntry(passwd: string, uid: number): PasswdEntry | undefined {
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 6 && fields[2] !== "" && Number(fields[2]) === uid) return { name: fields[0], home: fields[5] };
  }
  return undefined;
}

/** /etc/passwd as the calling thread sees it; empty when there is none. */
export function readPasswd(): string {
  try {
    return readFileSync("/etc/passwd", "utf8");
  } catch {
    return "";
  }
}
