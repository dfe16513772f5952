/**
 * The config check on the commands' hot path: a plainly valid config is
 * accepted by spec/quick.ts without loading zod; any other is handed to the
 * full validation (config_file.ts), which words every problem.
 */
import { formatIssue } from "./spec/issues.ts";
import { quickValidate } from "./spec/quick.ts";
import type { Spec } from "./spec/schema.ts";
import type { WarnLine } from "./config_file.ts";

/** As validateConfigJson, at a fraction of the cost when the config is valid. */
export async function checkConfigJson(json: unknown, file: string, warn?: WarnLine): Promise<Spec> {
  const quick = quickValidate(json);
  if (quick !== undefined) {
    for (const warning of quick.warnings) warn?.(formatIssue(warning));
    return quick.spec;
  }
  const { validateConfigJson } = await import("./config_file.ts");
  return validateConfigJson(json, file, warn);
}
