import { test } from "node:test";
import assert from "node:assert/strict";
import { planV2 } from "../../runtime/cgroups/v2.ts";
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from "../../runtime/cgroups/convert.ts";
import type { CgroupWrite } from "../../runtime/cgroups/write.ts";

const brief = (writes: CgroupWrite[]) => writes.map((w) => [w.file, w.value]);

test("cpu shares → cpu.weight: runc's cases (min, just above, default 1024 → 100, max, out of range)", () => {
  const cases: Array<[number, number]> = [[0, 0], [1, 1], [2, 1], [3, 2], [1024, 100], [262143, 10000], [262144, 10000], [262145, 10000]];
  for (const [shares, weight] of cases) assert.equal(cpuSharesToWeight(shares), weight, `shares ${shares}`);
  assert.equal(cpuSharesToWeight(512), 59);
});

test("blkio weight → io.weight: runc's cases", () => {
  assert.equal(blkioWeightToIoWeight(0), 0);
  assert.equal(blkioWeightToIoWeight(10), 1);
  assert.equal(blkioWeightToIoWeight(1000), 10000);
  assert.equal(blkioWeightToIoWeight(500), 4950);
});

test("memory+swap → memory.swap.max: runc's cases", () => {
  const ok: Array<[number, number, number]> = [[0, 0, 0], [-1, 0, -1], [-1, -1, -1], [-1, 1000, -1], [1000, 1000, 0], [500, 200, 300], [0, -1, -1]];
  for (const [swap, memory, want] of ok) assert.equal(memorySwapToV2(swap, memory), want, `swap ${swap} memory ${memory}`);
  for (const [swap, memory] of [[-2, 0], [300, 400], [300, 0], [300, -1]]) {
    assert.throws(() => memorySwapToV2(swap, memory), /linux\.resources\.memory/, `swap ${swap} memory ${memory}`);
  }
});

test("memory: swap.max, max and low, -1 as max", () => {
  assert.deepEqual(brief(planV2({ memory: { limit: 67108864, swap: 134217728, reservation: 33554432 } })), [
    ["memory.swap.max", "67108864"],
    ["memory.max", "67108864"],
    ["memory.low", "33554432"],
  ]);
  // swap == limit: no swap at all, written as 0 rather than skipped.
  assert.deepEqual(brief(planV2({ memory: { limit: 1000, swap: 1000 } })), [["memory.swap.max", "0"], ["memory.max", "1000"]]);
  const unlimited = planV2({ memory: { limit: -1 } });
  assert.deepEqual(brief(unlimited), [["memory.swap.max", "max"], ["memory.max", "max"]]);
  assert.equal(unlimited[0].optional, true);
  assert.deepEqual(brief(planV2({ memory: { limit: 1000 } })), [["memory.max", "1000"]]);
  // Knobs without a v2 file are not written, as in runc.
  assert.deepEqual(planV2({ memory: { kernel: 1000, swappiness: 10, disableOOMKiller: true } }), []);
});

test("cpu: weight from shares, cpu.max as 'quota period' or 'max period'", () => {
  assert.deepEqual(brief(planV2({ cpu: { shares: 1024, quota: 50000, period: 200000 } })), [
    ["cpu.weight", "100"],
    ["cpu.max", "50000 200000"],
  ]);
  assert.deepEqual(brief(planV2({ cpu: { quota: 50000 } })), [["cpu.max", "50000 100000"]]);
  assert.deepEqual(brief(planV2({ cpu: { quota: -1, period: 100000 } })), [["cpu.max", "max 100000"]]);
  assert.deepEqual(brief(planV2({ cpu: { period: 250000 } })), [["cpu.max", "max 250000"]]);
  assert.deepEqual(brief(planV2({ cpu: { burst: 1000, idle: 1, cpus: "0-3", mems: "0" } })), [
    ["cpu.max.burst", "1000"],
    ["cpu.idle", "1"],
    ["cpuset.cpus", "0-3"],
    ["cpuset.mems", "0"],
  ]);
  assert.throws(() => planV2({ cpu: { realtimeRuntime: 950000 } }), /no cgroup v2 equivalent/);
});

test("pids, io, hugetlb, rdma and unified, in runc's order with unified last", () => {
  const writes = planV2({
    unified: { "memory.high": "50000000", "io.max": "259:0 rbps=2097152" },
    pids: { limit: -1 },
    blockIO: {
      weight: 500,
      leafWeight: 300,
      weightDevice: [{ major: 8, minor: 0, weight: 100 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
      throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 700 }],
      throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 80 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
    },
    hugepageLimits: [{ pageSize: "1GB", limit: 1073741824 }],
    rdma: { mlx5_1: { hcaHandles: 3 } },
  });
  assert.deepEqual(brief(writes), [
    ["pids.max", "max"],
    ["io.bfq.weight", "500"],
    ["io.bfq.weight", "8:0 100"],
    ["io.max", "8:0 rbps=600"],
    ["io.max", "8:0 wbps=700"],
    ["io.max", "8:0 riops=80"],
    ["io.max", "8:16 wiops=300"],
    ["hugetlb.1GB.max", "1073741824"],
    ["hugetlb.1GB.rsvd.max", "1073741824"],
    ["rdma.max", "mlx5_1 hca_handle=3"],
    ["memory.high", "50000000"],
    ["io.max", "259:0 rbps=2097152"],
  ]);
  assert.deepEqual(writes[1].fallback, { file: "io.weight", value: "4950" });
  assert.deepEqual(writes[2].fallback, { file: "io.weight", value: "8:0 910" });
  assert.ok(writes.every((w) => w.controller === ""));
});

test("unified keys that are not plain cgroup file names are refused", () => {
  for (const key of ["../cgroup.procs", "sub/memory.max", "memory..max", "", "nodot"]) {
    assert.throws(() => planV2({ unified: { [key]: "1" } }), /linux\.resources\.unified key/, key);
  }
});

test("network settings have no v2 files and are left out, as runc does", () => {
  assert.deepEqual(planV2({ network: { classID: 1, priorities: [{ name: "eth0", priority: 1 }] } }), []);
});
