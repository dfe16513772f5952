/**
 * podman driving runt as its OCI runtime on the cgroup v2 + systemd guest,
 * as users configure it (`--runtime /path/to/runt`): podman's default
 * systemd cgroup manager, so runt gets `--systemd-cgroup` and a
 * `machine.slice:libpod:<id>` cgroupsPath; conmon calls create, start,
 * state, kill and delete. The image is the busybox OCI archive the tests
 * build without a network.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { managerSkip, run, RUNT, runtRootOf } from "./managers.ts";
import { waitFor } from "../integration/containers.ts";
import { runt, tempDir } from "../integration/runt.ts";

const skip = managerSkip("podman", "podman");
const podman = (args: string[]) => run("podman", ["--runtime", RUNT, ...args]);

test("podman with runt as its runtime: run, the container in its systemd scope, exit status, a detached container seen by runt, stop and rm", { skip }, () => {
  const work = tempDir("runt-podman-");
  try {
    const tar = busyboxImageTar(work.path, "localhost/busybox:runt");
    const image = `oci-archive:${tar}`;
    const once = podman(["run", "--rm", "--network", "none", image, "sh", "-c", "echo hello from podman; exit 7"]);
    assert.equal(once.status, 7, once.stderr);
    assert.equal(once.stdout, "hello from podman\n");

    const started = podman(["run", "-d", "--network", "none", image, "sleep", "300"]);
    assert.equal(started.status, 0, started.stderr);
    const id = started.stdout.trim();
    try {
      const root = runtRootOf(id);
      assert.ok(root, `no state directory of container ${id} under /run`);
      waitFor(() => JSON.parse(runt(["--root", root, "state", id]).stdout || "{}").status === "running", "runt to see the container running");
      // podman's systemd cgroup manager: runt put the container into libpod's transient scope.
      const pid = JSON.parse(runt(["--root", root, "state", id]).stdout).pid;
      assert.match(readFileSync(`/proc/${pid}/cgroup`, "utf8"), new RegExp(`^0::/machine\\.slice/libpod-${id}\\.scope\n$`));
      const unit = spawnSync("systemctl", ["is-active", `libpod-${id}.scope`], { encoding: "utf8" });
      assert.equal(unit.stdout.trim(), "active");
      const stopped = podman(["rm", "-f", "-t", "0", id]);
      assert.equal(stopped.status, 0, stopped.stderr);
      assert.ok(!existsSync(join(root, id)), "runt's state is gone after podman rm");
      waitFor(() => spawnSync("systemctl", ["is-active", `libpod-${id}.scope`], { encoding: "utf8" }).stdout.trim() !== "active", "the scope to stop");
    } finally {
      podman(["rm", "-f", "-t", "0", id]);
    }
  } finally {
    work.cleanup();
  }
});
