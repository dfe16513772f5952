/**
 * `runt bundle --image`: the image config (user by name with its groups,
 * env, working directory, entrypoint + cmd) and the options become a
 * bundle that runc and runt run alike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { tarBytes } from "../fixtures/tar_writer.ts";
import { isRoot, runt, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

const USERS = tarBytes([
  { name: "etc/", type: "directory" },
  { name: "etc/passwd", data: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n" },
  { name: "etc/group", data: "root:x:0:\napp:x:1000:\nextra:x:2000:app\nother:x:3000:root,app\nnone:x:4000:root\n" },
  { name: "work/", type: "directory", uid: 1000, gid: 1000 },
]);

const CONFIG = {
  User: "app",
  Env: ["PATH=/bin", "GREETING=hello"],
  Entrypoint: ["/bin/sh", "-c"],
  Cmd: ["echo $GREETING; id; pwd"],
  WorkingDir: "/work",
  StopSignal: "SIGQUIT",
  ExposedPorts: { "8080/tcp": {}, "53/udp": {} },
  Labels: { "org.example.team": "images" },
};

/** Loads the test image into a fresh store; returns the store and a scratch directory. */
function withImage(body: (store: string, work: string) => void): void {
  const dir = tempDir("runt-bundle-");
  try {
    const store = join(dir.path, "store");
    const image = busyboxImageTar(join(dir.path, "image"), "busybox:bundle", { layers: [gzipSync(USERS)], config: CONFIG });
    const load = runt(["image", "load", "--store", store, image]);
    assert.equal(load.status, 0, load.stderr);
    body(store, dir.path);
  } finally {
    dir.cleanup();
  }
}

/** Runs the bundle with runc and with runt; both outputs must agree, and are returned. */
function runBoth(bundle: string, id: string): string {
  const outputs = [["runc"], undefined].map((argv) => {
    const root = tempDir("runt-root-");
    try {
      const r = runt(["--root", root.path, "run", "--bundle", bundle, id], { argv });
      assert.equal(r.status, 0, `${argv ?? "runt"}: ${r.stderr}`);
      return r.stdout;
    } finally {
      root.cleanup();
    }
  });
  assert.equal(outputs[1], outputs[0], "runt and runc print the same");
  return outputs[1];
}

test("the image config: user by name with its groups, env, working directory, entrypoint + cmd, annotations", { skip }, () => {
  withImage((store, work) => {
    const bundle = join(work, "bundle");
    const r = runt(["bundle", "--image", "busybox:bundle", "--store", store, bundle]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runBoth(bundle, "img-config"), "hello\nuid=1000(app) gid=1000(app) groups=2000(extra),3000(other)\n/work\n");
    const spec = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8"));
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [2000, 3000] });
    assert.deepEqual(spec.annotations, {
      "org.example.team": "images",
      "org.opencontainers.image.stopSignal": "SIGQUIT",
      "org.opencontainers.image.exposedPorts": "53/udp,8080/tcp",
    });
  });
});

test("options over the image config: -e, --env-file, --cwd, --user, --hostname, --read-only, the command", { skip }, () => {
  withImage((store, work) => {
    const bundle = join(work, "bundle");
    const envFile = join(work, "env");
    writeFileSync(envFile, "# comment\nFROM_FILE=yes\nGREETING=from-file\n");
    const script = "echo $GREETING $FROM_FILE; id -u; id -g; id -G; pwd; hostname; touch /x 2>/dev/null || echo read-only";
    const r = runt([
      "bundle", "--image", "busybox:bundle", "--store", store, "--env-file", envFile, "-e", "GREETING=bye",
      "--cwd", "/etc", "--user", "0:3000", "--hostname", "box", "--read-only", bundle, "sh", "-c", script,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runBoth(bundle, "img-options"), "bye yes\n0\n3000\n3000 4000\n/etc\nbox\nread-only\n");
  });
});

test("a user the image does not have is one line, and no bundle is left", { skip }, () => {
  withImage((store, work) => {
    const bundle = join(work, "bundle");
    const r = runt(["bundle", "--image", "busybox:bundle", "--store", store, "--user", "nobody", bundle]);
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, [`runt: --user: no user "nobody" in the image's /etc/passwd`]);
    assert.equal(existsSync(bundle), false);
    // Not in the store: pulled, and here nothing listens.
    const missing = runt(["bundle", "--image", "127.0.0.1:1/absent:1", "--store", store, bundle]);
    assert.equal(missing.errLines.length, 1, missing.stderr);
    assert.match(missing.errLines[0], /^runt: 127\.0\.0\.1:1\/absent:1: cannot reach http:\/\/127\.0\.0\.1:1/);
    assert.equal(existsSync(bundle), false);
  });
});
