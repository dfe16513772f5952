/**
 * runt as podman's OCI runtime (`podman --runtime PATH`), side by side with
 * runc through the same podman (side_by_side.ts): one store of its own
 * (vfs, under a temporary directory), a busybox image imported into it, and
 * podman's cgroupfs manager, as on this host without systemd.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { runtBinary } from "./containerd.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, REPO, tempDir } from "./runt.ts";
import { assertHolds, commonOneShots, detached, EXPECTED, manage, type Manager, oneShots } from "./side_by_side.ts";

const skip = !isRoot ? "needs root" : !hasCommand("podman") ? "needs podman (Debian's podman package)" : false;
const IMAGE = "localhost/busybox-runt:test";
// podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, above this machine's hard limits: runc refuses that as runt does.
const LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

function podman(work: string, runtime: string): Manager {
  const global = [
    ["--root", join(work, "storage")],
    ["--runroot", join(work, "run")],
    ["--tmpdir", join(work, "libpod")],
    ["--storage-driver", "vfs"],
    ["--cgroup-manager", "cgroupfs"],
    ["--events-backend", "file"],
    ["--network-config-dir", join(work, "networks")],
    ["--runtime", runtime],
  ];
  return { command: ["podman", ...global.flat()], runFlags: LIMITS, topOptions: ["args"] };
}

test("podman drives runt as it drives runc: one-shot containers with common flags, and a detached one through exec, top, pause, stop, start, kill and rm", { skip, timeout: 300_000 }, async () => {
  const work = tempDir("runt-podman-");
  const volume = join(work.path, "volume");
  mkdirSync(volume);
  writeFileSync(join(volume, "f"), "data\n");
  const runc = podman(work.path, "/usr/bin/runc");
  const runt = podman(work.path, runtBinary(work.path));
  try {
    const tar = spawnSync("tar", ["-C", ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox")), "-c", "."], { maxBuffer: 64 << 20 });
    assert.equal(tar.status, 0);
    const imported = manage(runt, ["import", "-", IMAGE], tar.stdout);
    assert.equal(imported.status, 0, imported.stderr);

    const steps = [
      ...commonOneShots(volume),
      // podman then asks for rootfsPropagation rslave, which runc takes and config-linux.md does not list (docker refuses
      // the volume itself where the host's / is private, as here).
      ["bind propagation", ["--mount", `type=bind,src=${volume},dst=/w,bind-propagation=rslave`], ["sh", "-c", "cat /w/f; grep ' /w ' /proc/self/mountinfo | cut -d' ' -f5,7 | sed 's/:[0-9]*//'"]],
      // Only podman maps IDs per container; docker's privileged asks for capabilities this kernel does not have.
      ["user namespace", ["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"], ["sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map"]],
      ["privileged", ["--privileged"], ["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; ls -l /dev/null | cut -c1-10; ls /dev | wc -l"]],
    ] satisfies Parameters<typeof oneShots>[2];
    const byRunc = await oneShots(runc, IMAGE, steps);
    const byRunt = await oneShots(runt, IMAGE, steps);
    assert.deepEqual(byRunt, byRunc);
    const lifeByRunc = await detached(runc, IMAGE, "long");
    const lifeByRunt = await detached(runt, IMAGE, "long");
    assert.deepEqual(lifeByRunt.out, lifeByRunc.out);

    const transcript = [...byRunt, ...lifeByRunt.out];
    assertHolds(transcript, [
      ...EXPECTED,
      // podman's --read-only comes with a tmpfs on /tmp; docker's without.
      "== read-only: status 0\ntouch: /x: Read-only file system\ntmp ok\n",
      "== init: status 0\n/run/podman-init -- sh -c",
      "== bind propagation: status 0\ndata\n/w ",
      "== groups: status 0\nuid=0(root) gid=0(root) groups=42,43\n",
      "== user namespace: status 0\nuid=0(root) gid=0(root)",
      "== user and workdir: status 0\nuid=1234(1234) gid=5678(5678) groups=5678(5678)\n/tmp\n",
      "== top: status 0\nCOMMAND\nsh -c echo started",
    ]);
    assert.match(transcript.join(""), /== privileged: status 0\nCapEff:\t[0-9a-f]+\nSeccomp:\t0\ncrw-rw-rw-\n/);
    assert.ok(!existsSync(join("/run/runt", lifeByRunt.id)), "runt's state of the removed container is gone");
  } finally {
    manage(runt, ["rm", "--all", "--force"]);
    work.cleanup();
  }
  assert.deepEqual(mountsMentioning(work.path), []);
});
