/**
 * docker driving runt on the cgroup v2 + systemd guest, configured as users
 * do (`/etc/docker/daemon.json` "runtimes", then `docker run --runtime
 * runt`): dockerd's default cgroup driver on cgroup v2 is systemd, so runt
 * gets `--systemd-cgroup` and a `system.slice:docker:<id>` cgroupsPath from
 * containerd's runc shim. The image is the busybox layer the tests build,
 * imported with `docker import`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { waitFor } from "../integration/containers.ts";
import { runt, tempDir } from "../integration/runt.ts";
import { managerSkip, run, RUNT, runtRootOf } from "./managers.ts";

const skip = managerSkip("docker", "dockerd");

test("docker with runt as a runtime: run, exit status, a detached container in its systemd scope seen by runt, rm", { skip }, () => {
  const work = tempDir("runt-docker-");
  try {
    writeFileSync("/etc/docker/daemon.json", JSON.stringify({ runtimes: { runt: { path: RUNT } } }));
    const started = run("systemctl", ["restart", "docker"]);
    assert.equal(started.status, 0, started.stderr);
    // docker import takes a root filesystem tar: the image tar's single layer.
    busyboxImageTar(work.path, "localhost/busybox:runt");
    const imported = run("docker", ["import", join(work.path, "layer.tar"), "busybox:runt"]);
    assert.equal(imported.status, 0, imported.stderr);

    const once = run("docker", ["run", "--runtime", "runt", "--rm", "--network", "none", "busybox:runt", "sh", "-c", "echo hello from docker; exit 7"]);
    assert.equal(once.status, 7, once.stderr);
    assert.equal(once.stdout, "hello from docker\n");

    const detached = run("docker", ["run", "--runtime", "runt", "-d", "--network", "none", "busybox:runt", "sleep", "300"]);
    assert.equal(detached.status, 0, detached.stderr);
    const id = detached.stdout.trim();
    try {
      const root = runtRootOf(id);
      assert.ok(root, `no state directory of container ${id} under /run`);
      waitFor(() => JSON.parse(runt(["--root", root, "state", id]).stdout || "{}").status === "running", "runt to see the container running");
      const pid = JSON.parse(runt(["--root", root, "state", id]).stdout).pid;
      assert.match(readFileSync(`/proc/${pid}/cgroup`, "utf8"), new RegExp(`^0::/system\\.slice/docker-${id}\\.scope\n$`));
      const removed = run("docker", ["rm", "-f", id]);
      assert.equal(removed.status, 0, removed.stderr);
      waitFor(() => !existsSync(join(root, id)), "runt's state to be gone after docker rm");
    } finally {
      run("docker", ["rm", "-f", id]);
    }
  } finally {
    work.cleanup();
  }
});
