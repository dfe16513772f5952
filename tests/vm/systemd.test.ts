/**
 * The systemd cgroup driver against the real systemd (the cgroup v2 guest
 * of tests/vm): the same bundle under `runc --systemd-cgroup` and `runt
 * --systemd-cgroup`, side by side — the same unit properties (systemctl
 * show), the same cgroup files, the process in the scope, update changing
 * both, pause and resume, kill, and delete leaving no unit and no cgroup.
 *
 * Known differences, by design: the unit's Description names runt, and
 * CPUWeight follows the shares→weight curve runt's cgroupfs driver uses
 * (runc 1.1's linear formula gives 20 for 512 shares, runt 59, as current
 * runc and crun do); runt's own value is checked instead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import process from "node:process";
import { makeBundle } from "../fixtures/bundle.ts";
import { cpuSharesToWeight } from "../../runtime/cgroups/convert.ts";
import { isRunningSystemd } from "../../runtime/cgroups/systemd/running.ts";
import { cgroupVersion, state, waitFor, withRoot } from "../integration/containers.ts";
import { leftovers } from "../integration/leftovers.ts";
import { hasCommand, isRoot, runt, runtArgv } from "../integration/runt.ts";

const skip = !isRoot
  ? "needs root"
  : !isRunningSystemd()
  ? "needs systemd as init (the tests/vm guest)"
  : cgroupVersion !== "v2"
  ? "needs a pure cgroup v2 host"
  : !hasCommand("runc") || !hasCommand("systemctl")
  ? "needs runc and systemctl"
  : false;

const MiB = 1024 * 1024;
const SHARES = 512;
const RUNTIMES: Array<[name: string, argv: string[]]> = [["runc", ["runc"]], ["runt", runtArgv()]];
const PROPERTIES = [
  "LoadState",
  "ActiveState",
  "Slice",
  "Delegate",
  "DefaultDependencies",
  "MemoryAccounting",
  "CPUAccounting",
  "IOAccounting",
  "TasksAccounting",
  "MemoryMax",
  "MemoryLow",
  "MemorySwapMax",
  "CPUQuotaPerSecUSec",
  "CPUQuotaPeriodUSec",
  "AllowedCPUs",
  "AllowedMemoryNodes",
  "TasksMax",
  "DevicePolicy",
  "DeviceAllow",
];
const FILES = ["memory.max", "memory.low", "memory.swap.max", "cpu.max", "pids.max", "cpuset.cpus", "cpuset.mems", "cgroup.type"];

/** `systemctl show UNIT -p …` as property → values (DeviceAllow is listed once per entry). */
function show(unit: string, properties = PROPERTIES): Record<string, string[]> {
  const r = spawnSync("systemctl", ["show", unit, ...properties.flatMap((p) => ["-p", p])], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, string[]> = {};
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) (out[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return out;
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, existsSync(`${dir}/${f}`) ? readFileSync(`${dir}/${f}`, "utf8").trim() : "(absent)"]));
}

interface Side {
  name: string;
  argv: string[];
  id: string;
  unit: string;
  dir: string;
  run(args: string[]): ReturnType<typeof runt>;
}

function sides(root: string, tag: string): Side[] {
  return RUNTIMES.map(([name, argv]) => {
    const id = `sd-${tag}-${name}-${process.pid}`;
    return {
      name,
      argv,
      id,
      unit: `sdtest-${id}.scope`,
      dir: `/sys/fs/cgroup/system.slice/sdtest-${id}.scope`,
      run: (args: string[]) => runt(["--root", `${root}/${name}`, "--systemd-cgroup", ...args], { argv, files: true }),
    };
  });
}

function bundleFor(side: Side) {
  return makeBundle(["sleep", "1000"], (s) => {
    s.linux!.cgroupsPath = `system.slice:sdtest:${side.id}`;
    s.linux!.resources = {
      ...s.linux!.resources,
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB },
      cpu: { shares: SHARES, quota: 50000, period: 100000, cpus: "0", mems: "0" },
      pids: { limit: 64 },
    };
  });
}

function statusOf(root: string, side: Side): string {
  return state(`${root}/${side.name}`, side.id, side.argv).status;
}

test("runt --systemd-cgroup and runc --systemd-cgroup: the same unit, cgroup files, update, pause, kill and delete", { skip }, withRoot((root) => {
  const both = sides(root, "life");
  const bundles = both.map(bundleFor);
  try {
    for (const [i, side] of both.entries()) {
      const c = side.run(["create", "--bundle", bundles[i].dir, side.id]);
      assert.equal(c.status, 0, `${side.name} create: ${c.stderr}`);
      const s = side.run(["start", side.id]);
      assert.equal(s.status, 0, `${side.name} start: ${s.stderr}`);
    }
    const [runc, runtSide] = both;

    // The unit: the same properties, the process inside it.
    const units = both.map((side) => show(side.unit));
    assert.deepEqual(units[1], units[0]);
    assert.deepEqual(units[1].ActiveState, ["active"]);
    assert.deepEqual(units[1].Delegate, ["yes"]);
    assert.deepEqual(show(runtSide.unit, ["Description"]).Description, [`runt container ${runtSide.id}`]);
    assert.deepEqual(show(runtSide.unit, ["CPUWeight"]).CPUWeight, [String(cpuSharesToWeight(SHARES))]);
    for (const side of both) {
      const pid = state(`${root}/${side.name}`, side.id, side.argv).pid;
      assert.equal(readFileSync(`/proc/${pid}/cgroup`, "utf8").trim(), `0::/system.slice/${side.unit}`, side.name);
      assert.deepEqual(show(side.unit, ["ControlGroup"]).ControlGroup, [`/system.slice/${side.unit}`]);
    }
    // The files: what systemd wrote and what each runtime wrote after it.
    assert.deepEqual(files(runtSide.dir), files(runc.dir));
    assert.equal(files(runtSide.dir)["memory.max"], String(64 * MiB));
    assert.equal(files(runtSide.dir)["cpu.max"], "50000 100000");
    assert.equal(readFileSync(`${runtSide.dir}/cpu.weight`, "utf8").trim(), String(cpuSharesToWeight(SHARES)));

    // update: the unit's properties and the files, both.
    for (const side of both) {
      const u = side.run(["update", "--memory", String(128 * MiB), "--memory-swap", String(160 * MiB), "--pids-limit", "100", "--cpu-quota", "20000", side.id]);
      assert.equal(u.status, 0, `${side.name} update: ${u.stderr}`);
    }
    const updated = both.map((side) => show(side.unit));
    assert.deepEqual(updated[1], updated[0]);
    assert.deepEqual(updated[1].MemoryMax, [String(128 * MiB)]);
    assert.deepEqual(updated[1].TasksMax, ["100"]);
    assert.deepEqual(files(runtSide.dir), files(runc.dir));
    assert.equal(files(runtSide.dir)["pids.max"], "100");

    // pause and resume: the scope's cgroup.freeze.
    for (const side of both) {
      assert.equal(side.run(["pause", side.id]).status, 0);
      assert.equal(readFileSync(`${side.dir}/cgroup.freeze`, "utf8").trim(), "1");
      assert.equal(statusOf(root, side), "paused");
      assert.equal(side.run(["resume", side.id]).status, 0);
      assert.equal(readFileSync(`${side.dir}/cgroup.freeze`, "utf8").trim(), "0");
      assert.equal(statusOf(root, side), "running");
    }

    // kill: the process ends, systemd lets the emptied scope go; delete finds nothing left to stop.
    for (const side of both) {
      assert.equal(side.run(["kill", side.id, "KILL"]).status, 0);
      waitFor(() => statusOf(root, side) === "stopped", `${side.name}'s container to stop`);
      const d = side.run(["delete", side.id]);
      assert.equal(d.status, 0, `${side.name} delete: ${d.stderr}`);
      assert.ok(!existsSync(side.dir), `${side.name} left ${side.dir}`);
      assert.deepEqual(show(side.unit, ["LoadState"]).LoadState, ["not-found"], side.name);
      assert.deepEqual(leftovers(`${root}/${side.name}`, side.id, [bundles[0].dir, bundles[1].dir]), []);
    }
  } finally {
    for (const side of both) side.run(["delete", "--force", side.id]);
    for (const b of bundles) b.cleanup();
  }
}));

test("delete --force of a running container stops its unit and leaves no scope, under both runtimes", { skip }, withRoot((root) => {
  const both = sides(root, "force");
  const bundles = both.map(bundleFor);
  try {
    for (const [i, side] of both.entries()) {
      assert.equal(side.run(["create", "--bundle", bundles[i].dir, side.id]).status, 0);
      assert.equal(side.run(["start", side.id]).status, 0);
      assert.deepEqual(show(side.unit, ["ActiveState"]).ActiveState, ["active"]);
      // Later commands follow the driver create chose, with or without the flag.
      const d = runt(["--root", `${root}/${side.name}`, "delete", "--force", side.id], { argv: side.argv, files: true });
      assert.equal(d.status, 0, `${side.name} delete: ${d.stderr}`);
      assert.ok(!existsSync(side.dir), `${side.name} left ${side.dir}`);
      assert.deepEqual(show(side.unit, ["LoadState"]).LoadState, ["not-found"], side.name);
    }
  } finally {
    for (const side of both) side.run(["delete", "--force", side.id]);
    for (const b of bundles) b.cleanup();
  }
}));

test("runt --systemd-cgroup without a cgroupsPath: system.slice:runt:<id>", { skip }, withRoot((root) => {
  const id = `sd-default-${process.pid}`;
  const b = makeBundle(["sleep", "1000"]);
  try {
    const c = runt(["--root", root, "--systemd-cgroup", "run", "-d", "--bundle", b.dir, id], { files: true });
    assert.equal(c.status, 0, c.stderr);
    const pid = state(root, id).pid;
    assert.equal(readFileSync(`/proc/${pid}/cgroup`, "utf8").trim(), `0::/system.slice/runt-${id}.scope`);
    const deleted = runt(["--root", root, "delete", "--force", id], { files: true });
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.ok(!existsSync(`/sys/fs/cgroup/system.slice/runt-${id}.scope`));
  } finally {
    runt(["--root", root, "delete", "--force", id], { files: true });
    b.cleanup();
  }
}));
