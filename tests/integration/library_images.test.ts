/** mod.ts's image API: pull, load, list, remove and prune images, and run and create containers from them. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { startRegistry } from "../fixtures/registry.ts";
import { isRoot, REPO, runt, runtOk, tempDir, UNDER } from "./runt.ts";

const skip = !isRoot ? "needs root" : UNDER !== "deno" ? "the library is exercised from the Deno run" : false;
const work = tempDir("runt-library-images-");
after(() => work.cleanup());

test("a script pulls, loads, runs with captured output, creates, waits, stops, kills and removes through mod.ts", { skip }, async () => {
  const registry = await startRegistry(join(work.path, "registry"), "none");
  try {
    const archive = busyboxImageTar(join(work.path, "a"), "busybox:lib");
    registry.push(busyboxImageTar(join(work.path, "b"), "busybox:push"), "lib/busybox:pushed");
    const pushed = `${registry.host}/lib/busybox:pushed`;
    const root = join(work.path, "state");
    const store = join(work.path, "store");
    const script = join(REPO, "tests/integration/library_images_script.ts");
    const r = spawnSync(process.execPath, ["run", "-A", "--no-check", script, root, store, archive, pushed], { encoding: "utf8", killSignal: "SIGKILL", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim().split("\n").pop()!);

    assert.deepEqual(seen.loaded, ["docker.io/library/busybox:lib"]);
    assert.equal(seen.pulled, pushed);
    assert.deepEqual(seen.listed, [pushed, "docker.io/library/busybox:lib"].sort());
    // The same command through the CLI is the reference for what the library captures.
    assert.deepEqual(seen.piped, { status: 3, stdout: "out 1\nfrom stdin\n", stderr: "err\n" });
    const cliStore = join(work.path, "cli-store");
    runtOk(["image", "load", "--store", cliStore, archive]);
    const cli = runt(["--root", root, "run", "--store", cliStore, "--rm", "--image", "busybox:lib", "-e", "A=1", "cli", "sh", "-c", 'echo "out $A"; echo err >&2; cat; exit 3'], { input: "from stdin\n" });
    assert.deepEqual({ status: cli.status, stdout: cli.stdout, stderr: cli.stderr }, seen.piped);
    assert.deepEqual(seen.pulledRun, { status: 0, stdout: "pulled image\n", stderr: "" });
    assert.equal(seen.readOnly.status, 1);
    assert.match(seen.readOnly.stderr, /Read-only file system/);
    assert.equal(seen.specFunction.stdout, "from-a-function\n");
    assert.equal(seen.unknownOption, 'unknown option "colour"');

    assert.equal(seen.createdStatus, "created");
    assert.equal(seen.waited, 7);
    assert.equal(seen.afterDelete, 'container "lib-wait" does not exist');
    assert.equal(seen.running, "running");
    assert.equal(seen.stopped, 137);
    assert.equal(seen.killed, 137);

    assert.equal(seen.removed, "docker.io/library/busybox:lib");
    // Its manifest and config go; its layer stays, the pulled image has the same one.
    assert.deepEqual(seen.pruned, { blobs: 2, layers: 0 });
    assert.deepEqual(seen.listedAfter, [pushed]);
    // Every container went with its root filesystem; nothing is left in the state root.
    assert.deepEqual(readdirSync(join(store, "containers")), []);
    assert.ok(!existsSync(root) || readdirSync(root).length === 0, readdirSync(root).join(" "));
  } finally {
    registry.stop();
  }
});
