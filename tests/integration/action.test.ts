/**
 * The GitHub Action's shell steps (.github/action/*.sh), run as the runner
 * runs them: inputs as INPUT_* variables, a release made by `make release`
 * served from a file:// URL and from an HTTP server on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { makeRelease, RELEASE_NAME, VERSION } from "./release_dir.ts";
import { isRoot, REPO, tempDir, UNDER } from "./runt.ts";

const skip = !isRoot ? "needs root" : UNDER !== "binary" ? "the action installs the release binary: exercised from the binary run" : false;
const INSTALL = join(REPO, ".github/action/install.sh");
const RUN = join(REPO, ".github/action/run.sh");

interface Step {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a step asynchronously, so a server in this process can answer it. */
function step(script: string, inputs: Record<string, string>): Promise<Step> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...inputs }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? 128, stdout, stderr }));
  });
}

/** Serves `dir` on 127.0.0.1 as GitHub serves release downloads. */
async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const file = join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test("the action installs the release from a file:// base URL and from 127.0.0.1 over HTTP, checksum verified", { skip }, async () => {
  const release = makeRelease();
  const work = tempDir("runt-action-");
  const server = await serve(release.base);
  try {
    const out = join(work.path, "github_output");
    writeFileSync(out, "");
    const viaFile = await step(INSTALL, { INPUT_VERSION: VERSION, INPUT_BASE_URL: `file://${release.base}`, INPUT_INSTALL_DIR: join(work.path, "a"), GITHUB_OUTPUT: out });
    assert.equal(viaFile.status, 0, viaFile.stderr);
    assert.match(viaFile.stdout, new RegExp(`^runt version ${VERSION.replaceAll(".", "\\.")}\ncommit: [0-9a-f]{40}\n`));
    assert.equal(readFileSync(out, "utf8"), `path=${join(work.path, "a", "runt")}\n`);

    // A tag-style version ("v0.1.0") and GitHub's URL layout over HTTP.
    const viaHttp = await step(INSTALL, { INPUT_VERSION: `v${VERSION}`, INPUT_BASE_URL: server.url, INPUT_INSTALL_DIR: join(work.path, "b") });
    assert.equal(viaHttp.status, 0, viaHttp.stderr);
    const r = spawnSync(join(work.path, "b", "runt"), ["--version"], { encoding: "utf8" });
    assert.equal(r.stdout.split("\n")[0], `runt version ${VERSION}`);
  } finally {
    await server.close();
    work.cleanup();
    release.cleanup();
  }
});

test("the action refuses a download that does not match its .sha256, in one line, and installs nothing", { skip }, async () => {
  const release = makeRelease();
  const work = tempDir("runt-action-");
  try {
    const bad = join(work.path, "release");
    cpSync(release.base, bad, { recursive: true });
    writeFileSync(join(bad, `v${VERSION}`, `${RELEASE_NAME}.sha256`), `${"0".repeat(64)}  ${RELEASE_NAME}\n`);
    const dir = join(work.path, "bin");
    const r = await step(INSTALL, { INPUT_VERSION: VERSION, INPUT_BASE_URL: `file://${bad}`, INPUT_INSTALL_DIR: dir });
    assert.notEqual(r.status, 0);
    const lines = r.stderr.split("\n").filter((l) => l);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^runt action: checksum mismatch for ${RELEASE_NAME}: .*0{64}.*nothing installed$`));
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);

    const missing = await step(INSTALL, { INPUT_VERSION: "9.9.9", INPUT_BASE_URL: `file://${release.base}`, INPUT_INSTALL_DIR: dir });
    assert.notEqual(missing.status, 0);
    assert.equal(missing.stderr.split("\n").filter((l) => l).length, 1, missing.stderr);
    assert.ok(missing.stderr.startsWith(`runt action: base-url: cannot download file://${release.base}/v9.9.9/runt-9.9.9-linux-amd64: `), missing.stderr);
  } finally {
    work.cleanup();
    release.cleanup();
  }
});

test("the action's run step passes a bundle's output and exit status through", { skip }, async () => {
  const b = makeBundle(["sh", "-c", "echo to stdout; echo to stderr >&2; exit 7"]);
  try {
    const runt = join(REPO, "dist/runt");
    const r = await step(RUN, { INPUT_RUNT: runt, INPUT_BUNDLE: b.dir });
    assert.equal(r.status, 7, r.stderr);
    assert.equal(r.stdout, "to stdout\n");
    assert.equal(r.stderr, "to stderr\n");

    const both = await step(RUN, { INPUT_RUNT: runt, INPUT_BUNDLE: b.dir, INPUT_RUN: "true" });
    assert.equal(both.status, 1);
    assert.equal(both.stderr, "runt action: run: a bundle runs its own config.json process.args; leave run empty or use image\n");
    const none = await step(RUN, { INPUT_RUNT: runt });
    assert.equal(none.status, 1);
    assert.equal(none.stderr, "runt action: image: give an image (or a bundle) to run\n");
  } finally {
    b.cleanup();
  }
});
