/**
 * Under Deno, the first `node:` import or use of Node's `process` loads
 * Deno's Node layer: ~50 ms on every command run from the sources, and on
 * every container a script starts through mod.ts. The modules the
 * lifecycle commands and the library load, followed through static and
 * dynamic imports, must use neither; runtime/host.ts and
 * runtime/host_fs.ts are where Bun gets Node's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

const ENTRIES = [
  // The library's Runt (mod.ts also exports the image store, which needs zlib and crypto).
  "runtime/runt.ts",
  "cli/main.ts",
  ...["state", "list", "start", "kill", "delete", "create", "run", "exec", "pause", "resume", "events", "update", "spec", "features"]
    .map((name) => `cli/commands/${name}.ts`),
];

/** Loaded only off the paths above, each for a reason; the walk stops there. */
const NOT_FOLLOWED: Record<string, string> = {
  "cli/commands/index.ts": "the command table: the commands that must stay free of Node are entries above",
  "cli/image_container.ts": "run and create with --image, which unpack images (zlib, crypto)",
  "runtime/library/images.ts": "the library's image store",
  "runtime/library/run_image.ts": "the library's runs of images",
  "runtime/config_file.ts": "a config the quick check refuses: zod words the errors",
  "ffi/bun.ts": "loaded under Bun only",
  "runtime/container/ps.ts": "ps runs the host's ps",
};

/** Uses of Node's `process` (not the config's `process` field, which is a variable here). */
const NODE_PROCESS = /(?<![\w.$"'`])process\.(argv|exitCode|exit|getuid|geteuid|getgid|getegid|on|off|once|kill|stdout|stderr|stdin|execPath|arch|platform|version|pid|cwd\(|umask|getBuiltinModule|env\.|env\[)/g;

function walk(entries: string[], notFollowed: Record<string, string>): { offenders: string[]; visited: number } {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const queue = entries.map((e) => ({ file: e, via: "" }));
  while (queue.length > 0) {
    const { file, via } = queue.pop()!;
    if (seen.has(file) || file in notFollowed || file.startsWith("node_modules/")) continue;
    seen.add(file);
    const text = readFileSync(join(REPO, file), "utf8");
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const specifiers = [
      ...[...code.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]),
      ...[...code.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => m[1]),
      ...[...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]),
    ];
    for (const spec of specifiers) {
      if (spec.startsWith(".")) queue.push({ file: normalize(relative(REPO, join(REPO, dirname(file), spec))), via: file });
      else if (spec.startsWith("node:") || spec === "bun:ffi") offenders.push(`${file} imports ${spec} (reached from ${via || "the entry"})`);
    }
    for (const m of code.matchAll(NODE_PROCESS)) offenders.push(`${file} uses ${m[0]} (reached from ${via || "the entry"})`);
  }
  return { offenders, visited: seen.size };
}

test("the lifecycle commands and the library load no node: module and touch no Node process object", () => {
  const { offenders, visited } = walk(ENTRIES, NOT_FOLLOWED);
  assert.deepEqual(offenders, []);
  for (const file of Object.keys(NOT_FOLLOWED)) assert.ok(existsSync(join(REPO, file)), `${file} is gone: take it off the list`);
  // The walk reached the container's whole setup, not just the entries.
  assert.ok(visited > 150, `only ${visited} modules visited`);
});

test("the walk finds a node: import behind dynamic imports, and Node's process but not the config's", () => {
  const { offenders } = walk(["cli/commands/run.ts"], {});
  assert.ok(offenders.some((o) => o.startsWith("runtime/image/decompress.ts imports node:zlib")), offenders.join("\n"));
  assert.deepEqual("if (process.geteuid() === 0 || process.env.HOME) exit();".match(NODE_PROCESS), ["process.geteuid", "process.env."]);
  assert.equal("const env = process.env ?? []; const rule = \"process.env[*]\";".match(NODE_PROCESS), null);
});
