import { test } from "node:test";
import assert from "node:assert/strict";
import { ownPathOf, parseMountinfo, parseProcCgroup, v1Hierarchies } from "../../runtime/cgroups/layout.ts";

// This host: v1 controllers in their own hierarchies, name=systemd, and cgroup2 at /sys/fs/cgroup/unified.
const HYBRID = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// A systemd v1 host: combined cpu,cpuacct and net_cls,net_prio, optional fields before the separator.
const V1 = `25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
32 25 0:29 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,hugetlb
`;

// A GitHub runner: pure cgroup v2.
const V2 = `24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

test("a hybrid host: every v1 controller with its mount, and the cgroup2 mount as unified", () => {
  const l = parseMountinfo(HYBRID);
  assert.equal(l.version, "hybrid");
  assert.deepEqual(Object.keys(l.v1).sort(), ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"]);
  assert.deepEqual(l.v1.memory, { mountPoint: "/sys/fs/cgroup/memory", root: "/", controllers: ["memory"] });
  assert.deepEqual(l.v1["name=systemd"].mountPoint, "/sys/fs/cgroup/systemd");
  assert.deepEqual(l.unified, { mountPoint: "/sys/fs/cgroup/unified", root: "/", controllers: [] });
  assert.equal(v1Hierarchies(l).length, 9);
});

test("a v1 host: combined hierarchies share one mount, named hierarchies keep their name, options are not controllers", () => {
  const l = parseMountinfo(V1);
  assert.equal(l.version, "v1");
  assert.equal(l.unified, undefined);
  assert.equal(l.v1.cpu, l.v1.cpuacct);
  assert.deepEqual(l.v1.cpu.controllers, ["cpu", "cpuacct"]);
  assert.equal(l.v1.net_prio.mountPoint, "/sys/fs/cgroup/net_cls,net_prio");
  assert.deepEqual(l.v1["name=systemd"].controllers, ["name=systemd"]);
  assert.equal(l.v1.xattr, undefined);
  assert.deepEqual(v1Hierarchies(l).map((m) => m.mountPoint), [
    "/sys/fs/cgroup/systemd",
    "/sys/fs/cgroup/cpu,cpuacct",
    "/sys/fs/cgroup/net_cls,net_prio",
    "/sys/fs/cgroup/memory",
    "/sys/fs/cgroup/hugetlb",
  ]);
});

test("a v2 host has only the unified mount", () => {
  const l = parseMountinfo(V2);
  assert.equal(l.version, "v2");
  assert.deepEqual(l.v1, {});
  assert.equal(l.unified?.mountPoint, "/sys/fs/cgroup");
});

test("mount roots (cgroup namespaces) and escaped mount points are decoded", () => {
  const l = parseMountinfo("40 31 0:38 /kubepods/pod1 /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
  assert.deepEqual(l.unified, { mountPoint: "/mnt/my cgroup", root: "/kubepods/pod1", controllers: [] });
});

test("no cgroup filesystem at all is an error", () => {
  assert.throws(() => parseMountinfo("22 1 8:1 / / rw - ext4 /dev/vda rw\n"), /no cgroup filesystem/);
});

test("/proc/self/cgroup: controller lists, the cgroup2 line, and paths with colons", () => {
  const entries = parseProcCgroup("9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/a:b\n0::/user.slice/x.scope\n");
  assert.deepEqual(entries[1], { hierarchy: 4, controllers: ["memory"], path: "/process_api/abc" });
  assert.equal(ownPathOf(entries, "memory"), "/process_api/abc");
  assert.equal(ownPathOf(entries, "cpuacct"), "/a:b");
  assert.equal(ownPathOf(entries, "name=systemd"), "/");
  assert.equal(ownPathOf(entries, ""), "/user.slice/x.scope");
  assert.equal(ownPathOf(entries, "pids"), undefined);
});
