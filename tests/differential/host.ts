/**
 * Host-side fixtures that variants share between the runc run and the runt
 * run (a directory with a submount, a network namespace), and the check for
 * mounts a run left on the host.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Host mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Detaches every host mount at or below `dir` and returns the mount points that were there. */
export function detachMountsUnder(dir: string): string[] {
  const points = mountsUnder(dir);
  for (const point of points) spawnSync("umount", ["-l", point], { stdio: "ignore" });
  return points;
}

/**
 * A host directory `dir/data` holding a file and, mounted at
 * `dir/data/sub`, a tmpfs: an rbind of `data` carries that submount into
 * the container, a plain bind does not.
 */
export function dataDirWithSubmount(dir: string): { data: string; cleanup: () => void } {
  const data = join(dir, "data");
  mkdirSync(join(data, "sub"), { recursive: true });
  writeFileSync(join(data, "file.txt"), "host data\n");
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=755", "difftmp", join(data, "sub")]);
  writeFileSync(join(data, "sub", "inner.txt"), "in the submount\n");
  return { data, cleanup: () => void detachMountsUnder(data) };
}

export interface NetworkNamespace {
  /** Path for `linux.namespaces[].path`. */
  path: string;
  /** Interfaces it holds besides loopback. */
  extraInterfaces: string[];
  cleanup(): void;
}

function hasIp(): boolean {
  return spawnSync("ip", ["-V"], { stdio: "ignore" }).status === 0;
}

/**
 * A network namespace with loopback up and a veth pair with an address:
 * named with iproute2 when it is installed, otherwise held by a sleeping
 * process started in a new network namespace.
 */
export function networkNamespace(name: string): NetworkNamespace {
  if (hasIp()) {
    execFileSync("ip", ["netns", "add", name]);
    const inNs = (...args: string[]) => execFileSync("ip", ["-n", name, ...args]);
    inNs("link", "set", "lo", "up");
    inNs("link", "add", "diff-a", "type", "veth", "peer", "name", "diff-b");
    inNs("addr", "add", "10.213.0.1/24", "dev", "diff-a");
    inNs("link", "set", "diff-a", "up");
    inNs("link", "set", "diff-b", "up");
    return { path: `/var/run/netns/${name}`, extraInterfaces: ["diff-a", "diff-b"], cleanup: () => void spawnSync("ip", ["netns", "delete", name]) };
  }
  const holder: ChildProcess = spawn("unshare", ["--net", "sleep", "600"], { stdio: "ignore" });
  const path = `/proc/${holder.pid}/ns/net`;
  const mine = readlinkSync("/proc/self/ns/net");
  const end = Date.now() + 5_000;
  while (safeReadlink(path) === mine || safeReadlink(path) === undefined) {
    if (Date.now() > end) throw new Error("unshare --net did not start");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
  execFileSync("nsenter", [`--net=${path}`, "sh", "-c", "ip link set lo up 2>/dev/null || ifconfig lo up"]);
  return { path, extraInterfaces: [], cleanup: () => void holder.kill("SIGKILL") };
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
