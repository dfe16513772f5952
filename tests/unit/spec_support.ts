/** The config corpus under tests/fixtures/configs, found relative to this file so Deno and Bun agree. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONFIGS_DIR = fileURLToPath(new URL("../fixtures/configs/", import.meta.url));

export interface CorpusEntry {
  name: string;
  config: unknown;
  /** invalid/ only: the exact lines `validateConfig` must report, in order. */
  expected: string[];
}

/** Every `*.json` of `valid/` or `invalid/`, with the lines of its sibling `*.expect`. */
export function loadCorpus(kind: "valid" | "invalid"): CorpusEntry[] {
  const dir = join(CONFIGS_DIR, kind);
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((file) => ({
    name: `${kind}/${file}`,
    config: JSON.parse(readFileSync(join(dir, file), "utf8")),
    expected: kind === "valid"
      ? []
      : readFileSync(join(dir, file.replace(/\.json$/, ".expect")), "utf8").split("\n").filter((l) => l !== ""),
  }));
}

/** A deep copy of a JSON value. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));
