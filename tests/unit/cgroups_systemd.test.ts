/** The systemd driver's pure parts: unit names and slices, and the unit properties runc's driver sends for the same input. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CgroupError } from "../../runtime/cgroups/errors.ts";
import { containerDeviceRules } from "../../runtime/cgroups/devices.ts";
import { rangeToBits } from "../../runtime/cgroups/systemd/cpuset.ts";
import { parseSystemdVersion } from "../../runtime/cgroups/systemd/manager_bus.ts";
import { cpuQuotaProperties, resourceProperties, startProperties, UINT64_MAX } from "../../runtime/cgroups/systemd/properties.ts";
import { deviceGroups } from "../../runtime/cgroups/systemd/device_properties.ts";
import { expandSlice, systemdUnitOf, unitCgroupPath } from "../../runtime/cgroups/systemd/unit_name.ts";
import { features } from "../../runtime/features.ts";

/** Properties as name → value, for comparing. */
const asObject = (props: Array<[string, { signature: string; value: unknown }]>) => props.map(([name, v]) => [name, v.signature, v.value]);

test("cgroupsPath slice:prefix:name → the unit prefix-name.scope in the slice; defaults as runc's, with runt's prefix", () => {
  assert.deepEqual(systemdUnitOf("machine.slice:libpod:abc", "c1"), { unit: "libpod-abc.scope", slice: "machine.slice", name: "abc" });
  assert.deepEqual(systemdUnitOf(":docker:abc", "c1"), { unit: "docker-abc.scope", slice: "system.slice", name: "abc" });
  assert.deepEqual(systemdUnitOf(undefined, "c1"), { unit: "runt-c1.scope", slice: "system.slice", name: "c1" });
  assert.deepEqual(systemdUnitOf("", "c1"), systemdUnitOf(undefined, "c1"));
  // A name that is a slice is that slice (kubelet's pod slices).
  assert.deepEqual(systemdUnitOf("kubepods.slice:x:kubepods-pod1.slice", "c1"), { unit: "kubepods-pod1.slice", slice: "kubepods.slice", name: "kubepods-pod1.slice" });
  assert.equal(unitCgroupPath(systemdUnitOf("a-b.slice:p:n", "c1")), "/a.slice/a-b.slice/p-n.scope");
  assert.equal(unitCgroupPath(systemdUnitOf("-.slice:p:n", "c1")), "/p-n.scope");
});

test("a cgroupsPath not in that form gets runc's words; a bad slice name is one line", () => {
  for (const path of ["/runt/x", "a:b", "a:b:c:d"]) {
    assert.throws(() => systemdUnitOf(path, "c1"), (e: unknown) =>
      e instanceof CgroupError && e.message === `expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${JSON.stringify(path)} instead`);
  }
  assert.throws(() => systemdUnitOf("system:runt:x", "c1"), /invalid slice name "system" in linux.cgroupsPath/);
});

test("slices expand as systemd nests them (runc's ExpandSlice cases)", () => {
  assert.equal(expandSlice("test.slice"), "/test.slice");
  assert.equal(expandSlice("test-a.slice"), "/test.slice/test-a.slice");
  assert.equal(expandSlice("test-a-b.slice"), "/test.slice/test-a.slice/test-a-b.slice");
  assert.equal(expandSlice("-.slice"), "/");
  for (const bad of ["test", ".slice", "test-.slice", "-test.slice", "test--a.slice", "a/b.slice"]) {
    assert.throws(() => expandSlice(bad), CgroupError, bad);
  }
});

test("cpuset lists as systemd's bitmasks (runc's RangeToBits cases)", () => {
  const cases: Array<[string, number[]]> = [
    ["0", [1]],
    ["1", [2]],
    ["0-1", [3]],
    ["0,1", [3]],
    [",0,1,", [3]],
    ["0-3", [0x0f]],
    ["0,1,2-3", [0x0f]],
    ["4-7", [0xf0]],
    ["0-7", [0xff]],
    ["0-15", [0xff, 0xff]],
    ["16", [0, 0, 1]],
    ["0-3,32-33", [0x0f, 0, 0, 0, 3]],
    ["1, 2, 1-2", [6]],
    ["    , 1   , 3  ,  5-7,\t", [0xea]],
    ["128-130,1", [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]],
  ];
  for (const [list, bits] of cases) assert.deepEqual(rangeToBits(list, "cpus"), bits, list);
  for (const bad of ["", "-", "1-", "-3", "54-53", "1 - 2"]) assert.throws(() => rangeToBits(bad, "cpus"), CgroupError, bad);
});

test("systemd's version from its Version property, as runc reads it", () => {
  const cases: Array<[string, number]> = [["219", 219], ["v245.4-1.fc32", 245], ["241-1", 241], ["v241-1", 241], ['"v252"', 252], ["252.22-1~deb12u1", 252], ["NaN", -1], ["", -1]];
  for (const [text, n] of cases) assert.equal(parseSystemdVersion(text), n, text);
});

test("CPU quota: per-second time rounded up to whole percents; the period from systemd 242; -1 is no limit", () => {
  assert.deepEqual(asObject(cpuQuotaProperties(50000, 100000, 252)), [["CPUQuotaPeriodUSec", "t", 100000n], ["CPUQuotaPerSecUSec", "t", 500000n]]);
  assert.deepEqual(asObject(cpuQuotaProperties(12345, 0, 252)), [["CPUQuotaPerSecUSec", "t", 130000n]]);
  assert.deepEqual(asObject(cpuQuotaProperties(10000, 50000, 241)), [["CPUQuotaPerSecUSec", "t", 200000n]]);
  assert.deepEqual(asObject(cpuQuotaProperties(-1, 0, 252)), [["CPUQuotaPerSecUSec", "t", UINT64_MAX]]);
  assert.deepEqual(asObject(cpuQuotaProperties(0, 20000, 252)), [["CPUQuotaPeriodUSec", "t", 20000n], ["CPUQuotaPerSecUSec", "t", UINT64_MAX]]);
  assert.deepEqual(cpuQuotaProperties(0, 0, 252), []);
});

test("a scope starts in its slice, delegated, with the container's process and accounting on, without default dependencies", () => {
  const ref = systemdUnitOf("system.slice:runt:c1", "c1");
  assert.deepEqual(asObject(startProperties(ref, 4242, "v2")), [
    ["Description", "s", "runt container c1"],
    ["Slice", "s", "system.slice"],
    ["Delegate", "b", true],
    ["PIDs", "au", [4242]],
    ["MemoryAccounting", "b", true],
    ["CPUAccounting", "b", true],
    ["IOAccounting", "b", true],
    ["TasksAccounting", "b", true],
    ["DefaultDependencies", "b", false],
  ]);
  // v1 systemd names I/O accounting after blkio.
  assert.ok(asObject(startProperties(ref, 1, "v1")).some(([n]) => n === "BlockIOAccounting"));
  // A slice goes under its parent with Wants=, and is not delegated.
  const slice = asObject(startProperties(systemdUnitOf("a.slice:x:a-b.slice", "c1"), 1, "v2")).map(([n]) => n);
  assert.ok(slice.includes("Wants") && !slice.includes("Slice") && !slice.includes("Delegate"));
});

test("resources as v2 unit properties, in runc's order, the device list as runc's DeviceAllow", () => {
  const MiB = 1024 * 1024;
  const props = resourceProperties({
    memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: "0-1", mems: "0" },
    pids: { limit: 64 },
    blockIO: { weight: 500 },
    unified: { "memory.high": "50331648", "io.weight": "default 200" },
  }, containerDeviceRules([{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 10, minor: 229, access: "rw" }]), {
    systemdVersion: 252,
    cgroupVersion: "v2",
    // A host without /dev/net/tun (10:200), whose /proc/devices names major 136 "pts".
    deviceHost: { groupOf: (type, major) => type === "c" && major === 136 ? "pts" : undefined, exists: (path) => path !== "/dev/char/10:200" },
  });
  assert.deepEqual(asObject(props), [
    ["DevicePolicy", "s", "strict"],
    ["DeviceAllow", "a(ss)", []],
    ["DeviceAllow", "a(ss)", [
      ["block-*", "m"],
      ["char-*", "m"],
      ["/dev/char/1:3", "rwm"],
      ["/dev/char/1:5", "rwm"],
      ["/dev/char/1:7", "rwm"],
      ["/dev/char/1:8", "rwm"],
      ["/dev/char/1:9", "rwm"],
      ["/dev/char/5:0", "rwm"],
      ["/dev/char/5:2", "rwm"],
      ["/dev/char/10:229", "rw"],
      ["char-pts", "rwm"],
    ]],
    ["MemoryMax", "t", BigInt(64 * MiB)],
    ["MemoryLow", "t", BigInt(32 * MiB)],
    ["MemorySwapMax", "t", BigInt(32 * MiB)],
    ["CPUWeight", "t", 59n],
    ["CPUQuotaPeriodUSec", "t", 100000n],
    ["CPUQuotaPerSecUSec", "t", 500000n],
    ["TasksMax", "t", 64n],
    ["AllowedCPUs", "ay", [3]],
    ["AllowedMemoryNodes", "ay", [1]],
    ["MemoryHigh", "t", 50331648n],
  ]);
});

test("-1 limits are systemd's infinity; unset ones are not sent; an allow-all device list is policy auto", () => {
  const props = resourceProperties({ memory: { limit: -1 }, pids: { limit: -1 } }, [{ type: "a", major: -1, minor: -1, access: "rwm", allow: true }], {
    systemdVersion: 252,
    cgroupVersion: "v2",
  });
  assert.deepEqual(asObject(props), [
    ["DevicePolicy", "s", "auto"],
    ["DeviceAllow", "a(ss)", []],
    ["MemoryMax", "t", UINT64_MAX],
    ["MemorySwapMax", "t", UINT64_MAX],
    ["TasksMax", "t", UINT64_MAX],
  ]);
  assert.deepEqual(resourceProperties(undefined, undefined, { systemdVersion: 252, cgroupVersion: "v2" }), []);
});

test("v1 hosts: runc's v1 properties (MemoryLimit, CPUShares, BlockIOWeight); no cpuset before systemd 244", () => {
  const props = resourceProperties({ memory: { limit: 1048576 }, cpu: { shares: 512, cpus: "0" }, blockIO: { weight: 300 } }, undefined, {
    systemdVersion: 243,
    cgroupVersion: "hybrid",
  });
  assert.deepEqual(asObject(props), [["MemoryLimit", "t", 1048576n], ["CPUShares", "t", 512n], ["BlockIOWeight", "t", 300n]]);
});

test("runt features reports the systemd driver (not the user instance)", () => {
  assert.equal(features().linux.cgroup.systemd, true);
  assert.equal(features().linux.cgroup.systemdUser, false);
});

test("/proc/devices read as runc reads it: the group of a major, by type, the first name listed", () => {
  const text = "Character devices:\n  1 mem\n  5 /dev/tty\n136 pts\n136 other\n\nBlock devices:\n  7 loop\n254 virtblk\n";
  assert.deepEqual([...deviceGroups(text, "c")], [[1, "mem"], [5, "/dev/tty"], [136, "pts"]]);
  assert.deepEqual([...deviceGroups(text, "b")], [[7, "loop"], [254, "virtblk"]]);
});
