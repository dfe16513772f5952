import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { once } from "node:events";
import process from "node:process";
import { BPF_CGROUP_DEVICE, loadSyscalls, O_CLOEXEC, O_DIRECTORY, O_RDONLY, SIGKILL, SIGTERM, type Syscalls } from "../../ffi/mod.ts";
import {
  attachDeviceFilter,
  CgroupManager,
  type CgroupManagerOptions,
  createContainerCgroup,
  type DeviceRule,
  readLayout,
  resolveCgroupsPath,
} from "../../runtime/cgroups/mod.ts";

const isRoot = process.getuid?.() === 0;
const layout = isRoot ? readLayout() : undefined;
const skip = !isRoot ? "needs root" : undefined;
const skipV1 = skip ?? (layout?.version === "v2" ? "needs cgroup v1 controllers" : undefined);
const skipBpf = skip ?? (layout?.unified ? undefined : "needs a cgroup2 mount");
const sys: Syscalls | undefined = isRoot ? await loadSyscalls() : undefined;

let serial = 0;
/**
 * A fresh cgroup. On v1 and hybrid hosts it goes under runt's own cgroups (a
 * relative path), staying inside whatever limits the test run has; on v2 a
 * cgroup with processes cannot have children with controllers, so there it
 * is a top-level one.
 */
function freshCgroup(extra: CgroupManagerOptions = {}): CgroupManager {
  const name = `runt-test-${process.pid}-${serial++}`;
  const path = resolveCgroupsPath(layout!.version === "v2" ? `/${name}` : name, name);
  return CgroupManager.create(path, { layout, syscalls: sys, ...extra });
}

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<[number | null, string | null]>;
}

/** A shell that waits for a line on stdin before running `script`, so it can be put into a cgroup first. */
function waitingShell(script: string): Child {
  const proc = spawn("sh", ["-c", `read go; ${script}`], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (err += d));
  // "close" comes once the pipes are drained too: output written just before the exit is read.
  const exit = once(proc, "close") as Promise<[number | null, string | null]>;
  return { proc, stdout: () => out, stderr: () => err, exit };
}

async function release(child: Child): Promise<[number | null, string | null]> {
  child.proc.stdin!.end("go\n");
  return await withTimeout(child.exit, 10_000, "child did not exit");
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Whatever happened, no process and no directory is left behind. */
async function cleanup(m: CgroupManager | undefined, ...children: Child[]): Promise<void> {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  if (!m) return;
  try {
    m.thaw();
  } catch {
    // Not frozen, or no freezer.
  }
  try {
    m.killAll(SIGKILL);
  } catch {
    // Already empty.
  }
  await Promise.all(children.map((c) => withTimeout(c.exit, 5000, "child did not die").catch(() => {})));
  m.destroy();
}

const procCgroup = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, "utf8");
const read = (m: CgroupManager, controller: string, file: string) => readFileSync(`${m.dirOf(controller)}/${file}`, "utf8").trim();

test("a sleeping child: limits on the host files, its /proc cgroup, pids, freeze and thaw, kill, and no directory left", { skip }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell("exec sleep 30");
  try {
    m = freshCgroup();
    m.set({ memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 }, cpu: { shares: 512 } });
    m.apply(child.proc.pid!);
    const name = m.toJSON();
    if (layout!.version === "v2") {
      assert.equal(read(m, "", "memory.max"), "67108864");
      assert.equal(read(m, "", "pids.max"), "20");
      assert.equal(read(m, "", "cpu.weight"), "59");
    } else {
      assert.equal(read(m, "memory", "memory.limit_in_bytes"), "67108864");
      assert.equal(read(m, "pids", "pids.max"), "20");
      assert.equal(read(m, "cpu", "cpu.shares"), "512");
    }
    // The kernel agrees about where the process is, in every hierarchy.
    const own = procCgroup(child.proc.pid!);
    for (const [controller, dir] of Object.entries(name.v1)) {
      const mount = layout!.v1[controller];
      assert.ok(own.includes(`:${dir.slice(mount.mountPoint.length)}\n`), `${controller}: ${dir} not in\n${own}`);
    }
    if (name.unified) assert.ok(own.includes(`0::${name.unified.slice(layout!.unified!.mountPoint.length)}\n`), own);

    assert.deepEqual(m.pids(), [child.proc.pid]);

    m.freeze();
    assert.equal(m.state(), "frozen");
    m.thaw();
    assert.equal(m.state(), "thawed");

    if (name.unified && layout!.version === "hybrid") {
      // The cgroup2 side has no controllers here, but its core files work: freeze and kill through it.
      const v2 = CgroupManager.open({ version: "v2", v1: {}, unified: name.unified }, { syscalls: sys });
      v2.freeze();
      assert.match(readFileSync(`${name.unified}/cgroup.events`, "utf8"), /^frozen 1$/m);
      assert.match(readFileSync(`/proc/${child.proc.pid}/status`, "utf8"), /^State:\s+S/m);
      v2.thaw();
      assert.equal(v2.state(), "thawed");
      v2.killAll(SIGKILL);
    } else {
      m.killAll(SIGKILL);
    }
    child.proc.stdin!.end();
    const [, signal] = await withTimeout(child.exit, 5000, "child survived killAll");
    assert.equal(signal, "SIGKILL");
    assert.deepEqual(m.pids(), []);
    m.destroy();
    for (const d of m.dirs()) assert.equal(existsSync(d), false, d);
    m = undefined;
  } finally {
    await cleanup(m, child);
  }
});

test("killAll with SIGTERM signals every process while the cgroup is frozen", { skip }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell("exec sleep 30");
  try {
    m = freshCgroup();
    m.apply(child.proc.pid!);
    m.killAll(SIGTERM);
    const [, signal] = await withTimeout(child.exit, 5000, "child survived SIGTERM");
    assert.equal(signal, "SIGTERM");
    assert.equal(m.state(), "thawed");
  } finally {
    await cleanup(m, child);
  }
});

test("pids.max=5: a shell cannot fork 8 children", { skip }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell("for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait");
  try {
    m = freshCgroup();
    m.set({ pids: { limit: 5 } });
    m.apply(child.proc.pid!);
    const dir = m.dirOf(layout!.version === "v2" ? "" : "pids")!;
    child.proc.stdin!.end("go\n");
    // The kernel counts a refused fork before the shell reports it: wait for both, the report
    // arriving through the stderr pipe.
    const refused = () => /max [1-9]/.test(readFileSync(`${dir}/pids.events`, "utf8"));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(refused() && /fork/i.test(child.stderr()))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(readFileSync(`${dir}/pids.events`, "utf8"), /^max [1-9]\d*$/m);
    assert.match(child.stderr(), /fork/i);
    assert.ok(m.pids().length <= 5, `${m.pids().length} processes`);
    m.killAll(SIGKILL);
    await withTimeout(child.exit, 5000, "shell survived");
  } finally {
    await cleanup(m, child);
  }
});

test("memory limit 32 MiB: buffering 100 MB is OOM-killed and counted", { skip }, async () => {
  let m: CgroupManager | undefined;
  // tail keeps a line it has not finished in memory: 100 MB of newline-free input is one 100 MB line.
  const child = waitingShell("head -c 100000000 /dev/zero | tail -n 1 >/dev/null; echo status=$?");
  try {
    m = freshCgroup();
    const limit = 32 * 1024 * 1024;
    // memory+swap equal to memory: no swapping instead of the OOM kill.
    m.set({ memory: { limit, swap: limit } });
    m.apply(child.proc.pid!);
    const oom = m.oomEvents();
    assert.equal(m.oomKillCount(), 0);
    const [code, signal] = await release(child);
    // The kernel picks the biggest process, normally tail; under memory pressure it may take the shell too.
    assert.ok(
      (code === 0 && /status=137/.test(child.stdout())) || signal === "SIGKILL",
      `exit ${code}, signal ${signal}, output ${child.stdout()}`,
    );
    assert.ok(m.oomKillCount() >= 1);
    assert.ok(oom.poll() >= 1);
    assert.ok(BigInt(m.stats().memory.usage.limit) === BigInt(limit));
  } finally {
    await cleanup(m, child);
  }
});

const DENY_ALL_BUT_NULL: DeviceRule[] = [
  { type: "a", major: -1, minor: -1, access: "rwm", allow: false },
  { type: "c", major: 1, minor: 3, access: "rwm", allow: true },
];
const DEVICE_PROBE = "cat /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok";

test("v1 devices: deny all but /dev/null", { skip: skipV1 }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell(DEVICE_PROBE);
  try {
    m = freshCgroup();
    m.set(undefined, { devices: DENY_ALL_BUT_NULL });
    assert.equal(read(m, "devices", "devices.list"), "c 1:3 rwm");
    m.apply(child.proc.pid!);
    await release(child);
    assert.equal(child.stdout(), "null-ok\n");
    assert.match(child.stderr(), /\/dev\/zero.*Operation not permitted/);
  } finally {
    await cleanup(m, child);
  }
});

test("cgroup2 device filter (BPF): deny all but /dev/null", { skip: skipBpf }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell(DEVICE_PROBE);
  try {
    m = freshCgroup();
    if (layout!.version === "v2") m.set(undefined, { devices: DENY_ALL_BUT_NULL });
    // On a hybrid host v1's devices cgroup allows everything, so the program alone decides.
    else attachDeviceFilter(sys!, m.dirOf("")!, DENY_ALL_BUT_NULL);
    // Installing again (an update) replaces the program rather than stacking a second one.
    attachDeviceFilter(sys!, m.dirOf("")!, DENY_ALL_BUT_NULL);
    const fd = sys!.open(m.dirOf("")!, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    try {
      assert.equal(sys!.bpfProgQuery(fd, BPF_CGROUP_DEVICE).length, 1);
    } finally {
      sys!.close(fd);
    }
    m.apply(child.proc.pid!);
    await release(child);
    assert.equal(child.stdout(), "null-ok\n");
    assert.match(child.stderr(), /\/dev\/zero.*Operation not permitted/);
  } finally {
    await cleanup(m, child);
  }
});

test("createContainerCgroup: the spec's rules plus runc's default devices, and its resources", { skip }, async () => {
  let m: CgroupManager | undefined;
  const child = waitingShell("head -c1 /dev/zero >/dev/null && cat /dev/null && echo defaults-ok; : </dev/kmsg && echo kmsg-ok");
  try {
    const name = `runt-test-${process.pid}-${serial++}`;
    m = createContainerCgroup(
      {
        id: name,
        linux: {
          cgroupsPath: layout!.version === "v2" ? `/${name}` : name,
          resources: { devices: [{ allow: false, access: "rwm" }], pids: { limit: 50 } },
        },
      },
      { layout, syscalls: sys },
    );
    assert.equal(read(m, layout!.version === "v2" ? "" : "pids", "pids.max"), "50");
    m.apply(child.proc.pid!);
    await release(child);
    assert.equal(child.stdout(), "defaults-ok\n");
    assert.match(child.stderr(), /kmsg.*Operation not permitted/);
  } finally {
    await cleanup(m, child);
  }
});
