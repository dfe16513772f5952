/** Reading a bundle's config.json: the file, its JSON, then the spec rules. */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { RuntError } from "./errors.ts";
import { parseConfig } from "./spec/validate.ts";
import type { Spec } from "./spec/schema.ts";

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
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BundleError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

/** Reads and validates `file`; throws ConfigValidationError with every problem found. */
export function readConfigFile(file: string): Spec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleError(`${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  const json = parseJsonFile(text, file);
  try {
    return parseConfig(json);
  } catch (e) {
    // Each problem stays one line, now also naming the file it is in.
    if (e instanceof RuntError) throw new BundleError(e.lines().map((line) => `${file}: ${line}`).join("\n"));
    throw e;
  }
}
