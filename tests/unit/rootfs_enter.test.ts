import { test } from "node:test";
import assert from "node:assert/strict";
import { MNT_DETACH, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from "../../ffi/constants.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { MS } from "../../runtime/mount/options.ts";
import { enterRootfs, RootfsError } from "../../runtime/rootfs/mod.ts";
import { FakeProc } from "./rootfs_support.ts";

const ROOTFS = "/run/runt-test/c1/rootfs";
const DIR = O_DIRECTORY | O_RDONLY | O_CLOEXEC;

function sequence(sys: RecordingSyscalls): unknown[][] {
  return sys.calls.map((c) => [c.name, ...c.args]);
}

test("pivot_root: into the rootfs through descriptors, then the old root is made rslave and detached", () => {
  const sys = new RecordingSyscalls();
  enterRootfs(sys, ROOTFS, false, new FakeProc());
  assert.deepEqual(sequence(sys), [
    ["open", "/", DIR, 0],
    ["open", ROOTFS, DIR, 0],
    ["fchdir", 4],
    ["pivotRoot", ".", "."],
    ["fchdir", 3],
    ["mount", null, ".", null, MS.SLAVE | MS.REC, null],
    ["umount2", ".", MNT_DETACH],
    ["chdir", "/"],
    ["close", 4],
    ["close", 3],
  ]);
});

test("a refused pivot_root is one line, and both descriptors are closed", () => {
  const sys = new RecordingSyscalls().failOn("pivotRoot", "EINVAL");
  assert.throws(
    () => enterRootfs(sys, ROOTFS, false, new FakeProc()),
    (e: unknown) => e instanceof RootfsError && e.message === `pivot_root into "${ROOTFS}": EINVAL (Invalid argument)`,
  );
  assert.deepEqual(sys.callsTo("close"), [[4], [3]]);
  assert.deepEqual(sys.callsTo("umount2"), []);
});

const HOST_MOUNTS = [
  "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "23 27 0:22 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw",
  // Not whole filesystems: nothing to hide.
  "24 27 0:21 /sys /var/lib/procsys ro,relatime - proc proc rw",
  "25 27 0:30 / /run rw - tmpfs tmpfs rw",
  `60 27 254:0 /run/runt-test/c1/rootfs ${ROOTFS} rw,relatime - ext4 /dev/vda rw`,
  // The container's own.
  `61 60 0:40 / ${ROOTFS}/proc rw,relatime - proc proc rw`,
  `62 60 0:41 / ${ROOTFS}/sys ro,relatime - sysfs sysfs rw`,
  "70 27 0:42 / /mnt/other-sys rw,relatime - sysfs sysfs rw",
  "",
].join("\n");

test("no pivot: the host's proc and sysfs mounts are detached, then the rootfs moved over / and chrooted into", () => {
  const sys = new RecordingSyscalls();
  enterRootfs(sys, ROOTFS, true, new FakeProc({ "/proc/thread-self/mountinfo": HOST_MOUNTS }));
  assert.deepEqual(sequence(sys), [
    ["chdir", ROOTFS],
    ["mount", null, "/proc", null, MS.SLAVE | MS.REC, null],
    ["umount2", "/proc", MNT_DETACH],
    ["mount", null, "/sys", null, MS.SLAVE | MS.REC, null],
    ["umount2", "/sys", MNT_DETACH],
    ["mount", null, "/mnt/other-sys", null, MS.SLAVE | MS.REC, null],
    ["umount2", "/mnt/other-sys", MNT_DETACH],
    ["mount", ROOTFS, "/", null, MS.MOVE, null],
    ["chroot", "."],
    ["chdir", "/"],
  ]);
});

test("no pivot: a mount gone with its parent is skipped, one that cannot be unmounted is covered", () => {
  const sys = new RecordingSyscalls()
    .failOn("mount", "ENOENT", { when: (_s, target) => target === "/sys" })
    .failOn("umount2", "EPERM", { when: (target) => target === "/proc" });
  enterRootfs(sys, ROOTFS, true, new FakeProc({ "/proc/thread-self/mountinfo": HOST_MOUNTS }));
  assert.deepEqual(sequence(sys).slice(1, 5), [
    ["mount", null, "/proc", null, MS.SLAVE | MS.REC, null],
    ["umount2", "/proc", MNT_DETACH],
    ["mount", "tmpfs", "/proc", "tmpfs", 0, null],
    ["mount", null, "/sys", null, MS.SLAVE | MS.REC, null],
  ]);
  assert.deepEqual(sequence(sys)[5], ["mount", null, "/mnt/other-sys", null, MS.SLAVE | MS.REC, null]);
});
