/**
 * A user namespace with the given maps (ctr's --uidmap/--gidmap). The
 * container's root filesystem must then belong to the mapped IDs: runt
 * gives such a container a copy of the layers whose owners are shifted
 * through the maps (see image/remap.ts), as containerd's remapped snapshot does.
 */
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import { withLinuxNamespace } from "./namespaces.ts";
import type { SpecOpt } from "./types.ts";

export type IDMapping = NonNullable<NonNullable<Spec["linux"]>["uidMappings"]>[number];

export function withUserNamespace(uidMappings: IDMapping[], gidMappings: IDMapping[]): SpecOpt {
  const userns = withLinuxNamespace("user");
  return (spec, ctx) => {
    userns(spec, ctx);
    const linux = spec.linux!;
    linux.uidMappings = uidMappings.map((m) => ({ ...m }));
    linux.gidMappings = gidMappings.map((m) => ({ ...m }));
  };
}

/** `CONTAINER:HOST:SIZE`, as ctr takes it. */
export function parseIDMapping(text: string, flag: string): IDMapping {
  const parts = text.split(":");
  const numbers = parts.map(Number);
  if (parts.length !== 3 || numbers.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffffffff) || numbers[2] === 0) {
    throw new RuntError(`${flag}: expected CONTAINER:HOST:SIZE, got "${text}"`);
  }
  return { containerID: numbers[0], hostID: numbers[1], size: numbers[2] };
}

/** The host ID `id` maps to, or undefined when it is outside every map. */
export function mapToHost(maps: readonly IDMapping[], id: number): number | undefined {
  const m = maps.find((m) => id >= m.containerID && id < m.containerID + m.size);
  return m ? m.hostID + id - m.containerID : undefined;
}
