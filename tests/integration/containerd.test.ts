/**
 * runt as containerd's runtime: a private containerd with the README's
 * handler configuration imports a busybox image made here and runs
 * containers through the runc v2 shim with runt as its binary (the shim
 * option BinaryName; `ctr run --runc-binary` sets the same option).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { NAMESPACE, runtBinary, startContainerd } from "./containerd.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("containerd") || !hasCommand("ctr") ? "needs containerd (Debian's containerd package)" : false;
const IMAGE = "docker.io/library/busybox-runt:test";

test("containerd runs a container through the runc v2 shim with runt as its binary: output, exit status, runt's state while it runs", { skip, timeout: 240_000 }, async () => {
  const work = tempDir("runt-image-");
  const runt = runtBinary(work.path);
  const containerd = await startContainerd(runt);
  try {
    const imported = containerd.ctr(["images", "import", busyboxImageTar(work.path, IMAGE)]);
    assert.equal(imported.status, 0, imported.stderr);
    const shim = ["--runtime", "io.containerd.runc.v2", "--runc-binary", runt, "--runc-root", containerd.runcRoot];

    const script = "echo hello from $(cat /proc/1/cmdline | tr '\\0' ' '); ls /proc/self/ns | tr '\\n' ' '; exit 3";
    const once = containerd.ctr(["run", "--rm", ...shim, IMAGE, "once", "sh", "-c", script]);
    assert.equal(once.status, 3, once.stderr + containerd.log());
    assert.match(once.stdout, /^hello from sh -c echo hello/);
    // The same container through the same shim with runc: the same output and status.
    const byRunc = containerd.ctr(["run", "--rm", "--runtime", "io.containerd.runc.v2", "--runc-root", `${containerd.runcRoot}-runc`, IMAGE, "once-runc", "sh", "-c", script]);
    assert.deepEqual({ status: byRunc.status, stdout: byRunc.stdout }, { status: once.status, stdout: once.stdout });

    const started = containerd.ctr(["run", "-d", ...shim, IMAGE, "long", "sleep", "600"]);
    assert.equal(started.status, 0, started.stderr + containerd.log());
    // The shim keeps the runtime's state in --runc-root/NAMESPACE: runt's own state command reads it.
    const runtRoot = join(containerd.runcRoot, NAMESPACE);
    const tasks = containerd.ctr(["tasks", "ls"]).stdout.split("\n").find((l) => l.startsWith("long "));
    const taskPid = Number(tasks?.split(/\s+/)[1]);
    const state = spawnSync(runt, ["--root", runtRoot, "state", "long"], { encoding: "utf8" });
    assert.equal(state.status, 0, state.stderr);
    const seen = JSON.parse(state.stdout);
    assert.equal(seen.status, "running");
    assert.equal(seen.pid, taskPid);
    const runc = spawnSync("runc", ["--root", runtRoot, "state", "long"], { encoding: "utf8" });
    assert.notEqual(runc.status, 0, "runc should not recognise runt's state");

    assert.equal(containerd.ctr(["tasks", "kill", "-s", "KILL", "long"]).status, 0);
    const end = Date.now() + 30_000;
    while (!/STOPPED/.test(containerd.ctr(["tasks", "ls"]).stdout) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(containerd.ctr(["tasks", "rm", "long"]).status, 0);
    assert.equal(containerd.ctr(["containers", "rm", "long"]).status, 0);
    assert.ok(!existsSync(join(runtRoot, "long")), "runt's state is gone after the task is removed");
  } finally {
    const dir = containerd.dir;
    await containerd.stop();
    work.cleanup();
    assert.deepEqual(mountsMentioning(dir), []);
  }
});
