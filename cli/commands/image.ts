/**
 * `runt image pull|load|ls|rm|prune`: the local image store. One command with
 * subcommands, each parsed with its own flags after the subcommand's name.
 */
import type { ImageStore } from "../../runtime/image/store.ts";
import { type Command, type Flags, type FlagValues, parseFlags } from "../command.ts";
import { UsageError } from "../errors.ts";
import { humanBytes } from "../../runtime/registry/progress.ts";

const STORE: Flags = {
  store: { type: "string", value: "DIR", description: "image store (default /var/lib/runt as root, $XDG_DATA_HOME/runt otherwise)" },
};

/** How to reach a registry; `run --image` and `create --image` take them too, for an image they pull. */
export const PULL_FLAGS: Flags = {
  ...STORE,
  creds: { type: "string", value: "USER:PASSWORD", description: "registry credentials (default: REGISTRY_AUTH_FILE or ~/.docker/config.json)" },
  insecure: { type: "boolean", description: "plain http for a registry that is not on 127.0.0.1/localhost" },
  platform: { type: "string", value: "OS/ARCH[/VARIANT]", description: "the platform an image index is resolved to (default: this host's)" },
};

/** Pulls `ref` as the flags say (credentials, plain http, platform), with a progress line on a terminal; loaded on demand. */
export async function pull(store: ImageStore, flags: FlagValues, ref: string): Promise<string> {
  const { pullImage } = await import("../../runtime/registry/pull.ts");
  const { parseCreds } = await import("../../runtime/registry/auth.ts");
  const { progressLine } = await import("../../runtime/registry/progress.ts");
  const { parsePlatform } = await import("../../runtime/image/platform.ts");
  const creds = flags.creds ? parseCreds(flags.creds as string) : undefined;
  const platform = flags.platform !== undefined ? parsePlatform(flags.platform as string) : undefined;
  return await pullImage(store, ref, { creds, insecure: flags.insecure === true, platform, progress: progressLine(ref, process.stderr) });
}

interface Sub {
  args: [min: number, max: number];
  usage: string;
  flags: Flags;
  run(store: ImageStore, flags: FlagValues, args: string[]): Promise<number> | number;
}

const SUBCOMMANDS: Record<string, Sub> = {
  load: {
    args: [1, 1],
    usage: "load PATH (an OCI image layout directory, an oci-archive or a docker-archive tar)",
    flags: STORE,
    async run(store, _flags, [path]) {
      for (const name of await store.load(path)) process.stdout.write(`loaded ${name}\n`);
      return 0;
    },
  },
  pull: {
    args: [1, 1],
    usage: "pull REF (a registry image: busybox, registry.example.com/team/app:1.0, 127.0.0.1:5000/app@sha256:…)",
    flags: PULL_FLAGS,
    async run(store, flags, [ref]) {
      process.stdout.write(`pulled ${await pull(store, flags, ref)}\n`);
      return 0;
    },
  },
  ls: {
    args: [0, 0],
    usage: "ls",
    flags: { ...STORE, quiet: { type: "boolean", short: "q", description: "print only the names" } },
    run(store, flags) {
      const images = store.list();
      if (flags.quiet) {
        process.stdout.write(images.map((i) => `${i.name}\n`).join(""));
        return 0;
      }
      const rows = [["NAME", "DIGEST", "SIZE", "CREATED"], ...images.map((i) => [i.name, i.digest, humanBytes(i.size), i.created ?? ""])];
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)) + 3);
      process.stdout.write(rows.map((r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join("") + "\n").join(""));
      return 0;
    },
  },
  rm: {
    args: [1, Infinity],
    usage: "rm REF...",
    flags: STORE,
    run(store, _flags, refs) {
      for (const ref of refs) process.stdout.write(`${store.remove(ref)}\n`);
      return 0;
    },
  },
  prune: {
    args: [0, 0],
    usage: "prune",
    flags: STORE,
    run(store) {
      const { blobs, layers } = store.prune();
      process.stdout.write(`removed ${blobs} blobs and ${layers} unpacked layers\n`);
      return 0;
    },
  },
};

export const imageCommand: Command = {
  name: "image",
  summary: "manage the local image store (pull, load, ls, rm, prune)",
  args: "pull|load|ls|rm|prune [flags] [ARG...]",
  description: Object.values(SUBCOMMANDS).map((s) => `runt image ${s.usage}`).join("\n"),
  flags: {},
  verbatimAfter: 1,
  minArgs: 1,
  maxArgs: Infinity,
  async run(_ctx, _flags, [name, ...rest]) {
    const sub = SUBCOMMANDS[name];
    if (!sub) throw new UsageError(`image: unknown subcommand "${name}" (expected ${Object.keys(SUBCOMMANDS).join(", ")})`);
    const { values, positionals } = parseFlags(rest, sub.flags, `image ${name}`);
    const [min, max] = sub.args;
    if (positionals.length < min || positionals.length > max) throw new UsageError(`image ${name}: usage: runt image ${sub.usage}`);
    const { loadSyscalls } = await import("../../ffi/mod.ts");
    const { ImageStore } = await import("../../runtime/image/store.ts");
    const store = new ImageStore(await loadSyscalls(), (values.store as string | undefined) || undefined);
    return await sub.run(store, values, positionals);
  },
};
