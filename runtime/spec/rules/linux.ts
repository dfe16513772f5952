/** Rules on the rest of `linux`: devices, sysctl, paths, cgroupsPath, intelRdt, memoryPolicy, personality. */
import {
  IFNAMSIZ,
  IPC_SYSCTL_PREFIXES,
  IPC_SYSCTLS,
  MEMORY_POLICY_MODES,
  MEMORY_POLICY_MODES_WITH_NODES,
  MEMORY_POLICY_MODES_WITHOUT_NODES,
  NET_SYSCTL_PREFIXES,
  type NamespaceType,
  UTS_SYSCTLS,
} from "../constants.ts";
import { parseCpuList } from "../cpulist.ts";
import { quote } from "../describe.ts";
import type { LinuxDevice, LinuxMemoryPolicy, LinuxNetDevice, LinuxPersonality } from "../schema.ts";
import { rule } from "./engine.ts";
import { findNamespace, isAbsolute, needsNamespace } from "./util.ts";

const lastKey = (at: readonly (string | number)[]) => String(at[at.length - 1]);

// dev_valid_name() in the kernel; "%d" is a template the kernel fills in, so it counts as two bytes here too.
const validInterfaceName = (name: string) =>
  name.length > 0 && new TextEncoder().encode(name).length < IFNAMSIZ && name !== "." && name !== ".." &&
  !/[/:\s]/.test(name);
const INTERFACE_NAME = 'not a valid interface name (1 to 15 bytes, no "/", ":" or spaces)';

// Components separated by "." or "/" (the form for names that contain dots); none empty, no spaces.
const SYSCTL_NAME = /^[^\s./]+(?:[./][^\s./]+)*$/;

/** The namespace that makes a sysctl private to the container, or undefined when none does. */
function sysctlNamespace(name: string): NamespaceType | undefined {
  const dotted = name.replaceAll("/", ".");
  if (NET_SYSCTL_PREFIXES.some((p) => dotted.startsWith(p))) return "network";
  if (IPC_SYSCTLS.includes(dotted) || IPC_SYSCTL_PREFIXES.some((p) => dotted.startsWith(p))) return "ipc";
  if (UTS_SYSCTLS.includes(dotted)) return "uts";
  return undefined;
}

export const linuxRules = [
  rule<string>({
    name: "device-path-absolute",
    scope: "linux.devices[*].path",
    check(path, report) {
      if (!isAbsolute(path)) report("must be an absolute path");
    },
  }),

  rule<LinuxDevice>({
    name: "device-numbers-required",
    scope: "linux.devices[*]",
    check(device, report) {
      if (device.type === "p") return;
      for (const key of ["major", "minor"] as const) {
        if (device[key] === undefined) report(`required for a ${quote(device.type)} device, expected an integer`, key);
      }
    },
  }),

  rule<LinuxNetDevice>({
    name: "net-device-names",
    scope: "linux.netDevices.*",
    check(device, report, { at }) {
      if (!validInterfaceName(lastKey(at))) report(INTERFACE_NAME);
      if (device.name !== undefined && !validInterfaceName(device.name)) report(INTERFACE_NAME, "name");
    },
  }),

  // The name becomes a path under /proc/sys: reject anything that could climb out of it.
  rule<string>({
    name: "sysctl-name",
    scope: "linux.sysctl.*",
    check(_value, report, { at }) {
      if (!SYSCTL_NAME.test(lastKey(at))) report("not a valid sysctl name");
    },
  }),

  // A sysctl outside a namespace the container owns would change the host.
  rule<string>({
    name: "sysctl-namespaced",
    scope: "linux.sysctl.*",
    needs: ["linux.namespaces"],
    check(_value, report, { at, spec }) {
      const name = lastKey(at);
      if (!SYSCTL_NAME.test(name)) return;
      const type = sysctlNamespace(name);
      if (type === undefined) report("not namespaced, setting it would change the host");
      else if (!findNamespace(spec, type)) report(needsNamespace(type));
    },
  }),

  rule<string>({
    name: "linux-paths-absolute",
    scope: ["linux.maskedPaths[*]", "linux.readonlyPaths[*]"],
    check(path, report) {
      if (!isAbsolute(path)) report("must be an absolute path");
    },
  }),

  // The path is joined to cgroup mount points; ".." would leave the hierarchy it is meant to be under.
  rule<string>({
    name: "cgroups-path-safe",
    scope: "linux.cgroupsPath",
    check(path, report) {
      if (path.split(/[/:]/).includes("..")) report('must not contain ".."');
    },
  }),

  rule<string>({
    name: "cpu-list-syntax",
    scope: [
      "process.execCPUAffinity.initial",
      "process.execCPUAffinity.final",
      "linux.resources.cpu.cpus",
      "linux.resources.cpu.mems",
      "linux.memoryPolicy.nodes",
    ],
    check(list, report) {
      if (parseCpuList(list) === undefined) report(`expected a list like "0-3,7", got ${quote(list)}`);
    },
  }),

  // closID names one directory of the resctrl filesystem ("/" is its root, the default group).
  rule<string>({
    name: "intel-rdt-clos-id",
    scope: "linux.intelRdt.closID",
    check(id, report) {
      if (id === "/") return;
      if (id === "" || id === "." || id === ".." || /[/\n]/.test(id)) {
        report(`expected "/" or a directory name, got ${quote(id)}`);
      }
    },
  }),

  // Each value is one line of the resctrl schemata file.
  rule<string>({
    name: "intel-rdt-schema-lines",
    scope: ["linux.intelRdt.l3CacheSchema", "linux.intelRdt.schemata[*]"],
    check(line, report) {
      if (line.includes("\n")) report("must not contain a newline");
    },
  }),

  rule<LinuxMemoryPolicy>({
    name: "memory-policy-mode-required",
    scope: "linux.memoryPolicy",
    check(policy, report) {
      if (policy.mode === undefined) {
        report(`required, expected one of ${Object.keys(MEMORY_POLICY_MODES).join(", ")}`, "mode");
      }
    },
  }),

  // set_mempolicy(2): some modes take no nodes, others at least one.
  rule<LinuxMemoryPolicy>({
    name: "memory-policy-nodes",
    scope: "linux.memoryPolicy",
    check(policy, report) {
      if (policy.mode === undefined) return;
      const empty = (policy.nodes ?? "").trim() === "";
      if (MEMORY_POLICY_MODES_WITHOUT_NODES.includes(policy.mode) && !empty) {
        report(`must be empty for ${policy.mode}`, "nodes");
      }
      if (MEMORY_POLICY_MODES_WITH_NODES.includes(policy.mode) && empty) {
        report(`required for ${policy.mode}, expected a list like "0-3,7"`, "nodes");
      }
    },
  }),

  rule<LinuxPersonality>({
    name: "personality-domain-required",
    scope: "linux.personality",
    check(personality, report) {
      if (personality.domain === undefined) report("required, expected one of LINUX, LINUX32", "domain");
    },
  }),

  // config-linux.md: "Currently no flag values are supported."
  rule<string>({
    name: "personality-flags-unsupported",
    scope: "linux.personality.flags[*]",
    check(name, report) {
      report(`unsupported personality flag ${quote(name)} (the spec defines none)`);
    },
  }),
];
