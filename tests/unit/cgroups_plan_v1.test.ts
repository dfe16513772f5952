import { test } from "node:test";
import assert from "node:assert/strict";
import { planV1 } from "../../runtime/cgroups/v1.ts";
import { containerDeviceRules } from "../../runtime/cgroups/devices.ts";
import type { CgroupWrite } from "../../runtime/cgroups/write.ts";

/** [controller, file, value] — what runc's fs driver writes for the same resources. */
const brief = (writes: CgroupWrite[]) => writes.map((w) => [w.controller, w.file, w.value]);

test("memory, cpu and pids: the files and values runc's v1 driver writes, in its order", () => {
  const writes = planV1({
    memory: { limit: 67108864, reservation: 33554432, swappiness: 0, disableOOMKiller: true },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: "0-1", mems: "0" },
    pids: { limit: 20 },
  });
  assert.deepEqual(brief(writes), [
    ["cpuset", "cpuset.cpus", "0-1"],
    ["cpuset", "cpuset.mems", "0"],
    ["memory", "memory.limit_in_bytes", "67108864"],
    ["memory", "memory.soft_limit_in_bytes", "33554432"],
    ["memory", "memory.oom_control", "1"],
    ["memory", "memory.swappiness", "0"],
    ["cpu", "cpu.shares", "512"],
    ["cpu", "cpu.cfs_period_us", "100000"],
    ["cpu", "cpu.cfs_quota_us", "50000"],
    ["pids", "pids.max", "20"],
  ]);
  // The period may be refused until the quota is in (runc retries it after the quota).
  assert.equal(writes.find((w) => w.file === "cpu.cfs_period_us")?.retryAfterNext, true);
});

test("memory+swap: lowered limits write memory first, raised or unlimited swap writes memsw first", () => {
  assert.deepEqual(brief(planV1({ memory: { limit: 100, swap: 200 } }, { currentMemoryLimit: 1000n })), [
    ["memory", "memory.limit_in_bytes", "100"],
    ["memory", "memory.memsw.limit_in_bytes", "200"],
  ]);
  // Fresh cgroup (unlimited): memory first too, as the new swap is below the current limit.
  assert.deepEqual(brief(planV1({ memory: { limit: 100, swap: 200 } })).map((w) => w[1]), [
    "memory.limit_in_bytes",
    "memory.memsw.limit_in_bytes",
  ]);
  assert.deepEqual(brief(planV1({ memory: { limit: 100, swap: 5000 } }, { currentMemoryLimit: 1000n })).map((w) => w[1]), [
    "memory.memsw.limit_in_bytes",
    "memory.limit_in_bytes",
  ]);
  assert.deepEqual(brief(planV1({ memory: { limit: 100, swap: -1 } })), [
    ["memory", "memory.memsw.limit_in_bytes", "-1"],
    ["memory", "memory.limit_in_bytes", "100"],
  ]);
});

test("unlimited memory with swap unset also unlimits swap, where the kernel accounts swap", () => {
  const writes = planV1({ memory: { limit: -1 } });
  assert.deepEqual(brief(writes), [
    ["memory", "memory.memsw.limit_in_bytes", "-1"],
    ["memory", "memory.limit_in_bytes", "-1"],
  ]);
  assert.equal(writes[0].optional, true);
  assert.equal(writes[1].optional, undefined);
});

test("zero means unset for runc (except pids, where runtime-spec makes 0 a limit); -1 pids is max", () => {
  assert.deepEqual(planV1({ memory: { limit: 0, reservation: 0 }, cpu: { shares: 0, quota: 0 } }), []);
  assert.deepEqual(brief(planV1({ pids: { limit: 0 } })), [["pids", "pids.max", "0"]]);
  assert.deepEqual(brief(planV1({ pids: { limit: -1 } })), [["pids", "pids.max", "max"]]);
  assert.deepEqual(planV1({ pids: {} }), []);
});

test("swappiness above 100 is refused, -1 leaves it alone", () => {
  assert.throws(() => planV1({ memory: { swappiness: 101 } }), /swappiness 101 is out of range/);
  assert.deepEqual(planV1({ memory: { swappiness: -1 } }), []);
});

test("realtime, burst and idle cpu settings", () => {
  assert.deepEqual(brief(planV1({ cpu: { realtimePeriod: 1000000, realtimeRuntime: 950000, burst: 1000, idle: 1 } })), [
    ["cpu", "cpu.cfs_burst_us", "1000"],
    ["cpu", "cpu.rt_period_us", "1000000"],
    ["cpu", "cpu.rt_runtime_us", "950000"],
    ["cpu", "cpu.idle", "1"],
  ]);
});

test("block IO: weights (BFQ file first, CFQ fallback), per-device weights and throttles as major:minor value", () => {
  const writes = planV1({
    blockIO: {
      weight: 10,
      leafWeight: 10,
      weightDevice: [{ major: 8, minor: 0, weight: 500, leafWeight: 300 }, { major: 8, minor: 16, weight: 500 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
      throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 700 }],
      throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 80 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
    },
  });
  assert.deepEqual(brief(writes), [
    ["blkio", "blkio.bfq.weight", "10"],
    ["blkio", "blkio.leaf_weight", "10"],
    ["blkio", "blkio.bfq.weight_device", "8:0 500"],
    ["blkio", "blkio.leaf_weight_device", "8:0 300"],
    ["blkio", "blkio.bfq.weight_device", "8:16 500"],
    ["blkio", "blkio.throttle.read_bps_device", "8:0 600"],
    ["blkio", "blkio.throttle.write_bps_device", "8:0 700"],
    ["blkio", "blkio.throttle.read_iops_device", "8:0 80"],
    ["blkio", "blkio.throttle.write_iops_device", "8:16 300"],
  ]);
  assert.deepEqual(writes[0].fallback, { file: "blkio.weight", value: "10" });
  assert.deepEqual(writes[2].fallback, { file: "blkio.weight_device", value: "8:0 500" });
});

test("hugetlb, net_cls, net_prio and rdma", () => {
  const writes = planV1({
    hugepageLimits: [{ pageSize: "2MB", limit: 209715200 }],
    network: { classID: 1048577, priorities: [{ name: "eth0", priority: 500 }, { name: "eth1", priority: 1000 }] },
    rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 1000 } },
  });
  assert.deepEqual(brief(writes), [
    ["hugetlb", "hugetlb.2MB.limit_in_bytes", "209715200"],
    ["hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes", "209715200"],
    ["net_cls", "net_cls.classid", "1048577"],
    ["net_prio", "net_prio.ifpriomap", "eth0 500"],
    ["net_prio", "net_prio.ifpriomap", "eth1 1000"],
    ["rdma", "rdma.max", "mlx5_1 hca_handle=3 hca_object=10000"],
    ["rdma", "rdma.max", "mlx4_0 hca_object=1000"],
  ]);
  assert.equal(writes[1].optional, true);
});

test("values beyond 2^53 and at the int64 limit are written as integers the kernel accepts", () => {
  assert.deepEqual(brief(planV1({ memory: { limit: 2 ** 63 } })), [["memory", "memory.limit_in_bytes", "9223372036854775807"]]);
  assert.deepEqual(brief(planV1({ memory: { limit: 2 ** 60 } }))[0][2], "1152921504606846976");
  assert.deepEqual(brief(planV1({ memory: { limit: 1e21 } }))[0][2], "9223372036854775807");
});

test("devices on a fresh cgroup: deny all first, then the allowed rules, as runc's v1 driver writes them", () => {
  const rules = containerDeviceRules([{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 10, minor: 229, access: "rw" }]);
  assert.deepEqual(brief(planV1({}, { devices: rules })), [
    ["devices", "devices.deny", "a *:* rwm"],
    ["devices", "devices.allow", "b *:* m"],
    ["devices", "devices.allow", "c *:* m"],
    ["devices", "devices.allow", "c 1:3 rwm"],
    ["devices", "devices.allow", "c 1:5 rwm"],
    ["devices", "devices.allow", "c 1:7 rwm"],
    ["devices", "devices.allow", "c 1:8 rwm"],
    ["devices", "devices.allow", "c 1:9 rwm"],
    ["devices", "devices.allow", "c 5:0 rwm"],
    ["devices", "devices.allow", "c 5:2 rwm"],
    ["devices", "devices.allow", "c 10:200 rwm"],
    ["devices", "devices.allow", "c 10:229 rw"],
    ["devices", "devices.allow", "c 136:* rwm"],
  ]);
});

test("devices on an existing allow-list cgroup: only the difference is written (no deny-all window)", () => {
  const current = "c 1:3 rwm\nc 1:5 rwm\nc 10:229 rw\n";
  const rules = [
    { type: "a", major: -1, minor: -1, access: "rwm", allow: false },
    { type: "c", major: 1, minor: 3, access: "rwm", allow: true },
    { type: "c", major: 10, minor: 229, access: "r", allow: true },
    { type: "c", major: 4, minor: 1, access: "rw", allow: true },
  ] as const;
  assert.deepEqual(brief(planV1({}, { devices: [...rules], devicesList: current })), [
    ["devices", "devices.deny", "c 1:5 rwm"],
    ["devices", "devices.deny", "c 10:229 w"],
    ["devices", "devices.allow", "c 4:1 rw"],
  ]);
});

test("an allow-all spec rule turns the cgroup into a deny list", () => {
  const rules = [
    { type: "a", major: -1, minor: -1, access: "rwm", allow: true },
    { type: "b", major: 8, minor: 0, access: "rwm", allow: false },
  ] as const;
  assert.deepEqual(brief(planV1({}, { devices: [...rules] })), [
    ["devices", "devices.allow", "a *:* rwm"],
    ["devices", "devices.deny", "b 8:0 rwm"],
  ]);
});

test("unified on a v1 host is refused", () => {
  assert.throws(() => planV1({ unified: { "memory.high": "1000" } }), /invalid configuration: cannot use unified on cgroup v1 \(linux\.resources\.unified needs a cgroup v2 host/);
});
