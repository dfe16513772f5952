/**
 * Resumable downloads: a layer download that breaks off fails the pull in
 * one line and stays as a partial file; the next pull asks for the rest
 * with a Range request (or takes the whole again when the registry answers
 * 200), verifies the digest over the whole and clears the partial file.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { startCuttingProxy } from "../fixtures/cutting_proxy.ts";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { startRegistry, type TestRegistry } from "../fixtures/registry.ts";
import { runtAsync } from "./containers.ts";
import { hasCommand, isRoot, runt, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("docker-registry") || !hasCommand("skopeo") ? "needs docker-registry and skopeo" : false;
const work = tempDir("runt-resume-");
let registry: TestRegistry;
let layer = { digest: "", size: 0 };
const CUT = 100_000;

before(async () => {
  if (skip) return;
  registry = await startRegistry(join(work.path, "registry"), "none");
  registry.push(busyboxImageTar(join(work.path, "image"), "busybox:resume"), "test/busybox:1.0");
  const manifest = await (await fetch(`http://${registry.host}/v2/test/busybox/manifests/1.0`, {
    headers: { Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" },
  })).json();
  layer = manifest.layers[0];
});

after(() => {
  registry?.stop();
  work.cleanup();
});

/** runt image pull without blocking this process, which serves the proxy. */
async function pull(store: string, host: string) {
  const r = await runtAsync(["image", "pull", "--store", store, `${host}/test/busybox:1.0`]).done;
  return { ...r, errLines: r.stderr.split("\n").filter((l) => l) };
}

for (const stripRange of [false, true]) {
  test(stripRange ? "a registry that answers a Range request with 200: the whole blob again" : "a broken-off layer download resumes with a Range request", { skip }, async () => {
    assert.ok(layer.size > CUT, `the test layer is ${layer.size} bytes`);
    const store = join(work.path, `store-${stripRange ? "full" : "range"}`);
    const partial = join(store, "tmp", "partial", layer.digest.slice("sha256:".length));
    const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
    const proxy = await startCuttingProxy(registry.host, layer.digest, CUT, () => size(partial) >= CUT, stripRange);
    try {
      const first = await pull(store, proxy.host);
      assert.equal(first.code, 1);
      assert.equal(first.errLines.length, 1, first.stderr);
      assert.match(first.errLines[0], new RegExp(`download of ${layer.digest} broke off after \\d+ of ${layer.size} bytes.*pull again to resume it`));
      assert.equal(size(partial), CUT, "what arrived is kept");

      const second = await pull(store, proxy.host);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(proxy.ranges, [`bytes=${CUT}-`]);
      assert.deepEqual(readdirSync(join(store, "tmp", "partial")), []);
      const run = runt(["--root", join(work.path, "state"), "run", "--store", store, "--image", `${proxy.host}/test/busybox:1.0`, "--rm", `resumed-${stripRange}`, "echo", "whole"]);
      assert.equal(run.stdout, "whole\n", run.stderr);
    } finally {
      await proxy.stop();
    }
  });
}
