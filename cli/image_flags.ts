/**
 * The flags that turn an image (or a root directory) and options into a
 * spec, shared by `run --image`, `create --image` and `bundle`; each flag
 * becomes one of the spec options scripts use too.
 */
import { readFileSync } from "node:fs";
import type { Syscalls } from "../ffi/syscalls.ts";
import type { RootSource } from "../runtime/image/bundle.ts";
import { capabilityNames, withAddedCapabilities, withDroppedCapabilities } from "../runtime/specopts/capabilities.ts";
import { parseMountFlag, parseVolume, withMounts } from "../runtime/specopts/mounts.ts";
import { withHostNetwork } from "../runtime/specopts/namespaces.ts";
import { withPrivileged } from "../runtime/specopts/privileged.ts";
import { withCwd, withEnv, withHostname, withProcessArgs, withReadonlyRootfs, withTty } from "../runtime/specopts/process.ts";
import { withCPUs, withMemoryLimit, withPidsLimit } from "../runtime/specopts/resources.ts";
import type { SpecOpt } from "../runtime/specopts/types.ts";
import { withUser } from "../runtime/specopts/user.ts";
import { moreSpecOpts } from "./image_flags_more.ts";
import type { Flags, FlagValues } from "./command.ts";
import { UsageError } from "./errors.ts";

export const IMAGE_FLAGS: Flags = {
  image: { type: "string", value: "REF", description: "the image to start from (as `runt image ls` names it)" },
  rootfs: { type: "string", value: "DIR", description: "an unpacked root directory to use instead of an image" },
  store: { type: "string", value: "DIR", description: "image store (default /var/lib/runt as root, $XDG_DATA_HOME/runt otherwise)" },
  creds: { type: "string", value: "USER:PASSWORD", description: "registry credentials, for an image pulled because it is missing" },
  insecure: { type: "boolean", description: "plain http for a registry that is not on 127.0.0.1/localhost" },
  env: { type: "string", short: "e", multiple: true, value: "KEY=VALUE", description: "set an environment variable (KEY alone removes it)" },
  "env-file": { type: "string", multiple: true, value: "FILE", description: "environment variables, one KEY=VALUE a line" },
  mount: { type: "string", multiple: true, value: "type=T,src=S,dst=D,options=A:B", description: "add a mount" },
  volume: { type: "string", short: "v", multiple: true, value: "SRC:DST[:ro]", description: "bind-mount a host directory" },
  cwd: { type: "string", value: "DIR", description: "the process's working directory" },
  user: { type: "string", short: "u", value: "USER[:GROUP]", description: "user and group, by name (from the image) or number" },
  hostname: { type: "string", value: "NAME", description: "the container's hostname" },
  "read-only": { type: "boolean", description: "mount the root filesystem read-only" },
  tty: { type: "boolean", short: "t", description: "give the process a terminal" },
  "net-host": { type: "boolean", description: "share the host's network, /etc/hosts and /etc/resolv.conf" },
  privileged: { type: "boolean", description: "all capabilities, no seccomp, the host's devices, writable sysfs and cgroups" },
  "cap-add": { type: "string", multiple: true, value: "CAP", description: "add a capability (ALL for every one)" },
  "cap-drop": { type: "string", multiple: true, value: "CAP", description: "drop a capability (ALL for every one)" },
  "memory-limit": { type: "string", value: "BYTES", description: "memory limit (k, m, g suffixes in 1024s)" },
  cpus: { type: "string", value: "N", description: "CPU time as a number of CPUs (1.5)" },
  "pids-limit": { type: "string", value: "N", description: "most processes the container may have" },
  "cpu-shares": { type: "string", value: "N", description: "relative CPU weight (cpu.shares)" },
  cgroup: { type: "string", value: "PATH", description: "the container's cgroup path" },
  seccomp: { type: "boolean", description: "runt's default seccomp profile (Docker's and containerd's allowlist)" },
  "seccomp-profile": { type: "string", value: "FILE", description: "a seccomp profile (the spec's linux.seccomp) from a file" },
  "no-seccomp": { type: "boolean", description: "no seccomp filter" },
  device: { type: "string", multiple: true, value: "PATH", description: "a host device node in the container, allowed by its cgroup" },
  uidmap: { type: "string", value: "CONTAINER:HOST:SIZE", description: "a user namespace with this uid map (with --gidmap)" },
  gidmap: { type: "string", value: "CONTAINER:HOST:SIZE", description: "a user namespace with this gid map (with --uidmap)" },
  "with-ns": { type: "string", multiple: true, value: "TYPE:PATH", description: "join the namespace at PATH" },
  network: { type: "string", value: "none|host", description: "a network namespace of its own (none) or the host's" },
  "allow-new-privs": { type: "boolean", description: "let the process gain privileges (no no_new_privs)" },
  "apparmor-profile": { type: "string", value: "NAME", description: "the process's AppArmor profile" },
  label: { type: "string", multiple: true, value: "KEY=VALUE", description: "a label, kept as an annotation" },
  annotation: { type: "string", multiple: true, value: "KEY=VALUE", description: "an annotation in the spec" },
  dns: { type: "string", multiple: true, value: "IP", description: "a name server in the container's own /etc/resolv.conf" },
  "dns-search": { type: "string", multiple: true, value: "DOMAIN", description: "a search domain in /etc/resolv.conf" },
  "dns-option": { type: "string", multiple: true, value: "OPT", description: "an option in /etc/resolv.conf" },
  "add-host": { type: "string", multiple: true, value: "NAME:IP", description: "an entry in the container's own /etc/hosts" },
  "cgroups-mount": { type: "string", value: "ro|rw", description: "mount the container's cgroups read-only or writable" },
  "stop-signal": { type: "string", value: "SIGNAL", description: "the signal runt stop sends first" },
  config: { type: "string", value: "FILE", description: "a spec to start from instead of runt's default" },
  platform: { type: "string", value: "OS/ARCH", description: "the platform the image must be for" },
};

export function rootSource(flags: FlagValues): RootSource {
  return { image: flags.image as string | undefined, rootfs: flags.rootfs as string | undefined };
}

/** The spec options the flags ask for, applied after the image config in this order. */
export function imageSpecOpts(sys: Syscalls, flags: FlagValues, args: string[]): SpecOpt[] {
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  const opts: SpecOpt[] = [];
  for (const file of list("env-file")) opts.push(withEnv(readEnvFile(file)));
  if (list("env").length) opts.push(withEnv(list("env")));
  if (args.length) opts.push(withProcessArgs(...args));
  else if (flags.rootfs) throw new UsageError("--rootfs: give the command to run after the container ID");
  if (flags.cwd) {
    if (!(flags.cwd as string).startsWith("/")) throw new UsageError(`--cwd: expected an absolute path, got "${flags.cwd}"`);
    opts.push(withCwd(flags.cwd as string));
  }
  if (flags.user) opts.push(withUser(sys, flags.user as string));
  if (flags.hostname) opts.push(withHostname(flags.hostname as string));
  if (flags["read-only"]) opts.push(withReadonlyRootfs(true));
  if (flags.tty) opts.push(withTty(true));
  if (flags["net-host"]) opts.push(withHostNetwork());
  const mounts = [...list("mount").map(parseMountFlag), ...list("volume").map(parseVolume)];
  if (mounts.length) opts.push(withMounts(mounts));
  if (flags.privileged) opts.push(withPrivileged());
  // Drops first, as docker has it: `--cap-drop ALL --cap-add X` leaves X.
  if (list("cap-drop").length) opts.push(withDroppedCapabilities(capabilityNames(list("cap-drop"), "--cap-drop")));
  if (list("cap-add").length) opts.push(withAddedCapabilities(capabilityNames(list("cap-add"), "--cap-add")));
  if (flags["memory-limit"]) opts.push(withMemoryLimit(byteSize(flags["memory-limit"] as string)));
  if (flags.cpus) opts.push(withCPUs(positive(flags.cpus as string, "--cpus", false)));
  if (flags["pids-limit"]) opts.push(withPidsLimit(positive(flags["pids-limit"] as string, "--pids-limit", true)));
  opts.push(...moreSpecOpts(flags));
  return opts;
}

function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--env-file: cannot read ${path}: ${(e as Error).message}`);
  }
  // A bare KEY takes the caller's value, as docker's --env-file does.
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    .map((l) => (l.includes("=") || process.env[l] === undefined ? l : `${l}=${process.env[l]}`));
}

function byteSize(text: string): number {
  const match = /^(\d+)([kmg]?)i?b?$/i.exec(text);
  if (!match) throw new UsageError(`--memory-limit: expected bytes (with an optional k, m or g), got "${text}"`);
  return Number(match[1]) * 1024 ** "_kmg".indexOf(match[2].toLowerCase() || "_");
}

export function positive(text: string, flag: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag}: expected a positive ${integer ? "integer" : "number"}, got "${text}"`);
  }
  return value;
}
