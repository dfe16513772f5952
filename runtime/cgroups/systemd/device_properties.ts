/**
 * Device rules as systemd's DevicePolicy and DeviceAllow, as runc sends
 * them: always the strict allow-list mode; "c 1:3 rwm" as /dev/char/1:3,
 * "c 136:* rwm" as char-136 (systemd 240+), "c *:* m" as char-*. Rules
 * systemd cannot express ("*:n") are left to runt's own device filter,
 * which enforces the full list either way.
 */
import { variant } from "../../dbus/marshal.ts";
import { DeviceEmulator, type DeviceRule, WILDCARD } from "../devices.ts";
import type { UnitProperty } from "./properties.ts";

/** Since v240 systemd parses "char-MAJOR" and /dev/char/M:N itself, without looking at /proc/devices or the path. */
const MAJOR_GROUPS_SINCE = 240;

export function deviceProperties(rules: readonly DeviceRule[], systemdVersion: number): UnitProperty[] {
  const state = DeviceEmulator.of(rules);
  if (state.defaultAllow) {
    // systemd has no deny list: allow-all is policy "auto" with no entries; any other deny list is strict and empty until runt's filter takes over.
    const allowAll = state.entries().length === 0;
    return [["DevicePolicy", variant("s", allowAll ? "auto" : "strict")], ["DeviceAllow", variant("a(ss)", [])]];
  }
  const allow: Array<[string, string]> = [];
  for (const e of state.entries()) {
    const group = e.type === "b" ? "block-" : "char-";
    if (e.major === WILDCARD) {
      if (e.minor === WILDCARD) allow.push([`${group}*`, e.access]);
      continue;
    }
    if (e.minor === WILDCARD) {
      if (systemdVersion >= MAJOR_GROUPS_SINCE) allow.push([`${group}${e.major}`, e.access]);
      continue;
    }
    allow.push([`/dev/${e.type === "b" ? "block" : "char"}/${e.major}:${e.minor}`, e.access]);
  }
  // The empty list first clears what the unit had, then the full list replaces it.
  return [["DevicePolicy", variant("s", "strict")], ["DeviceAllow", variant("a(ss)", [])], ["DeviceAllow", variant("a(ss)", allow)]];
}
