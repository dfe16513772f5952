/**
 * `runt image load|ls|rm|prune` on the busybox image in each archive kind:
 * the unpacked layer is the tree the image was made from, stored once
 * whichever archive brought it, every digest checked, and nothing left
 * after rm + prune.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxDockerArchive, busyboxImageTar } from "../fixtures/oci_image.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** Names, link targets and file sizes below `root`, sorted. */
function tree(root: string): string[] {
  return execFileSync("find", [".", "-printf", "%p %y %l %s %m\\n"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean).sort();
}

test("an OCI layout, an oci-archive and a docker-archive load to one stored image, unpacked once", { skip }, () => {
  const dir = tempDir("runt-images-");
  try {
    const store = join(dir.path, "store");
    const ociTar = busyboxImageTar(join(dir.path), "example.com/test/busybox:oci");
    const dockerTar = busyboxDockerArchive(join(dir.path, "d"), "busybox:docker");
    const sources = [
      [join(dir.path, "image-layout"), "example.com/test/busybox:oci"],
      [ociTar, "example.com/test/busybox:oci"],
      [dockerTar, "docker.io/library/busybox:docker"],
    ];
    for (const [source, name] of sources) {
      const r = runt(["image", "load", "--store", store, source]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `loaded ${name}\n`);
    }
    const ls = runt(["image", "ls", "--store", store]);
    assert.equal(ls.status, 0, ls.stderr);
    const rows = ls.stdout.trim().split("\n").map((l) => l.split(/\s{2,}/));
    assert.deepEqual(rows[0], ["NAME", "DIGEST", "SIZE", "CREATED"]);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ["docker.io/library/busybox:docker", "example.com/test/busybox:oci"]);
    for (const row of rows.slice(1)) assert.match(row[1], /^sha256:[0-9a-f]{64}$/);

    const layers = readdirSync(join(store, "layers", "sha256"));
    assert.equal(layers.length, 1, "one unpacked layer for both archives");
    assert.deepEqual(tree(join(store, "layers", "sha256", layers[0])), tree(join(dir.path, "image-rootfs")));
    assert.equal(readlinkSync(join(store, "layers", "sha256", layers[0], "bin", "sh")), "busybox");
  } finally {
    dir.cleanup();
  }
});

test("rm forgets a name, prune then removes what no image uses; an unknown name is one line", { skip }, () => {
  const dir = tempDir("runt-images-");
  try {
    const store = join(dir.path, "store");
    runtOk(["image", "load", "--store", store, busyboxImageTar(dir.path, "busybox:one")]);
    const missing = runt(["image", "rm", "--store", store, "busybox:two"]);
    assert.equal(missing.status, 1);
    assert.deepEqual(missing.errLines, ["runt: image rm: no image busybox:two"]);
    const rm = runt(["image", "rm", "--store", store, "busybox:one"]);
    assert.equal(rm.stdout, "docker.io/library/busybox:one\n");
    assert.equal(runt(["image", "ls", "--store", store, "-q"]).stdout, "");
    assert.equal(runt(["image", "prune", "--store", store]).stdout, "removed 3 blobs and 1 unpacked layers\n");
    assert.deepEqual(readdirSync(join(store, "blobs", "sha256")), []);
    assert.deepEqual(readdirSync(join(store, "layers", "sha256")), []);
  } finally {
    dir.cleanup();
  }
});

test("a blob that does not match its digest is refused and nothing is named", { skip }, () => {
  const dir = tempDir("runt-images-");
  try {
    const store = join(dir.path, "store");
    busyboxImageTar(dir.path, "busybox:bad");
    const layout = join(dir.path, "image-layout");
    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", index.manifests[0].digest.slice(7)), "utf8"));
    const layer = join(layout, "blobs", "sha256", manifest.layers[0].digest.slice(7));
    const bytes = readFileSync(layer);
    bytes[bytes.length - 2000] ^= 1;
    writeFileSync(layer, bytes);
    const r = runt(["image", "load", "--store", store, layout]);
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], new RegExp(`^runt: image: blob ${manifest.layers[0].digest} does not match its digest`));
    assert.equal(existsSync(join(store, "images.json")), false);
    assert.deepEqual(readdirSync(join(store, "tmp")), [], "no scratch left");
  } finally {
    dir.cleanup();
  }
});
