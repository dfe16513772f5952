/**
 * A script's options for a container made from an image: the CLI's image
 * flags, spelt in camelCase (`readOnly`, `capAdd`, `memoryLimit`), mapped
 * onto the same flag values `run --image` parses, so both build the spec
 * with one implementation. Spec functions go in `specOpts`, after them.
 */
import type { FlagValues } from "../../cli/command.ts";
import { IMAGE_FLAGS } from "../../cli/image_args.ts";
import { RuntError } from "../errors.ts";
import type { SpecOpt } from "../specopts/types.ts";

type FlagValue = string | number | boolean | string[] | undefined;

export interface ImageOptions {
  /** An image as `runt image ls` names it (pulled when missing), or `rootfs`, an unpacked directory. */
  image?: string;
  rootfs?: string;
  /** The command, replacing the image's Entrypoint and Cmd. */
  args?: string[];
  /** KEY=VALUE entries or an object, merged with the image's Env. */
  env?: string[] | Record<string, string>;
  /** Spec functions applied after the image config and the options. */
  specOpts?: SpecOpt[];
  user?: string;
  cwd?: string;
  hostname?: string;
  readOnly?: boolean;
  privileged?: boolean;
  capAdd?: string | string[];
  capDrop?: string | string[];
  memoryLimit?: string | number;
  cpus?: string | number;
  pidsLimit?: string | number;
  mount?: string | string[];
  volume?: string | string[];
  /** Any other image flag of `runt run`, in camelCase (`netHost`, `seccomp`, `addHost`, …). */
  [flag: string]: FlagValue | Record<string, string> | SpecOpt[] | Uint8Array;
}

/** The keys of ImageOptions that are no flags. */
const OWN = new Set(["args", "specOpts"]);

/** The flag values `options` stand for; `others`: the caller's own keys (id, stdout, …), passed over. */
export function imageFlagValues(options: ImageOptions, others: readonly string[] = []): FlagValues {
  const flags: FlagValues = {};
  for (const [key, value] of Object.entries(options)) {
    if (OWN.has(key) || others.includes(key) || value === undefined) continue;
    const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const spec = IMAGE_FLAGS[name];
    if (!spec) throw new RuntError(`unknown option "${key}"`);
    if (spec.type === "boolean") {
      if (typeof value !== "boolean") throw new RuntError(`option "${key}": expected true or false`);
      flags[name] = value;
    } else if (key === "env" && !Array.isArray(value) && typeof value === "object") {
      flags[name] = Object.entries(value as Record<string, string>).map(([k, v]) => `${k}=${v}`);
    } else if (spec.multiple) {
      flags[name] = (Array.isArray(value) ? value : [value]).map(String);
    } else if (typeof value === "string" || typeof value === "number") {
      flags[name] = String(value);
    } else {
      throw new RuntError(`option "${key}": expected a string`);
    }
  }
  if (flags.image === undefined && flags.rootfs === undefined) throw new RuntError("image: give an image (or a rootfs directory)");
  return flags;
}
