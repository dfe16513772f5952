/**
 * Device cgroup rules and their v1 semantics. Both the v1 devices.allow /
 * devices.deny writes and the v2 BPF program are derived from the same
 * emulated rule set (as runc does), so a rule list means the same on v1 and
 * v2 — including v1's refusal to punch a hole into a wildcard rule.
 */
import type { LinuxDeviceCgroup } from "../spec/schema.ts";
import { CgroupError } from "./errors.ts";
import { quote } from "../quote.ts";
import { accessLetters } from "../spec/device_access.ts";

export type DeviceType = "a" | "b" | "c";

/** One rule; major/minor -1 mean "*". */
export interface DeviceRule {
  type: DeviceType;
  major: number;
  minor: number;
  /** Some of "rwm", canonical order. */
  access: string;
  allow: boolean;
}

export const WILDCARD = -1;

const ACCESS_ORDER = "rwm";

function canonicalAccess(chars: Iterable<string>): string {
  const set = new Set(chars);
  return [...ACCESS_ORDER].filter((c) => set.has(c)).join("");
}

/** "c 1:3 rwm", as devices.allow / devices.list spell a rule. */
export function deviceRuleString(rule: Pick<DeviceRule, "type" | "major" | "minor" | "access">): string {
  const n = (v: number) => (v === WILDCARD ? "*" : String(v));
  return `${rule.type} ${n(rule.major)}:${n(rule.minor)} ${rule.access}`;
}

/** An OCI `linux.resources.devices` entry as a rule: unset type is "a", unset numbers are wildcards. */
export function ruleFromSpec(d: LinuxDeviceCgroup, index: number): DeviceRule {
  const type = d.type ?? "a";
  if (type !== "a" && type !== "b" && type !== "c") {
    throw new CgroupError(`linux.resources.devices[${index}].type ${quote(type)} is not one of "a", "b", "c"`);
  }
  const access = d.access ?? "";
  // runc 1.1 refuses only an empty access; other letters than r, w and m it ignores ("rwa" is rw).
  if (access === "") throw new CgroupError(`linux.resources.devices[${index}].access must not be empty, expected some of "r", "w", "m"`);
  return { type, major: d.major ?? WILDCARD, minor: d.minor ?? WILDCARD, access: accessLetters(access), allow: d.allow };
}

/**
 * The devices runc allows in every container, after the spec's own rules:
 * mknod of anything, the standard character devices, ptys and tun.
 * `path` lets a spec device with the same path take the default's place.
 */
export const DEFAULT_ALLOWED_DEVICES: ReadonlyArray<DeviceRule & { path?: string }> = [
  { type: "c", major: WILDCARD, minor: WILDCARD, access: "m", allow: true },
  { type: "b", major: WILDCARD, minor: WILDCARD, access: "m", allow: true },
  { type: "c", major: 1, minor: 3, access: "rwm", allow: true, path: "/dev/null" },
  { type: "c", major: 1, minor: 8, access: "rwm", allow: true, path: "/dev/random" },
  { type: "c", major: 1, minor: 7, access: "rwm", allow: true, path: "/dev/full" },
  { type: "c", major: 5, minor: 0, access: "rwm", allow: true, path: "/dev/tty" },
  { type: "c", major: 1, minor: 5, access: "rwm", allow: true, path: "/dev/zero" },
  { type: "c", major: 1, minor: 9, access: "rwm", allow: true, path: "/dev/urandom" },
  { type: "c", major: 136, minor: WILDCARD, access: "rwm", allow: true },
  { type: "c", major: 5, minor: 2, access: "rwm", allow: true },
  { type: "c", major: 10, minor: 200, access: "rwm", allow: true },
];

/**
 * The rule list a container gets, as runc builds it: the spec's
 * `linux.resources.devices` in order, then the default allowed devices
 * (minus those whose path a `linux.devices` entry redefines).
 */
export function containerDeviceRules(
  specRules: readonly LinuxDeviceCgroup[] | undefined,
  specDevicePaths: readonly string[] = [],
): DeviceRule[] {
  const own = (specRules ?? []).map(ruleFromSpec);
  const defaults = DEFAULT_ALLOWED_DEVICES
    .filter((d) => d.path === undefined || !specDevicePaths.includes(d.path))
    .map(({ type, major, minor, access, allow }) => ({ type, major, minor, access, allow }));
  return [...own, ...defaults];
}

type Key = string;
const keyOf = (type: DeviceType, major: number, minor: number): Key => `${type} ${major} ${minor}`;

interface Entry {
  type: "b" | "c";
  major: number;
  minor: number;
  access: string;
}

/**
 * The state of a v1 devices cgroup: a default (allow or deny everything)
 * and exceptions to it. Applying rules in order follows the kernel's rules.
 */
export class DeviceEmulator {
  private exceptions = new Map<Key, Entry>();

  /** Starts empty: denying everything (an allow list), or allowing everything as a fresh v1 devices cgroup does. */
  constructor(public defaultAllow = false) {}

  /** The state `rules` describe, applied to an allow list, as runc evaluates a container's rules. */
  static of(rules: readonly DeviceRule[]): DeviceEmulator {
    const e = new DeviceEmulator();
    for (const r of rules) e.apply(r);
    return e;
  }

  /** The emulator of a devices.list text; a list with "a *:* rwm" is an allow-all cgroup. */
  static fromList(list: string): DeviceEmulator {
    const e = new DeviceEmulator(false);
    for (const line of list.split("\n")) {
      const m = /^([abc])\s+(\d+|\*):(\d+|\*)\s+([rwm]+)$/.exec(line.trim());
      if (!m) continue;
      const num = (s: string) => (s === "*" ? WILDCARD : Number(s));
      e.apply({ type: m[1] as DeviceType, major: num(m[2]), minor: num(m[3]), access: canonicalAccess(m[4]), allow: true });
    }
    return e;
  }

  apply(rule: DeviceRule): void {
    if (rule.type === "a") {
      this.defaultAllow = rule.allow;
      this.exceptions.clear();
      return;
    }
    const entry: Entry = { type: rule.type, major: rule.major, minor: rule.minor, access: rule.access };
    // An exception is the opposite of the default: a rule agreeing with the default removes one.
    if (rule.allow !== this.defaultAllow) this.add(entry);
    else this.remove(entry);
  }

  private add(e: Entry): void {
    const k = keyOf(e.type, e.major, e.minor);
    // An access with none of r, w, m ("x") would make an exception granting nothing; runc fails the container on it.
    if (e.access === "" && !this.exceptions.has(k)) {
      throw new CgroupError(`device rule "${deviceRuleString(e).trimEnd()}" ${this.defaultAllow ? "denies" : "allows"} nothing: its access has none of "r", "w", "m"`);
    }
    const old = this.exceptions.get(k)?.access ?? "";
    this.exceptions.set(k, { ...e, access: canonicalAccess(old + e.access) });
  }

  private remove(e: Entry): void {
    // The kernel silently ignores removing part of a wildcard exception; refuse rather than mislead.
    const partials: Array<[number, number]> = [[WILDCARD, e.minor], [e.major, WILDCARD], [WILDCARD, WILDCARD]];
    for (const [major, minor] of partials) {
      if (major === e.major && minor === e.minor) continue;
      const p = this.exceptions.get(keyOf(e.type, major, minor));
      if (p && [...e.access].some((c) => p.access.includes(c))) {
        throw new CgroupError(
          `device rule "${deviceRuleString({ ...e })}" cannot punch a hole into the wildcard rule "${deviceRuleString(p)}" (the devices cgroup does not support it)`,
        );
      }
    }
    const k = keyOf(e.type, e.major, e.minor);
    const old = this.exceptions.get(k);
    if (!old) return;
    const left = [...old.access].filter((c) => !e.access.includes(c)).join("");
    if (left === "") this.exceptions.delete(k);
    else this.exceptions.set(k, { ...old, access: left });
  }

  /** Exceptions sorted by (major, minor, type), wildcards first, so output is stable. */
  entries(): Entry[] {
    return [...this.exceptions.values()].sort((a, b) =>
      a.major - b.major || a.minor - b.minor || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
    );
  }

  /**
   * The fewest rules that turn `this` into `target`. A source that allows
   * everything cannot be read back exactly (devices.list only lists allows),
   * so leaving one always starts with a wildcard rule.
   */
  transition(target: DeviceEmulator): DeviceRule[] {
    const out: DeviceRule[] = [];
    let old = new Map(this.entries().map((e) => [keyOf(e.type, e.major, e.minor), e]));
    if (this.defaultAllow || this.defaultAllow !== target.defaultAllow) {
      out.push({ type: "a", major: WILDCARD, minor: WILDCARD, access: "rwm", allow: target.defaultAllow });
      old = new Map();
    }
    const wanted = new Map(target.entries().map((e) => [keyOf(e.type, e.major, e.minor), e]));
    for (const [k, e] of old) {
      const dropped = [...e.access].filter((c) => !(wanted.get(k)?.access ?? "").includes(c)).join("");
      if (dropped) out.push({ type: e.type, major: e.major, minor: e.minor, access: dropped, allow: target.defaultAllow });
    }
    for (const [k, e] of wanted) {
      const gained = [...e.access].filter((c) => !(old.get(k)?.access ?? "").includes(c)).join("");
      if (gained) out.push({ type: e.type, major: e.major, minor: e.minor, access: gained, allow: !target.defaultAllow });
    }
    return out;
  }

  /** The rules that describe this state from scratch (what a fresh, allow-all cgroup needs). */
  rules(): DeviceRule[] {
    return new DeviceEmulator(false).transition(this);
  }
}
