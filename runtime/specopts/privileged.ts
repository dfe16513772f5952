/**
 * `--privileged` as ctr and ctnr make it: every capability runt holds, no seccomp, no
 * masked or read-only paths, writable sysfs and cgroups, the host's devices
 * and access to all devices.
 */
import { lstatSync, readdirSync } from "../host_fs.ts";
import { join } from "../path.ts";
import type { Spec } from "../spec/schema.ts";
import { currentCapabilities, withCapabilities } from "./capabilities.ts";
import type { SpecOpt } from "./types.ts";

type Device = NonNullable<NonNullable<Spec["linux"]>["devices"]>[number];

/** Directories of /dev that hold no device of the host's own (containerd skips the same). */
const SKIP = new Set(["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"]);

export function withPrivileged(): SpecOpt {
  return (spec, ctx) => {
    withCapabilities(currentCapabilities())(spec, ctx);
    const linux = spec.linux ??= {};
    delete linux.seccomp;
    delete linux.maskedPaths;
    delete linux.readonlyPaths;
    for (const m of spec.mounts ?? []) {
      if (m.type === "sysfs" || m.type === "cgroup" || m.type === "cgroup2") m.options = (m.options ?? []).filter((o) => o !== "ro");
    }
    linux.devices = hostDevices();
    linux.resources = { ...linux.resources, devices: [{ allow: true, access: "rwm" }] };
  };
}

/** The character and block devices under /dev, as the host has them. */
export function hostDevices(dir = "/dev"): Device[] {
  const out: Device[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // lstat, not the directory entry's type: Deno's readdir does not tell devices apart.
    const st = lstatSync(path);
    if (st.isDirectory()) {
      if (!SKIP.has(name)) out.push(...hostDevices(path));
      continue;
    }
    if ((!st.isCharacterDevice() && !st.isBlockDevice()) || path === "/dev/console") continue;
    out.push(deviceAt(path, st));
  }
  return out;
}

/** The spec entry for the device node at `path`, as the host has it. */
export function deviceAt(path: string, st = lstatSync(path)): Device {
  const rdev = Number(st.rdev);
  return {
    path,
    type: st.isCharacterDevice() ? "c" : "b",
    // glibc's major()/minor() on a dev_t that fits in a double.
    major: (Math.floor(rdev / 0x100) & 0xfff) | (Math.floor(rdev / 0x100000000) & ~0xfff),
    minor: (rdev & 0xff) | (Math.floor(rdev / 0x1000) & ~0xff),
    fileMode: st.mode & 0o777,
    uid: st.uid,
    gid: st.gid,
  };
}
