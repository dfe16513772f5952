/** `runt bundle --image REF [options] DIR [CMD…]`: a bundle for runc or any OCI runtime, from a stored image. */
import { readFileSync } from "node:fs";
import { loadSyscalls } from "../../ffi/mod.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { writeImageBundle } from "../../runtime/image/bundle.ts";
import { ImageStore } from "../../runtime/image/store.ts";
import { withCwd, withEnv, withHostname, withProcessArgs, withReadonlyRootfs, withTty } from "../../runtime/specopts/process.ts";
import type { SpecOpt } from "../../runtime/specopts/types.ts";
import { withUser } from "../../runtime/specopts/user.ts";
import type { Command, Flags, FlagValues } from "../command.ts";
import { UsageError } from "../errors.ts";

/** The options that turn an image into a spec, shared by every command that takes --image. */
export const IMAGE_FLAGS: Flags = {
  image: { type: "string", value: "REF", description: "the image to start from (as `runt image ls` names it)" },
  store: { type: "string", value: "DIR", description: "image store (default /var/lib/runt as root, $XDG_DATA_HOME/runt otherwise)" },
  env: { type: "string", short: "e", multiple: true, value: "KEY=VALUE", description: "set an environment variable (KEY alone removes it)" },
  "env-file": { type: "string", multiple: true, value: "FILE", description: "environment variables, one KEY=VALUE a line" },
  cwd: { type: "string", value: "DIR", description: "the process's working directory" },
  user: { type: "string", short: "u", value: "USER[:GROUP]", description: "user and group, by name (from the image) or number" },
  hostname: { type: "string", value: "NAME", description: "the container's hostname" },
  "read-only": { type: "boolean", description: "mount the root filesystem read-only" },
  tty: { type: "boolean", short: "t", description: "give the process a terminal" },
};

/** The spec options the flags ask for, in a fixed order: env files, then -e, then the rest. */
export function imageSpecOpts(sys: Syscalls, flags: FlagValues, args: string[]): SpecOpt[] {
  const opts: SpecOpt[] = [];
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  for (const file of list("env-file")) opts.push(withEnv(readEnvFile(file)));
  if (list("env").length) opts.push(withEnv(list("env")));
  if (args.length) opts.push(withProcessArgs(...args));
  if (flags.cwd) opts.push(withCwd(flags.cwd as string));
  if (flags.user) opts.push(withUser(sys, flags.user as string));
  if (flags.hostname) opts.push(withHostname(flags.hostname as string));
  if (flags["read-only"]) opts.push(withReadonlyRootfs(true));
  if (flags.tty) opts.push(withTty(true));
  return opts;
}

function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--env-file: cannot read ${path}: ${(e as Error).message}`);
  }
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    .map((l) => (l.includes("=") || process.env[l] === undefined ? l : `${l}=${process.env[l]}`));
}

export const bundleCommand: Command = {
  name: "bundle",
  summary: "write a bundle (rootfs + config.json) from an image, for runc or any OCI runtime",
  args: "DIR [CMD [ARG...]]",
  flags: IMAGE_FLAGS,
  verbatimAfter: 1,
  minArgs: 1,
  maxArgs: Infinity,
  async run(_ctx, flags, [dir, ...args]) {
    if (!flags.image) throw new UsageError("bundle: --image REF is required");
    const sys = await loadSyscalls();
    const store = new ImageStore(sys, (flags.store as string | undefined) || undefined);
    await writeImageBundle(sys, store, flags.image as string, dir, imageSpecOpts(sys, flags, args));
    return 0;
  },
};
