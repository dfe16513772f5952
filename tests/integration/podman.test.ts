/**
 * runt as podman's OCI runtime (`podman --runtime PATH`), side by side with
 * runc through the same podman: one store of its own (vfs, under a
 * temporary directory), one busybox image imported into it, and the same
 * podman commands for each runtime — one-shot containers with the flags
 * users pass most, and a detached container driven through exec, top,
 * pause, stop, start, kill and rm. Every step's exit status and output
 * must be runc's; a few are also asserted outright, so that two runtimes
 * failing alike cannot pass.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { runtBinary } from "./containerd.ts";
import { mountsMentioning } from "./leftovers.ts";
import { hasCommand, isRoot, REPO, tempDir, WAIT_SCALE } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("podman") ? "needs podman (Debian's podman package)" : false;
const IMAGE = "localhost/busybox-runt:test";
// podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, above this machine's hard limits: runc fails on that as runt does.
const LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];
const ONE_SHOT = ["run", "--rm", "--network", "none", ...LIMITS];
const LONG = "echo started; trap 'echo got TERM; exit 3' TERM; sleep 1000 & wait";
const RUNC_STATE = "/run/runc";
const RUNT_STATE = "/run/runt";

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** podman with a store, a run directory and a runtime of the test's own. */
class Podman {
  readonly global: string[];

  constructor(work: string, readonly runtime: string) {
    this.global = [
      "--root", join(work, "storage"),
      "--runroot", join(work, "run"),
      "--tmpdir", join(work, "libpod"),
      "--storage-driver", "vfs",
      "--cgroup-manager", "cgroupfs",
      "--events-backend", "file",
      "--network-config-dir", join(work, "networks"),
      "--runtime", runtime,
    ];
  }

  run(args: string[], input?: string | Buffer): Result {
    const r = spawnSync("podman", [...this.global, ...args], { input, encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" });
    if (r.error) throw new Error(`podman ${args.join(" ")}: ${r.error.message}`);
    return { status: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The same on a terminal (util-linux's script), as `-it` wants one. script's
   * input stays open until podman is done: at its end script hangs up the
   * terminal, and podman would stop on that SIGHUP, output unread.
   */
  onTerminal(args: string[]): Promise<Result> {
    const command = ["podman", ...this.global, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => stdout += d);
    child.stderr.on("data", (d) => stderr += d);
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    return new Promise((resolve) =>
      child.on("close", (status) => {
        clearTimeout(timer);
        child.stdin.end();
        resolve({ status: status ?? 128 + 9, stdout, stderr });
      })
    );
  }
}

/** What a step showed; a terminal's carriage returns taken out. */
function shown(label: string, r: Result): string {
  return `== ${label}: status ${r.status}\n${r.stdout.replaceAll("\r", "")}`;
}

async function until(what: string, ready: () => boolean): Promise<void> {
  const end = Date.now() + 30_000 * WAIT_SCALE;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One-shot containers: each step's transcript. */
async function oneShots(p: Podman, volume: string): Promise<string[]> {
  const steps: [label: string, flags: string[], command: string[], input?: string][] = [
    ["defaults", [], ["sh", "-c", "echo hi; id; ls /proc/self/fd | tr '\\n' ' '; echo; grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; hostname | wc -c"]],
    ["stdin", ["-i"], ["cat"], "piped\n"],
    ["exit status", [], ["sh", "-c", "exit 42"]],
    ["read-only", ["--read-only"], ["sh", "-c", "touch /x 2>&1; touch /tmp/y && echo tmp ok"]],
    ["resources", ["--memory", "64m", "--cpus", "0.5", "--pids-limit", "50"], ["sh", "-c", "cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us pids/pids.max 2>/dev/null || cat memory.max cpu.max pids.max"]],
    ["init", ["--init"], ["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"]],
    ["user namespace", ["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"], ["sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map"]],
    ["host pid namespace", ["--pid", "host"], ["cat", "/proc/1/comm"]],
    ["network none", [], ["ls", "/sys/class/net"]],
    ["capabilities", ["--cap-drop", "all", "--cap-add", "net_admin"], ["grep", "Cap", "/proc/self/status"]],
    ["privileged", ["--privileged"], ["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; ls -l /dev/null | cut -c1-10; ls /dev | wc -l"]],
    ["device", ["--device", "/dev/null:/dev/mynull"], ["sh", "-c", "ls -l /dev/mynull | cut -c1-10; echo x > /dev/mynull && echo wrote"]],
    ["volume", ["-v", `${volume}:/v:ro`], ["sh", "-c", "cat /v/f; touch /v/g 2>&1"]],
    ["user and workdir", ["-u", "1234:5678", "-w", "/tmp"], ["sh", "-c", "id; pwd"]],
    ["environment", ["-e", "A=1"], ["sh", "-c", "echo $A $PATH"]],
    ["sysctl", ["--sysctl", "net.ipv4.ip_forward=1"], ["cat", "/proc/sys/net/ipv4/ip_forward"]],
    ["shm size", ["--shm-size", "10m"], ["sh", "-c", "df -k /dev/shm | tail -1 | tr -s ' ' | cut -d' ' -f2"]],
    ["hostname", ["--hostname", "box"], ["hostname"]],
    ["tmpfs", ["--tmpfs", "/scratch:size=1m"], ["sh", "-c", "grep ' /scratch ' /proc/self/mounts"]],
  ];
  const out = steps.map(([label, flags, command, input]) => shown(label, p.run([...ONE_SHOT, ...flags, IMAGE, ...command], input)));
  out.push(shown("terminal", await p.onTerminal([...ONE_SHOT, "-it", IMAGE, "sh", "-c", "tty; echo on a terminal"])));
  return out;
}

/** A detached container through its life; returns the transcript and the container's ID. */
async function detached(p: Podman, name: string): Promise<{ out: string[]; id: string }> {
  const out: string[] = [];
  const step = (label: string, args: string[]) => {
    const r = p.run(args);
    out.push(shown(label, r));
    return r;
  };
  const started = p.run(["run", "-d", "--name", name, "--network", "none", ...LIMITS, IMAGE, "sh", "-c", LONG]);
  assert.equal(started.status, 0, started.stderr);
  const id = started.stdout.trim();
  await until("the container's first line", () => p.run(["logs", name]).stdout.includes("started"));
  step("exec", ["exec", name, "sh", "-c", "echo exec ok; id -u; tr '\\0' ' ' < /proc/1/cmdline"]);
  step("exec as another user", ["exec", "-u", "1000", "-e", "FOO=bar", "-w", "/tmp", name, "sh", "-c", "echo $FOO $(id -u) $(pwd)"]);
  step("exec exit status", ["exec", name, "sh", "-c", "exit 7"]);
  out.push(shown("exec on a terminal", await p.onTerminal(["exec", "-it", name, "tty"])));
  step("top", ["top", name, "args"]);
  p.run(["pause", name]);
  step("paused", ["inspect", "-f", "{{.State.Status}}", name]);
  p.run(["unpause", name]);
  step("unpaused", ["inspect", "-f", "{{.State.Status}}", name]);
  p.run(["stop", "-t", "20", name]);
  step("stopped", ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name]);
  step("logs", ["logs", name]);
  p.run(["start", name]);
  step("started again", ["inspect", "-f", "{{.State.Status}}", name]);
  p.run(["kill", "-s", "KILL", name]);
  step("killed", ["wait", name]);
  step("removed", ["rm", name]);
  return { out, id };
}

test("podman drives runt as it drives runc: one-shot containers with common flags, and a detached one through exec, top, pause, stop, start, kill and rm", { skip, timeout: 300_000 }, async () => {
  const work = tempDir("runt-podman-");
  const runtime = runtBinary(work.path);
  const rootfs = ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox"));
  const volume = join(work.path, "volume");
  mkdirSync(volume);
  writeFileSync(join(volume, "f"), "data\n");
  const runc = new Podman(work.path, "/usr/bin/runc");
  const runt = new Podman(work.path, runtime);
  try {
    const tar = spawnSync("tar", ["-C", rootfs, "-c", "."], { maxBuffer: 64 << 20 });
    assert.equal(tar.status, 0);
    const imported = runt.run(["import", "-", IMAGE], tar.stdout);
    assert.equal(imported.status, 0, imported.stderr);

    const byRunc = await oneShots(runc, volume);
    const byRunt = await oneShots(runt, volume);
    assert.deepEqual(byRunt, byRunc);
    const lifeByRunc = await detached(runc, "long");
    const lifeByRunt = await detached(runt, "long");
    assert.deepEqual(lifeByRunt.out, lifeByRunc.out);

    // What both must show, so that the comparison cannot pass on two failures.
    const all = [...byRunt, ...lifeByRunt.out].join("");
    for (
      const expected of [
        "== defaults: status 0\nhi\nuid=0(root)",
        "== stdin: status 0\npiped\n",
        "== exit status: status 42\n",
        "== read-only: status 0\ntouch: /x: Read-only file system\ntmp ok\n",
        "== init: status 0\n/run/podman-init -- sh -c",
        "== user namespace: status 0\nuid=0(root) gid=0(root)",
        "== device: status 0\ncrw-rw-rw-\nwrote\n",
        "== volume: status 1\ndata\ntouch: /v/g: Read-only file system\n",
        "== user and workdir: status 0\nuid=1234(1234) gid=5678(5678) groups=5678(5678)\n/tmp\n",
        "== hostname: status 0\nbox\n",
        "== terminal: status 0\n/dev/pts/0\non a terminal\n",
        "== exec: status 0\nexec ok\n0\nsh -c echo started",
        "== exec as another user: status 0\nbar 1000 /tmp\n",
        "== exec exit status: status 7\n",
        "== exec on a terminal: status 0\n/dev/pts/0\n",
        "== top: status 0\nCOMMAND\nsh -c echo started",
        "== paused: status 0\npaused\n",
        "== unpaused: status 0\nrunning\n",
        "== stopped: status 0\nexited 3\n",
        "== logs: status 0\nstarted\ngot TERM\n",
        "== started again: status 0\nrunning\n",
        "== killed: status 0\n137\n",
      ]
    ) assert.ok(all.includes(expected), `runt's transcript lacks ${JSON.stringify(expected)}:\n${all}`);
    assert.match(all, /== privileged: status 0\nCapEff:\t[0-9a-f]+\nSeccomp:\t0\ncrw-rw-rw-\n/);
    assert.ok(!existsSync(join(RUNT_STATE, lifeByRunt.id)), "runt's state of the removed container is gone");
    assert.ok(!existsSync(join(RUNC_STATE, lifeByRunc.id)), "runc's state of the removed container is gone");
  } finally {
    runt.run(["rm", "--all", "--force"]);
    work.cleanup();
  }
  assert.deepEqual(mountsMentioning(work.path), []);
});
