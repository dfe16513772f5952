/**
 * `runt image pull` from a real registry on 127.0.0.1 (docker-registry,
 * filled by skopeo): anonymous, Basic (htpasswd) and Bearer (token service)
 * auth; the pulled image runs; a multi-platform index resolves to this host.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { PASSWORD, type RegistryAuth, startRegistry, type TestRegistry, USER } from "../fixtures/registry.ts";
import { hasCommand, isRoot, runt, runtArgv, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("docker-registry") || !hasCommand("skopeo") ? "needs docker-registry and skopeo" : false;
const work = tempDir("runt-pull-");
const registries = new Map<RegistryAuth, TestRegistry>();
let image = "";

before(async () => {
  if (skip) return;
  image = busyboxImageTar(join(work.path, "image"), "busybox:pull");
  for (const auth of ["none", "basic", "bearer"] as const) {
    const registry = await startRegistry(join(work.path, `registry-${auth}`), auth);
    registries.set(auth, registry);
    registry.push(image, "test/busybox:1.0");
  }
});

after(() => {
  for (const registry of registries.values()) registry.stop();
  work.cleanup();
});

function pull(store: string, ref: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runt(["image", "pull", "--store", store, ...extra, ref], { env });
}

test("anonymous pull, then run: the image lands under its full name and runs", { skip }, () => {
  const store = join(work.path, "store-anon");
  const ref = `${registries.get("none")!.host}/test/busybox:1.0`;
  const r = pull(store, ref);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `pulled ${ref}\n`);
  assert.equal(r.stderr, "", "no progress line off a terminal");
  assert.match(runt(["image", "ls", "--store", store, "-q"]).stdout, new RegExp(`^${ref}\n$`));
  const run = runt(["--root", join(work.path, "state"), "run", "--store", store, "--image", ref, "--rm", "pulled-anon", "sh", "-c", "echo pulled; exit 4"]);
  assert.equal(run.stdout, "pulled\n");
  assert.equal(run.status, 4);
});

test("run --image pulls an image the store does not have", { skip }, () => {
  const store = join(work.path, "store-run");
  const ref = `${registries.get("none")!.host}/test/busybox:1.0`;
  const run = runt(["--root", join(work.path, "state"), "run", "--store", store, "--image", ref, "--rm", "pulled-run", "echo", "ran"]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, "ran\n");
});

for (const auth of ["basic", "bearer"] as const) {
  test(`${auth === "basic" ? "Basic (htpasswd)" : "Bearer (token service)"} auth: refused without credentials, pulled with --creds or the auth file`, { skip }, () => {
    const ref = `${registries.get(auth)!.host}/test/busybox:1.0`;
    const denied = pull(join(work.path, `store-${auth}-0`), ref);
    assert.equal(denied.status, 1);
    assert.equal(denied.errLines.length, 1, denied.stderr);
    assert.match(denied.errLines[0], auth === "basic" ? /wants credentials/ : /token service .*401/);

    const wrong = pull(join(work.path, `store-${auth}-1`), ref, ["--creds", `${USER}:wrong`]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.errLines[0], /check the credentials/);

    const withCreds = pull(join(work.path, `store-${auth}-2`), ref, ["--creds", `${USER}:${PASSWORD}`]);
    assert.equal(withCreds.status, 0, withCreds.stderr);

    const authFile = join(work.path, `auth-${auth}.json`);
    writeFileSync(authFile, JSON.stringify({ auths: { [registries.get(auth)!.host]: { auth: btoa(`${USER}:${PASSWORD}`) } } }));
    const fromFile = pull(join(work.path, `store-${auth}-3`), ref, [], { REGISTRY_AUTH_FILE: authFile });
    assert.equal(fromFile.status, 0, fromFile.stderr);
  });
}

test("an unknown tag is one line; a registry not named localhost or 127.0.0.1 is reached over https unless --insecure", { skip }, () => {
  const store = join(work.path, "store-bad");
  const host = registries.get("none")!.host;
  const missing = pull(store, `${host}/test/busybox:absent`);
  assert.deepEqual(missing.errLines, [`runt: ${host}/test/busybox:absent: GET /manifests/absent: 404 Not Found (not found)`]);
  const other = host.replace("127.0.0.1", "127.0.0.2");
  const https = pull(store, `${other}/test/busybox:1.0`);
  assert.equal(https.status, 1);
  assert.match(https.errLines[0], new RegExp(`^runt: ${other}/test/busybox:1.0: cannot reach https://${other}`));
  const insecure = pull(store, `${other}/test/busybox:1.0`, ["--insecure"]);
  assert.match(insecure.errLines[0], new RegExp(`cannot reach http://${other}`));
});

test("on a terminal, one progress line rewritten in place: layers done of all and bytes", { skip: skip || (!hasCommand("script") && "needs script") }, () => {
  const ref = `${registries.get("none")!.host}/test/busybox:1.0`;
  const argv = [...runtArgv(), "image", "pull", "--store", join(work.path, "store-tty"), ref];
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  // script gives the command a pty for stdin, stdout and stderr alike and copies it all to its stdout.
  const r = spawnSync("script", ["-qec", quoted, "/dev/null"], { encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, r.stdout);
  const lines = r.stdout.split(/\r?\n/).filter((l) => l);
  assert.deepEqual(lines.slice(1), [`pulled ${ref}`], r.stdout);
  const draws = lines[0].split("\r").filter((d) => d);
  assert.match(draws[0], new RegExp(`^${ref}: layers 0/2, 0 B of \\d`));
  assert.match(draws.at(-1)!, new RegExp(`^${ref}: layers 2/2, (.+) of \\1\\x1b\\[K$`));
});
