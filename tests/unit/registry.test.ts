import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostPlatform, pickManifest } from "../../runtime/image/oci.ts";
import { parsePlatform } from "../../runtime/image/platform.ts";
import { credentialsFor, parseChallenge } from "../../runtime/registry/auth.ts";
import { isLoopback, parseReference } from "../../runtime/registry/reference.ts";

const digest = (c: string) => `sha256:${c.repeat(64)}`;

test("an index resolves to the host's platform, else to an entry without one", () => {
  const host = hostPlatform();
  const other = { architecture: host.architecture === "arm64" ? "amd64" : "arm64", os: "linux" };
  const entry = (c: string, platform?: { architecture: string; os: string }) => ({ mediaType: "m", digest: digest(c), size: 1, platform });
  assert.equal(pickManifest({ manifests: [entry("a", other), entry("b", host)] }, "x").digest, digest("b"));
  assert.equal(pickManifest({ manifests: [entry("a", other), entry("c")] }, "x").digest, digest("c"));
  assert.throws(() => pickManifest({ manifests: [entry("a", other)] }, "img"), new RegExp(`img: no manifest for linux/${host.architecture}`));
});

test("--platform: the index entry for that platform, a variant only when asked for; a miss names what the index has", () => {
  const arm = (c: string, variant?: string) => ({ mediaType: "m", digest: digest(c), size: 1, platform: { os: "linux", architecture: "arm", variant } });
  const index = { manifests: [arm("a", "v6"), arm("b", "v7")] };
  assert.equal(pickManifest(index, "x", parsePlatform("linux/arm/v7")).digest, digest("b"));
  assert.equal(pickManifest(index, "x", parsePlatform("linux/arm")).digest, digest("a"));
  assert.throws(() => pickManifest(index, "img", parsePlatform("linux/arm/v8")), /^ImageError: img: no manifest for linux\/arm\/v8 \(the index has linux\/arm\/v6, linux\/arm\/v7\)$/);
  assert.throws(() => parsePlatform("linux/arm/v7/x"), /--platform: expected OS\/ARCH\[\/VARIANT\], got "linux\/arm\/v7\/x"/);
});

test("references: Docker Hub's endpoint, repository and tag or digest", () => {
  assert.deepEqual(parseReference("busybox"), {
    name: "docker.io/library/busybox:latest",
    host: "docker.io",
    endpoint: "registry-1.docker.io",
    repository: "library/busybox",
    reference: "latest",
  });
  const pinned = parseReference(`127.0.0.1:5000/team/app@${digest("d")}`);
  assert.deepEqual([pinned.endpoint, pinned.repository, pinned.reference], ["127.0.0.1:5000", "team/app", digest("d")]);
  assert.equal(isLoopback("localhost:5000"), true);
  assert.equal(isLoopback("127.0.0.1"), true);
  assert.equal(isLoopback("registry.example.com"), false);
});

test("WWW-Authenticate challenges", () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"'), {
    scheme: "bearer",
    params: { realm: "https://auth.example/token", service: "registry", scope: "repository:a/b:pull" },
  });
  assert.deepEqual(parseChallenge('Basic realm="r"'), { scheme: "basic", params: { realm: "r" } });
});

test("credentials from the auth file, by host or by URL key (docker's Hub key included)", () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-auth-"));
  try {
    const file = join(dir, "auth.json");
    writeFileSync(file, JSON.stringify({
      auths: {
        "https://index.docker.io/v1/": { auth: btoa("hub:pw1") },
        "registry.example.com:5000": { username: "u", password: "p:w" },
      },
    }));
    const env = { REGISTRY_AUTH_FILE: file };
    assert.deepEqual(credentialsFor("docker.io", env), { username: "hub", password: "pw1" });
    assert.deepEqual(credentialsFor("registry.example.com:5000", env), { username: "u", password: "p:w" });
    assert.equal(credentialsFor("other.example", env), undefined);
    assert.equal(credentialsFor("docker.io", { REGISTRY_AUTH_FILE: join(dir, "absent") }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
