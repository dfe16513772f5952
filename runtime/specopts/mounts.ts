/**
 * Extra mounts: ctr's `--mount type=…,src=…,dst=…,options=a:b` and docker's
 * `-v SRC:DST[:ro]`. A mount at a destination the spec already has replaces it.
 */
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import type { SpecOpt } from "./types.ts";

export type Mount = NonNullable<Spec["mounts"]>[number];

export function withMounts(mounts: readonly Mount[]): SpecOpt {
  return (spec) => {
    const added = new Set(mounts.map((m) => m.destination));
    spec.mounts = [...(spec.mounts ?? []).filter((m) => !added.has(m.destination)), ...mounts];
  };
}

/** `type=bind,src=/a,dst=/b,options=rbind:ro` (source/destination and target are accepted too). */
export function parseMountFlag(text: string): Mount {
  const fields: Record<string, string> = {};
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) throw new RuntError(`--mount: "${part}" is not KEY=VALUE (in "${text}")`);
    fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const destination = fields.dst ?? fields.destination ?? fields.target;
  if (!destination?.startsWith("/")) throw new RuntError(`--mount: dst must be an absolute path (in "${text}")`);
  const type = fields.type ?? "none";
  const options = fields.options ? fields.options.split(":") : type === "bind" ? ["rbind"] : [];
  return { destination, type, source: fields.src ?? fields.source ?? type, options };
}

/** `SRC:DST[:ro|rw]` as a recursive bind. */
export function parseVolume(text: string): Mount {
  const [source, destination, mode = "rw", ...rest] = text.split(":");
  if (!source?.startsWith("/") || !destination?.startsWith("/") || rest.length || (mode !== "ro" && mode !== "rw")) {
    throw new RuntError(`-v: expected /SRC:/DST[:ro|rw], got "${text}"`);
  }
  return { destination, type: "bind", source, options: ["rbind", mode] };
}

/** A cgroup filesystem at /sys/fs/cgroup, read-only or writable (ctnr's cgroups mount). */
export function withCgroupsMount(mode: string): SpecOpt {
  if (mode !== "ro" && mode !== "rw") throw new RuntError(`--cgroups-mount: expected ro or rw, got "${mode}"`);
  return withMounts([{
    destination: "/sys/fs/cgroup",
    type: "cgroup",
    source: "cgroup",
    options: ["nosuid", "noexec", "nodev", "relatime", mode],
  }]);
}
