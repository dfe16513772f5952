/** A host device in the container (ctr's --device), with the cgroup rule that lets the container use it. */
import { lstatSync } from "../host_fs.ts";
import { RuntError } from "../errors.ts";
import { deviceAt } from "./privileged.ts";
import type { SpecOpt } from "./types.ts";

/** The device node at `path` on the host, at the same path inside, allowed with `access` (rwm by default). */
export function withLinuxDevice(path: string, access = "rwm"): SpecOpt {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw new RuntError(`--device: cannot stat ${path}: ${(e as Error).message}`);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new RuntError(`--device: ${path} is not a device node`);
  if (!/^[rwm]{1,3}$/.test(access)) throw new RuntError(`--device: access must be made of r, w and m, got "${access}"`);
  return (spec) => {
    const device = deviceAt(path);
    const linux = spec.linux ??= {};
    linux.devices = [...(linux.devices ?? []).filter((d) => d.path !== path), device];
    linux.resources ??= {};
    linux.resources.devices = [
      ...(linux.resources.devices ?? []),
      { allow: true, type: device.type as "c" | "b", major: device.major, minor: device.minor, access },
    ];
  };
}
