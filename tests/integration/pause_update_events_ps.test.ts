/**
 * The commands that work on a live container's cgroup: pause and resume,
 * update, events and ps, on real containers: v1's freezer and files on v1
 * and hybrid hosts, cgroup.freeze and the cgroup2 files on pure v2.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { cgroupVersion, hostCgroupDir, hostCgroupFile, insideCgroupFile, ownCgroupView, readOr, runtAsync, sleepMs, startContainer, state, waitFor, withRoot } from "./containers.ts";
import { leftovers } from "./leftovers.ts";
import { isRoot, runt, runtOk } from "./runt.ts";

const skip = !isRoot ? "needs root" : false;
const v2 = cgroupVersion === "v2";
const MiB = 1024 * 1024;

/** A counter the container's shell bumps as fast as it can; "" while a write is half done. */
function counter(out: string): string {
  return readOr(join(out, "n")).trim();
}

test("pause freezes the container (no progress while paused, status paused), resume lets it go on", { skip }, withRoot((root) => {
  const tag = `RUNT_TEST=${process.pid}-pause`;
  const b = makeBundle(["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /out/n; done"], (s) => s.process!.env!.push(tag));
  try {
    startContainer(root, "frozen", b.dir);
    waitFor(() => Number(counter(b.out)) > 0, "the counter to start");

    const notPaused = runt(["--root", root, "resume", "frozen"]);
    assert.equal(notPaused.status, 1);
    assert.deepEqual(notPaused.errLines, ['runt: cannot resume container "frozen": it is running, not paused']);

    const before = counter(b.out);
    runtOk(["--root", root, "pause", "frozen"]);
    assert.equal(state(root, "frozen").status, "paused");
    const list = JSON.parse(runt(["--root", root, "list", "--format", "json"]).stdout);
    assert.equal(list.find((c: { id: string }) => c.id === "frozen").status, "paused");
    const first = counter(b.out);
    sleepMs(300);
    const second = counter(b.out);
    sleepMs(300);
    assert.equal(second, first, "no progress while paused");
    assert.equal(counter(b.out), first, "still no progress while paused");

    const again = runt(["--root", root, "pause", "frozen"]);
    assert.equal(again.status, 1);
    assert.deepEqual(again.errLines, ['runt: cannot pause container "frozen": it is paused, not running']);

    runtOk(["--root", root, "resume", "frozen"]);
    assert.equal(state(root, "frozen").status, "running");
    // Frozen halfway through a write, the file is empty until the shell runs again.
    waitFor(() => Number(counter(b.out)) > Number(first || before), "the counter to move again");

    runtOk(["--root", root, "pause", "frozen"]);
    runtOk(["--root", root, "kill", "frozen", "KILL"]);
    if (v2) {
      // cgroup2's freezer lets a fatal signal through (cgroup-v2.rst): the paused container dies at once.
      waitFor(() => state(root, "frozen").status === "stopped", "the killed container to stop while paused");
    } else {
      // v1's freezer holds the signal until the container is resumed, as with runc.
      sleepMs(200);
      assert.equal(state(root, "frozen").status, "paused");
      runtOk(["--root", root, "resume", "frozen"]);
      waitFor(() => state(root, "frozen").status === "stopped", "the killed container to stop");
    }

    const stopped = runt(["--root", root, "pause", "frozen"]);
    assert.deepEqual(stopped.errLines, ['runt: cannot pause container "frozen": it is stopped, not running']);
    runtOk(["--root", root, "delete", "frozen"]);
    assert.deepEqual(leftovers(root, "frozen", [b.dir], tag), []);
  } finally {
    runt(["--root", root, "delete", "--force", "frozen"]);
    b.cleanup();
  }
}));

test("delete --force removes a paused container: its processes, cgroup and state", { skip }, withRoot((root) => {
  const tag = `RUNT_TEST=${process.pid}-pausedel`;
  const b = makeBundle(["sh", "-c", "sleep 60 & exec sleep 61"], (s) => s.process!.env!.push(tag));
  try {
    const pid = startContainer(root, "pdel", b.dir);
    const dirs = ["freezer", "memory", "pids"].map((c) => hostCgroupDir(pid, c));
    runtOk(["--root", root, "pause", "pdel"]);
    if (v2) {
      assert.equal(hostCgroupFile(pid, "", "cgroup.freeze"), "1");
      assert.match(hostCgroupFile(pid, "", "cgroup.events"), /^frozen 1$/m);
    } else {
      assert.equal(hostCgroupFile(pid, "freezer", "freezer.state"), "FROZEN");
    }
    const d = runt(["--root", root, "delete", "--force", "pdel"]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(leftovers(root, "pdel", [b.dir], tag), []);
    assert.deepEqual(dirs.filter((dir) => existsSync(dir)), []);
  } finally {
    runt(["--root", root, "delete", "--force", "pdel"]);
    b.cleanup();
  }
}));

test("update changes a running container's limits: in its cgroup, inside it, and in its recorded config", { skip }, withRoot((root) => {
  const b = makeBundle(["sleep", "60"], (s) => {
    ownCgroupView(s);
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 64 * MiB }, cpu: { shares: 1024 }, pids: { limit: 100 } };
  });
  const inside = (file: string) => {
    const r = runt(["--root", root, "exec", "upd", "cat", file]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const recorded = () => JSON.parse(readFileSync(join(root, "upd", "state.json"), "utf8")).config.linux.resources;
  try {
    const pid = startContainer(root, "upd", b.dir);
    const u = runt([
      "--root", root, "update", "--memory", "128m", "--memory-reservation", "16M", "--memory-swap", "256MiB",
      "--cpu-share", "700", "--cpu-period", "50000", "--cpu-quota", "20000", "--cpuset-cpus", "1", "--pids-limit", "77", "upd",
    ]);
    assert.equal(u.status, 0, u.stderr);
    // v2: swap above memory (256 - 128 MiB), cpu.weight on current runc's curve (convert.ts).
    const expected: Array<[string, string, string]> = v2
      ? [
        ["memory", "memory.max", String(128 * MiB)],
        ["memory", "memory.low", String(16 * MiB)],
        ["memory", "memory.swap.max", String(128 * MiB)],
        ["cpu", "cpu.weight", "75"],
        ["cpu", "cpu.max", "20000 50000"],
        ["cpuset", "cpuset.cpus", "1"],
        ["pids", "pids.max", "77"],
      ]
      : [
        ["memory", "memory.limit_in_bytes", String(128 * MiB)],
        ["memory", "memory.soft_limit_in_bytes", String(16 * MiB)],
        ["memory", "memory.memsw.limit_in_bytes", String(256 * MiB)],
        ["cpu", "cpu.shares", "700"],
        ["cpu", "cpu.cfs_period_us", "50000"],
        ["cpu", "cpu.cfs_quota_us", "20000"],
        ["cpuset", "cpuset.cpus", "1"],
        ["pids", "pids.max", "77"],
      ];
    for (const [controller, file, value] of expected) {
      assert.equal(hostCgroupFile(pid, controller, file), value, `host ${file}`);
      assert.equal(inside(insideCgroupFile(controller, file)), value, `inside ${file}`);
    }
    assert.deepEqual(recorded().memory, { limit: 128 * MiB, reservation: 16 * MiB, swap: 256 * MiB });
    assert.deepEqual(recorded().cpu, { shares: 700, period: 50000, quota: 20000, cpus: "1" });
    assert.deepEqual(recorded().pids, { limit: 77 });

    // -r from stdin: a pids limit of 0 means "unchanged", as in runc.
    const fromStdin = runt(["--root", root, "update", "-r", "-", "upd"], { input: JSON.stringify({ memory: { limit: 96 * MiB }, pids: { limit: 0 } }) });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.equal(hostCgroupFile(pid, "memory", v2 ? "memory.max" : "memory.limit_in_bytes"), String(96 * MiB));
    assert.equal(hostCgroupFile(pid, "pids", "pids.max"), "77");
    const file = join(b.dir, "resources.json");
    writeFileSync(file, JSON.stringify({ cpu: { shares: 300 }, devices: [{ allow: true, access: "rwm" }] }));
    runtOk(["--root", root, "update", "--resources", file, "upd"]);
    const shares = v2 ? ["cpu.weight", "39"] : ["cpu.shares", "300"];
    assert.equal(hostCgroupFile(pid, "cpu", shares[0]), shares[1]);
    // v2's device rules are a BPF program with no file to read back; v1's list shows they stayed.
    if (!v2) assert.doesNotMatch(hostCgroupFile(pid, "devices", "devices.list"), /^a \*:\* rwm$/m, "device rules are not changed by update");

    const bad = runt(["--root", root, "update", "--memory", "12x", "upd"]);
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.errLines, ['runt: --memory: invalid size "12x" (expected bytes with an optional k, m, g, t or p suffix)']);
    const badFile = runt(["--root", root, "update", "-r", "-", "upd"], { input: JSON.stringify({ cpu: { shares: "many" } }) });
    assert.equal(badFile.status, 1);
    assert.equal(badFile.errLines.length, 1, badFile.stderr);
    assert.match(badFile.errLines[0], /^runt: stdin: linux\.resources\.cpu\.shares: /);
    assert.equal(hostCgroupFile(pid, "cpu", shares[0]), shares[1], "a refused update changes nothing");

    runtOk(["--root", root, "kill", "upd", "KILL"]);
    waitFor(() => state(root, "upd").status === "stopped", "the container to stop");
    const stopped = runt(["--root", root, "update", "--pids-limit", "5", "upd"]);
    assert.deepEqual(stopped.errLines, ['runt: cannot update container "upd": it is stopped, not running']);
  } finally {
    runt(["--root", root, "delete", "--force", "upd"]);
    b.cleanup();
  }
}));

/** PIDs (host view) of every process in the PID namespace of `pid`. */
function namespaceMembers(pid: number): number[] {
  const ns = readlinkSync(`/proc/${pid}/ns/pid`);
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) === ns) found.push(Number(name));
    } catch { /* gone */ }
  }
  return found.sort((a, b) => a - b);
}

test("ps lists exactly the container's processes, as JSON PIDs and as ps's table", { skip }, withRoot((root) => {
  const b = makeBundle(["sh", "-c", "sleep 60 & sleep 61 & exec sleep 62"]);
  try {
    const pid = startContainer(root, "procs", b.dir);
    waitFor(() => namespaceMembers(pid).length === 3, "three processes");
    const members = namespaceMembers(pid);

    const json = runt(["--root", root, "ps", "--format", "json", "procs"]);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), members);

    const table = runt(["--root", root, "ps", "procs"]);
    assert.equal(table.status, 0, table.stderr);
    const [header, ...rows] = table.stdout.trim().split("\n");
    assert.match(header, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    assert.deepEqual(rows.map((r) => Number(r.trim().split(/\s+/)[1])).sort((x, y) => x - y), members);

    const custom = runt(["--root", root, "ps", "procs", "-o", "pid,args"]);
    assert.equal(custom.status, 0, custom.stderr);
    const lines = custom.stdout.trim().split("\n");
    assert.match(lines[0], /^\s*PID COMMAND$/);
    assert.deepEqual(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(1).join(" ")).sort(), ["sleep 60", "sleep 61", "sleep 62"]);

    const noPid = runt(["--root", root, "ps", "procs", "-o", "comm"]);
    assert.equal(noPid.status, 1);
    assert.equal(noPid.errLines.length, 1);
  } finally {
    runt(["--root", root, "delete", "--force", "procs"]);
    b.cleanup();
  }
}));

test("events: --stats prints one stats event; the stream prints one per interval and ends with the container", { skip }, withRoot(async (root) => {
  const b = makeBundle(["sh", "-c", "sleep 60 & exec sleep 61"], (s) => {
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 80 * MiB }, pids: { limit: 50 } };
  });
  try {
    startContainer(root, "ev", b.dir);
    const once = runt(["--root", root, "events", "--stats", "ev"]);
    assert.equal(once.status, 0, once.stderr);
    assert.equal(once.stdout.split("\n").length, 2, "one line");
    const event = JSON.parse(once.stdout);
    assert.equal(event.type, "stats");
    assert.equal(event.id, "ev");
    assert.deepEqual(event.data.pids, { current: 2, limit: 50 });
    assert.equal(event.data.memory.usage.limit, 80 * MiB);
    assert.ok(event.data.memory.usage.usage > 0);

    const bad = runt(["--root", root, "events", "--interval", "0", "ev"]);
    assert.equal(bad.status, 1);
    assert.deepEqual(bad.errLines, ['runt: --interval: must be greater than 0, got "0"']);

    let thirdEvent!: () => void;
    const sawThree = new Promise<void>((resolve) => (thirdEvent = resolve));
    const stream = runtAsync(["--root", root, "events", "--interval", "200ms", "ev"], {
      streams: true,
      onStdout: (all) => all.split("\n").length > 3 && thirdEvent(),
    });
    const started = Date.now();
    const first = await Promise.race([sawThree.then(() => "three events" as const), stream.done]);
    if (first !== "three events") {
      assert.fail(`events ended before its third event: exit ${first.code}, stdout ${JSON.stringify(first.stdout)}, stderr ${JSON.stringify(first.stderr)}`);
    }
    // The first comes one interval after the start, then one per interval.
    const took = Date.now() - started;
    assert.ok(took >= 600, `three events took ${took} ms, less than three intervals`);
    runtOk(["--root", root, "kill", "ev", "KILL"]);
    const ended = await stream.done;
    assert.equal(ended.code, 0, ended.stderr);
    const events = ended.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(events.length >= 3, `got ${events.length} events`);
    assert.ok(events.every((e) => e.type === "stats" && e.id === "ev" && e.data.pids.limit === 50));

    const after = runt(["--root", root, "events", "--stats", "ev"]);
    assert.equal(after.status, 1);
    assert.deepEqual(after.errLines, ['runt: cannot show events of container "ev": it is stopped, not running']);
  } finally {
    runt(["--root", root, "delete", "--force", "ev"]);
    b.cleanup();
  }
}));
