/**
 * What `run`, `create` and `bundle` need of images before they know they
 * need one: the flags and how the arguments read. Kept apart from
 * image_container.ts so a command that starts no image loads none of the
 * image code.
 */
import { type Command, checkArgCount, type Flags, type FlagValues } from "./command.ts";
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
  platform: { type: "string", value: "OS/ARCH[/VARIANT]", description: "the platform the image must be for (pulled for it when missing)" },
};

/** With --image or --rootfs the words after the ID are the command; without, runc's single argument. */
export function imageArgsAfter(argv: string[]): number | undefined {
  // A loop and string tests: every create and run passes here, and a process's first regular expression or call of
  // a built-in such as some() costs it tens of microseconds or more.
  for (const a of argv) if (namesImageFlag(a)) return 1;
  return undefined;
}

/** -image, --image, --image=REF, and the same of rootfs. */
function namesImageFlag(arg: string): boolean {
  const name = arg.startsWith("--") ? arg.slice(2) : arg.startsWith("-") ? arg.slice(1) : undefined;
  if (name === undefined) return false;
  const eq = name.indexOf("=");
  const flag = eq < 0 ? name : name.slice(0, eq);
  return flag === "image" || flag === "rootfs";
}

export function usesImage(flags: FlagValues): boolean {
  return flags.image !== undefined || flags.rootfs !== undefined;
}

/** Refuses extra arguments as runc does when no image is involved. */
export function checkPlainArgs(cmd: Command, flags: FlagValues, args: string[]): void {
  if (!usesImage(flags)) checkArgCount({ ...cmd, maxArgs: 1 }, args);
  else if (flags.bundle !== undefined) throw new UsageError("--bundle and --image/--rootfs: the bundle is made from the image, give one of them");
}
