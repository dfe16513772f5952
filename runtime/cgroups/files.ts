/**
 * Synchronous cgroup file access (it is called from the container's
 * synchronous setup path). Every failure names the file, the value and the
 * kernel's reason on one line.
 */
import { existsSync, readFileSync, writeExisting } from "../host_fs.ts";
import { errnoDescription, errnoNumber } from "../../ffi/errno.ts";
import { CgroupError } from "./errors.ts";
import { quote } from "../quote.ts";

export interface WriteRecord {
  path: string;
  value: string;
}

/** Errno name of a node:fs error ("EBUSY"), or undefined. */
export function fsErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

export function describeFsError(e: unknown): string {
  const code = fsErrorCode(e);
  const n = code === undefined ? undefined : errnoNumber(code);
  return code === undefined ? String((e as Error)?.message ?? e) : n === undefined ? code : `${code} (${errnoDescription(n)})`;
}

export class CgroupFiles {
  /** Every successful write, in order, when a journal is given (tests assert on it). */
  constructor(private readonly journal?: WriteRecord[]) {}

  exists(path: string): boolean {
    return existsSync(path);
  }

  read(path: string): string {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new CgroupError(`cannot read ${path}: ${describeFsError(e)}`);
    }
  }

  /** The file's content, or undefined when it does not exist. */
  readIfExists(path: string): string | undefined {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      if (fsErrorCode(e) === "ENOENT") return undefined;
      throw new CgroupError(`cannot read ${path}: ${describeFsError(e)}`);
    }
  }

  /**
   * One write(2) of the whole value: cgroup files act on each write. No
   * O_CREAT (cgroupfs has no new files to offer); O_TRUNC keeps plain
   * files in a test tree exact and is ignored by cgroupfs.
   */
  writeRaw(path: string, value: string): void {
    writeExisting(path, value);
    this.journal?.push({ path, value });
  }

  write(path: string, value: string): void {
    try {
      this.writeRaw(path, value);
    } catch (e) {
      throw new CgroupError(`cannot write ${quote(value)} to ${path}: ${describeFsError(e)}`);
    }
  }
}
