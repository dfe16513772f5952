/**
 * The schema of schema.ts again, as plain data: what `quick.ts` checks a
 * config against without loading zod (which costs a process more than ten
 * milliseconds to import and build). zod's schema stays the one that types
 * the spec and words every problem; this one only says yes or "ask zod".
 * tests/unit/spec_quick.test.ts holds both to the same verdict over the
 * corpus and thousands of mutated configs, so the two cannot drift apart.
 */
import {
  DEVICE_TYPES,
  HOOK_KINDS,
  IOPRIO_CLASSES,
  MEMORY_POLICY_FLAGS,
  MEMORY_POLICY_MODES,
  NAMESPACE_TYPES,
  PERSONALITY_DOMAINS,
  ROOTFS_PROPAGATIONS,
  SCHEDULER_FLAGS,
  SCHEDULER_POLICIES,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from "./constants.ts";

export type Shape =
  | { kind: "string"; pattern?: RegExp }
  | { kind: "boolean" }
  | { kind: "integer"; min: number; max: number }
  | { kind: "enum"; values: ReadonlySet<string> }
  | { kind: "array"; item: Shape; minItems?: number }
  | { kind: "map"; value: Shape }
  | { kind: "object"; fields: Readonly<Record<string, Shape>>; required: ReadonlySet<string> };

/** A field that may be left out. */
interface Optional {
  optional: Shape;
}
type Field = Shape | Optional;

const str = (pattern?: RegExp): Shape => ({ kind: "string", pattern });
const bool: Shape = { kind: "boolean" };
const int = (min: number, max: number): Shape => ({ kind: "integer", min, max });
const oneOf = (values: Iterable<string>): Shape => ({ kind: "enum", values: new Set(values) });
const list = (item: Shape, minItems?: number): Shape => ({ kind: "array", item, minItems });
const map = (value: Shape): Shape => ({ kind: "map", value });
const opt = (shape: Shape): Optional => ({ optional: shape });
const obj = (fields: Record<string, Field>): Shape => ({
  kind: "object",
  fields: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, "optional" in f ? f.optional : f])),
  required: new Set(Object.entries(fields).filter(([, f]) => !("optional" in f)).map(([k]) => k)),
});

// The same bounds as primitives.ts: JS numbers, rounded as JSON.parse rounds the values.
const int32 = int(-(2 ** 31), 2 ** 31 - 1);
const int64 = int(-(2 ** 63), 2 ** 63);
const uint16 = int(0, 2 ** 16 - 1);
const uint32 = int(0, 2 ** 32 - 1);
const uint64 = int(0, 2 ** 64);
const anyInteger = int(-Infinity, Infinity);
const positiveInteger = int(1, Infinity);
// config-linux.md's uint32, as primitives.ts says why.
const fileMode = uint32;
const strings = list(str());

const idMapping = obj({ containerID: uint32, hostID: uint32, size: uint32 });
const cpuAffinityList = str(/^[0-9, -]*$/);
const hookList = opt(list(obj({ path: str(), args: opt(strings), env: opt(strings), timeout: opt(positiveInteger) })));
const throttleDevice = obj({ major: int64, minor: int64, rate: opt(uint64) });
const otherPlatform = opt(obj({}));

const processShape = obj({
  terminal: opt(bool),
  consoleSize: opt(obj({ height: uint64, width: uint64 })),
  user: opt(obj({ uid: opt(uint32), gid: opt(uint32), umask: opt(uint32), additionalGids: opt(list(uint32)), username: opt(str()) })),
  args: opt(strings),
  commandLine: opt(str()),
  env: opt(strings),
  cwd: str(),
  capabilities: opt(obj({ effective: opt(strings), bounding: opt(strings), inheritable: opt(strings), permitted: opt(strings), ambient: opt(strings) })),
  rlimits: opt(list(obj({ type: str(/^RLIMIT_[A-Z]+$/), soft: uint64, hard: uint64 }))),
  noNewPrivileges: opt(bool),
  apparmorProfile: opt(str()),
  oomScoreAdj: opt(anyInteger),
  selinuxLabel: opt(str()),
  ioPriority: opt(obj({ class: oneOf(Object.keys(IOPRIO_CLASSES)), priority: opt(int32) })),
  scheduler: opt(obj({
    policy: oneOf(Object.keys(SCHEDULER_POLICIES)),
    nice: opt(int32),
    priority: opt(int32),
    flags: opt(list(oneOf(Object.keys(SCHEDULER_FLAGS)))),
    runtime: opt(uint64),
    deadline: opt(uint64),
    period: opt(uint64),
  })),
  execCPUAffinity: opt(obj({ initial: opt(cpuAffinityList), final: opt(cpuAffinityList) })),
});

const resourcesShape = obj({
  devices: opt(list(obj({ allow: bool, type: opt(str()), major: opt(int64), minor: opt(int64), access: opt(str()) }))),
  memory: opt(obj({
    limit: opt(int64),
    reservation: opt(int64),
    swap: opt(int64),
    kernel: opt(int64),
    kernelTCP: opt(int64),
    swappiness: opt(uint64),
    disableOOMKiller: opt(bool),
    useHierarchy: opt(bool),
    checkBeforeUpdate: opt(bool),
  })),
  cpu: opt(obj({
    shares: opt(uint64),
    quota: opt(int64),
    burst: opt(uint64),
    period: opt(uint64),
    realtimeRuntime: opt(int64),
    realtimePeriod: opt(uint64),
    cpus: opt(str()),
    mems: opt(str()),
    idle: opt(int64),
  })),
  blockIO: opt(obj({
    weight: opt(uint16),
    leafWeight: opt(uint16),
    weightDevice: opt(list(obj({ major: int64, minor: int64, weight: opt(uint16), leafWeight: opt(uint16) }))),
    throttleReadBpsDevice: opt(list(throttleDevice)),
    throttleWriteBpsDevice: opt(list(throttleDevice)),
    throttleReadIOPSDevice: opt(list(throttleDevice)),
    throttleWriteIOPSDevice: opt(list(throttleDevice)),
  })),
  hugepageLimits: opt(list(obj({ pageSize: str(/^[1-9][0-9]*[KMG]B$/), limit: uint64 }))),
  network: opt(obj({ classID: opt(uint32), priorities: opt(list(obj({ name: str(), priority: uint32 }))) })),
  pids: opt(obj({ limit: opt(int64) })),
  rdma: opt(map(obj({ hcaHandles: opt(uint32), hcaObjects: opt(uint32) }))),
  unified: opt(map(str())),
});

const seccompShape = obj({
  defaultAction: oneOf(SECCOMP_ACTIONS),
  defaultErrnoRet: opt(uint32),
  architectures: opt(list(oneOf(SECCOMP_ARCHES))),
  flags: opt(list(oneOf(SECCOMP_FLAGS))),
  listenerPath: opt(str()),
  listenerMetadata: opt(str()),
  syscalls: opt(list(obj({
    names: list(str(), 1),
    action: oneOf(SECCOMP_ACTIONS),
    errnoRet: opt(uint32),
    args: opt(list(obj({ index: uint32, value: uint64, valueTwo: opt(uint64), op: oneOf(SECCOMP_OPERATORS) }))),
  }))),
});

const linuxShape = obj({
  namespaces: opt(list(obj({ type: oneOf(NAMESPACE_TYPES), path: opt(str()) }))),
  uidMappings: opt(list(idMapping)),
  gidMappings: opt(list(idMapping)),
  timeOffsets: opt(obj({
    boottime: opt(obj({ secs: opt(int64), nanosecs: opt(uint32) })),
    monotonic: opt(obj({ secs: opt(int64), nanosecs: opt(uint32) })),
  })),
  devices: opt(list(obj({
    type: oneOf(DEVICE_TYPES),
    path: str(),
    major: opt(int64),
    minor: opt(int64),
    fileMode: opt(fileMode),
    uid: opt(uint32),
    gid: opt(uint32),
  }))),
  netDevices: opt(map(obj({ name: opt(str()) }))),
  cgroupsPath: opt(str()),
  resources: opt(resourcesShape),
  intelRdt: opt(obj({
    closID: opt(str()),
    schemata: opt(strings),
    l3CacheSchema: opt(str()),
    memBwSchema: opt(str(/^MB:[^\n]*$/)),
    enableMonitoring: opt(bool),
  })),
  memoryPolicy: opt(obj({
    mode: opt(oneOf(Object.keys(MEMORY_POLICY_MODES))),
    nodes: opt(str()),
    flags: opt(list(oneOf(Object.keys(MEMORY_POLICY_FLAGS)))),
  })),
  sysctl: opt(map(str())),
  seccomp: opt(seccompShape),
  rootfsPropagation: opt(oneOf(ROOTFS_PROPAGATIONS)),
  maskedPaths: opt(strings),
  readonlyPaths: opt(strings),
  mountLabel: opt(str()),
  personality: opt(obj({ domain: opt(oneOf(Object.keys(PERSONALITY_DOMAINS))), flags: opt(strings) })),
});

export const SPEC_SHAPE: Shape = obj({
  ociVersion: str(),
  root: opt(obj({ path: str(), readonly: opt(bool) })),
  mounts: opt(list(obj({
    destination: str(),
    source: opt(str()),
    options: opt(strings),
    type: opt(str()),
    uidMappings: opt(list(idMapping)),
    gidMappings: opt(list(idMapping)),
  }))),
  process: opt(processShape),
  hostname: opt(str()),
  domainname: opt(str()),
  hooks: opt(obj(Object.fromEntries(HOOK_KINDS.map((kind) => [kind, hookList])))),
  annotations: opt(map(str())),
  linux: opt(linuxShape),
  solaris: otherPlatform,
  windows: otherPlatform,
  vm: otherPlatform,
  zos: otherPlatform,
  freebsd: otherPlatform,
});
