/** --pid-file, for create and exec: a module of its own, so exec does not load create's. */
import { renameSync, writeFileSync } from "../host_fs.ts";
import { dirname, join } from "../path.ts";
import { RuntError } from "../errors.ts";

/** Written atomically, as runc does, so a reader never sees an empty file. */
export function writePidFile(path: string, pid: number): void {
  const tmp = join(dirname(path), `.${Date.now()}.pid`);
  try {
    writeFileSync(tmp, String(pid));
    renameSync(tmp, path);
  } catch (e) {
    throw new RuntError(`--pid-file ${path}: ${(e as Error).message}`);
  }
}
