/**
 * Whether systemd runs this host, asked before anything is made for
 * --systemd-cgroup: apart from the driver (driver.ts), which brings the
 * D-Bus client with it and is loaded only for a cgroup systemd owns.
 */
import { lstatSync } from "../../host_fs.ts";
import { CgroupError } from "../errors.ts";

export const SYSTEMD_RUNTIME_DIR = "/run/systemd/system";

/** Booted with systemd as init, as sd_booted(3) and runc decide it. */
export function isRunningSystemd(dir = SYSTEMD_RUNTIME_DIR): boolean {
  try {
    return lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export function checkSystemdRunning(dir = SYSTEMD_RUNTIME_DIR): void {
  if (!isRunningSystemd(dir)) {
    throw new CgroupError(`--systemd-cgroup: systemd is not running on this host (no ${dir}), so it cannot manage the container's cgroup: drop the flag to use cgroupfs`);
  }
}
