/**
 * The OCI runtime config (config.md, config-linux.md, spec 1.3) as a zod
 * schema. It checks shape only — types, required fields, closed value lists,
 * number ranges — and follows the official JSON schemas
 * (schema/config-schema.json …) field for field, so both give the same
 * verdict; tests/unit/spec_jsonschema.test.ts holds them to that and lists
 * the few deliberate differences. The spec's other MUST rules (absolute
 * paths, unique namespaces, mappings for a user namespace …) live in
 * rules/, which run on top of this.
 *
 * Every object is loose: unknown properties are kept, never rejected
 * (config.md "Extensibility"). The type names follow specs-go.
 */
import type { z } from "./zod.ts";
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
import {
  anyInteger,
  fileMode,
  flag,
  int32,
  int64,
  list,
  map,
  matching,
  obj,
  oneOf,
  positiveInteger,
  strings,
  text,
  uint16,
  uint32,
  uint64,
} from "./primitives.ts";

const names = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

// ---- config.md -------------------------------------------------------------

export const idMappingSchema = obj({ containerID: uint32, hostID: uint32, size: uint32 });

export const rootSchema = obj({ path: text(), readonly: flag().optional() });

export const mountSchema = obj({
  destination: text(),
  source: text().optional(),
  options: strings().optional(),
  type: text().optional(),
  uidMappings: list(idMappingSchema).optional(),
  gidMappings: list(idMappingSchema).optional(),
});

export const consoleSizeSchema = obj({ height: uint64, width: uint64 });

/** uid and gid are REQUIRED on POSIX (config.md), but the JSON schema leaves them optional; rules/ enforces it. */
export const userSchema = obj({
  uid: uint32.optional(),
  gid: uint32.optional(),
  umask: uint32.optional(),
  additionalGids: list(uint32).optional(),
  username: text().optional(),
});

/** Capability names are checked by rules/ so an unknown one is named as such, not as "not in this list of 41". */
export const capabilitiesSchema = obj({
  effective: strings().optional(),
  bounding: strings().optional(),
  inheritable: strings().optional(),
  permitted: strings().optional(),
  ambient: strings().optional(),
});

export const rlimitSchema = obj({
  type: matching(/^RLIMIT_[A-Z]+$/, "an RLIMIT_* name"),
  soft: uint64,
  hard: uint64,
});

export const ioPrioritySchema = obj({ class: oneOf(names(IOPRIO_CLASSES)), priority: int32.optional() });

export const schedulerSchema = obj({
  policy: oneOf(names(SCHEDULER_POLICIES)),
  nice: int32.optional(),
  priority: int32.optional(),
  flags: list(oneOf(names(SCHEDULER_FLAGS))).optional(),
  runtime: uint64.optional(),
  deadline: uint64.optional(),
  period: uint64.optional(),
});

const cpuAffinityList = matching(/^[0-9, -]*$/, 'a CPU list like "0-3,7"');
export const execCPUAffinitySchema = obj({ initial: cpuAffinityList.optional(), final: cpuAffinityList.optional() });

export const processSchema = obj({
  terminal: flag().optional(),
  consoleSize: consoleSizeSchema.optional(),
  user: userSchema.optional(),
  args: strings().optional(),
  commandLine: text().optional(),
  env: strings().optional(),
  cwd: text(),
  capabilities: capabilitiesSchema.optional(),
  rlimits: list(rlimitSchema).optional(),
  noNewPrivileges: flag().optional(),
  apparmorProfile: text().optional(),
  oomScoreAdj: anyInteger.optional(),
  selinuxLabel: text().optional(),
  ioPriority: ioPrioritySchema.optional(),
  scheduler: schedulerSchema.optional(),
  execCPUAffinity: execCPUAffinitySchema.optional(),
});

export const hookSchema = obj({
  path: text(),
  args: strings().optional(),
  env: strings().optional(),
  timeout: positiveInteger.optional(),
});

const hookList = list(hookSchema).optional();
export const hooksSchema = obj(
  Object.fromEntries(HOOK_KINDS.map((kind) => [kind, hookList])) as Record<typeof HOOK_KINDS[number], typeof hookList>,
);

// ---- config-linux.md -------------------------------------------------------

export const namespaceSchema = obj({ type: oneOf(NAMESPACE_TYPES), path: text().optional() });

export const timeOffsetSchema = obj({ secs: int64.optional(), nanosecs: uint32.optional() });
/** Other clock names pass the schema (it only describes these two) and are refused by rules/. */
export const timeOffsetsSchema = obj({ boottime: timeOffsetSchema.optional(), monotonic: timeOffsetSchema.optional() });

export const deviceSchema = obj({
  type: oneOf(DEVICE_TYPES),
  path: text(),
  major: int64.optional(),
  minor: int64.optional(),
  fileMode: fileMode.optional(),
  uid: uint32.optional(),
  gid: uint32.optional(),
});

export const netDeviceSchema = obj({ name: text().optional() });

export const deviceCgroupSchema = obj({
  allow: flag(),
  type: text().optional(),
  major: int64.optional(),
  minor: int64.optional(),
  access: text().optional(),
});

export const memorySchema = obj({
  limit: int64.optional(),
  reservation: int64.optional(),
  swap: int64.optional(),
  kernel: int64.optional(),
  kernelTCP: int64.optional(),
  swappiness: uint64.optional(),
  disableOOMKiller: flag().optional(),
  useHierarchy: flag().optional(),
  checkBeforeUpdate: flag().optional(),
});

export const cpuSchema = obj({
  shares: uint64.optional(),
  quota: int64.optional(),
  burst: uint64.optional(),
  period: uint64.optional(),
  realtimeRuntime: int64.optional(),
  realtimePeriod: uint64.optional(),
  cpus: text().optional(),
  mems: text().optional(),
  idle: int64.optional(),
});

export const weightDeviceSchema = obj({
  major: int64,
  minor: int64,
  weight: uint16.optional(),
  leafWeight: uint16.optional(),
});

/** `rate` is REQUIRED in config-linux.md but optional in the JSON schema; rules/ enforces it. */
export const throttleDeviceSchema = obj({ major: int64, minor: int64, rate: uint64.optional() });

export const blockIOSchema = obj({
  weight: uint16.optional(),
  leafWeight: uint16.optional(),
  weightDevice: list(weightDeviceSchema).optional(),
  throttleReadBpsDevice: list(throttleDeviceSchema).optional(),
  throttleWriteBpsDevice: list(throttleDeviceSchema).optional(),
  throttleReadIOPSDevice: list(throttleDeviceSchema).optional(),
  throttleWriteIOPSDevice: list(throttleDeviceSchema).optional(),
});

export const hugepageLimitSchema = obj({
  pageSize: matching(/^[1-9][0-9]*[KMG]B$/, 'a page size like "2MB" or "1GB"'),
  limit: uint64,
});

export const interfacePrioritySchema = obj({ name: text(), priority: uint32 });
export const networkSchema = obj({ classID: uint32.optional(), priorities: list(interfacePrioritySchema).optional() });

/**
 * `limit` is OPTIONAL in config-linux.md (since 1.3 an unset limit means
 * "leave it") but still "required" in the JSON schema; runt follows the
 * prose, which is canonical.
 */
export const pidsSchema = obj({ limit: int64.optional() });

export const rdmaSchema = obj({ hcaHandles: uint32.optional(), hcaObjects: uint32.optional() });

export const resourcesSchema = obj({
  devices: list(deviceCgroupSchema).optional(),
  memory: memorySchema.optional(),
  cpu: cpuSchema.optional(),
  blockIO: blockIOSchema.optional(),
  hugepageLimits: list(hugepageLimitSchema).optional(),
  network: networkSchema.optional(),
  pids: pidsSchema.optional(),
  rdma: map(rdmaSchema).optional(),
  unified: map(text()).optional(),
});

export const intelRdtSchema = obj({
  closID: text().optional(),
  schemata: strings().optional(),
  l3CacheSchema: text().optional(),
  memBwSchema: matching(/^MB:[^\n]*$/, 'a line starting with "MB:"').optional(),
  enableMonitoring: flag().optional(),
});

/** `mode` is REQUIRED in config-linux.md but optional in the JSON schema; rules/ enforces it. */
export const memoryPolicySchema = obj({
  mode: oneOf(names(MEMORY_POLICY_MODES)).optional(),
  nodes: text().optional(),
  flags: list(oneOf(names(MEMORY_POLICY_FLAGS))).optional(),
});

export const seccompArgSchema = obj({
  index: uint32,
  value: uint64,
  valueTwo: uint64.optional(),
  op: oneOf(SECCOMP_OPERATORS),
});

export const syscallSchema = obj({
  names: strings().min(1, { error: "expected at least one syscall name" }),
  action: oneOf(SECCOMP_ACTIONS),
  errnoRet: uint32.optional(),
  args: list(seccompArgSchema).optional(),
});

export const seccompSchema = obj({
  defaultAction: oneOf(SECCOMP_ACTIONS),
  defaultErrnoRet: uint32.optional(),
  architectures: list(oneOf(SECCOMP_ARCHES)).optional(),
  flags: list(oneOf(SECCOMP_FLAGS)).optional(),
  listenerPath: text().optional(),
  listenerMetadata: text().optional(),
  syscalls: list(syscallSchema).optional(),
});

/** `domain` is REQUIRED in config-linux.md but optional in the JSON schema; rules/ enforces it. */
export const personalitySchema = obj({
  domain: oneOf(names(PERSONALITY_DOMAINS)).optional(),
  flags: strings().optional(),
});

export const linuxSchema = obj({
  namespaces: list(namespaceSchema).optional(),
  uidMappings: list(idMappingSchema).optional(),
  gidMappings: list(idMappingSchema).optional(),
  timeOffsets: timeOffsetsSchema.optional(),
  devices: list(deviceSchema).optional(),
  netDevices: map(netDeviceSchema).optional(),
  cgroupsPath: text().optional(),
  resources: resourcesSchema.optional(),
  intelRdt: intelRdtSchema.optional(),
  memoryPolicy: memoryPolicySchema.optional(),
  sysctl: map(text()).optional(),
  seccomp: seccompSchema.optional(),
  rootfsPropagation: oneOf(ROOTFS_PROPAGATIONS).optional(),
  maskedPaths: strings().optional(),
  readonlyPaths: strings().optional(),
  mountLabel: text().optional(),
  personality: personalitySchema.optional(),
});

/** Sections for other platforms: runt only needs them to be objects (see the JSON-schema test). */
const otherPlatform = obj({}).optional();

export const specSchema = obj({
  ociVersion: text(),
  root: rootSchema.optional(),
  mounts: list(mountSchema).optional(),
  process: processSchema.optional(),
  hostname: text().optional(),
  domainname: text().optional(),
  hooks: hooksSchema.optional(),
  annotations: map(text()).optional(),
  linux: linuxSchema.optional(),
  solaris: otherPlatform,
  windows: otherPlatform,
  vm: otherPlatform,
  zos: otherPlatform,
  freebsd: otherPlatform,
});

export type Spec = z.infer<typeof specSchema>;
export type Root = z.infer<typeof rootSchema>;
export type Mount = z.infer<typeof mountSchema>;
export type Process = z.infer<typeof processSchema>;
export type ConsoleSize = z.infer<typeof consoleSizeSchema>;
export type User = z.infer<typeof userSchema>;
export type LinuxCapabilities = z.infer<typeof capabilitiesSchema>;
export type POSIXRlimit = z.infer<typeof rlimitSchema>;
export type LinuxIOPriority = z.infer<typeof ioPrioritySchema>;
export type Scheduler = z.infer<typeof schedulerSchema>;
export type CPUAffinity = z.infer<typeof execCPUAffinitySchema>;
export type Hook = z.infer<typeof hookSchema>;
export type Hooks = z.infer<typeof hooksSchema>;
export type Linux = z.infer<typeof linuxSchema>;
export type LinuxNamespace = z.infer<typeof namespaceSchema>;
export type LinuxIDMapping = z.infer<typeof idMappingSchema>;
export type LinuxTimeOffset = z.infer<typeof timeOffsetSchema>;
export type LinuxDevice = z.infer<typeof deviceSchema>;
export type LinuxNetDevice = z.infer<typeof netDeviceSchema>;
export type LinuxResources = z.infer<typeof resourcesSchema>;
export type LinuxDeviceCgroup = z.infer<typeof deviceCgroupSchema>;
export type LinuxMemory = z.infer<typeof memorySchema>;
export type LinuxCPU = z.infer<typeof cpuSchema>;
export type LinuxBlockIO = z.infer<typeof blockIOSchema>;
export type LinuxWeightDevice = z.infer<typeof weightDeviceSchema>;
export type LinuxThrottleDevice = z.infer<typeof throttleDeviceSchema>;
export type LinuxHugepageLimit = z.infer<typeof hugepageLimitSchema>;
export type LinuxNetwork = z.infer<typeof networkSchema>;
export type LinuxInterfacePriority = z.infer<typeof interfacePrioritySchema>;
export type LinuxPids = z.infer<typeof pidsSchema>;
export type LinuxRdma = z.infer<typeof rdmaSchema>;
export type LinuxIntelRdt = z.infer<typeof intelRdtSchema>;
export type LinuxMemoryPolicy = z.infer<typeof memoryPolicySchema>;
export type LinuxSeccomp = z.infer<typeof seccompSchema>;
export type LinuxSyscall = z.infer<typeof syscallSchema>;
export type LinuxSeccompArg = z.infer<typeof seccompArgSchema>;
export type LinuxPersonality = z.infer<typeof personalitySchema>;
