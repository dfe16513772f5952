/**
 * One test per semantic rule (rules/): a config that breaks only that rule
 * gives exactly the expected lines — from the rule alone and from the whole
 * validation — and a near miss that keeps to it gives none.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runRules } from "../../runtime/spec/rules/engine.ts";
import { RULES } from "../../runtime/spec/rules/index.ts";
import { toIssues } from "../../runtime/spec/issues.ts";
import { checkSchema } from "../../runtime/spec/schema_check.ts";
import { validateConfig } from "../../runtime/spec/validate.ts";
import { clone } from "./spec_support.ts";

const BASE = {
  ociVersion: "1.3.0",
  root: { path: "rootfs" },
  process: { user: { uid: 0, gid: 0 }, args: ["sh"], env: ["PATH=/bin"], cwd: "/" },
  hostname: "box",
  linux: { namespaces: [{ type: "pid" }, { type: "mount" }, { type: "uts" }] },
};
// Tests build broken configs on purpose, so they are not held to the Spec type.
type Config = Record<string, any>;

interface Case {
  rule: string;
  title: string;
  bad: (c: Config) => void;
  expect: string[];
  /** A change close to `bad` that the rule accepts. */
  good?: (c: Config) => void;
}

const ns = (c: Config, type: string, path?: string) => c.linux.namespaces.push(path ? { type, path } : { type });
const syscall = (action: string, extra: Record<string, unknown> = {}) => ({ names: ["mount"], action, ...extra });

const CASES: Case[] = [
  // ---- general
  {
    rule: "oci-version",
    title: "not SemVer",
    bad: (c) => c.ociVersion = "1.x",
    expect: ['ociVersion: expected a SemVer 2.0.0 version, got "1.x"'],
    good: (c) => c.ociVersion = "1.0.2-dev",
  },
  {
    rule: "oci-version",
    title: "major version other than 1",
    bad: (c) => c.ociVersion = "2.0.0",
    expect: ['ociVersion: expected major version 1, got "2.0.0"'],
    good: (c) => c.ociVersion = "1.99.0+build.5",
  },
  {
    rule: "root-required",
    title: "root missing",
    bad: (c) => delete c.root,
    expect: ["root: required"],
  },
  {
    rule: "root-path-not-empty",
    title: "empty root path",
    bad: (c) => c.root.path = "",
    expect: ["root.path: must not be empty"],
    good: (c) => c.root.path = "/srv/rootfs",
  },
  {
    rule: "hostname-needs-uts-namespace",
    title: "hostname without a uts namespace",
    bad: (c) => c.linux.namespaces.pop(),
    expect: ["hostname: needs a uts namespace in linux.namespaces"],
    good: (c) => {
      c.linux.namespaces.pop();
      c.hostname = "";
    },
  },
  {
    rule: "hostname-needs-uts-namespace",
    title: "domainname without a uts namespace",
    bad: (c) => {
      delete c.hostname;
      c.domainname = "example.test";
      delete c.linux;
    },
    expect: ["domainname: needs a uts namespace in linux.namespaces"],
    good: (c) => {
      c.domainname = "example.test";
      ns(c, "uts", "/proc/1/ns/uts");
      c.linux.namespaces.splice(2, 1);
    },
  },
  {
    rule: "hook-path-absolute",
    title: "relative hook path",
    bad: (c) => c.hooks = { createContainer: [{ path: "/bin/ok" }, { path: "bin/hook" }] },
    expect: ["hooks.createContainer[1].path: must be an absolute path"],
    good: (c) => c.hooks = { createContainer: [{ path: "/bin/hook" }] },
  },
  {
    rule: "env-format",
    title: "process env entry without =",
    bad: (c) => c.process.env = ["PATH=/bin", "DEBUG"],
    expect: ['process.env[1]: expected KEY=value, got "DEBUG"'],
    good: (c) => c.process.env = ["PATH=/bin", "DEBUG=", "A==b"],
  },
  {
    rule: "env-format",
    title: "hook env entry with an empty name",
    bad: (c) => c.hooks = { poststop: [{ path: "/bin/x", env: ["=1"] }] },
    expect: ['hooks.poststop[0].env[0]: expected KEY=value, got "=1"'],
    good: (c) => c.hooks = { poststop: [{ path: "/bin/x", env: ["X=1"] }] },
  },
  {
    rule: "annotation-key-not-empty",
    title: "empty annotation key",
    bad: (c) => c.annotations = { "": "x" },
    expect: ['annotations[""]: keys must not be empty'],
    good: (c) => c.annotations = { "com.example.empty-value": "" },
  },
  {
    rule: "stop-signal-known",
    title: "unknown stop signal",
    bad: (c) => c.annotations = { "org.opencontainers.image.stopSignal": "SIGTERMINATE" },
    expect: ['annotations["org.opencontainers.image.stopSignal"]: unknown signal "SIGTERMINATE", expected a name like SIGTERM or a number'],
    good: (c) => c.annotations = { "org.opencontainers.image.stopSignal": "SIGRTMIN+3" },
  },
  {
    rule: "stop-signal-known",
    title: "an empty stop signal is no stop signal (umoci writes it for images without one), a blank one is unknown",
    bad: (c) => c.annotations = { "org.opencontainers.image.stopSignal": " " },
    expect: ['annotations["org.opencontainers.image.stopSignal"]: unknown signal " ", expected a name like SIGTERM or a number'],
    good: (c) => c.annotations = { "org.opencontainers.image.stopSignal": "" },
  },
  // ---- mounts
  {
    rule: "mount-destination-absolute",
    title: "relative destination",
    bad: (c) => c.mounts = [{ destination: "proc", type: "proc", source: "proc" }],
    expect: ["mounts[0].destination: must be an absolute path"],
    good: (c) => c.mounts = [{ destination: "/proc", type: "proc", source: "proc" }],
  },
  {
    rule: "mount-id-mappings-paired",
    title: "gidMappings without uidMappings",
    bad: (c) => c.mounts = [{ destination: "/d", source: "/s", options: ["bind"], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }],
    expect: ["mounts[0].uidMappings: required when gidMappings is set"],
    good: (c) => {
      const m = { containerID: 0, hostID: 1, size: 1 };
      c.mounts = [{ destination: "/d", source: "/s", options: ["bind", "idmap"], uidMappings: [m], gidMappings: [m] }];
    },
  },
  {
    rule: "mount-idmap-needs-mapping",
    title: "ridmap without mappings or a user namespace",
    bad: (c) => c.mounts = [{ destination: "/d", source: "/s", options: ["rbind", "ridmap"] }],
    expect: ['mounts[0].options[1]: "ridmap" needs uidMappings and gidMappings, or a user namespace'],
    good: (c) => {
      c.mounts = [{ destination: "/d", source: "/s", options: ["rbind", "ridmap"] }];
      ns(c, "user", "/proc/1/ns/user");
    },
  },
  // ---- process
  {
    rule: "process-cwd-absolute",
    title: "relative cwd",
    bad: (c) => c.process.cwd = "tmp",
    expect: ["process.cwd: must be an absolute path"],
    good: (c) => c.process.cwd = "/tmp",
  },
  {
    rule: "process-args-required",
    title: "args missing",
    bad: (c) => delete c.process.args,
    expect: ["process.args: required, expected at least one entry"],
    good: (c) => delete c.process,
  },
  {
    rule: "process-args-required",
    title: "args empty",
    bad: (c) => c.process.args = [],
    expect: ["process.args: must have at least one entry"],
    good: (c) => c.process.args = [""],
  },
  {
    rule: "process-user-ids-required",
    title: "user without uid",
    bad: (c) => c.process.user = { gid: 0 },
    expect: ["process.user.uid: required, expected an integer from 0 to 4294967295"],
    good: (c) => delete c.process.user,
  },
  {
    rule: "capability-known",
    title: "unknown capability",
    bad: (c) => c.process.capabilities = { bounding: ["CAP_KILL", "CAP_FOO"], ambient: ["CAP_KILL"] },
    expect: ['process.capabilities.bounding[1]: unknown capability "CAP_FOO"'],
    good: (c) => c.process.capabilities = { bounding: ["CAP_CHECKPOINT_RESTORE", "CAP_CHOWN"] },
  },
  {
    rule: "rlimit-type-known",
    title: "unknown rlimit",
    bad: (c) => c.process.rlimits = [{ type: "RLIMIT_FILES", soft: 1, hard: 1 }],
    expect: ['process.rlimits[0].type: unknown rlimit type "RLIMIT_FILES"'],
    good: (c) => c.process.rlimits = [{ type: "RLIMIT_RTTIME", soft: 1, hard: 1 }],
  },
  {
    rule: "rlimit-unique",
    title: "duplicate rlimit",
    bad: (c) =>
      c.process.rlimits = [
        { type: "RLIMIT_CORE", soft: 0, hard: 0 },
        { type: "RLIMIT_CORE", soft: 1, hard: 1 },
      ],
    expect: ['process.rlimits[1].type: duplicate rlimit type "RLIMIT_CORE" (also at process.rlimits[0])'],
    good: (c) =>
      c.process.rlimits = [
        { type: "RLIMIT_CORE", soft: 0, hard: 0 },
        { type: "RLIMIT_NOFILE", soft: 1, hard: 1 },
      ],
  },
  {
    rule: "rlimit-soft-within-hard",
    title: "soft above hard",
    bad: (c) => c.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1025, hard: 1024 }],
    expect: ["process.rlimits[0].soft: must not exceed hard (1024), got 1025"],
    good: (c) => c.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1024, hard: 1024 }],
  },
  {
    rule: "oom-score-adj-range",
    title: "below -1000",
    bad: (c) => c.process.oomScoreAdj = -1001,
    expect: ["process.oomScoreAdj: expected an integer from -1000 to 1000, got -1001"],
    good: (c) => c.process.oomScoreAdj = -1000,
  },
  {
    rule: "io-priority-level",
    title: "priority missing",
    bad: (c) => c.process.ioPriority = { class: "IOPRIO_CLASS_IDLE" },
    expect: ["process.ioPriority.priority: required, expected an integer from 0 to 7"],
    good: (c) => c.process.ioPriority = { class: "IOPRIO_CLASS_IDLE", priority: 7 },
  },
  {
    rule: "io-priority-level",
    title: "priority out of range",
    bad: (c) => c.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: -1 },
    expect: ["process.ioPriority.priority: expected an integer from 0 to 7, got -1"],
  },
  {
    rule: "scheduler-nice-range",
    title: "nice above 19",
    bad: (c) => c.process.scheduler = { policy: "SCHED_OTHER", nice: 20 },
    expect: ["process.scheduler.nice: expected an integer from -20 to 19, got 20"],
    good: (c) => c.process.scheduler = { policy: "SCHED_BATCH", nice: -20 },
  },
  {
    rule: "scheduler-priority-range",
    title: "real-time priority out of range",
    bad: (c) => c.process.scheduler = { policy: "SCHED_RR", priority: 100 },
    expect: ["process.scheduler.priority: expected an integer from 1 to 99, got 100"],
    good: (c) => c.process.scheduler = { policy: "SCHED_RR", priority: 99 },
  },
  {
    rule: "scheduler-priority-range",
    title: "priority for a normal policy",
    bad: (c) => c.process.scheduler = { policy: "SCHED_IDLE", priority: 5 },
    expect: ["process.scheduler.priority: must be 0 for SCHED_IDLE, got 5"],
    good: (c) => c.process.scheduler = { policy: "SCHED_IDLE", priority: 0 },
  },
  {
    rule: "scheduler-deadline-order",
    title: "runtime beyond deadline beyond period",
    bad: (c) => c.process.scheduler = { policy: "SCHED_DEADLINE", runtime: 20, deadline: 10, period: 5 },
    expect: [
      "process.scheduler.runtime: must not exceed deadline (10), got 20",
      "process.scheduler.deadline: must not exceed period (5), got 10",
    ],
    good: (c) => c.process.scheduler = { policy: "SCHED_DEADLINE", runtime: 10, deadline: 10 },
  },
  {
    rule: "scheduler-deadline-order",
    title: "no deadline",
    bad: (c) => c.process.scheduler = { policy: "SCHED_DEADLINE", runtime: 10 },
    expect: ["process.scheduler.deadline: required for SCHED_DEADLINE, expected an integer greater than 0"],
  },
  // ---- namespaces
  {
    rule: "namespace-unique",
    title: "duplicate namespace",
    bad: (c) => ns(c, "mount"),
    expect: ['linux.namespaces[3].type: duplicate namespace type "mount" (also at linux.namespaces[1])'],
    good: (c) => ns(c, "cgroup"),
  },
  {
    rule: "namespace-path-absolute",
    title: "relative namespace path",
    bad: (c) => ns(c, "network", "run/netns/a"),
    expect: ["linux.namespaces[3].path: must be an absolute path"],
    good: (c) => ns(c, "network", "/run/netns/a"),
  },
  {
    rule: "user-namespace-needs-mappings",
    title: "new user namespace with an empty uidMappings and no gidMappings",
    bad: (c) => {
      ns(c, "user");
      c.linux.uidMappings = [];
    },
    expect: [
      "linux.uidMappings: required for a new user namespace, expected at least one mapping",
      "linux.gidMappings: required for a new user namespace, expected at least one mapping",
    ],
    good: (c) => ns(c, "user", "/proc/1/ns/user"),
  },
  {
    rule: "process-user-mapped",
    title: "a process user and group outside a new user namespace's maps",
    bad: (c) => {
      ns(c, "user");
      Object.assign(c.linux, { uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 10 }] });
      c.process.user = { uid: 5, gid: 0, additionalGids: [9, 10] };
    },
    expect: [
      "process.user.uid: uid 5 is not mapped in the user namespace (linux.uidMappings)",
      "process.user.additionalGids[1]: gid 10 is not mapped in the user namespace (linux.gidMappings)",
    ],
    good: (c) => {
      ns(c, "user");
      Object.assign(c.linux, { uidMappings: [{ containerID: 0, hostID: 1000, size: 6 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 11 }] });
      c.process.user = { uid: 5, gid: 0, additionalGids: [9, 10] };
    },
  },
  {
    rule: "mappings-need-user-namespace",
    title: "mappings without a user namespace",
    bad: (c) => Object.assign(c.linux, { gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] }),
    expect: ["linux.gidMappings: needs a user namespace in linux.namespaces"],
    good: (c) => Object.assign(c.linux, { gidMappings: [] }),
  },
  {
    rule: "id-mappings-disjoint",
    title: "ranges overlapping inside the container and on the host",
    bad: (c) => {
      ns(c, "user");
      Object.assign(c.linux, {
        uidMappings: [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 999, hostID: 300000, size: 2 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 10 }, { containerID: 10, hostID: 100009, size: 1 }],
      });
    },
    expect: [
      "linux.uidMappings[1]: containerID range 999-1000 overlaps linux.uidMappings[0] (0-999)",
      "linux.gidMappings[1]: hostID range 100009-100009 overlaps linux.gidMappings[0] (100000-100009)",
    ],
    good: (c) => {
      ns(c, "user");
      Object.assign(c.linux, {
        uidMappings: [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 300000, size: 2 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 10 }, { containerID: 10, hostID: 100010, size: 1 }],
      });
    },
  },
  {
    rule: "id-mapping-range",
    title: "empty and overflowing extents",
    bad: (c) => {
      ns(c, "user");
      Object.assign(c.linux, {
        uidMappings: [{ containerID: 4294967295, hostID: 0, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: 0, size: 0 }],
      });
      c.mounts = [{ destination: "/d", source: "/s", options: ["bind"], uidMappings: [{ containerID: 1, hostID: 4294967294, size: 1 }], gidMappings: [{ containerID: 0, hostID: 0, size: 1 }] }];
    },
    expect: [
      "linux.uidMappings[0].size: containerID + size and hostID + size must not exceed 4294967295",
      "linux.gidMappings[0].size: must be at least 1",
    ],
    good: (c) => {
      ns(c, "user");
      Object.assign(c.linux, {
        uidMappings: [{ containerID: 0, hostID: 4294967294, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: 0, size: 4294967295 }],
      });
    },
  },
  {
    rule: "time-offsets-need-time-namespace",
    title: "offsets without a time namespace",
    bad: (c) => Object.assign(c.linux, { timeOffsets: { monotonic: { secs: 1 } } }),
    expect: ["linux.timeOffsets: needs a time namespace in linux.namespaces"],
    good: (c) => {
      ns(c, "time");
      Object.assign(c.linux, { timeOffsets: { monotonic: { secs: 1 } } });
    },
  },
  {
    rule: "time-offsets-need-time-namespace",
    title: "offsets for a joined time namespace",
    bad: (c) => {
      ns(c, "time", "/proc/1/ns/time");
      Object.assign(c.linux, { timeOffsets: {} });
    },
    expect: ["linux.timeOffsets: cannot be applied to an existing time namespace (linux.namespaces[3].path is set)"],
  },
  {
    rule: "time-offset-clock-known",
    title: "offset for CLOCK_REALTIME",
    bad: (c) => {
      ns(c, "time");
      Object.assign(c.linux, { timeOffsets: { realtime: { secs: 1 } } });
    },
    expect: ["linux.timeOffsets.realtime: unknown clock, expected one of monotonic, boottime"],
    good: (c) => {
      ns(c, "time");
      Object.assign(c.linux, { timeOffsets: { boottime: { secs: 1 } } });
    },
  },
  {
    rule: "time-offset-nanosecs-range",
    title: "a second's worth of nanoseconds",
    bad: (c) => {
      ns(c, "time");
      Object.assign(c.linux, { timeOffsets: { boottime: { nanosecs: 1000000000 } } });
    },
    expect: ["linux.timeOffsets.boottime.nanosecs: expected an integer from 0 to 999999999, got 1000000000"],
    good: (c) => {
      ns(c, "time");
      Object.assign(c.linux, { timeOffsets: { boottime: { nanosecs: 999999999 } } });
    },
  },
  {
    rule: "net-devices-need-network-namespace",
    title: "moving a device without a network namespace",
    bad: (c) => Object.assign(c.linux, { netDevices: { eth1: {} } }),
    expect: ["linux.netDevices: needs a network namespace in linux.namespaces"],
    good: (c) => Object.assign(c.linux, { netDevices: {} }),
  },
  // ---- linux
  {
    rule: "device-path-absolute",
    title: "relative device path",
    bad: (c) => Object.assign(c.linux, { devices: [{ type: "c", path: "dev/null", major: 1, minor: 3 }] }),
    expect: ["linux.devices[0].path: must be an absolute path"],
    good: (c) => Object.assign(c.linux, { devices: [{ type: "c", path: "/opt/dev/null", major: 1, minor: 3 }] }),
  },
  {
    rule: "device-numbers-required",
    title: "block device without minor",
    bad: (c) => Object.assign(c.linux, { devices: [{ type: "b", path: "/dev/sda", major: 8 }] }),
    expect: ['linux.devices[0].minor: required for a "b" device, expected an integer'],
    good: (c) => Object.assign(c.linux, { devices: [{ type: "p", path: "/dev/fifo" }] }),
  },
  {
    rule: "net-device-names",
    title: "names the kernel refuses",
    bad: (c) => {
      ns(c, "network");
      Object.assign(c.linux, { netDevices: { "eth 0": {}, eth1: { name: ".." } } });
    },
    expect: [
      'linux.netDevices["eth 0"]: not a valid interface name (1 to 15 bytes, no "/", ":" or spaces)',
      'linux.netDevices.eth1.name: not a valid interface name (1 to 15 bytes, no "/", ":" or spaces)',
    ],
    good: (c) => {
      ns(c, "network");
      Object.assign(c.linux, { netDevices: { "enp0s31f6": { name: "eth%d" }, "abcdefghijklmno": {} } });
    },
  },
  {
    rule: "sysctl-name",
    title: "empty component",
    bad: (c) => {
      ns(c, "network");
      Object.assign(c.linux, { sysctl: { "net.ipv4.": "1" } });
    },
    expect: ['linux.sysctl["net.ipv4."]: not a valid sysctl name'],
    good: (c) => {
      ns(c, "network");
      Object.assign(c.linux, { sysctl: { "net/ipv4/conf/eth0.100/forwarding": "1" } });
    },
  },
  {
    rule: "sysctl-namespaced",
    title: "host-wide and un-namespaced sysctls",
    bad: (c) => Object.assign(c.linux, { sysctl: { "kernel.pid_max": "1", "fs.mqueue.msg_max": "1", "kernel.hostname": "x" } }),
    expect: [
      'linux.sysctl["kernel.pid_max"]: not namespaced, setting it would change the host',
      'linux.sysctl["fs.mqueue.msg_max"]: needs an ipc namespace in linux.namespaces',
    ],
    good: (c) => {
      ns(c, "ipc");
      Object.assign(c.linux, { sysctl: { "fs.mqueue.msg_max": "1", "kernel.domainname": "x" } });
    },
  },
  {
    rule: "linux-paths-absolute",
    title: "relative masked and readonly paths",
    bad: (c) => Object.assign(c.linux, { maskedPaths: ["proc/kcore"], readonlyPaths: ["/proc/sys", ""] }),
    expect: ["linux.maskedPaths[0]: must be an absolute path", "linux.readonlyPaths[1]: must be an absolute path"],
    good: (c) => Object.assign(c.linux, { maskedPaths: ["/proc/kcore"], readonlyPaths: ["/proc/sys"] }),
  },
  {
    rule: "cgroups-path-safe",
    title: "climbing out with ..",
    bad: (c) => Object.assign(c.linux, { cgroupsPath: "system.slice:runt:.." }),
    expect: ['linux.cgroupsPath: must not contain ".."'],
    good: (c) => Object.assign(c.linux, { cgroupsPath: "a..b/..c" }),
  },
  {
    rule: "cpu-list-syntax",
    title: "malformed lists",
    bad: (c) => {
      c.process.execCPUAffinity = { initial: "3-1" };
      Object.assign(c.linux, { resources: { cpu: { mems: "0;1" } }, memoryPolicy: { mode: "MPOL_BIND", nodes: "0,,1" } });
    },
    expect: [
      'process.execCPUAffinity.initial: expected a list like "0-3,7", got "3-1"',
      'linux.resources.cpu.mems: expected a list like "0-3,7", got "0;1"',
      'linux.memoryPolicy.nodes: expected a list like "0-3,7", got "0,,1"',
    ],
    good: (c) => {
      c.process.execCPUAffinity = { initial: "0, 2-3", final: "" };
      Object.assign(c.linux, { resources: { cpu: { cpus: "0-15:2/4,31" } } });
    },
  },
  {
    rule: "intel-rdt-clos-id",
    title: "a path for closID",
    bad: (c) => Object.assign(c.linux, { intelRdt: { closID: "a/b" } }),
    expect: ['linux.intelRdt.closID: expected "/" or a directory name, got "a/b"'],
    good: (c) => Object.assign(c.linux, { intelRdt: { closID: "/" } }),
  },
  {
    rule: "intel-rdt-schema-lines",
    title: "newline in l3CacheSchema",
    bad: (c) => Object.assign(c.linux, { intelRdt: { l3CacheSchema: "L3:0=f\nMB:0=1" } }),
    expect: ["linux.intelRdt.l3CacheSchema: must not contain a newline"],
    good: (c) => Object.assign(c.linux, { intelRdt: { l3CacheSchema: "L3:0=f", schemata: ["MB:0=1"] } }),
  },
  {
    rule: "memory-policy-mode-required",
    title: "no mode",
    bad: (c) => Object.assign(c.linux, { memoryPolicy: { flags: ["MPOL_F_STATIC_NODES"] } }),
    expect: [
      "linux.memoryPolicy.mode: required, expected one of MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE",
    ],
    good: (c) => Object.assign(c.linux, { memoryPolicy: { mode: "MPOL_PREFERRED" } }),
  },
  {
    rule: "memory-policy-nodes",
    title: "nodes for MPOL_LOCAL",
    bad: (c) => Object.assign(c.linux, { memoryPolicy: { mode: "MPOL_LOCAL", nodes: "0" } }),
    expect: ["linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL"],
    good: (c) => Object.assign(c.linux, { memoryPolicy: { mode: "MPOL_PREFERRED_MANY", nodes: "0-1" } }),
  },
  {
    rule: "personality-domain-required",
    title: "no domain",
    bad: (c) => Object.assign(c.linux, { personality: {} }),
    expect: ["linux.personality.domain: required, expected one of LINUX, LINUX32"],
    good: (c) => Object.assign(c.linux, { personality: { domain: "LINUX" } }),
  },
  {
    rule: "personality-flags-unsupported",
    title: "any flag",
    bad: (c) => Object.assign(c.linux, { personality: { domain: "LINUX32", flags: ["READ_IMPLIES_EXEC"] } }),
    expect: ['linux.personality.flags[0]: unsupported personality flag "READ_IMPLIES_EXEC" (the spec defines none)'],
    good: (c) => Object.assign(c.linux, { personality: { domain: "LINUX32", flags: [] } }),
  },
  // ---- resources
  {
    rule: "cgroup-device-type",
    title: "u is not a cgroup device type",
    bad: (c) => Object.assign(c.linux, { resources: { devices: [{ allow: true, type: "u" }] } }),
    expect: ["linux.resources.devices[0].type: expected one of a, c, b"],
    good: (c) => Object.assign(c.linux, { resources: { devices: [{ allow: true, type: "a" }] } }),
  },
  {
    rule: "cgroup-device-access",
    title: "an empty access (runc 1.1 refuses it; it reads \"rx\" as r)",
    bad: (c) => Object.assign(c.linux, { resources: { devices: [{ allow: true, access: "" }] } }),
    expect: ["linux.resources.devices[0].access: must not be empty, expected some of r, w and m"],
    good: (c) => Object.assign(c.linux, { resources: { devices: [{ allow: true, access: "rx" }] } }),
  },
  {
    rule: "memory-limit-values",
    title: "below -1",
    bad: (c) => Object.assign(c.linux, { resources: { memory: { kernelTCP: -2 } } }),
    expect: ["linux.resources.memory.kernelTCP: expected -1 (unlimited) or a number of bytes, got -2"],
    good: (c) => Object.assign(c.linux, { resources: { memory: { kernelTCP: -1, limit: 0 } } }),
  },
  {
    rule: "memory-swap-at-least-limit",
    title: "swap below limit",
    bad: (c) => Object.assign(c.linux, { resources: { memory: { limit: 2048, swap: 1024 } } }),
    expect: ["linux.resources.memory.swap: must be -1 or at least limit (2048) as it counts memory plus swap, got 1024"],
    good: (c) => Object.assign(c.linux, { resources: { memory: { limit: 2048, swap: -1 } } }),
  },
  {
    rule: "memory-swappiness-range",
    title: "above 100",
    bad: (c) => Object.assign(c.linux, { resources: { memory: { swappiness: 101 } } }),
    expect: ["linux.resources.memory.swappiness: expected an integer from 0 to 100, got 101"],
    good: (c) => Object.assign(c.linux, { resources: { memory: { swappiness: 100 } } }),
  },
  {
    rule: "cpu-burst-within-quota",
    title: "burst above quota",
    bad: (c) => Object.assign(c.linux, { resources: { cpu: { quota: 10, burst: 11 } } }),
    expect: ["linux.resources.cpu.burst: must not exceed quota (10), got 11"],
    good: (c) => Object.assign(c.linux, { resources: { cpu: { quota: -1, burst: 11 } } }),
  },
  {
    rule: "no-nul-byte",
    title: "an environment variable with a NUL byte",
    bad: (c) => c.process.env.push("A=b\0c"),
    expect: ['process.env[1]: must not contain a NUL byte, got "A=b\\u0000c"'],
    good: (c) => c.process.env.push("A=b\\0c"),
  },
  {
    rule: "no-nul-byte",
    title: "an argument, the cwd and the hostname with NUL bytes",
    bad: (c) => Object.assign(c.process, { args: ["sh", "-c\0x"], cwd: "/tm\0p" }) && (c.hostname = "bo\0x"),
    expect: [
      'process.args[1]: must not contain a NUL byte, got "-c\\u0000x"',
      'process.cwd: must not contain a NUL byte, got "/tm\\u0000p"',
      'hostname: must not contain a NUL byte, got "bo\\u0000x"',
    ],
  },
  {
    rule: "no-nul-byte",
    title: "a hook's argument and a mount option",
    bad: (c) => Object.assign(c, { hooks: { poststop: [{ path: "/bin/x", args: ["x", "\0"] }] }, mounts: [{ destination: "/m", type: "tmpfs", options: ["mode=7\0"] }] }),
    expect: [
      'hooks.poststop[0].args[1]: must not contain a NUL byte, got "\\u0000"',
      'mounts[0].options[0]: must not contain a NUL byte, got "mode=7\\u0000"',
    ],
  },
  {
    rule: "cpu-shares-range",
    title: "2^31, which the kernel would clamp to 262144",
    bad: (c) => Object.assign(c.linux, { resources: { cpu: { shares: 2 ** 31 } } }),
    expect: ["linux.resources.cpu.shares: expected 0 (unset) or an integer from 2 to 262144, got 2147483648"],
    good: (c) => Object.assign(c.linux, { resources: { cpu: { shares: 262144 } } }),
  },
  {
    rule: "cpu-shares-range",
    title: "1, which the kernel would raise to 2",
    bad: (c) => Object.assign(c.linux, { resources: { cpu: { shares: 1 } } }),
    expect: ["linux.resources.cpu.shares: expected 0 (unset) or an integer from 2 to 262144, got 1"],
    good: (c) => Object.assign(c.linux, { resources: { cpu: { shares: 2 } } }),
  },
  {
    rule: "cpu-idle-values",
    title: "idle 2",
    bad: (c) => Object.assign(c.linux, { resources: { cpu: { idle: 2 } } }),
    expect: ["linux.resources.cpu.idle: expected 0 or 1 (SCHED_IDLE), got 2"],
    good: (c) => Object.assign(c.linux, { resources: { cpu: { idle: 1 } } }),
  },
  {
    rule: "pids-limit-values",
    title: "below -1",
    bad: (c) => Object.assign(c.linux, { resources: { pids: { limit: -2 } } }),
    expect: ["linux.resources.pids.limit: expected -1 (no limit) or a number of tasks, got -2"],
    good: (c) => Object.assign(c.linux, { resources: { pids: { limit: 0 } } }),
  },
  {
    rule: "blockio-weight-device-needs-weight",
    title: "neither weight",
    bad: (c) => Object.assign(c.linux, { resources: { blockIO: { weightDevice: [{ major: 8, minor: 0 }] } } }),
    expect: ["linux.resources.blockIO.weightDevice[0]: expected weight, leafWeight or both"],
    good: (c) => Object.assign(c.linux, { resources: { blockIO: { weightDevice: [{ major: 8, minor: 0, leafWeight: 10 }] } } }),
  },
  {
    rule: "blockio-throttle-rate-required",
    title: "no rate",
    bad: (c) => Object.assign(c.linux, { resources: { blockIO: { throttleWriteIOPSDevice: [{ major: 8, minor: 0 }] } } }),
    expect: ["linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required, expected an integer from 0 to 18446744073709551615"],
    good: (c) => Object.assign(c.linux, { resources: { blockIO: { throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }] } } }),
  },
  {
    rule: "rdma-entry-needs-limit",
    title: "no limit",
    bad: (c) => Object.assign(c.linux, { resources: { rdma: { mlx4_0: {} } } }),
    expect: ["linux.resources.rdma.mlx4_0: expected hcaHandles, hcaObjects or both"],
    good: (c) => Object.assign(c.linux, { resources: { rdma: { mlx4_0: { hcaHandles: 0 } } } }),
  },
  {
    rule: "unified-key-name",
    title: "a path for a key",
    bad: (c) => Object.assign(c.linux, { resources: { unified: { "/sys/fs/cgroup/cgroup.procs": "1" } } }),
    expect: ['linux.resources.unified["/sys/fs/cgroup/cgroup.procs"]: not a cgroup file name like "memory.max"'],
    good: (c) => Object.assign(c.linux, { resources: { unified: { "cpu.weight.nice": "1", "hugetlb.1GB.rsvd.max": "0" } } }),
  },
  // ---- seccomp
  {
    rule: "seccomp-default-errno-needs-errno-action",
    title: "defaultErrnoRet with SCMP_ACT_KILL",
    bad: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_KILL", defaultErrnoRet: 1 } }),
    expect: ["linux.seccomp.defaultErrnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL"],
    good: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_TRACE", defaultErrnoRet: 1 } }),
  },
  {
    rule: "seccomp-errno-needs-errno-action",
    title: "errnoRet with SCMP_ACT_LOG",
    bad: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [syscall("SCMP_ACT_LOG", { errnoRet: 1 })] } }),
    expect: ["linux.seccomp.syscalls[0].errnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_LOG"],
    good: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [syscall("SCMP_ACT_ERRNO", { errnoRet: 1 })] } }),
  },
  {
    rule: "seccomp-listener-metadata-needs-path",
    title: "metadata without a listener",
    bad: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "m" } }),
    expect: ["linux.seccomp.listenerMetadata: must not be set without listenerPath"],
    good: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "m", listenerPath: "/run/a.sock" } }),
  },
  {
    rule: "seccomp-notify-not-default",
    title: "notify as the default action",
    bad: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/run/a.sock" } }),
    expect: ["linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"],
    good: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_KILL_PROCESS" } }),
  },
  {
    rule: "seccomp-notify-needs-listener",
    title: "notify without a listener",
    bad: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [syscall("SCMP_ACT_NOTIFY")] } }),
    expect: ["linux.seccomp.listenerPath: required when a syscall uses SCMP_ACT_NOTIFY"],
    good: (c) => Object.assign(c.linux, { seccomp: { defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/run/a.sock", syscalls: [syscall("SCMP_ACT_NOTIFY")] } }),
  },
  {
    rule: "seccomp-arg-index-range",
    title: "a seventh argument",
    bad: (c) =>
      Object.assign(c.linux, {
        seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [syscall("SCMP_ACT_ERRNO", { args: [{ index: 6, value: 0, op: "SCMP_CMP_EQ" }] })] },
      }),
    expect: ["linux.seccomp.syscalls[0].args[0].index: expected an integer from 0 to 5, got 6"],
    good: (c) =>
      Object.assign(c.linux, {
        seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [syscall("SCMP_ACT_ERRNO", { args: [{ index: 5, value: 0, op: "SCMP_CMP_EQ" }] })] },
      }),
  },
];

const lines = (issues: { path: string; message: string }[]) => issues.map((i) => `${i.path}: ${i.message}`);

function changed(change: (c: Config) => void): Config {
  const config: Config = clone(BASE);
  change(config);
  return config;
}

/** What one rule alone reports, skipping what the schema already reports as malformed. */
function reportsOf(name: string, config: unknown): string[] {
  const rule = RULES.find((r) => r.name === name);
  assert.ok(rule, `no rule named ${name}`);
  const schema = checkSchema(config);
  return lines(toIssues(config, runRules(config, [rule], schema.ok ? [] : schema.findings)));
}

test("the base config of the rule tests is valid", () => {
  assert.deepEqual(validateConfig(BASE), { ok: true, spec: BASE, warnings: [] });
});

test("every rule has a unique kebab-case name and at least one test here", () => {
  const names = RULES.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  const tested = new Set(CASES.map((c) => c.rule));
  assert.deepEqual(names.filter((n) => !tested.has(n)), []);
});

for (const c of CASES) {
  test(`rule ${c.rule}: ${c.title}`, () => {
    const bad = changed(c.bad);
    assert.deepEqual(reportsOf(c.rule, bad), c.expect, "the rule alone");
    const result = validateConfig(bad);
    assert.deepEqual(result.ok ? [] : lines(result.issues), c.expect, "the whole validation");
    if (c.good) {
      const good = changed(c.good);
      assert.deepEqual(reportsOf(c.rule, good), [], "the near miss, rule alone");
      const ok = validateConfig(good);
      assert.deepEqual(ok.ok ? [] : lines(ok.issues), [], "the near miss, whole validation");
    }
  });
}

test("rules still run where the schema failed elsewhere, and skip what it already reported", () => {
  const config = changed((c) => {
    c.process.cwd = "relative";
    c.process.terminal = "yes";
    c.linux.namespaces.push({ type: "pid" }, { type: 5 });
  });
  const result = validateConfig(config);
  assert.deepEqual(result.ok ? [] : lines(result.issues), [
    "process.cwd: must be an absolute path",
    'process.terminal: expected a boolean, got "yes"',
    "linux.namespaces[4].type: expected one of pid, network, mount, ipc, uts, user, cgroup, time",
  ]);
});
