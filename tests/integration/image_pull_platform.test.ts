/**
 * --platform: a two-platform image index in the registry (the busybox image
 * and the same layers under a config that says another architecture) is
 * resolved to the platform asked for, by `image pull` and by `bundle
 * --image` when the image is missing; a platform the index lacks is one line
 * naming those it has.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hostPlatform } from "../../runtime/image/oci.ts";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { startRegistry, type TestRegistry } from "../fixtures/registry.ts";
import { hasCommand, isRoot, runt, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("docker-registry") || !hasCommand("skopeo") ? "needs docker-registry and skopeo" : false;
const work = tempDir("runt-platform-");
const host = hostPlatform();
const other = host.architecture === "arm64" ? "amd64" : "arm64";
let registry: TestRegistry;
let ref = "";

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Puts a blob into the repository through the distribution API's monolithic upload. */
async function putBlob(base: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/blobs/uploads/`, { method: "POST" });
  await start.body?.cancel();
  const location = new URL(start.headers.get("location")!, base);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", body: bytes, headers: { "Content-Type": "application/octet-stream" } });
  await put.body?.cancel();
  assert.equal(put.status, 201, `blob upload: ${put.status}`);
  return digest;
}

async function putManifest(base: string, reference: string, mediaType: string, doc: unknown): Promise<{ digest: string; size: number }> {
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  const put = await fetch(`${base}/manifests/${reference}`, { method: "PUT", body: bytes, headers: { "Content-Type": mediaType } });
  assert.equal(put.status, 201, `manifest upload: ${put.status} ${await put.text()}`);
  return { digest: sha256(bytes), size: bytes.length };
}

before(async () => {
  if (skip) return;
  registry = await startRegistry(join(work.path, "registry"), "none");
  registry.push(busyboxImageTar(join(work.path, "image"), "busybox:platform"), "test/busybox:1.0");
  const base = `http://${registry.host}/v2/test/busybox`;
  const manifestType = "application/vnd.oci.image.manifest.v1+json";
  const got = await fetch(`${base}/manifests/1.0`, { headers: { Accept: manifestType } });
  const manifest = await got.json();
  assert.equal(got.headers.get("content-type"), manifestType);
  const config = await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json();
  const otherConfig = new TextEncoder().encode(JSON.stringify({ ...config, architecture: other }));
  const otherManifest = { ...manifest, config: { ...manifest.config, digest: await putBlob(base, otherConfig), size: otherConfig.length } };
  const entries = [
    { ...(await putManifest(base, sha256(new TextEncoder().encode(JSON.stringify(manifest))), manifestType, manifest)), platform: host },
    { ...(await putManifest(base, sha256(new TextEncoder().encode(JSON.stringify(otherManifest))), manifestType, otherManifest)), platform: { os: "linux", architecture: other } },
  ].map((e) => ({ mediaType: manifestType, ...e }));
  const indexType = "application/vnd.oci.image.index.v1+json";
  await putManifest(base, "multi", indexType, { schemaVersion: 2, mediaType: indexType, manifests: entries });
  ref = `${registry.host}/test/busybox:multi`;
});

after(() => {
  registry?.stop();
  work.cleanup();
});

/** The os/architecture of the config stored for `ref`. */
function storedPlatform(store: string): string {
  const names = JSON.parse(readFileSync(join(store, "images.json"), "utf8"));
  const blob = (digest: string) => JSON.parse(readFileSync(join(store, "blobs", "sha256", digest.slice(7)), "utf8"));
  const manifest = blob(names.images[ref].digest);
  const config = blob(manifest.config.digest);
  return `${config.os}/${config.architecture}`;
}

test("image pull --platform resolves an index to that platform; without it, to this host's", { skip }, () => {
  for (const [platform, want] of [[undefined, host.architecture], [`linux/${other}`, other], [other, other]] as const) {
    const store = join(work.path, `store-pull-${platform?.replace("/", "-") ?? "host"}`);
    const r = runt(["image", "pull", "--store", store, ...(platform ? ["--platform", platform] : []), ref]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(storedPlatform(store), `linux/${want}`);
  }
});

test("bundle --image --platform pulls the missing image for that platform", { skip }, () => {
  const store = join(work.path, "store-bundle");
  const r = runt(["bundle", "--store", store, "--image", ref, "--platform", `linux/${other}`, join(work.path, "bundle")]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(storedPlatform(store), `linux/${other}`);
});

test("a platform the index lacks is one line naming the platforms it has", { skip }, () => {
  const store = join(work.path, "store-missing");
  const r = runt(["image", "pull", "--store", store, "--platform", "linux/s390x", ref]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.errLines, [`runt: ${ref}: no manifest for linux/s390x (the index has linux/${host.architecture}, linux/${other})`]);
});
