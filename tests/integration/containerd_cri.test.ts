/**
 * runt as a Kubernetes runtime handler: a private containerd with the
 * README's handler configuration is asked through the CRI RuntimeService,
 * as kubelet asks for a pod with `runtimeClassName: runt`, to run a pod
 * sandbox and a container with runtime_handler "runt".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { runtBinary, shimsOf, startContainerd } from "./containerd.ts";
import { CONTAINER_EXITED, CONTAINER_RUNNING, criClient, type PodConfig } from "./cri.ts";
import { GrpcError } from "./grpc.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("containerd") || !hasCommand("ctr") ? "needs containerd (Debian's containerd package)" : false;
const IMAGE = "docker.io/library/busybox-runt:cri";
/** The CRI plugin keeps its containers in this containerd namespace. */
const K8S = "k8s.io";

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("CRI: a pod with runtime_handler runt runs its sandbox and container with runt; an unknown handler is refused", { skip, timeout: 120_000 }, async () => {
  const work = tempDir("runt-cri-");
  const runt = runtBinary(work.path);
  // The sandbox (pause) container runs the image's default command: it must keep running.
  const tar = busyboxImageTar(work.path, IMAGE, { config: { Cmd: ["sleep", "inf"] } });
  const containerd = await startContainerd(runt, { criSandboxImage: IMAGE });
  const cri = criClient(containerd.socket);
  const runtRoot = join(containerd.runcRoot, K8S);
  const runtState = (id: string) => spawnSync(runt, ["--root", runtRoot, "state", id], { encoding: "utf8" });
  try {
    const imported = containerd.ctrIn(K8S, ["images", "import", tar]);
    assert.equal(imported.status, 0, imported.stderr);
    const pod: PodConfig = { name: "hello", uid: "uid-hello", namespace: "default", logDirectory: join(work.path, "logs") };

    // The handler is what picks the runtime: one containerd does not know is refused, naming it.
    await assert.rejects(cri.runPodSandbox({ ...pod, uid: "uid-nope" }, "nope"), (e: unknown) => {
      assert.ok(e instanceof GrpcError, String(e));
      assert.match(e.details, /no runtime for "nope" is configured/);
      return true;
    });

    const podId = await cri.runPodSandbox(pod, "runt");
    const sandbox = runtState(podId);
    assert.equal(sandbox.status, 0, `the pod sandbox is runt's: ${sandbox.stderr}${containerd.log()}`);
    assert.equal(JSON.parse(sandbox.stdout).status, "running");

    const containerId = await cri.createContainer(podId, pod, {
      name: "app",
      image: IMAGE,
      command: ["sh", "-c", "echo hello from cri; sleep 300"],
      logPath: "app.log",
    });
    await cri.startContainer(containerId);
    const status = await cri.containerStatus(containerId);
    assert.equal(status.state, CONTAINER_RUNNING);
    const state = runtState(containerId);
    assert.equal(state.status, 0, state.stderr);
    assert.equal(JSON.parse(state.stdout).status, "running");
    // The CRI log format: "<time> stdout F <line>".
    const logFile = join(pod.logDirectory, "app.log");
    await until("the container's output in its CRI log", () => existsSync(logFile) && / stdout F hello from cri$/m.test(readFileSync(logFile, "utf8")));

    await cri.stopContainer(containerId, 0);
    const stopped = await cri.containerStatus(containerId);
    assert.deepEqual({ state: stopped.state, exitCode: stopped.exitCode }, { state: CONTAINER_EXITED, exitCode: 137 });
    await cri.removeContainer(containerId);
    await cri.stopPodSandbox(podId);
    await cri.removePodSandbox(podId);

    assert.notEqual(runtState(containerId).status, 0, "runt's state of the container is gone");
    assert.notEqual(runtState(podId).status, 0, "runt's state of the sandbox is gone");
    assert.deepEqual(mountsMentioning(podId), []);
    assert.deepEqual(mountsMentioning(containerId), []);
    await until("the pod's shim to exit", () => shimsOf(containerd.socket).length === 0);
  } finally {
    cri.close();
    const dir = containerd.dir;
    await containerd.stop();
    work.cleanup();
    assert.deepEqual(mountsMentioning(dir), []);
  }
});
