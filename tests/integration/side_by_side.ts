/**
 * A container manager (podman, docker) driven through the same steps twice,
 * with runc and with runt as its runtime: one-shot containers with the flags
 * users pass most, and a detached container through exec, top, pause, stop,
 * start, kill and rm. Each step's transcript is its exit status and output;
 * the test compares runt's with runc's, and asserts some outright, so that
 * two runtimes failing alike cannot pass.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { UNDER, WAIT_SCALE } from "./runt.ts";

/**
 * Why a manager's test is skipped under the sources: managers drive the
 * binary users install, and each step runs dozens of runtime commands,
 * which would add minutes under Deno for code the other suites already
 * run there.
 */
export const MANAGERS_DRIVE_THE_BINARY = UNDER === "binary" ? false : "managers drive dist/runt: run with RUNT_UNDER=binary";

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

export interface Manager {
  /** The manager's command and global options, the runtime's included where they choose it (podman's --runtime). */
  command: string[];
  /** What `run` adds to choose the runtime (docker's --runtime NAME). */
  runFlags: string[];
  /** What `top` takes to list the command lines (docker's ps wants the PID among them). */
  topOptions: string[];
}

/** One container run once: a label, the manager's flags, the command, what goes to its stdin. */
export type OneShot = [label: string, flags: string[], command: string[], input?: string];

export function manage(m: Manager, args: string[], input?: string | Buffer): Result {
  const [program, ...global] = m.command;
  const r = spawnSync(program, [...global, ...args], { input, encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" });
  if (r.error) throw new Error(`${m.command.join(" ")} ${args.join(" ")}: ${r.error.message}`);
  return { status: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same on a terminal (util-linux's script), as `-it` wants one. script's
 * input stays open until the manager is done: at its end script hangs up
 * the terminal, and podman stops on that SIGHUP with the output unread.
 */
function onTerminal(m: Manager, args: string[]): Promise<Result> {
  const command = [...m.command, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
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

/** What a step showed; a terminal's carriage returns taken out. */
export function shown(label: string, r: Result): string {
  return `== ${label}: status ${r.status}\n${r.stdout.replaceAll("\r", "")}`;
}

async function until(what: string, ready: () => boolean): Promise<void> {
  const end = Date.now() + 30_000 * WAIT_SCALE;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CGROUP_FILES = "cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us pids/pids.max 2>/dev/null || cat memory.max cpu.max pids.max";

/** The one-shot containers both managers run; `volume` holds a file f with "data". */
export function commonOneShots(volume: string): OneShot[] {
  return [
    ["defaults", [], ["sh", "-c", "echo hi; id; ls /proc/self/fd | tr '\\n' ' '; echo; grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; hostname | wc -c"]],
    ["stdin", ["-i"], ["cat"], "piped\n"],
    ["exit status", [], ["sh", "-c", "exit 42"]],
    ["read-only", ["--read-only"], ["sh", "-c", "touch /x 2>&1; touch /tmp/y && echo tmp ok"]],
    ["resources", ["--memory", "64m", "--cpus", "0.5", "--pids-limit", "50"], ["sh", "-c", CGROUP_FILES]],
    ["init", ["--init"], ["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"]],
    ["host pid namespace", ["--pid", "host"], ["cat", "/proc/1/comm"]],
    ["network none", [], ["ls", "/sys/class/net"]],
    ["capabilities", ["--cap-drop", "all", "--cap-add", "net_admin"], ["grep", "Cap", "/proc/self/status"]],
    ["device", ["--device", "/dev/null:/dev/mynull"], ["sh", "-c", "ls -l /dev/mynull | cut -c1-10; echo x > /dev/mynull && echo wrote"]],
    ["volume", ["-v", `${volume}:/v:ro`], ["sh", "-c", "cat /v/f; touch /v/g 2>&1"]],
    ["user and workdir", ["-u", "1234:5678", "-w", "/tmp"], ["sh", "-c", "id; pwd"]],
    ["environment", ["-e", "A=1"], ["sh", "-c", "echo $A $PATH"]],
    ["sysctl", ["--sysctl", "net.ipv4.ip_forward=1"], ["cat", "/proc/sys/net/ipv4/ip_forward"]],
    ["shm size", ["--shm-size", "10m"], ["sh", "-c", "df -k /dev/shm | tail -1 | tr -s ' ' | cut -d' ' -f2"]],
    ["hostname", ["--hostname", "box"], ["hostname"]],
    ["tmpfs", ["--tmpfs", "/scratch:size=1m"], ["sh", "-c", "grep ' /scratch ' /proc/self/mounts"]],
    ["no new privileges", ["--security-opt", "no-new-privileges"], ["grep", "NoNewPrivs", "/proc/self/status"]],
    ["seccomp unconfined", ["--security-opt", "seccomp=unconfined"], ["grep", "Seccomp:", "/proc/self/status"]],
    ["host ipc namespace", ["--ipc", "host"], ["sh", "-c", "readlink /proc/self/ns/ipc; readlink /proc/1/ns/ipc"]],
    ["oom score", ["--oom-score-adj", "500"], ["cat", "/proc/self/oom_score_adj"]],
    // Both: podman 4.3 given one asks for its own default of the other, above this machine's hard limit.
    ["rlimit", ["--ulimit", "nofile=512:1024", "--ulimit", "nproc=1024:1024"], ["sh", "-c", "ulimit -n; ulimit -Hn"]],
    ["cpu", ["--cpu-shares", "512", "--cpuset-cpus", "0"], ["sh", "-c", "cd /sys/fs/cgroup; cat cpu/cpu.shares cpuset/cpuset.cpus 2>/dev/null || cat cpu.weight cpuset.cpus"]],
    ["groups", ["--group-add", "42", "--group-add", "43"], ["id"]],
    // Sorted, each container's ID taken out: podman orders its own bind mounts (hosts, hostname, …) anew for each container.
    ["mounts", [], ["sh", "-c", "cut -d' ' -f4- /proc/self/mountinfo | sed -E 's/ [a-z]*:[0-9]+//g; s/[0-9a-f]{64}/ID/g' | sort"]],
  ];
}

/** Each one-shot container's transcript, then one on a terminal. */
async function oneShots(m: Manager, image: string, steps: OneShot[]): Promise<string[]> {
  const run = ["run", "--rm", "--network", "none", ...m.runFlags];
  const out = steps.map(([label, flags, command, input]) => shown(label, manage(m, [...run, ...flags, image, ...command], input)));
  out.push(shown("terminal", await onTerminal(m, [...run, "-it", image, "sh", "-c", "tty; echo on a terminal"])));
  return out;
}

/** What the detached container does: says it started, and exits 3 on SIGTERM, saying so. */
const LONG = "echo started; trap 'echo got TERM; exit 3' TERM; sleep 1000 & wait";

/**
 * A detached container named `name` through its life; `extra` are steps of
 * the manager's own, taken while it runs. Returns the transcript and the
 * container's ID.
 */
async function detached(m: Manager, image: string, name: string, extra: [label: string, args: string[]][] = []): Promise<{ out: string[]; id: string }> {
  const out: string[] = [];
  const step = (label: string, args: string[]) => out.push(shown(label, manage(m, args)));
  const started = manage(m, ["run", "-d", "--name", name, "--network", "none", ...m.runFlags, image, "sh", "-c", LONG]);
  if (started.status !== 0) throw new Error(`run -d: ${started.stderr}`);
  await until("the container's first line", () => manage(m, ["logs", name]).stdout.includes("started"));
  step("exec", ["exec", name, "sh", "-c", "echo exec ok; id -u; tr '\\0' ' ' < /proc/1/cmdline"]);
  step("exec as another user", ["exec", "-u", "1000", "-e", "FOO=bar", "-w", "/tmp", name, "sh", "-c", "echo $FOO $(id -u) $(pwd)"]);
  step("exec exit status", ["exec", name, "sh", "-c", "exit 7"]);
  out.push(shown("exec on a terminal", await onTerminal(m, ["exec", "-it", name, "tty"])));
  const top = manage(m, ["top", name, ...m.topOptions]);
  // PIDs differ from run to run: the command lines are what counts.
  out.push(shown("top", { ...top, stdout: top.stdout.replace(/^(PID|\d+) +/gm, "") }));
  for (const [label, args] of extra) step(label, args);
  manage(m, ["pause", name]);
  step("paused", ["inspect", "-f", "{{.State.Status}}", name]);
  manage(m, ["unpause", name]);
  step("unpaused", ["inspect", "-f", "{{.State.Status}}", name]);
  manage(m, ["stop", "-t", "20", name]);
  step("stopped", ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name]);
  step("logs", ["logs", name]);
  manage(m, ["start", name]);
  step("started again", ["inspect", "-f", "{{.State.Status}}", name]);
  manage(m, ["kill", "-s", "KILL", name]);
  step("killed", ["wait", name]);
  step("removed", ["rm", name]);
  return { out, id: started.stdout.trim() };
}

/**
 * Every step with runc, then with runt, as the runtime of the same manager:
 * the one-shot containers, then the detached one named `name` (with
 * `extra`); each transcript must be runc's. Returns runt's transcript and
 * its detached container's ID.
 */
export async function compareRuntimes(
  runc: Manager,
  runt: Manager,
  image: string,
  steps: OneShot[],
  extra: (name: string) => [label: string, args: string[]][] = () => [],
): Promise<{ transcript: string[]; id: string }> {
  const byRunc = await oneShots(runc, image, steps);
  const byRunt = await oneShots(runt, image, steps);
  assert.deepEqual(byRunt, byRunc);
  const lifeByRunc = await detached(runc, image, "long", extra("long"));
  const lifeByRunt = await detached(runt, image, "long", extra("long"));
  assert.deepEqual(lifeByRunt.out, lifeByRunc.out);
  return { transcript: [...byRunt, ...lifeByRunt.out], id: lifeByRunt.id };
}

/** Lines runt's transcript must hold with either manager. */
export const EXPECTED = [
  "== defaults: status 0\nhi\nuid=0(root)",
  "== stdin: status 0\npiped\n",
  "== exit status: status 42\n",
  "== no new privileges: status 0\nNoNewPrivs:\t1\n",
  "== seccomp unconfined: status 0\nSeccomp:\t0\n",
  "== oom score: status 0\n500\n",
  "== rlimit: status 0\n512\n1024\n",
  "== device: status 0\ncrw-rw-rw-\nwrote\n",
  "== volume: status 1\ndata\ntouch: /v/g: Read-only file system\n",
  "== hostname: status 0\nbox\n",
  "== terminal: status 0\n/dev/pts/0\non a terminal\n",
  "== exec: status 0\nexec ok\n0\nsh -c echo started",
  "== exec as another user: status 0\nbar 1000 /tmp\n",
  "== exec exit status: status 7\n",
  "== exec on a terminal: status 0\n/dev/pts/0\n",
  "== paused: status 0\npaused\n",
  "== unpaused: status 0\nrunning\n",
  "== stopped: status 0\nexited 3\n",
  "== logs: status 0\nstarted\ngot TERM\n",
  "== started again: status 0\nrunning\n",
  "== killed: status 0\n137\n",
];

/** Fails naming each of `expected` that `transcript` lacks, with the transcript. */
export function assertHolds(transcript: string[], expected: string[]): void {
  const all = transcript.join("");
  const lacking = expected.filter((line) => !all.includes(line));
  if (lacking.length) throw new Error(`runt's transcript lacks ${lacking.map((l) => JSON.stringify(l)).join(", ")}:\n${all}`);
}
