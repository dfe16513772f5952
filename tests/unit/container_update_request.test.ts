import { test } from "node:test";
import assert from "node:assert/strict";
import { ResourceValueError } from "../../runtime/container/errors.ts";
import { mergeResources, ramInBytes, resourcesFromFlags, updateRequest } from "../../runtime/container/update_request.ts";

test("sizes are read as docker's RAMInBytes reads them: binary units, any case, optional i and b", () => {
  const cases: Array<[string, number]> = [
    ["0", 0],
    ["4096", 4096],
    ["512k", 512 * 1024],
    ["512m", 512 * 2 ** 20],
    ["512M", 512 * 2 ** 20],
    ["512MB", 512 * 2 ** 20],
    ["512MiB", 512 * 2 ** 20],
    ["512mib", 512 * 2 ** 20],
    ["1 g", 2 ** 30],
    ["1.5g", 1.5 * 2 ** 30],
    ["2t", 2 * 2 ** 40],
    ["1p", 2 ** 50],
    ["10b", 10],
    ["1.0000001k", 1024],
  ];
  for (const [text, bytes] of cases) assert.equal(ramInBytes(text), bytes, text);
});

test("anything else is not a size", () => {
  for (const text of ["", "m", "-1", "1x", "1e3", "1.2.3", "1 2", " 1", "1kk", "1ki b", "0x10"]) {
    assert.throws(() => ramInBytes(text), ResourceValueError, text);
  }
});

test("update's flags become the resources runc's update would ask for", () => {
  assert.deepEqual(resourcesFromFlags({}), {});
  assert.deepEqual(
    resourcesFromFlags({
      memory: "128m",
      memoryReservation: "64m",
      memorySwap: "-1",
      cpuShare: "512",
      cpuQuota: "-1",
      cpuPeriod: "100000",
      cpuRtPeriod: "1000000",
      cpuRtRuntime: "950000",
      cpusetCpus: "0-1",
      cpusetMems: "0",
      pidsLimit: "-1",
      blkioWeight: "300",
    }),
    {
      memory: { limit: 128 * 2 ** 20, reservation: 64 * 2 ** 20, swap: -1 },
      cpu: { shares: 512, quota: -1, period: 100000, realtimePeriod: 1000000, realtimeRuntime: 950000, cpus: "0-1", mems: "0" },
      pids: { limit: -1 },
      blockIO: { weight: 300 },
    },
  );
  assert.deepEqual(resourcesFromFlags({ memory: "-1" }), { memory: { limit: -1 } });
  assert.deepEqual(resourcesFromFlags({ cpusetCpus: "" }), {});
});

test("a bad flag value is one line naming the flag", () => {
  const cases: Array<[Parameters<typeof resourcesFromFlags>[0], string]> = [
    [{ memory: "lots" }, '--memory: invalid size "lots" (expected bytes with an optional k, m, g, t or p suffix)'],
    [{ memorySwap: "-2" }, '--memory-swap: invalid size "-2" (expected bytes with an optional k, m, g, t or p suffix)'],
    [{ cpuShare: "-5" }, '--cpu-share: expected an unsigned integer, got "-5"'],
    [{ cpuPeriod: "1.5" }, '--cpu-period: expected an unsigned integer, got "1.5"'],
    [{ cpuQuota: "half" }, '--cpu-quota: expected an integer, got "half"'],
    [{ pidsLimit: "" }, '--pids-limit: expected an integer, got ""'],
  ];
  for (const [flags, message] of cases) {
    assert.throws(() => resourcesFromFlags(flags), (e: unknown) => e instanceof ResourceValueError && e.message === message);
  }
});

test("update leaves alone what runc's update leaves alone: zeros, device rules, kernel memory", () => {
  const { resources, ignored } = updateRequest({
    devices: [{ allow: true, access: "rwm" }],
    memory: { limit: 0, reservation: 0, swap: 0, kernel: 1024, kernelTCP: 0, swappiness: 0 },
    cpu: { shares: 0, quota: 0, period: 0, cpus: "", mems: "", idle: 0 },
    blockIO: { weight: 0 },
    pids: { limit: 0 },
    hugepageLimits: [{ pageSize: "2MB", limit: 0 }],
  });
  assert.deepEqual(resources, {
    // Zero is a real value for these: swappiness 0 and cpu.idle 0 are written.
    memory: { swappiness: 0 },
    cpu: { idle: 0 },
    hugepageLimits: [{ pageSize: "2MB", limit: 0 }],
  });
  assert.deepEqual(ignored, ["linux.resources.memory.kernel"]);
  assert.deepEqual(updateRequest({ pids: { limit: 7 }, memory: { limit: -1 } }), { resources: { pids: { limit: 7 }, memory: { limit: -1 } }, ignored: [] });
});

test("the request does not alter what it was given", () => {
  const requested = { memory: { limit: 0, kernel: 5 }, devices: [] };
  updateRequest(requested);
  assert.deepEqual(requested, { memory: { limit: 0, kernel: 5 }, devices: [] });
});

test("changes are laid over the current resources key by key; lists are replaced", () => {
  const current = {
    memory: { limit: 100, swap: 200 },
    cpu: { shares: 1024, cpus: "0-1" },
    devices: [{ allow: false, access: "rwm" }],
    hugepageLimits: [{ pageSize: "2MB", limit: 10 }, { pageSize: "1GB", limit: 0 }],
    unified: { "memory.high": "50" },
  };
  const merged = mergeResources(current, {
    memory: { limit: 300 },
    hugepageLimits: [{ pageSize: "2MB", limit: 20 }],
    unified: { "io.weight": "10" },
    pids: { limit: 5 },
  });
  assert.deepEqual(merged, {
    memory: { limit: 300, swap: 200 },
    cpu: { shares: 1024, cpus: "0-1" },
    devices: [{ allow: false, access: "rwm" }],
    hugepageLimits: [{ pageSize: "2MB", limit: 20 }],
    unified: { "memory.high": "50", "io.weight": "10" },
    pids: { limit: 5 },
  });
  assert.deepEqual(current.memory, { limit: 100, swap: 200 }, "the current resources are not modified");
  assert.deepEqual(mergeResources(undefined, { pids: { limit: 1 } }), { pids: { limit: 1 } });
});
