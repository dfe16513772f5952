/**
 * Under Deno, the first `node:` import or use of Node's `process` loads
 * Deno's Node layer: ~50 ms on every command run from the sources. The
 * modules the lifecycle commands load, followed through static and dynamic
 * imports, must use neither; runtime/host.ts and runtime/host_fs.ts are
 * where Bun gets Node's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

const ENTRIES = [
  "cli/main.ts",
  ...["state", "list", "start", "kill", "delete", "create", "run", "exec", "pause", "resume", "events", "update", "spec", "features"]
    .map((name) => `cli/commands/${name}.ts`),
];

/** The command table: its dynamic imports are every command's, and the ones that must stay free of Node are entries above. */
const COMMAND_TABLE = "cli/commands/index.ts";

/**
 * Imported dynamically, and only off the paths above, each for a reason:
 * the walk stops there. One of them imported statically is an offender.
 */
const NOT_FOLLOWED: Record<string, string> = {
  "cli/image_container.ts": "run and create with --image, which unpack images (zlib, crypto)",
  "runtime/config_file.ts": "a config the quick check refuses: zod words the errors",
  "ffi/bun.ts": "loaded under Bun only",
};

/** Uses of Node's `process` (not the config's `process` field, which is a variable here). */
const NODE_PROCESS = /(?<![\w.$"'`])process\.(argv|exitCode|exit|getuid|geteuid|getgid|getegid|on|off|once|kill|stdout|stderr|stdin|execPath|arch|platform|version|pid|cwd\(|umask|getBuiltinModule|env\.|env\[)/g;

/** Node's whole environment spread into an object (the config's process.env is a list, never spread so). */
const NODE_ENV_SPREAD = /\.\.\.process\.env\b/g;

function walk(entries: string[], notFollowed: Record<string, string>): { offenders: string[]; visited: number } {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const queue = entries.map((e) => ({ file: e, via: "", dynamic: false }));
  while (queue.length > 0) {
    const { file, via, dynamic } = queue.pop()!;
    if (file in notFollowed && !dynamic) offenders.push(`${file} is imported statically by ${via}, so it is always loaded`);
    if (seen.has(file) || file in notFollowed || file.startsWith("node_modules/")) continue;
    seen.add(file);
    const text = readFileSync(join(REPO, file), "utf8");
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const specifiers = [
      ...[...code.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => ({ spec: m[1], dynamic: false })),
      ...[...code.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => ({ spec: m[1], dynamic: false })),
      ...[...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => ({ spec: m[1], dynamic: true })),
    ];
    for (const { spec, dynamic } of specifiers) {
      if (dynamic && file === COMMAND_TABLE) continue;
      if (spec.startsWith(".")) queue.push({ file: normalize(relative(REPO, join(REPO, dirname(file), spec))), via: file, dynamic });
      else if (spec.startsWith("node:") || spec === "bun:ffi") offenders.push(`${file} imports ${spec} (reached from ${via || "the entry"})`);
    }
    for (const m of [...code.matchAll(NODE_PROCESS), ...code.matchAll(NODE_ENV_SPREAD)]) offenders.push(`${file} uses ${m[0]} (reached from ${via || "the entry"})`);
  }
  return { offenders, visited: seen.size };
}

test("the lifecycle commands load no node: module and touch no Node process object", () => {
  const { offenders, visited } = walk(ENTRIES, NOT_FOLLOWED);
  assert.deepEqual(offenders, []);
  for (const file of Object.keys(NOT_FOLLOWED)) assert.ok(existsSync(join(REPO, file)), `${file} is gone: take it off the list`);
  // The walk reached the container's whole setup, not just the entries.
  assert.ok(visited > 150, `only ${visited} modules visited`);
});

test("the walk finds a node: import behind dynamic imports, and Node's process but not the config's", () => {
  const { offenders } = walk(["cli/commands/run.ts"], {});
  assert.ok(offenders.some((o) => o.startsWith("runtime/image/decompress.ts imports node:zlib")), offenders.join("\n"));
  // The library's Runt imports the image store statically: listed as dynamic-only, it is named.
  const library = walk(["runtime/runt.ts"], { "runtime/library/images.ts": "" });
  assert.ok(library.offenders.includes("runtime/library/images.ts is imported statically by runtime/runt.ts, so it is always loaded"), library.offenders.join("\n"));
  assert.deepEqual("if (process.geteuid() === 0 || process.env.HOME) exit();".match(NODE_PROCESS), ["process.geteuid", "process.env."]);
  assert.equal("const env = process.env ?? []; const rule = \"process.env[*]\";".match(NODE_PROCESS), null);
  assert.deepEqual("const env = { ...process.env, X: '1' };".match(NODE_ENV_SPREAD), ["...process.env"]);
  assert.equal("const env = [...(process.env ?? []), 'X=1'];".match(NODE_ENV_SPREAD), null);
});
