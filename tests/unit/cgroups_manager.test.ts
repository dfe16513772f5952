import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CgroupManager } from "../../runtime/cgroups/manager.ts";
import { containerDeviceRules } from "../../runtime/cgroups/devices.ts";
import { parseMountinfo, parseProcCgroup } from "../../runtime/cgroups/layout.ts";
import { resolveCgroupsPath } from "../../runtime/cgroups/path.ts";
import { statsEventJson } from "../../runtime/cgroups/stats.ts";
import type { WriteRecord } from "../../runtime/cgroups/files.ts";
import { createContainerCgroup } from "../../runtime/cgroups/container.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_PROG_TYPE_CGROUP_DEVICE, SIGKILL, SIGTERM } from "../../ffi/constants.ts";

/** Files as the kernel would show them in a cgroup directory. */
function populate(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** cgroupfs files vanish with their directory; in a plain tree they must go first for rmdir to work. */
function dropFiles(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) dropFiles(join(dir, e.name));
    else unlinkSync(join(dir, e.name));
  }
}

function v1Tree(): { root: string; layout: ReturnType<typeof parseMountinfo>; own: ReturnType<typeof parseProcCgroup> } {
  const root = mkdtempSync(join(tmpdir(), "runt-cg-v1-"));
  const mounts = ["cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "pids", "blkio", "systemd"];
  for (const m of mounts) mkdirSync(join(root, m));
  const opts: Record<string, string> = { systemd: "name=systemd" };
  const layout = parseMountinfo(
    mounts.map((m, i) => `${30 + i} 25 0:${40 + i} / ${root}/${m} rw - cgroup cgroup rw,${opts[m] ?? m}`).join("\n"),
  );
  const own = parseProcCgroup("8:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n");
  mkdirSync(join(root, "memory/process_api/abc"), { recursive: true });
  populate(join(root, "cpuset"), { "cpuset.cpus": "0-3\n", "cpuset.mems": "0\n" });
  // An intermediate cgroup that exists but never got cpus or mems.
  populate(join(root, "cpuset/runt-test"), { "cpuset.cpus": "\n", "cpuset.mems": "\n" });
  return { root, layout, own };
}

const rel = (root: string, journal: WriteRecord[]) => journal.map((w) => [w.path.slice(root.length + 1), w.value]);

test("v1: directories per hierarchy, resources, devices, pids, freezer, signals, stats and removal on a fake tree", () => {
  const { root, layout, own } = v1Tree();
  const journal: WriteRecord[] = [];
  const sys = new RecordingSyscalls();
  try {
    const m = CgroupManager.create(resolveCgroupsPath("runt-test/c1", "c1"), { layout, ownCgroups: own, journal, syscalls: sys });
    assert.equal(m.version, "v1");
    const saved = m.toJSON();
    assert.equal(saved.v1.cpu, `${root}/cpu,cpuacct/runt-test/c1`);
    assert.equal(saved.v1.cpuacct, saved.v1.cpu);
    assert.equal(saved.v1.memory, `${root}/memory/process_api/abc/runt-test/c1`);
    assert.equal(saved.v1["name=systemd"], `${root}/systemd/runt-test/c1`);
    assert.equal(saved.unified, undefined);
    assert.equal(m.dirs().length, 8);
    for (const d of m.dirs()) assert.ok(statSync(d).isDirectory(), d);
    // The existing but empty intermediate cpuset got its parent's cpus and mems.
    assert.deepEqual(rel(root, journal), [["cpuset/runt-test/cpuset.cpus", "0-3"], ["cpuset/runt-test/cpuset.mems", "0"]]);
    journal.length = 0;

    // What the kernel shows in the new directories.
    populate(saved.v1.memory, { "memory.limit_in_bytes": "9223372036854771712\n", "memory.memsw.limit_in_bytes": "", "memory.soft_limit_in_bytes": "" });
    populate(saved.v1.cpu, { "cpu.shares": "1024\n", "cpu.cfs_period_us": "", "cpu.cfs_quota_us": "" });
    populate(saved.v1.pids, { "pids.max": "max\n" });
    populate(saved.v1.devices, { "devices.list": "a *:* rwm\n", "devices.allow": "", "devices.deny": "" });
    populate(saved.v1.blkio, { "blkio.weight": "" });
    populate(saved.v1.freezer, { "freezer.state": "THAWED\n" });
    for (const d of m.dirs()) populate(d, { "cgroup.procs": "" });

    m.set(
      { memory: { limit: 67108864 }, cpu: { shares: 512, quota: 20000, period: 100000 }, pids: { limit: 20 }, blockIO: { weight: 300 } },
      { devices: containerDeviceRules([{ allow: false, access: "rwm" }]).slice(0, 4) },
    );
    assert.deepEqual(rel(root, journal), [
      ["devices/runt-test/c1/devices.deny", "a *:* rwm"],
      ["devices/runt-test/c1/devices.allow", "b *:* m"],
      ["devices/runt-test/c1/devices.allow", "c *:* m"],
      ["devices/runt-test/c1/devices.allow", "c 1:3 rwm"],
      ["memory/process_api/abc/runt-test/c1/memory.limit_in_bytes", "67108864"],
      ["cpu,cpuacct/runt-test/c1/cpu.shares", "512"],
      ["cpu,cpuacct/runt-test/c1/cpu.cfs_period_us", "100000"],
      ["cpu,cpuacct/runt-test/c1/cpu.cfs_quota_us", "20000"],
      ["pids/runt-test/c1/pids.max", "20"],
      // No blkio.bfq.weight in this tree: the CFQ file takes the value.
      ["blkio/runt-test/c1/blkio.weight", "300"],
    ]);
    assert.equal(readFileSync(`${saved.v1.memory}/memory.limit_in_bytes`, "utf8"), "67108864");
    journal.length = 0;

    m.apply(1234);
    assert.deepEqual(journal.map((w) => w.value), Array(8).fill("1234"));
    assert.deepEqual(journal.map((w) => w.path).sort(), m.dirs().map((d) => `${d}/cgroup.procs`).sort());

    writeFileSync(`${saved.v1.freezer}/cgroup.procs`, "1234\n1240\n");
    populate(`${saved.v1.freezer}/inner`, { "cgroup.procs": "1300\n" });
    assert.deepEqual(m.pids(), [1234, 1240, 1300]);

    assert.equal(m.state(), "thawed");
    m.freeze();
    assert.equal(m.state(), "frozen");
    m.thaw();
    assert.equal(m.state(), "thawed");

    journal.length = 0;
    m.killAll(SIGTERM);
    assert.deepEqual(sys.callsTo("kill"), [[1234, SIGTERM], [1240, SIGTERM], [1300, SIGTERM]]);
    // Signals go out while the cgroup is frozen.
    assert.deepEqual(journal.map((w) => w.value), ["FROZEN", "THAWED"]);
    // An empty cgroup (its processes all gone) is neither frozen nor thawed.
    writeFileSync(`${saved.v1.freezer}/cgroup.procs`, "");
    writeFileSync(`${saved.v1.freezer}/inner/cgroup.procs`, "");
    journal.length = 0;
    m.killAll(SIGKILL);
    assert.deepEqual(journal, []);
    assert.equal(sys.callsTo("kill").length, 3);
    writeFileSync(`${saved.v1.freezer}/cgroup.procs`, "1234\n1240\n");
    writeFileSync(`${saved.v1.freezer}/inner/cgroup.procs`, "1300\n");

    populate(saved.v1.memory, {
      "memory.usage_in_bytes": "1048576\n",
      "memory.max_usage_in_bytes": "2097152\n",
      "memory.failcnt": "3\n",
      "memory.stat": "cache 4096\nrss 8192\n",
      "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
    });
    populate(saved.v1.cpu, {
      "cpuacct.usage": "5000000\n",
      "cpuacct.usage_percpu": "3000000 2000000 \n",
      "cpuacct.stat": "user 3\nsystem 1\n",
      "cpu.stat": "nr_periods 10\nnr_throttled 2\nthrottled_time 12345\n",
    });
    populate(saved.v1.pids, { "pids.current": "3\n" });
    assert.equal(
      statsEventJson("c1", m.stats()),
      JSON.stringify({
        type: "stats",
        id: "c1",
        data: {
          cpu: {
            usage: { total: 5000000, percpu: [3000000, 2000000], kernel: 10000000, user: 30000000 },
            throttling: { periods: 10, throttledPeriods: 2, throttledTime: 12345 },
          },
          memory: {
            cache: 4096,
            usage: { limit: 67108864, usage: 1048576, max: 2097152, failcnt: 3 },
            swap: { limit: 0, failcnt: 0 },
            kernel: { limit: 0, failcnt: 0 },
            kernelTCP: { limit: 0, failcnt: 0 },
            raw: { cache: 4096, rss: 8192 },
          },
          pids: { current: 3, limit: 20 },
          blkio: {},
          hugetlb: {},
          intel_rdt: {},
          network_interfaces: null,
        },
      }),
    );
    assert.equal(m.oomKillCount(), 2);
    const oom = m.oomEvents();
    assert.equal(oom.poll(), 0);
    writeFileSync(`${saved.v1.memory}/memory.oom_control`, "oom_kill 5\n");
    assert.equal(oom.poll(), 3);

    // A reopened manager (another runt process) finds the same cgroup.
    const again = CgroupManager.open(JSON.parse(JSON.stringify(saved)), { layout, ownCgroups: own });
    assert.deepEqual(again.pids(), [1234, 1240, 1300]);

    for (const d of m.dirs()) dropFiles(d);
    m.destroy();
    for (const d of m.dirs()) assert.equal(existsSync(d), false, d);
    assert.equal(existsSync(`${saved.v1.freezer}/inner`), false);
    // Parents are shared with other containers and stay.
    assert.ok(existsSync(`${root}/memory/process_api/abc/runt-test`));
    assert.ok(existsSync(`${root}/freezer/runt-test`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("v1: a failed write names the file and the value in one line; missing controllers and optional files", () => {
  const { root, layout, own } = v1Tree();
  try {
    const m = CgroupManager.create(resolveCgroupsPath("/c2", "c2"), { layout, ownCgroups: own });
    const mem = m.dirOf("memory")!;
    assert.equal(mem, `${root}/memory/c2`);
    mkdirSync(`${mem}/memory.limit_in_bytes`);
    assert.throws(() => m.set({ memory: { limit: 1000 } }), (e: Error) => {
      assert.equal(e.message, `cannot write "1000" to ${mem}/memory.limit_in_bytes: EISDIR (Is a directory)`);
      return true;
    });
    assert.throws(
      () => m.set({ hugepageLimits: [{ pageSize: "2MB", limit: 1 }] }),
      /cannot write "1" to hugetlb\.2MB\.limit_in_bytes: the hugetlb controller is not mounted on this host/,
    );
    // A file the kernel does not have (no swap accounting) is skipped when the write is optional…
    populate(m.dirOf("memory")!, {});
    rmSync(`${mem}/memory.limit_in_bytes`, { recursive: true });
    populate(mem, { "memory.limit_in_bytes": "" });
    m.set({ memory: { limit: -1 } });
    assert.equal(readFileSync(`${mem}/memory.limit_in_bytes`, "utf8"), "-1");
    // …and an error when it is not.
    assert.throws(() => m.set({ memory: { limit: 100, swap: 200 } }), /memory\.memsw\.limit_in_bytes: ENOENT/);

    for (const d of m.dirs()) dropFiles(d);
    m.destroy();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("v1: a cgroup that already has processes is taken with runc 1.1's warnings", () => {
  const { root, layout, own } = v1Tree();
  try {
    populate(`${root}/freezer/busy`, { "cgroup.procs": "999\n", "freezer.state": "THAWED\n" });
    const m = CgroupManager.locate(resolveCgroupsPath("/busy", "busy"), { layout, ownCgroups: own });
    assert.deepEqual(m.make(), [
      "container's cgroup is not empty: 1 process(es) found",
      "DEPRECATED: running container in a non-empty cgroup won't be supported in runc 1.2; https://github.com/opencontainers/runc/issues/3132",
    ]);
    assert.ok(existsSync(`${root}/memory/busy`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("v1: create refuses a frozen cgroup in runc's words, and removes what it made", () => {
  const { root, layout, own } = v1Tree();
  try {
    populate(`${root}/freezer/cold`, { "cgroup.procs": "", "freezer.state": "FROZEN\n" });
    assert.throws(
      () => CgroupManager.create(resolveCgroupsPath("/cold", "cold"), { layout, ownCgroups: own }),
      /^CgroupError: container's cgroup unexpectedly frozen: cgroup \/cold/,
    );
    assert.equal(existsSync(`${root}/memory/cold`), false);
    assert.equal(existsSync(`${root}/cpu,cpuacct/cold`), false);
    assert.equal(readFileSync(`${root}/freezer/cold/freezer.state`, "utf8"), "FROZEN\n");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("destroy reports each cgroup it could not remove, one line each", () => {
  const { root, layout, own } = v1Tree();
  try {
    const m = CgroupManager.create(resolveCgroupsPath("/c3", "c3"), { layout, ownCgroups: own });
    populate(m.dirOf("memory")!, { "stray": "" });
    populate(m.dirOf("pids")!, { "stray": "" });
    assert.throws(() => m.destroy(), (e: Error) => {
      const lines = e.message.split("\n");
      assert.equal(lines.length, 2);
      assert.match(lines[0], /^cannot remove cgroup .*\/memory\/c3: ENOTEMPTY/);
      assert.match(lines[1], /^cannot remove cgroup .*\/pids\/c3: ENOTEMPTY/);
      return true;
    });
    assert.equal(existsSync(`${root}/cpuset/c3`), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("v2: controllers enabled down the path, resources, the BPF device filter, cgroup.kill, freeze and stats", () => {
  const root = mkdtempSync(join(tmpdir(), "runt-cg-v2-"));
  const journal: WriteRecord[] = [];
  const sys = new RecordingSyscalls();
  try {
    const layout = parseMountinfo(`35 24 0:30 / ${root} rw - cgroup2 cgroup2 rw,nsdelegate`);
    populate(root, { "cgroup.controllers": "cpuset cpu io memory pids\n", "cgroup.subtree_control": "\n" });
    populate(`${root}/runt`, { "cgroup.controllers": "cpuset cpu io memory pids\n", "cgroup.subtree_control": "cpu io\n" });
    const m = createContainerCgroup({ id: "c1", linux: {} }, { layout, ownCgroups: parseProcCgroup("0::/user.slice/x.scope\n"), journal, syscalls: sys });
    const dir = `${root}/runt/c1`;
    assert.deepEqual(m.toJSON(), { version: "v2", v1: {}, unified: dir });
    assert.deepEqual(rel(root, journal), [
      ["cgroup.subtree_control", "+cpuset +cpu +io +memory +pids"],
      ["runt/cgroup.subtree_control", "+cpuset +memory +pids"],
    ]);
    // The default device rules went in as a BPF program on the new cgroup.
    const [load] = sys.callsTo("bpfProgLoad");
    assert.equal(load[0], BPF_PROG_TYPE_CGROUP_DEVICE);
    assert.equal((load[1] as Uint8Array).length, 64 * 8);
    assert.deepEqual(load.slice(2), ["Apache", BPF_CGROUP_DEVICE]);
    assert.deepEqual(sys.callsTo("open")[0].slice(0, 1), [dir]);
    const dirFd = sys.callsTo("bpfProgQuery")[0][0] as number;
    assert.deepEqual(sys.callsTo("bpfProgAttach"), [[dirFd, dirFd + 1, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI]]);
    assert.deepEqual(sys.callsTo("bpfProgDetach"), []);

    populate(dir, {
      "memory.max": "max\n",
      "memory.swap.max": "max\n",
      "memory.low": "0\n",
      "memory.high": "max\n",
      "cpu.weight": "100\n",
      "cpu.max": "max 100000\n",
      "pids.max": "max\n",
      "io.weight": "default 100\n",
      "cgroup.procs": "",
      "cgroup.freeze": "0\n",
      "cgroup.events": "populated 1\nfrozen 0\n",
      "cgroup.kill": "",
    });
    journal.length = 0;
    sys.clear();
    // The fake hands out descriptors in order: the update opens the directory as the next one after the first program.
    sys.attachedPrograms.set(dirFd + 2, [77]);
    m.set(
      { memory: { limit: 67108864, swap: 134217728 }, cpu: { shares: 512, quota: 50000 }, pids: { limit: 20 }, blockIO: { weight: 500 }, unified: { "memory.high": "60000000" } },
      { devices: containerDeviceRules(undefined) },
    );
    assert.deepEqual(rel(root, journal), [
      ["runt/c1/pids.max", "20"],
      ["runt/c1/memory.swap.max", "67108864"],
      ["runt/c1/memory.max", "67108864"],
      ["runt/c1/io.weight", "4950"],
      ["runt/c1/cpu.weight", "59"],
      ["runt/c1/cpu.max", "50000 100000"],
      ["runt/c1/memory.high", "60000000"],
    ]);
    // An update replaces the program attached before: attach the new one, then detach the old.
    assert.deepEqual(sys.names().filter((n) => n.startsWith("bpf")), ["bpfProgQuery", "bpfProgLoad", "bpfProgAttach", "bpfProgGetFdById", "bpfProgDetach"]);
    assert.deepEqual(sys.callsTo("bpfProgGetFdById"), [[77]]);

    journal.length = 0;
    m.killAll(SIGKILL);
    assert.deepEqual(rel(root, journal), [["runt/c1/cgroup.kill", "1"]]);

    writeFileSync(`${dir}/cgroup.events`, "populated 1\nfrozen 1\n");
    m.freeze();
    assert.equal(readFileSync(`${dir}/cgroup.freeze`, "utf8"), "1");
    assert.equal(m.state(), "frozen");
    writeFileSync(`${dir}/cgroup.events`, "populated 1\nfrozen 0\n");
    m.thaw();
    assert.equal(m.state(), "thawed");

    populate(dir, {
      "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n",
      "memory.current": "4096\n",
      "memory.peak": "8192\n",
      "memory.stat": "anon 4096\nfile 0\n",
      "memory.events": "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n",
      "memory.swap.current": "0\n",
      "pids.current": "2\n",
    });
    const stats = m.stats();
    assert.deepEqual(stats.cpu, { usage: { total: 1500000, kernel: 500000, user: 1000000 }, throttling: { periods: 4, throttledPeriods: 1, throttledTime: 20000 } });
    assert.deepEqual(stats.memory.usage, { limit: 67108864, usage: 4096, max: 8192, failcnt: 7 });
    assert.deepEqual(stats.memory.swap, { limit: 134217728, usage: 4096, failcnt: 0 });
    assert.deepEqual(stats.pids, { current: 2, limit: 20 });
    assert.equal(m.oomKillCount(), 1);

    dropFiles(dir);
    m.destroy();
    assert.equal(existsSync(dir), false);
    assert.ok(existsSync(`${root}/runt`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("v2: 'max' limits are 2^64-1 in stats and printed exactly", () => {
  const root = mkdtempSync(join(tmpdir(), "runt-cg-v2s-"));
  try {
    const layout = parseMountinfo(`35 24 0:30 / ${root} rw - cgroup2 cgroup2 rw`);
    const m = CgroupManager.open({ version: "v2", v1: {}, unified: root }, { layout });
    populate(root, { "memory.current": "10\n", "memory.max": "max\n" });
    assert.equal(m.stats().memory.usage.limit, 18446744073709551615n);
    assert.match(statsEventJson("x", m.stats()), /"usage":\{"limit":18446744073709551615,"usage":10,"failcnt":0\}/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
