/**
 * linux.resources on real containers: every limit read back from the
 * cgroup files on the host and from inside the container, the limits
 * enforced (OOM kill, pids.max, device rules), the same cgroup files as
 * runc for the same bundle, and no cgroup left behind by many containers.
 * On v1 and hybrid hosts the v1 files are read; on pure cgroup v2 (the test
 * guest, tests/vm) the cgroup2 files the same limits become.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import {
  cgroupVersion,
  defaultCgroupParents,
  hostCgroupDir,
  hostCgroupFile,
  insideCgroupFile,
  ownCgroupView,
  pause,
  readOr,
  runtAsync,
  startContainer,
  waitFor,
  withRoot,
} from "./containers.ts";
import { hasCommand, isRoot, runt, runtArgv, runtOk } from "./runt.ts";
import { reachableByAll } from "../fixtures/reach.ts";

const skip = !isRoot ? "needs root" : false;
const v2 = cgroupVersion === "v2";
const MiB = 1024 * 1024;

/** A block device the host has, for the throttle: loop0 on v1 hosts, the root disk on the v2 guest. */
const THROTTLED = v2 ? deviceNumbers(statSync("/").dev) : { major: 7, minor: 0 };

function deviceNumbers(dev: number): { major: number; minor: number } {
  return { major: Math.floor(dev / 256) & 0xfff, minor: (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00)) };
}

/** The v1 files each limit lands in, with the value the kernel reads back. */
const LIMITS_V1: Array<[controller: string, file: string, expected: string]> = [
  ["memory", "memory.limit_in_bytes", String(64 * MiB)],
  ["memory", "memory.soft_limit_in_bytes", String(32 * MiB)],
  ["memory", "memory.memsw.limit_in_bytes", String(96 * MiB)],
  ["memory", "memory.swappiness", "30"],
  ["cpu", "cpu.shares", "512"],
  ["cpu", "cpu.cfs_quota_us", "50000"],
  ["cpu", "cpu.cfs_period_us", "100000"],
  ["cpu", "cpu.rt_period_us", "1000000"],
  ["cpu", "cpu.rt_runtime_us", "10000"],
  ["cpuset", "cpuset.cpus", "0"],
  ["cpuset", "cpuset.mems", "0"],
  ["pids", "pids.max", "42"],
  ["blkio", "blkio.throttle.read_bps_device", "7:0 1048576"],
];

/**
 * The same limits on cgroup v2: swap is what lies above memory (96 - 64 MiB),
 * shares become a weight on current runc's and crun's curve (runc 1.1's
 * linear formula gives 20 for 512; runt follows the newer one, which maps
 * the default 1024 to the default 100), the reservation is memory.low; swappiness and the realtime scheduler have no v2
 * file (runc refuses the latter there, so the bundle leaves them out).
 */
const LIMITS_V2: Array<[controller: string, file: string, expected: string]> = [
  ["memory", "memory.max", String(64 * MiB)],
  ["memory", "memory.low", String(32 * MiB)],
  ["memory", "memory.swap.max", String(32 * MiB)],
  ["cpu", "cpu.weight", "59"],
  ["cpu", "cpu.max", "50000 100000"],
  ["cpuset", "cpuset.cpus", "0"],
  ["cpuset", "cpuset.mems", "0"],
  ["pids", "pids.max", "42"],
  ["io", "io.max", `${THROTTLED.major}:${THROTTLED.minor} rbps=1048576 wbps=max riops=max wiops=max`],
];
const LIMITS = v2 ? LIMITS_V2 : LIMITS_V1;

function limitedSpec(s: Spec): void {
  ownCgroupView(s);
  const realtime = v2 ? {} : { realtimePeriod: 1000000, realtimeRuntime: 10000 };
  s.linux!.resources = {
    ...s.linux!.resources,
    memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB, ...(v2 ? {} : { swappiness: 30 }) },
    cpu: { shares: 512, quota: 50000, period: 100000, ...realtime, cpus: "0", mems: "0" },
    pids: { limit: 42 },
    blockIO: { throttleReadBpsDevice: [{ ...THROTTLED, rate: 1048576 }] },
  };
}

test("each limit of linux.resources is in the container's cgroup files, seen from the host and from inside", { skip }, withRoot((root) => {
  const inside = LIMITS.map(([c, f]) => `echo "${c}/${f}=$(cat ${insideCgroupFile(c, f)})"`).join("; ");
  const b = makeBundle(["sh", "-c", `{ ${inside}; echo "nproc=$(nproc)"; } > /out/inside; exec sleep 60`], limitedSpec);
  try {
    const pid = startContainer(root, "limits", b.dir);
    waitFor(() => readOr(join(b.out, "inside")).includes("nproc="), "the container's report");
    const seen = Object.fromEntries(readOr(join(b.out, "inside")).trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    for (const [controller, file, expected] of LIMITS) {
      assert.equal(hostCgroupFile(pid, controller, file), expected, `host ${controller}/${file}`);
      assert.equal(seen[`${controller}/${file}`], expected, `inside ${controller}/${file}`);
    }
    // The cpuset is enforced on the process itself: it can run on one CPU only.
    assert.equal(seen.nproc, "1");
  } finally {
    runt(["--root", root, "delete", "--force", "limits"]);
    b.cleanup();
  }
}));

test("a process allocating past memory.limit is OOM-killed: exit 137, an oom event, the OOM counter", { skip }, withRoot(async (root) => {
  const memory = { limit: 32 * MiB, swap: 32 * MiB };
  // The container's own process: `run` ends with its status.
  const direct = makeBundle(["sh", "-c", "exec tail /dev/zero"], (s) => (s.linux!.resources!.memory = memory));
  // A child of the container's process, so the container lives on for events --stats.
  const child = makeBundle(
    ["sh", "-c", "while [ ! -e /out/go ]; do sleep 0.05; done; tail /dev/zero; echo $? > /out/status; exec sleep 60"],
    (s) => (s.linux!.resources!.memory = memory),
  );
  try {
    const r = runt(["--root", root, "run", "--bundle", direct.dir, "oom-run"], { files: true });
    assert.equal(r.status, 137, r.stderr);

    const pid = startContainer(root, "oom", child.dir);
    let firstStats!: () => void;
    const sawStats = new Promise<void>((resolve) => (firstStats = resolve));
    const stream = runtAsync(["--root", root, "events", "--interval", "300ms", "oom"], {
      streams: true,
      onStdout: (all) => all.includes('"type":"stats"') && firstStats(),
    });
    await sawStats;
    writeFileSync(join(child.out, "go"), "");
    for (let i = 0; i < 200 && readOr(join(child.out, "status")) === ""; i++) await pause(25);
    assert.equal(readOr(join(child.out, "status")).trim(), "137", "the allocating process dies of SIGKILL");
    // The kernel's count of OOM kills: memory.oom_control on v1, memory.events on v2.
    assert.match(hostCgroupFile(pid, "memory", v2 ? "memory.events" : "memory.oom_control"), /^oom_kill 1$/m);

    const stats = runt(["--root", root, "events", "--stats", "oom"]);
    assert.equal(stats.status, 0, stats.stderr);
    const event = JSON.parse(stats.stdout);
    assert.equal(event.type, "stats");
    assert.equal(event.id, "oom");
    assert.equal(event.data.memory.usage.limit, 32 * MiB);
    assert.equal(event.data.memory.usage.max, 32 * MiB, "usage reached the limit");

    runtOk(["--root", root, "kill", "oom", "KILL"]);
    const ended = await stream.done;
    assert.equal(ended.code, 0, ended.stderr);
    const events = ended.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(events.filter((e) => e.type === "oom"), [{ type: "oom", id: "oom" }]);
    assert.ok(events.every((e) => e.type === "oom" || (e.type === "stats" && e.id === "oom")));
  } finally {
    runt(["--root", root, "delete", "--force", "oom"]);
    direct.cleanup();
    child.cleanup();
  }
}));

test("forking stops at pids.max: the fork past it fails, and the kernel counts the refusal", { skip }, withRoot((root) => {
  // ash gives up (status 2) at the first refused fork, so the forking runs in a subshell;
  // after it, only builtins: the shell cannot fork a `cat` any more.
  const script = "(i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i+1)); done) 2>/out/errors; echo $? > /out/status; " +
    `read n < ${insideCgroupFile("pids", "pids.current")}; echo $n > /out/current; exec sleep 60`;
  const b = makeBundle(["sh", "-c", script], (s) => {
    ownCgroupView(s);
    s.linux!.resources!.pids = { limit: 16 };
  });
  try {
    const pid = startContainer(root, "forks", b.dir);
    waitFor(() => readOr(join(b.out, "current")) !== "", "the container's count");
    assert.equal(readOr(join(b.out, "status")).trim(), "2", "the forking subshell died of a refused fork");
    assert.match(readOr(join(b.out, "errors")), /can't fork: Resource temporarily unavailable/);
    // 16 at the refusal: the shell, the subshell and 14 sleeps; the subshell is gone since.
    assert.equal(readOr(join(b.out, "current")).trim(), "15");
    assert.equal(hostCgroupFile(pid, "pids", "pids.current"), "15");
    assert.match(hostCgroupFile(pid, "pids", "pids.events"), /^max [1-9]\d*$/m);
  } finally {
    runt(["--root", root, "delete", "--force", "forks"]);
    b.cleanup();
  }
}));

test("a device node the cgroup's rules do not allow cannot be opened (EPERM); allowing it lets it open", { skip }, withRoot((root) => {
  const fuse = { path: "/dev/fuse", type: "c" as const, major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 };
  const probe = ["sh", "-c", "ls -l /dev/fuse | grep -q '10, *229' || echo 'no node'; true 2>&1 <>/dev/fuse; echo open=$?"];
  const denied = makeBundle(probe, (s) => (s.linux!.devices = [fuse]));
  const allowed = makeBundle(probe, (s) => {
    s.linux!.devices = [fuse];
    s.linux!.resources!.devices!.push({ allow: true, type: "c", major: 10, minor: 229, access: "rw" });
  });
  try {
    const d = runt(["--root", root, "run", "--bundle", denied.dir, "dev-denied"], { files: true });
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /^sh: can't \w+ '?\/dev\/fuse'?: Operation not permitted\nopen=1\n$/);
    const a = runt(["--root", root, "run", "--bundle", allowed.dir, "dev-allowed"], { files: true });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stdout, "open=0\n");
  } finally {
    denied.cleanup();
    allowed.cleanup();
  }
}));

/** The cgroup files runc and runt must agree on, for the differential bundle. */
const COMPARED_V1: Array<[string, string]> = [
  ["memory", "memory.limit_in_bytes"],
  ["memory", "memory.memsw.limit_in_bytes"],
  ["memory", "memory.soft_limit_in_bytes"],
  ["cpu", "cpu.shares"],
  ["cpu", "cpu.cfs_quota_us"],
  ["cpu", "cpu.cfs_period_us"],
  ["cpuset", "cpuset.cpus"],
  ["cpuset", "cpuset.mems"],
  ["pids", "pids.max"],
  ["devices", "devices.list"],
  ["freezer", "freezer.state"],
];
/** On v2 device rules are a BPF program, not a file: the device test above checks what it lets through. */
const COMPARED_V2: Array<[string, string]> = [
  ["memory", "memory.max"],
  ["memory", "memory.swap.max"],
  ["memory", "memory.low"],
  ["cpu", "cpu.weight"],
  ["cpu", "cpu.max"],
  ["cpuset", "cpuset.cpus"],
  ["cpuset", "cpuset.mems"],
  ["pids", "pids.max"],
  ["", "cgroup.freeze"],
  ["", "cgroup.subtree_control"],
];
const COMPARED = v2 ? COMPARED_V2 : COMPARED_V1;

/** `<runtime> run -d`, the cgroup files and /proc/PID/cgroup (the ID made generic) while it runs, then delete. */
function cgroupView(argv: string[], bundle: string, id: string): Record<string, string> {
  const root = mkdtempSync(join(tmpdir(), "runt-diff-root-"));
  const [cmd, ...pre] = argv;
  // No pipes for run: the detached container keeps the stdio it is given.
  const errors = join(root, "stderr");
  const run = (args: string[], stdout: "pipe" | "ignore" = "pipe") => {
    const fd = openSync(errors, "w");
    try {
      const r = spawnSync(cmd, [...pre, "--root", root, ...args], { stdio: ["ignore", stdout, fd], encoding: "utf8", killSignal: "SIGKILL", timeout: 30_000 });
      return { status: r.status, stdout: r.stdout, stderr: readOr(errors) };
    } finally {
      closeSync(fd);
    }
  };
  try {
    const r = run(["run", "-d", "--bundle", bundle, id], "ignore");
    assert.equal(r.status, 0, `${cmd} run: ${r.stderr}`);
    const pid = JSON.parse(run(["state", id]).stdout).pid as number;
    const view: Record<string, string> = {};
    for (const [controller, file] of COMPARED) view[`${controller}/${file}`] = hostCgroupFile(pid, controller, file);
    view["/proc/PID/cgroup"] = readFileSync(`/proc/${pid}/cgroup`, "utf8").replaceAll(`/${id}\n`, "/ID\n");
    return view;
  } finally {
    run(["delete", "--force", id]);
    rmSync(root, { recursive: true, force: true });
  }
}

test("differential: the same bundle gives the same cgroup files and paths under runc and runt", { skip: skip || (!hasCommand("runc") && "needs runc") }, async () => {
  const { runtArgv } = await import("./runt.ts");
  const b = makeBundle(["sleep", "60"], (s) => {
    s.linux!.resources = {
      ...s.linux!.resources,
      memory: { limit: 48 * MiB, reservation: 16 * MiB, swap: 64 * MiB },
      cpu: { shares: 256, quota: 30000, period: 100000, cpus: "1", mems: "0" },
      pids: { limit: 33 },
    };
  });
  try {
    const runc = cgroupView(["runc"], b.dir, `diff-runc-${process.pid}`);
    const ours = cgroupView(runtArgv(), b.dir, `diff-runt-${process.pid}`);
    assert.equal(runc[v2 ? "memory/memory.max" : "memory/memory.limit_in_bytes"], String(48 * MiB), "runc applied the bundle's limits");
    if (v2) {
      // Two chosen differences on v2. The default cgroup: runc 1.1 puts the ID next to its caller's
      // cgroup, runt under /runt (a cgroup2 parent with processes cannot delegate controllers).
      assert.equal(ours["/proc/PID/cgroup"], "0::/runt/ID\n");
      // cpu.weight for 256 shares: runc 1.1's linear 1 + 254 * 9999 / 262142, runt's curve of current runc and crun.
      assert.deepEqual([runc["cpu/cpu.weight"], ours["cpu/cpu.weight"]], ["10", "35"]);
      for (const view of [runc, ours]) for (const key of ["/proc/PID/cgroup", "cpu/cpu.weight"]) delete view[key];
    }
    assert.deepEqual(ours, runc);
  } finally {
    b.cleanup();
  }
});

/** A directory's entries; none when it is gone (v2's /runt parent may go with its last container). */
function readOrNone(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** 100 on a host; the emulated test guest (tests/vm) asks for fewer with RUNT_TEST_CYCLES. */
const CYCLES = Number(process.env.RUNT_TEST_CYCLES ?? 100);

test(`${CYCLES} create/delete cycles, 10 at a time, leave no cgroup directory behind`, { skip }, withRoot(async (root) => {
  const b = makeBundle(["true"]);
  const parents = defaultCgroupParents();
  const prefix = `cyc${process.pid}-`;
  try {
    const failures: string[] = [];
    for (let batch = 0; batch < CYCLES / 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const id = `${prefix}${batch * 10 + i}`;
        for (const step of [["create", "--bundle", b.dir, id], ["delete", id]]) {
          const r = await runtAsync(["--root", root, ...step]).done;
          if (r.code !== 0) failures.push(`${id}: ${step[0]} exited ${r.code}: ${r.stderr.trim()}`);
        }
      }));
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(readdirSync(root), []);
    // Other runs may make containers of their own meanwhile: only this test's IDs are looked for.
    for (const dir of parents) assert.deepEqual(readOrNone(dir).filter((name) => name.startsWith(prefix)), [], dir);
  } finally {
    b.cleanup();
  }
}));


// The binary is exec'd from a descriptor; Deno must read runt's sources by path from inside the namespace.
const runtOutOfUserNamespaceReach = runtArgv().length > 1 && !runtArgv().filter((a) => a.startsWith("/")).every(reachableByAll);

for (const userns of [false, true]) {
  test(`create returns with the container's process in its cgroup in every hierarchy, as runc's create does${userns ? ", with a user namespace" : ""}`, {
    skip: skip || (!hasCommand("runc") && "needs runc") ||
      (userns && runtOutOfUserNamespaceReach && "runt's sources are out of a user namespace root's reach (below a directory others may not enter)"),
  }, () => {
    // A user namespace's init is started by a program of its own, and moved into the cgroup after it.
    const b = makeBundle(["sleep", "60"], (s) => {
      if (!userns) return;
      s.linux!.namespaces!.push({ type: "user" });
      s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.root = { path: "rootfs", readonly: true };
    });
    if (userns) {
      // The namespace's root reaches its rootfs by path, under runc as under runt: a copy of its own, in the bundle.
      chmodSync(b.dir, 0o755);
      execFileSync("cp", ["-a", SHARED_ROOTFS, join(b.dir, "rootfs")]);
      execFileSync("chown", ["-R", "100000:100000", join(b.dir, "rootfs")]);
    }
    createdInCgroup(runtArgv(), b, userns ? "userns-" : "");
  });
}

/** Where runc's create leaves the process of bundle `b`, and runt's, five times: the same hierarchies, the container's cgroup in each. */
function createdInCgroup(argv: string[], b: ReturnType<typeof makeBundle>, prefix: string): void {
  // Right after create: runt's move of the process may finish after the last program is sent, never after create returns.
  const cgroupsAfterCreate = (argv: string[], id: string) => {
    const root = mkdtempSync(join(tmpdir(), "runt-create-cgroup-"));
    const [cmd, ...pre] = argv;
    // A file, not a pipe: the waiting container keeps its stderr open, and a pipe would never end.
    const errors = join(root, "stderr");
    try {
      const fd = openSync(errors, "w");
      const pidFile = join(root, "pid");
      const created = spawnSync(cmd, [...pre, "--root", root, "create", "--pid-file", pidFile, "--bundle", b.dir, id], { stdio: ["ignore", "ignore", fd], killSignal: "SIGKILL", timeout: 30_000 });
      closeSync(fd);
      // Read at once, from the PID file create wrote, not after another command.
      const cgroups = created.status === 0 ? readFileSync(`/proc/${readFileSync(pidFile, "utf8").trim()}/cgroup`, "utf8") : "";
      assert.equal(created.status, 0, `${cmd} create: ${readFileSync(errors, "utf8")}`);
      return cgroups.replaceAll(`/${id}\n`, "/ID\n");
    } finally {
      spawnSync(cmd, [...pre, "--root", root, "delete", "--force", id]);
      rmSync(root, { recursive: true, force: true });
    }
  };
  // Each hierarchy's line, its path cut to whether it is the container's: the parent of a default path differs on
  // pure v2 (runt's /runt, runc's own parent) by design (runtime/cgroups/path.ts).
  const placed = (cgroups: string) => cgroups.trim().split("\n").map((l) => l.replace(/:[^:]*$/, (p) => p.endsWith("/ID") ? ":container's" : p));
  try {
    const runc = placed(cgroupsAfterCreate(["runc"], `created-${prefix}runc-${process.pid}`));
    assert.ok(runc.some((l) => l.endsWith(":container's")), `runc's create put its process in the container's cgroup: ${runc}`);
    for (let i = 0; i < 5; i++) assert.deepEqual(placed(cgroupsAfterCreate(argv, `created-${prefix}runt-${process.pid}-${i}`)), runc);
  } finally {
    b.cleanup();
  }
}

test("a container that makes cgroups below its own and leaves a process in one: delete --force kills it and removes every directory", { skip }, withRoot((root) => {
  const inside = insideCgroupFile("pids", "").replace(/\/$/, "");
  const script = [
    `mkdir -p ${inside}/inner/deeper`,
    `sh -c 'echo $$ > ${inside}/inner/deeper/cgroup.procs && echo $$ > /out/hidden && exec sleep 1000' &`,
    "exec sleep 1000",
  ].join("\n");
  const b = makeBundle(["sh", "-c", script], (s) => {
    ownCgroupView(s);
    // The container may write its cgroup tree, as a nested runtime or systemd inside one does.
    const cgroup = s.mounts!.find((m) => m.destination === "/sys/fs/cgroup")!;
    cgroup.options = cgroup.options!.map((o) => (o === "ro" ? "rw" : o));
  });
  try {
    const pid = startContainer(root, "nested", b.dir);
    waitFor(() => readOr(join(b.out, "hidden")).trim() !== "", "the process in the nested cgroup");
    const controllers = v2 ? [""] : ["pids", "memory", "freezer", "devices"];
    const dirs = controllers.map((c) => hostCgroupDir(pid, c));
    // Its host PID, from the nested cgroup as the host sees it ($$ inside is the container's PID).
    const hidden = Number(readOr(`${dirs[0]}/inner/deeper/cgroup.procs`).trim());
    assert.ok(hidden > 0, "no process in the nested cgroup");
    assert.equal(hostCgroupDir(hidden, controllers[0]), `${dirs[0]}/inner/deeper`);
    const r = runt(["--root", root, "delete", "--force", "nested"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(`/proc/${hidden}`) && !readOr(`/proc/${hidden}/stat`).includes(") Z "), false, "the process in the nested cgroup survived");
    for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} is left`);
  } finally {
    runt(["--root", root, "delete", "--force", "nested"]);
    b.cleanup();
  }
}));
