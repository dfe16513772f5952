/**
 * Device rules as systemd's DevicePolicy and DeviceAllow, as runc sends
 * them: always the strict allow-list mode; "c 1:3 rwm" as /dev/char/1:3
 * when that device exists on the host (systemd warns about a path that does
 * not); "c 136:* rwm" as its group in /proc/devices ("char-pts"); "c *:* m"
 * as char-*. Rules systemd cannot express ("*:n", a major with no group) are
 * left to runt's own device filter, which enforces the full list either way.
 */
import { existsSync, readFileSync } from "../../host_fs.ts";
import { variant } from "../../dbus/marshal.ts";
import { DeviceEmulator, type DeviceRule, WILDCARD } from "../devices.ts";
import type { UnitProperty } from "./properties.ts";

/** What the device list needs to know of the host. */
export interface DeviceHost {
  /** The name /proc/devices gives major `major` of type `type`, if any. */
  groupOf(type: "b" | "c", major: number): string | undefined;
  /** Whether /dev/{block,char}/M:N, or its /sys/dev twin, exists. */
  exists(path: string): boolean;
}

export const hostDevices: DeviceHost = {
  groupOf: (type, major) => deviceGroups(readFileSync("/proc/devices", "utf8"), type).get(major),
  exists: (path) => existsSync(path) || existsSync(`/sys${path}`),
};

/** /proc/devices as major → name, for one type of device. */
export function deviceGroups(text: string, type: "b" | "c"): Map<number, string> {
  const groups = new Map<number, string>();
  let current: "b" | "c" | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "Block devices:") current = "b";
    else if (line === "Character devices:") current = "c";
    else if (current === type) {
      const m = /^(\d+)\s+(\S+)$/.exec(line);
      // The first name listed for a major is the one used, as runc does.
      if (m && !groups.has(Number(m[1]))) groups.set(Number(m[1]), m[2]);
    }
  }
  return groups;
}

export function deviceProperties(rules: readonly DeviceRule[], host: DeviceHost = hostDevices): UnitProperty[] {
  const state = DeviceEmulator.of(rules);
  if (state.defaultAllow) {
    // systemd has no deny list: allow-all is policy "auto" with no entries; any other deny list is strict and empty until runt's filter takes over.
    const allowAll = state.entries().length === 0;
    return [["DevicePolicy", variant("s", allowAll ? "auto" : "strict")], ["DeviceAllow", variant("a(ss)", [])]];
  }
  const allow: Array<[string, string]> = [];
  for (const e of state.entries()) {
    const type = e.type === "b" ? "b" : "c";
    const prefix = type === "b" ? "block-" : "char-";
    if (e.major === WILDCARD) {
      if (e.minor === WILDCARD) allow.push([`${prefix}*`, e.access]);
      continue;
    }
    if (e.minor === WILDCARD) {
      const group = host.groupOf(type, e.major);
      if (group !== undefined) allow.push([`${prefix}${group}`, e.access]);
      continue;
    }
    const path = `/dev/${type === "b" ? "block" : "char"}/${e.major}:${e.minor}`;
    if (host.exists(path)) allow.push([path, e.access]);
  }
  // The empty list first clears what the unit had, then the full list replaces it.
  return [["DevicePolicy", variant("s", "strict")], ["DeviceAllow", variant("a(ss)", [])], ["DeviceAllow", variant("a(ss)", allow)]];
}
