/**
 * A private containerd for tests: its own root, state and sockets under a
 * temporary directory, runt registered as a runtime handler in the
 * configuration the README gives, stopped and cleaned up afterwards.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mountsMentioning } from "./leftovers.ts";
import { tempDir } from "./runt.ts";

export const NAMESPACE = "runt-test";

/** The README's handler registration, for the runt binary at `runt`. */
export function handlerConfig(runt: string): string {
  return `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runt]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runt.options]
    BinaryName = "${runt}"
`;
}

export interface Containerd {
  dir: string;
  socket: string;
  /** Where the runc shim keeps the runtime's state (its --root is this/NAMESPACE). */
  runcRoot: string;
  /** Runs `ctr` against this containerd in NAMESPACE. */
  ctr(args: string[], timeout?: number): { status: number; stdout: string; stderr: string };
  log(): string;
  stop(): Promise<void>;
}

export async function startContainerd(runt: string): Promise<Containerd> {
  const tmp = tempDir("runt-containerd-");
  const dir = tmp.path;
  const socket = join(dir, "containerd.sock");
  const runcRoot = join(dir, "runc");
  writeFileSync(join(dir, "config.toml"), `version = 2
root = "${dir}/root"
state = "${dir}/state"
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  address = "${dir}/debug.sock"
${handlerConfig(runt)}`);
  const logFd = openSync(join(dir, "containerd.log"), "w");
  const daemon: ChildProcess = spawn("containerd", ["--config", join(dir, "config.toml")], { stdio: ["ignore", logFd, logFd] });
  const ctr = (args: string[], timeout = 60_000) => {
    const r = spawnSync("ctr", ["--address", socket, "--namespace", NAMESPACE, ...args], { encoding: "utf8", timeout });
    return { status: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const log = () => readFileSync(join(dir, "containerd.log"), "utf8");
  const end = Date.now() + 30_000;
  while (!(existsSync(socket) && ctr(["version"], 5_000).status === 0)) {
    if (daemon.exitCode !== null || Date.now() > end) throw new Error(`containerd did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    daemon.kill("SIGTERM");
    while (daemon.exitCode === null && daemon.signalCode === null) await new Promise((r) => setTimeout(r, 20));
    // Shims outlive containerd by design; these belong to this one (their command line names its socket).
    for (const pid of shimsOf(socket)) process.kill(pid, "SIGKILL");
    for (const m of mountsMentioning(dir).map((l) => l.split(" ")[4]).reverse()) spawnSync("umount", ["-l", m]);
    tmp.cleanup();
  };
  return { dir, socket, runcRoot, ctr, log, stop };
}

function shimsOf(socket: string): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(socket);
    } catch {
      return false;
    }
  }).map(Number).filter((pid) => pid !== process.pid);
}
