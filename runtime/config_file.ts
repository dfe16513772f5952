/**
 * Reading a config.json: the file, its JSON, then the spec rules. Kept apart
 * from bundle.ts because the schema is the heaviest module runt loads, and
 * only the commands that read a config should pay for it.
 */
import { BundleError, readConfigJson } from "./bundle.ts";
import { RuntError } from "./errors.ts";
import { formatIssue } from "./spec/issues.ts";
import { parseConfig } from "./spec/validate.ts";
import type { Spec } from "./spec/schema.ts";

/** One line per warning, such as `process.Cwd: read as "cwd"`. */
export type WarnLine = (line: string) => void;

/** Reads and validates `file`; throws ConfigValidationError with every problem found. */
export function readConfigFile(file: string, warn?: WarnLine): Spec {
  return validateConfigJson(readConfigJson(file), file, warn);
}

/** Checks JSON already read from `file` against the spec; the issues name the file. */
export function validateConfigJson(json: unknown, file: string, warn?: WarnLine): Spec {
  try {
    return parseConfig(json, (w) => warn?.(formatIssue(w)));
  } catch (e) {
    // Each problem stays one line, now also naming the file it is in.
    if (e instanceof RuntError) throw new BundleError(e.lines().map((line) => `${file}: ${line}`).join("\n"));
    throw e;
  }
}
