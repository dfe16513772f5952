/**
 * A private containerd for tests: its own root, state and sockets under a
 * temporary directory, runt registered as a runtime handler in the
 * configuration the README gives, stopped and cleaned up afterwards.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mountsMentioning } from "./leftovers.ts";
import { REPO, runtArgv, tempDir, UNDER } from "./runt.ts";

export const NAMESPACE = "runt-test";

/** The runt the shim runs: dist/runt, or a script in `dir` running the sources under Deno. */
export function runtBinary(dir: string): string {
  if (UNDER === "binary") return join(REPO, "dist/runt");
  const wrapper = join(dir, "runt");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${runtArgv().map((a) => `'${a}'`).join(" ")} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** The README's handler registration, for the runt binary at `runt`; `root` keeps the shim's runtime state there. */
export function handlerConfig(runt: string, root?: string): string {
  return `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runt]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runt.options]
    BinaryName = "${runt}"
${root ? `    Root = "${root}"\n` : ""}`;
}

/** CAP_SYS_RESOURCE: without it nobody here may lower an oom_score_adj. */
const CAP_SYS_RESOURCE = 24n;

/**
 * The CRI plugin without a network or a registry: the pod sandbox image is
 * one imported beforehand, CNI is looked for in an empty directory (pods
 * use the host's network), and runc stays the default handler as on a
 * node. A table of runtimes in the config replaces containerd's default
 * one, so runc is listed again or the plugin refuses to load.
 */
function criConfig(dir: string, sandboxImage: string): string {
  const capEff = BigInt(`0x${readFileSync("/proc/self/status", "utf8").match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? "0"}`);
  // kubelet asks for -998 on the sandbox; where that cannot be set (a
  // container without CAP_SYS_RESOURCE), containerd's own score is the floor.
  const restrict = (capEff >> CAP_SYS_RESOURCE & 1n) === 0n;
  mkdirSync(join(dir, "cni", "net.d"), { recursive: true });
  return `[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = ${restrict}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${dir}/cni/bin"
    conf_dir = "${dir}/cni/net.d"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    Root = "${dir}/runc-default"
`;
}

export interface Containerd {
  dir: string;
  socket: string;
  /** Runs `ctr` against this containerd in `namespace`. */
  ctrIn(namespace: string, args: string[], timeout?: number): { status: number; stdout: string; stderr: string };
  /** Where the runc shim keeps the runtime's state (its --root is this/NAMESPACE; k8s.io for CRI pods). */
  runcRoot: string;
  /** Runs `ctr` against this containerd in NAMESPACE. */
  ctr(args: string[], timeout?: number): { status: number; stdout: string; stderr: string };
  log(): string;
  stop(): Promise<void>;
}

export interface ContainerdOptions {
  /** Configure the CRI plugin to run pods with this image as their sandbox. */
  criSandboxImage?: string;
}

export async function startContainerd(runt: string, options: ContainerdOptions = {}): Promise<Containerd> {
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
${options.criSandboxImage ? `${criConfig(dir, options.criSandboxImage)}${handlerConfig(runt, runcRoot)}` : handlerConfig(runt)}`);
  const logFd = openSync(join(dir, "containerd.log"), "w");
  const daemon: ChildProcess = spawn("containerd", ["--config", join(dir, "config.toml")], { stdio: ["ignore", logFd, logFd] });
  const ctrIn = (namespace: string, args: string[], timeout = 60_000) => {
    const r = spawnSync("ctr", ["--address", socket, "--namespace", namespace, ...args], { encoding: "utf8", killSignal: "SIGKILL", timeout });
    return { status: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const ctr = (args: string[], timeout?: number) => ctrIn(NAMESPACE, args, timeout);
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
  return { dir, socket, runcRoot, ctr, ctrIn, log, stop };
}

/** The shims started by the containerd listening on `socket` (their command line names it). */
export function shimsOf(socket: string): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(socket);
    } catch {
      return false;
    }
  }).map(Number).filter((pid) => pid !== process.pid);
}
