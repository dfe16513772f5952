/** The bundle directory and its config.json, as runc locates them. */
import { readFileSync, statSync } from "./host_fs.ts";
import { resolve } from "./path.ts";
import { RuntError } from "./errors.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json_depth.ts";

export class BundleError extends RuntError {}

export const CONFIG_FILE = "config.json";

/** Resolves and checks the bundle directory the way runc does (default: the current directory). */
export function bundleDir(bundle: string | undefined): string {
  const dir = resolve(bundle ?? ".");
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new BundleError(`bundle ${dir}: no such directory`);
  }
  if (!isDir) throw new BundleError(`bundle ${dir}: not a directory`);
  return dir;
}

/** Parses JSON text, naming the file when it is not JSON at all. */
export function parseJsonFile(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BundleError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (nestsDeeperThan(text)) throw new BundleError(`${file}: nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`);
  return value;
}

/** The JSON of `file`, not yet validated; naming the file when it is missing or not JSON. */
export function readConfigJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleError(`${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  return parseJsonFile(text, file);
}
