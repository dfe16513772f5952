/**
 * --systemd-cgroup where systemd is not running (this host; the guest in
 * tests/vm runs the driver against the real systemd): refused before
 * anything is made, in one line, as runc refuses it; and linux.cgroupsPath
 * checked for runc's "slice:prefix:name" form with runc's words.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { readLayout, v1Hierarchies } from "../../runtime/cgroups/mod.ts";
import { isRunningSystemd } from "../../runtime/cgroups/systemd/running.ts";
import { systemdUnitOf } from "../../runtime/cgroups/systemd/unit_name.ts";
import { noDaemon } from "../unit/dbus_support.ts";
import { startFake } from "../unit/systemd_fake_support.ts";
import { withRoot } from "./containers.ts";
import { leftovers } from "./leftovers.ts";
import { hasCommand, isRoot, runt, runtArgv } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "needs runc" : false;
const RUNTIMES: Array<[name: string, argv: string[]]> = [["runc", ["runc"]], ["runt", runtArgv()]];

/** Every hierarchy's directory of cgroup `path`. */
function cgroupDirsOf(path: string): string[] {
  const layout = readLayout();
  return [...v1Hierarchies(layout), ...(layout.unified ? [layout.unified] : [])].map((m) => `${m.mountPoint}${path}`);
}

/** What runc says after its "runc create failed: " prefix, from its text log on stderr. */
function runcMessage(stderr: string): string {
  const m = /msg="runc create failed: (.*)"$/m.exec(stderr);
  assert.ok(m, stderr);
  return JSON.parse(`"${m[1]}"`);
}

test("--systemd-cgroup where systemd is not running: one line, as runc refuses it, and nothing left behind", {
  skip: skip || (isRunningSystemd() ? "systemd runs here: tests/vm/systemd.test.ts covers the driver" : false),
}, withRoot((root) => {
  const id = `sd-none-${process.pid}`;
  const b = makeBundle(["sleep", "100"]);
  try {
    const results = Object.fromEntries(RUNTIMES.map(([name, argv]) => [name, runt(["--root", root, "--systemd-cgroup", "create", "--bundle", b.dir, id], { argv })]));
    assert.equal(results.runc.status, 1);
    assert.match(runcMessage(results.runc.stderr), /^systemd not running on this host/);
    const r = results.runt;
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.errLines, [
      "runt: --systemd-cgroup: systemd is not running on this host (no /run/systemd/system), so it cannot manage the container's cgroup: drop the flag to use cgroupfs",
    ]);
    assert.deepEqual(leftovers(root, id, [b.dir]), []);
    for (const dir of cgroupDirsOf(`/system.slice/runt-${id}.scope`)) assert.ok(!existsSync(dir), `${dir} was made`);
  } finally {
    b.cleanup();
  }
}));

test("--systemd-cgroup with a cgroupsPath not in slice:prefix:name form: runc's words, before anything is made", { skip }, withRoot((root) => {
  const id = `sd-path-${process.pid}`;
  for (const path of ["/runt/x", "a:b", "a:b:c:d"]) {
    const b = makeBundle(["true"], (s) => {
      s.linux!.cgroupsPath = path;
    });
    try {
      const runc = runt(["--root", root, "--systemd-cgroup", "create", "--bundle", b.dir, id], { argv: ["runc"] });
      const r = runt(["--root", root, "--systemd-cgroup", "create", "--bundle", b.dir, id]);
      assert.equal(runc.status, 1);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(r.errLines, [`runt: ${runcMessage(runc.stderr)}`]);
      assert.equal(r.errLines[0], `runt: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${JSON.stringify(path)} instead`);
      assert.deepEqual(leftovers(root, id, [b.dir]), []);
    } finally {
      b.cleanup();
    }
  }
}));

test("without --systemd-cgroup, a slice:prefix:name cgroupsPath is refused in one line naming the flag", { skip: isRoot ? false : "needs root" }, withRoot((root) => {
  const id = `sd-noflag-${process.pid}`;
  const b = makeBundle(["true"], (s) => {
    s.linux!.cgroupsPath = "system.slice:runt:x";
  });
  try {
    const r = runt(["--root", root, "create", "--bundle", b.dir, id]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.errLines, [
      `runt: linux.cgroupsPath "system.slice:runt:x" is systemd's "slice:prefix:name" form, which needs the systemd cgroup driver: pass --systemd-cgroup, or give a path such as "/runt/${id}"`,
    ]);
    assert.deepEqual(leftovers(root, id, [b.dir]), []);
  } finally {
    b.cleanup();
  }
}));

test("delete of a container whose cgroup systemd owns stops its unit, the driver loaded for that record alone", {
  skip: !isRoot ? "needs root" : noDaemon,
}, withRoot(async (root) => {
  // A create under --systemd-cgroup that died midway: its record names the unit, and systemd (a stand-in on a private bus) has it.
  const fake = await startFake();
  const id = `sd-delete-${process.pid}`;
  const unitDir = mkdtempSync(join(tmpdir(), "runt-sd-unit-"));
  try {
    const unit = systemdUnitOf(`system.slice:runt:${id}`, id);
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, "state.json"), JSON.stringify({
      id,
      ociVersion: "1.3.0",
      bundle: unitDir,
      rootfs: "",
      created: new Date().toISOString(),
      owner: "root",
      annotations: {},
      phase: "creating",
      pid: 0,
      pidStartTime: "",
      config: { ociVersion: "1.3.0" },
      creator: { pid: 2 ** 22 + 1, startTime: "1" },
      cgroup: { version: "v2", v1: {}, unified: unitDir, systemd: unit },
    }));
    const r = runt(["--root", root, "delete", id], { env: { DBUS_SYSTEM_BUS_ADDRESS: fake.address } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    const calls = await fake.calls(3);
    assert.deepEqual(calls.map((c) => c.member), ["Subscribe", "StopUnit", "ResetFailedUnit"]);
    assert.equal(calls[1].body[0], `runt-${id}.scope`);
    assert.ok(!existsSync(unitDir), "the unit's cgroup directory is left");
    assert.ok(!existsSync(join(root, id)), "the state directory is left");
  } finally {
    await fake.stop();
    rmSync(unitDir, { recursive: true, force: true });
  }
}));
