/**
 * runt as podman's OCI runtime (`podman --runtime PATH`), side by side with
 * runc through the same podman (side_by_side.ts): one store of its own
 * (vfs, under a temporary directory), a busybox image imported into it, and
 * podman's cgroupfs manager, as on this host without systemd.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { asUserArgv, rootlessUser, userEnv } from "../fixtures/rootless_user.ts";
import { runtBinary } from "./containerd.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, REPO, tempDir } from "./runt.ts";
import { assertHolds, commonOneShots, compareRuntimes, EXPECTED, manage, type Manager, type OneShot, MANAGERS_DRIVE_THE_BINARY, shown } from "./side_by_side.ts";

const skip = !isRoot ? "needs root" : !hasCommand("podman") ? "needs podman (Debian's podman package)" : MANAGERS_DRIVE_THE_BINARY;
const IMAGE = "localhost/busybox-runt:test";
// podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, above this machine's hard limits: runc refuses that as
// runt does. A containers.conf of the test's says less, for every container (a pod's infra container included).
const LIMITS = '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n';

/**
 * podman as `asUser` (setpriv and the user's environment, ending in env) when
 * given: rootless podman, in the user namespace it makes.
 */
function podman(work: string, runtime: string, asUser: string[] = ["env"]): Manager {
  const conf = join(work, "containers.conf");
  writeFileSync(conf, LIMITS, { mode: 0o644 });
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
  return { command: [...asUser, `CONTAINERS_CONF=${conf}`, "podman", ...global.flat()], runFlags: [], topOptions: ["args"] };
}

/** A pod: its infra container (podman's own pause image, made on the spot) holds the namespaces, its members join them by path. */
function inPod(m: Manager): string[] {
  const ok = (args: string[]) => {
    const r = manage(m, args);
    assert.equal(r.status, 0, r.stderr);
  };
  ok(["pod", "create", "--name", "pod1", "--share", "net,ipc,uts,pid"]);
  try {
    ok(["run", "-d", "--pod", "pod1", "--name", "member", IMAGE, "sleep", "1000"]);
    return [
      shown("in a pod", manage(m, ["run", "--rm", "--pod", "pod1", IMAGE, "sh", "-c", "hostname; ps -o args"])),
      shown("exec in a pod", manage(m, ["exec", "member", "ps", "-o", "args"])),
    ];
  } finally {
    manage(m, ["pod", "rm", "--force", "pod1"]);
  }
}

/** The busybox image in a store of `m`'s. */
function importImage(m: Manager): void {
  const tar = spawnSync("tar", ["-C", ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox")), "-c", "."], { maxBuffer: 64 << 20 });
  assert.equal(tar.status, 0);
  const imported = manage(m, ["import", "-", IMAGE], tar.stdout);
  assert.equal(imported.status, 0, imported.stderr);
}

test("podman drives runt as it drives runc: one-shot containers with common flags, and a detached one through exec, top, pause, stop, start, kill and rm", { skip, timeout: 300_000 }, async () => {
  const work = tempDir("runt-podman-");
  const volume = join(work.path, "volume");
  mkdirSync(volume);
  writeFileSync(join(volume, "f"), "data\n");
  const runc = podman(work.path, "/usr/bin/runc");
  const runt = podman(work.path, runtBinary(work.path));
  try {
    importImage(runt);

    const steps = [
      ...commonOneShots(volume),
      // podman then asks for rootfsPropagation rslave, which runc takes and config-linux.md does not list (docker refuses
      // the volume itself where the host's / is private, as here).
      ["bind propagation", ["--mount", `type=bind,src=${volume},dst=/w,bind-propagation=rslave`], ["sh", "-c", "cat /w/f; grep ' /w ' /proc/self/mountinfo | cut -d' ' -f5,7 | sed 's/:[0-9]*//'"]],
      // Only podman maps IDs per container; docker's privileged asks for capabilities this kernel does not have.
      ["user namespace", ["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"], ["sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map"]],
      ["privileged", ["--privileged"], ["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; ls -l /dev/null | cut -c1-10; ls /dev | wc -l"]],
    ] satisfies OneShot[];
    const { transcript, id } = await compareRuntimes(runc, runt, IMAGE, steps);
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
    assert.ok(!existsSync(join("/run/runt", id)), "runt's state of the removed container is gone");

    const podByRunt = inPod(runt);
    assert.deepEqual(podByRunt, inPod(runc));
    // The pod's hostname and processes: its UTS and PID namespaces, joined by path.
    assertHolds(podByRunt, ["== in a pod: status 0\npod1\nCOMMAND\n/catatonit -P\nsleep 1000\n", "== exec in a pod: status 0\nCOMMAND\n/catatonit -P\nsleep 1000\n"]);
  } finally {
    manage(runt, ["rm", "--all", "--force"]);
    work.cleanup();
  }
  assert.deepEqual(mountsMentioning(work.path), []);
});

test("rootless podman (a user's, in the user namespace it makes) drives runt as it drives runc: runt as root of that namespace, the host's out of its reach", { skip, timeout: 300_000 }, async () => {
  const user = rootlessUser();
  const env = Object.entries(userEnv(user)).map(([k, v]) => `${k}=${v}`);
  const asUser = [...asUserArgv(user), "env", ...env];
  const work = tempDir("runt-podman-rootless-");
  chownSync(work.path, user.uid, user.gid);
  const volume = join(work.path, "volume");
  mkdirSync(volume);
  writeFileSync(join(volume, "f"), "data\n");
  chownSync(volume, user.uid, user.gid);
  const runtime = runtBinary(work.path);
  const runc = podman(work.path, "/usr/bin/runc", asUser);
  const runt = podman(work.path, runtime, asUser);
  try {
    importImage(runt);
    const steps = [
      ...commonOneShots(volume),
      ["privileged", ["--privileged"], ["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; ls -l /dev/null | cut -c1-10"]],
    ] satisfies OneShot[];
    const { transcript } = await compareRuntimes(runc, runt, IMAGE, steps);
    assertHolds(transcript, [
      "== defaults: status 0\nhi\nuid=0(root)",
      "== stdin: status 0\npiped\n",
      "== exit status: status 42\n",
      "== device: status 0\ncrw-rw-rw-\nwrote\n",
      "== volume: status 1\ndata\n",
      "== hostname: status 0\nbox\n",
      "== terminal: status 0\n/dev/pts/0\non a terminal\n",
      "== privileged: status 0\nCapEff:\t",
      "== exec as another user: status 0\nbar 1000 /tmp\n",
      "== exec on a terminal: status 0\n/dev/pts/0\n",
      // cgroup v1 gives a user no freezer of its own: podman refuses to pause, with either runtime.
      "== paused: status 0\nrunning\n",
      "== stopped: status 0\nexited 3\n",
      // Only the container's lines: nothing of runt's (conmon logs the runtime's stderr as the container's).
      "== logs: status 0\nstarted\ngot TERM\n== ",
      "== killed: status 0\n137\n",
    ]);
  } finally {
    manage(runt, ["rm", "--all", "--force"]);
    // The process podman keeps its user namespace with.
    manage(runt, ["system", "migrate"]);
    work.cleanup();
  }
  assert.deepEqual(mountsMentioning(work.path), []);
});
