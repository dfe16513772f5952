/**
 * `update --memory -1` on a container with a memory+swap limit, through
 * updateContainer on fake cgroup trees: runc lifts swap with memory, so the
 * old memory+swap limit never sits below "no limit" (v1's EINVAL) nor
 * becomes a swap limit without a memory limit (v2).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import type { SavedCgroup } from "../../runtime/cgroups/manager.ts";
import { updateContainer } from "../../runtime/container/update.ts";
import { resourcesFromFlags } from "../../runtime/container/update_request.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import { readProcStat } from "../../runtime/state/process.ts";
import { StateStore } from "../../runtime/state/store.ts";
import { OCI_VERSION } from "../../runtime/version.ts";

const MiB = 1024 * 1024;

/** A running container (this test process stands in for its init) whose cgroup is `cgroup`. */
function containerIn(cgroup: SavedCgroup, root: string): StateStore {
  const store = new StateStore(join(root, "state"));
  store.reserve("c");
  const config = defaultSpec();
  config.linux!.resources = { memory: { limit: 50 * MiB, swap: 100 * MiB } };
  store.write({
    id: "c",
    ociVersion: OCI_VERSION,
    bundle: root,
    rootfs: join(root, "rootfs"),
    created: new Date().toISOString(),
    owner: "root",
    annotations: {},
    phase: "running",
    pid: process.pid,
    pidStartTime: readProcStat(process.pid)!.startTime,
    config,
    cgroup,
  });
  return store;
}

async function updateMemory(store: StateStore, memory: string): Promise<void> {
  await updateContainer({ sys: new RecordingSyscalls(), store, warn: () => {} }, "c", resourcesFromFlags({ memory }), "update");
}

/** A v1 container at 50 MiB memory, 100 MiB memory+swap, updated with `--memory FLAG`; returns both files afterwards. */
async function updateV1(flag: string): Promise<{ limit: string; memsw: string; memory: unknown }> {
  const root = mkdtempSync(join(tmpdir(), "runt-upd-v1-"));
  try {
    const dir = join(root, "memory/c");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "memory.limit_in_bytes"), String(50 * MiB));
    writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(100 * MiB));
    const store = containerIn({ version: "v1", v1: { memory: dir } }, root);
    await updateMemory(store, flag);
    return {
      limit: readFileSync(join(dir, "memory.limit_in_bytes"), "utf8"),
      memsw: readFileSync(join(dir, "memory.memsw.limit_in_bytes"), "utf8"),
      memory: store.read("c").config.linux!.resources!.memory,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("v1: --memory -1 with a memory+swap limit set lifts both", async () => {
  assert.deepEqual(await updateV1("-1"), { limit: "-1", memsw: "-1", memory: { limit: -1 } });
});

test("v2: --memory -1 with a memory+swap limit set makes memory.max and memory.swap.max both max", async () => {
  const root = mkdtempSync(join(tmpdir(), "runt-upd-v2-"));
  try {
    const dir = join(root, "c");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "memory.max"), String(50 * MiB));
    writeFileSync(join(dir, "memory.swap.max"), String(50 * MiB));
    const store = containerIn({ version: "v2", v1: {}, unified: dir }, root);
    await updateMemory(store, "-1");
    assert.equal(readFileSync(join(dir, "memory.swap.max"), "utf8"), "max");
    assert.equal(readFileSync(join(dir, "memory.max"), "utf8"), "max");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a new memory limit alone keeps the memory+swap limit", async () => {
  assert.deepEqual(await updateV1("40m"), { limit: String(40 * MiB), memsw: String(100 * MiB), memory: { limit: 40 * MiB, swap: 100 * MiB } });
});
