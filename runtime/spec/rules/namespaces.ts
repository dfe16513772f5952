/** Rules on namespaces and what depends on them (config-linux.md "Namespaces" … "Network Devices"). */
import { TIME_NAMESPACE_CLOCKS } from "../constants.ts";
import { formatPath, quote } from "../describe.ts";
import type { LinuxIDMapping, LinuxNamespace } from "../schema.ts";
import { rule } from "./engine.ts";
import { findNamespace, isAbsolute, needsNamespace, outOfRange } from "./util.ts";

const MAPPINGS = ["uidMappings", "gidMappings"] as const;
const ID_LIMIT = 2 ** 32 - 1;

export const namespaceRules = [
  rule<LinuxNamespace[]>({
    name: "namespace-unique",
    scope: "linux.namespaces",
    check(namespaces, report, { at }) {
      const first = new Map<string, number>();
      namespaces.forEach(({ type }, i) => {
        const seen = first.get(type);
        if (seen === undefined) first.set(type, i);
        else report(`duplicate namespace type ${quote(type)} (also at ${formatPath([...at, seen])})`, i, "type");
      });
    },
  }),

  rule<string>({
    name: "namespace-path-absolute",
    scope: "linux.namespaces[*].path",
    check(path, report) {
      if (!isAbsolute(path)) report("must be an absolute path");
    },
  }),

  // A new user namespace without mappings would leave every ID unmapped (nobody), root included.
  rule<LinuxNamespace[]>({
    name: "user-namespace-needs-mappings",
    scope: "linux.namespaces",
    needs: ["linux.uidMappings", "linux.gidMappings"],
    check(_namespaces, _report, { spec, reportAt }) {
      const user = findNamespace(spec, "user");
      if (!user || user.ns.path !== undefined) return;
      for (const key of MAPPINGS) {
        if (!spec.linux?.[key]?.length) {
          reportAt(["linux", key], "required for a new user namespace, expected at least one mapping");
        }
      }
    },
  }),

  rule<LinuxIDMapping[]>({
    name: "mappings-need-user-namespace",
    scope: MAPPINGS.map((key) => `linux.${key}`),
    needs: ["linux.namespaces"],
    check(mappings, report, { spec }) {
      if (mappings.length > 0 && !findNamespace(spec, "user")) report(needsNamespace("user"));
    },
  }),

  // user_namespaces(7): an extent maps at least one ID and cannot wrap past 2^32 - 1.
  rule<LinuxIDMapping>({
    name: "id-mapping-range",
    // Spelled out: the first flatMap a compiled runt runs costs more than the rest of this module.
    scope: [...MAPPINGS.map((key) => `linux.${key}[*]`), ...MAPPINGS.map((key) => `mounts[*].${key}[*]`)],
    check({ containerID, hostID, size }, report) {
      if (size === 0) report("must be at least 1", "size");
      else if (Math.max(containerID, hostID) + size > ID_LIMIT) {
        report(`containerID + size and hostID + size must not exceed ${ID_LIMIT}`, "size");
      }
    },
  }),

  // The kernel refuses a map whose ranges overlap, inside or on the host (user_namespaces(7)): EINVAL, nothing more.
  rule<LinuxIDMapping[]>({
    name: "id-mappings-disjoint",
    scope: MAPPINGS.map((key) => `linux.${key}`),
    check(mappings, report, { at }) {
      mappings.forEach((m, i) => {
        for (let j = 0; j < i; j++) {
          for (const side of ["containerID", "hostID"] as const) {
            if (overlaps(m, mappings[j], side)) {
              report(`${side} range ${span(m, side)} overlaps ${formatPath([...at, j])} (${span(mappings[j], side)})`, i);
              return;
            }
          }
        }
      });
    },
  }),

  // setresuid/setresgid to an ID the new namespace leaves out is EINVAL; runc: "cannot set uid to unmapped user".
  rule<{ uid: number; gid: number; additionalGids?: number[] }>({
    name: "process-user-mapped",
    scope: "process.user",
    needs: ["linux.namespaces", "linux.uidMappings", "linux.gidMappings"],
    check(user, report, { spec }) {
      const ns = findNamespace(spec, "user");
      if (!ns || ns.ns.path !== undefined) return;
      // A missing or broken map is reported by its own rules, once.
      const mapped = (key: (typeof MAPPINGS)[number], id: number) => {
        const maps = spec.linux?.[key] ?? [];
        if (maps.length === 0 || maps.some((m) => !(m.size >= 1) || Math.max(m.containerID, m.hostID) + m.size > ID_LIMIT)) return true;
        return maps.some((m) => id >= m.containerID && id < m.containerID + m.size);
      };
      if (!mapped("uidMappings", user.uid)) report(`uid ${user.uid} is not mapped in the user namespace (linux.uidMappings)`, "uid");
      if (!mapped("gidMappings", user.gid)) report(`gid ${user.gid} is not mapped in the user namespace (linux.gidMappings)`, "gid");
      (user.additionalGids ?? []).forEach((gid, i) => {
        if (!mapped("gidMappings", gid)) report(`gid ${gid} is not mapped in the user namespace (linux.gidMappings)`, "additionalGids", i);
      });
    },
  }),

  // Offsets can only be written before the first process enters a new time namespace.
  rule<unknown>({
    name: "time-offsets-need-time-namespace",
    scope: "linux.timeOffsets",
    needs: ["linux.namespaces"],
    check(_offsets, report, { spec }) {
      const time = findNamespace(spec, "time");
      if (!time) report(needsNamespace("time"));
      else if (time.ns.path !== undefined) {
        report(`cannot be applied to an existing time namespace (linux.namespaces[${time.index}].path is set)`);
      }
    },
  }),

  rule<unknown>({
    name: "time-offset-clock-known",
    scope: "linux.timeOffsets.*",
    check(_offset, report, { at }) {
      if (!Object.hasOwn(TIME_NAMESPACE_CLOCKS, at[at.length - 1])) {
        report(`unknown clock, expected one of ${Object.keys(TIME_NAMESPACE_CLOCKS).join(", ")}`);
      }
    },
  }),

  rule<number>({
    name: "time-offset-nanosecs-range",
    scope: Object.keys(TIME_NAMESPACE_CLOCKS).map((clock) => `linux.timeOffsets.${clock}.nanosecs`),
    check(nanosecs, report) {
      if (nanosecs > 999_999_999) report(outOfRange(0, 999_999_999, nanosecs));
    },
  }),

  // Moving an interface into the runtime's own network namespace would be a no-op at best.
  rule<Record<string, unknown>>({
    name: "net-devices-need-network-namespace",
    scope: "linux.netDevices",
    needs: ["linux.namespaces"],
    check(devices, report, { spec }) {
      if (Object.keys(devices).length > 0 && !findNamespace(spec, "network")) {
        report(needsNamespace("network"));
      }
    },
  }),
];

type IdSide = "containerID" | "hostID";

function overlaps(a: LinuxIDMapping, b: LinuxIDMapping, side: IdSide): boolean {
  return a[side] < b[side] + b.size && b[side] < a[side] + a.size;
}

function span(m: LinuxIDMapping, side: IdSide): string {
  return `${m[side]}-${m[side] + m.size - 1}`;
}
