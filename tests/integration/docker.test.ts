/**
 * runt as a runtime of docker (`dockerd --add-runtime runt=PATH`, what
 * daemon.json's `runtimes` says), side by side with runc through the same
 * docker (side_by_side.ts): a dockerd of the test's own (its data, exec
 * root and socket under a temporary directory, vfs storage, no bridge and
 * no iptables rules, the containerd it starts itself), a busybox image
 * imported into it. docker reaches runt as containerd's runc v2 shim does,
 * and adds `docker update`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { runtBinary } from "./containerd.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, REPO, tempDir, WAIT_SCALE } from "./runt.ts";
import { assertHolds, commonOneShots, compareRuntimes, EXPECTED, manage, type Manager, MANAGERS_DRIVE_THE_BINARY } from "./side_by_side.ts";

// Debian's docker.io; a newer client elsewhere on PATH may not speak to its daemon.
const DOCKER = "/usr/bin/docker";
const skip = !isRoot ? "needs root" : !hasCommand("dockerd") || !existsSync(DOCKER) ? "needs docker (Debian's docker.io package)" : MANAGERS_DRIVE_THE_BINARY;
const IMAGE = "busybox-runt:test";

/** A dockerd with runt as a runtime named "runt"; stop() ends it and the containerd it started. */
async function startDockerd(work: string, runt: string): Promise<{ socket: string; stop: () => Promise<void>; log: () => string }> {
  const socket = join(work, "docker.sock");
  const logFile = join(work, "dockerd.log");
  const args = [
    ["--data-root", join(work, "data")],
    ["--exec-root", join(work, "exec")],
    ["--pidfile", join(work, "dockerd.pid")],
    ["--host", `unix://${socket}`],
    ["--bridge", "none"],
    ["--iptables=false"],
    ["--ip6tables=false"],
    ["--storage-driver", "vfs"],
    ["--add-runtime", `runt=${runt}`],
    ["--log-level", "warn"],
  ];
  const out = openSync(logFile, "w");
  const daemon: ChildProcess = spawn("dockerd", args.flat(), { stdio: ["ignore", out, out] });
  const exited = new Promise<void>((resolve) => daemon.on("exit", () => resolve()));
  const log = () => readFileSync(logFile, "utf8");
  const end = Date.now() + 60_000 * WAIT_SCALE;
  while (spawnSync(DOCKER, ["-H", `unix://${socket}`, "version"]).status !== 0) {
    if (daemon.exitCode !== null || Date.now() > end) {
      daemon.kill("SIGKILL");
      throw new Error(`dockerd did not start:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    daemon.kill("SIGTERM");
    await exited;
  };
  return { socket, stop, log };
}

test("docker drives runt as it drives runc: one-shot containers with common flags, and a detached one through exec, top, update, pause, stop, start, kill and rm", { skip, timeout: 300_000 }, async () => {
  const work = tempDir("runt-docker-");
  const volume = join(work.path, "volume");
  mkdirSync(volume);
  writeFileSync(join(volume, "f"), "data\n");
  const dockerd = await startDockerd(work.path, runtBinary(work.path));
  const command = [DOCKER, "-H", `unix://${dockerd.socket}`];
  const runc: Manager = { command, runFlags: ["--runtime", "runc"], topOptions: ["-o", "pid,args"] };
  const runt: Manager = { command, runFlags: ["--runtime", "runt"], topOptions: ["-o", "pid,args"] };
  try {
    const tar = spawnSync("tar", ["-C", ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox")), "-c", "."], { maxBuffer: 64 << 20 });
    assert.equal(tar.status, 0);
    const imported = manage(runt, ["import", "-", IMAGE], tar.stdout);
    assert.equal(imported.status, 0, imported.stderr);

    // `docker update` reaches the runtime's update command through the shim.
    const update = (name: string): [string, string[]][] => [
      ["update", ["update", "--memory", "128m", "--memory-swap", "256m", name]],
      ["memory after update", ["exec", name, "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"]],
    ];
    const { transcript, id } = await compareRuntimes(runc, runt, IMAGE, commonOneShots(volume), update);
    assertHolds(transcript, [
      ...EXPECTED,
      "== read-only: status 1\ntouch: /x: Read-only file system\n== ",
      "== init: status 0\n/sbin/docker-init -- sh -c",
      "== groups: status 0\nuid=0(root) gid=0(root) groups=0(root),42,43\n",
      "== user and workdir: status 0\nuid=1234 gid=5678 groups=5678\n/tmp\n",
      "== top: status 0\nCOMMAND\nsh -c echo started",
      "== memory after update: status 0\n134217728\n",
    ]);
    const shimRoot = join(work.path, "exec", "runtime-runt", "moby");
    assert.ok(!existsSync(join(shimRoot, id)), "runt's state of the removed container is gone");
  } catch (e) {
    throw new Error(`${(e as Error).message}\ndockerd's log:\n${dockerd.log()}`, { cause: e });
  } finally {
    manage(runt, ["rm", "--force", ...manage(runt, ["ps", "-aq"]).stdout.split("\n").filter((id) => id)]);
    await dockerd.stop();
    work.cleanup();
  }
  assert.deepEqual(mountsMentioning(work.path), []);
});
