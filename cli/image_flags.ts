/**
 * The flags that turn an image (or a root directory) and options into a
 * spec, shared by `run --image`, `create --image` and `bundle`; each flag
 * becomes one of the spec options scripts use too.
 */
import { readFileSync } from "../runtime/host_fs.ts";
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
import type { FlagValues } from "./command.ts";
import { IMAGE_FLAGS } from "./image_args.ts";

export { IMAGE_FLAGS };
import { UsageError } from "./errors.ts";


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
