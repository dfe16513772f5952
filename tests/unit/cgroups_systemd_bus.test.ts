/**
 * The systemd driver's conversation with systemd, against a stand-in for
 * systemd's manager on a private bus (systemd_fake.ts): the calls, their
 * arguments as marshalled, waiting for the job, and what a failed, slow or
 * missing unit gives. The real systemd is tests/vm/systemd.test.ts's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls } from "../../ffi/mod.ts";
import { CgroupManager, loadSystemdDriver } from "../../runtime/cgroups/manager.ts";
import { parseMountinfo } from "../../runtime/cgroups/layout.ts";
import { SystemdBus } from "../../runtime/cgroups/systemd/manager_bus.ts";
import { systemdUnitOf, unitCgroupPath } from "../../runtime/cgroups/systemd/unit_name.ts";
import { noDaemon } from "./dbus_support.ts";
import { startFake } from "./systemd_fake_support.ts";

const sys = await loadSyscalls();
const skip = noDaemon;

test("start: StartTransientUnit with the unit's properties, then its job is awaited; stop: StopUnit, its job, ResetFailedUnit", { skip }, async () => {
  const fake = await startFake();
  try {
    const options = { address: fake.address };
    SystemdBus.with(sys, options, (bus) => {
      assert.equal(bus.version(), 252);
      bus.startTransientUnit("runt-c1.scope", [["PIDs", { signature: "au", value: [4242] }]]);
      bus.setUnitProperties("runt-c1.scope", [["MemoryMax", { signature: "t", value: 1048576n }]]);
      bus.stopUnit("runt-c1.scope");
    });
    const calls = await fake.calls(6);
    assert.deepEqual(calls.map((c) => c.member), ["Get", "Subscribe", "StartTransientUnit", "SetUnitProperties", "StopUnit", "ResetFailedUnit"]);
    assert.deepEqual(calls[2].body, ["runt-c1.scope", "replace", [["PIDs", { signature: "au", value: [4242] }]], []]);
    assert.deepEqual(calls[3].body, ["runt-c1.scope", true, [["MemoryMax", { signature: "t", value: "1048576n" }]]]);
    assert.deepEqual(calls[4].body, ["runt-c1.scope", "replace"]);
  } finally {
    await fake.stop();
  }
});

test("a job that fails, a unit left over, a unit already gone, a job that never ends", { skip }, async () => {
  const fake = await startFake();
  try {
    const options = { address: fake.address, jobTimeoutMs: 300 };
    SystemdBus.with(sys, options, (bus) => {
      assert.throws(() => bus.startTransientUnit("fail-c1.scope", []), {
        message: 'systemd could not start unit fail-c1.scope: its job ended "failed" (journalctl -u fail-c1.scope says why)',
      });
      // Taken once: reset and started again, as runc does with a failed leftover.
      bus.startTransientUnit("exists-c1.scope", []);
      // Stopped by systemd when its processes ended: nothing to stop.
      bus.stopUnit("gone.scope");
      assert.throws(() => bus.startTransientUnit("slow-c1.scope", []), { message: "timed out after 0.3 s waiting for systemd to create slow-c1.scope" });
    });
    const members = (await fake.calls(10)).map((c) => `${c.member} ${(c.body as string[])[0] ?? ""}`.trim());
    assert.deepEqual(members, [
      "Subscribe",
      "StartTransientUnit fail-c1.scope",
      "ResetFailedUnit fail-c1.scope",
      "StartTransientUnit exists-c1.scope",
      "ResetFailedUnit exists-c1.scope",
      "StartTransientUnit exists-c1.scope",
      "StopUnit gone.scope",
      "ResetFailedUnit gone.scope",
      "StartTransientUnit slow-c1.scope",
      "ResetFailedUnit slow-c1.scope",
    ]);
  } finally {
    await fake.stop();
  }
});

test("no bus to reach: one line naming systemd and the address", () => {
  assert.throws(() => SystemdBus.with(sys, { address: "unix:path=/nonexistent/bus" }, () => {}), {
    message: "cannot reach systemd: cannot connect to the D-Bus bus at unix:path=/nonexistent/bus (/nonexistent/bus: ENOENT)",
  });
});

test("the manager under the systemd driver: make starts the unit around the process, set sends properties then files, the state records the unit, destroy stops it", { skip }, async () => {
  // Loaded by the commands that need it (create --systemd-cgroup, delete and update of such a container).
  await loadSystemdDriver();
  const fake = await startFake();
  const root = mkdtempSync(join(tmpdir(), "runt-sd-"));
  try {
    const layout = parseMountinfo(`30 1 0:26 / ${root} rw - cgroup2 cgroup2 rw\n`);
    writeFileSync(join(root, "cgroup.controllers"), "cpu memory pids\n");
    writeFileSync(join(root, "cgroup.subtree_control"), "");
    const unit = systemdUnitOf("system.slice:runt:c1", "c1");
    const dir = `${root}${unitCgroupPath(unit)}`;
    // What systemd makes when the unit starts.
    mkdirSync(dir, { recursive: true });
    for (const f of ["cgroup.procs", "memory.max", "pids.max", "cgroup.freeze"]) writeFileSync(join(dir, f), "");
    const options = { layout, syscalls: sys, systemd: unit, systemdBus: { address: fake.address } };
    const m = CgroupManager.locate({ absolute: true, path: unitCgroupPath(unit) }, options);
    assert.deepEqual(m.make(4242), []);
    m.set({ memory: { limit: 1048576 }, pids: { limit: 10 } });
    assert.equal(readFileSync(join(dir, "memory.max"), "utf8"), "1048576");
    assert.equal(readFileSync(join(dir, "pids.max"), "utf8"), "10");
    const saved = m.toJSON();
    assert.deepEqual(saved, { version: "v2", v1: {}, unified: dir, systemd: unit });
    const again = CgroupManager.open(JSON.parse(JSON.stringify(saved)), { syscalls: sys, layout, systemdBus: { address: fake.address } });
    assert.equal(again.driver, "systemd");
    // systemd removes the cgroup with the unit; a plain directory holds its files.
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    again.destroy();
    assert.ok(!existsSync(dir));
    const calls = await fake.calls(7);
    assert.deepEqual(calls.map((c) => c.member), ["Subscribe", "StartTransientUnit", "Get", "SetUnitProperties", "Subscribe", "StopUnit", "ResetFailedUnit"]);
    const started = calls[1].body as [string, string, Array<[string, { value: unknown }]>];
    assert.equal(started[0], "runt-c1.scope");
    assert.deepEqual(started[2].find(([n]) => n === "PIDs")?.[1].value, [4242]);
    assert.deepEqual(started[2].find(([n]) => n === "Slice")?.[1].value, "system.slice");
    const set = calls[3].body as [string, boolean, Array<[string, { value: unknown }]>];
    assert.deepEqual(set[2].map(([n, v]) => [n, v.value]), [["MemoryMax", "1048576n"], ["TasksMax", "10n"]]);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await fake.stop();
  }
});
