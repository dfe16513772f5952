/**
 * mod.ts imported from a script that lives outside the repository, with no
 * deno.json, package.json or flags of its own: by absolute path, by file://
 * URL and by http:// URL from a web server serving the checkout under Deno,
 * by path under Bun. The script validates a config (which loads zod) and
 * runs a real container.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, REPO, tempDir, UNDER } from "./runt.ts";

const skip = !isRoot
  ? "needs root"
  : UNDER !== "deno"
  ? "the library is exercised from the Deno run"
  : false;
const MOD = join(REPO, "mod.ts");

function script(specifier: string): string {
  return `import { Runt, validateConfig } from ${JSON.stringify(specifier)};
const [root, bundle] = process.argv.slice(2);
const invalid = validateConfig({ ociVersion: "1.x" });
const runt = await Runt.open(root);
const status = await runt.run("anywhere", { bundle });
console.log(JSON.stringify({ status, valid: invalid.ok, issue: invalid.issues[0]?.message }));
`;
}

/** The checkout served over HTTP on 127.0.0.1 (TypeScript with its media type), by a Deno process of its own. */
const SERVER = `
const root = Deno.args[0];
const types = { ts: "application/typescript", js: "application/javascript", json: "application/json" };
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) }, async (req) => {
  const path = decodeURIComponent(new URL(req.url).pathname);
  if (path.includes("..")) return new Response("no", { status: 403 });
  try {
    const body = await Deno.readFile(root + path);
    return new Response(body, { headers: { "content-type": types[path.split(".").pop()] ?? "application/octet-stream" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
});
`;

async function serveCheckout(): Promise<{ url: string; stop: () => void }> {
  const deno = join(REPO, "node_modules/.bin/deno");
  const child = spawn(deno, ["eval", "--quiet", SERVER, REPO], { stdio: ["ignore", "pipe", "ignore"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(String(d).trim()));
    child.once("exit", () => reject(new Error("the HTTP server exited")));
  });
  return { url: `http://127.0.0.1:${port}/mod.ts`, stop: () => child.kill("SIGKILL") };
}

const cases: Array<[string, string[], string]> = [
  ["Deno, by absolute path", [
    join(REPO, "node_modules/.bin/deno"),
    "run",
    "-A",
  ], MOD],
  [
    "Deno, by file:// URL",
    [join(REPO, "node_modules/.bin/deno"), "run", "-A"],
    pathToFileURL(MOD).href,
  ],
  ["Bun, by absolute path", [join(REPO, "node_modules/.bin/bun")], MOD],
];

function runScript(
  argv: string[],
  specifier: string,
  env: Record<string, string> = {},
): void {
  const dir = tempDir("runt-script-");
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", "echo hello from the container; exit 3"]);
  try {
    writeFileSync(join(dir.path, "script.ts"), script(specifier));
    const [cmd, ...pre] = argv;
    const r = spawnSync(cmd, [...pre, "script.ts", root.path, b.dir], {
      cwd: dir.path,
      encoding: "utf8",
      killSignal: "SIGKILL",
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        NO_COLOR: "1",
        ...env,
      },
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "hello from the container");
    const seen = JSON.parse(lines.at(-1)!);
    assert.equal(seen.status, 3);
    assert.equal(seen.valid, false);
    assert.match(seen.issue, /expected a SemVer 2\.0\.0 version, got "1\.x"/);
  } finally {
    b.cleanup();
    root.cleanup();
    dir.cleanup();
  }
}

for (const [name, argv, specifier] of cases) {
  test(
    `a script in a temporary directory imports mod.ts (${name}) and runs a container`,
    { skip },
    () => runScript(argv, specifier),
  );
}

test(
  "a script in a temporary directory imports mod.ts (Deno, by http:// URL) and runs a container, its init started from the same URL",
  { skip },
  async () => {
    const server = await serveCheckout();
    const cache = tempDir("runt-deno-dir-");
    try {
      runScript(
        [join(REPO, "node_modules/.bin/deno"), "run", "-A"],
        server.url,
        { DENO_DIR: cache.path },
      );
    } finally {
      server.stop();
      cache.cleanup();
    }
  },
);
