import { test } from "node:test";
import assert from "node:assert/strict";
import { cgroupHierarchies } from "../../runtime/rootfs/cgroup.ts";
import { parseMountinfo } from "../../runtime/rootfs/mod.ts";

// The host's v1 mounts as a process in a cgroup namespace rooted at /runt/c1 reads them: roots above it show as "/..".
const MOUNTINFO_IN_CGROUPNS = [
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "32 31 0:29 /../.. /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "35 31 0:32 /../.. /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "40 31 0:37 /../.. /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
  "41 31 0:38 /../.. /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");
const SELF_IN_CGROUPNS = "3:name=systemd:/\n2:memory:/\n1:cpu,cpuacct:/\n0::/\n";

test("in a cgroup namespace every v1 hierarchy is found, though the host's mounts lie above its root", () => {
  const table = parseMountinfo(MOUNTINFO_IN_CGROUPNS);
  const found = cgroupHierarchies(table, SELF_IN_CGROUPNS, "/rootfs", true);
  assert.deepEqual(found.map((h) => [h.mountPoint, h.subsystems]), [
    ["/sys/fs/cgroup/cpu,cpuacct", ["cpu", "cpuacct"]],
    ["/sys/fs/cgroup/memory", ["memory"]],
    ["/sys/fs/cgroup/systemd", ["name=systemd"]],
  ]);
  // Without the namespace the same table shows none of the process's cgroups: nothing to bind.
  assert.deepEqual(cgroupHierarchies(table, SELF_IN_CGROUPNS, "/rootfs"), []);
});
