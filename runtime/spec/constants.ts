/**
 * The closed vocabularies of the OCI runtime spec (config.md,
 * config-linux.md) and the Linux numbers behind them, kept in one place so
 * the schema, the semantic rules and the runtime that acts on a config all
 * agree on what a name means. Numbers are the generic Linux ABI values
 * (x86, arm, riscv, s390, powerpc); the few architectures with their own
 * signal or rlimit numbering (alpha, mips, sparc, parisc) are not targets of
 * runt.
 */
import { NAMESPACE_FLAGS } from "../../ffi/constants.ts";

/** capabilities(7) names and their bit numbers, CAP_LAST_CAP is 40 since Linux 5.9. */
export const CAPABILITIES = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
} as const;
export type CapabilityName = keyof typeof CAPABILITIES;
export const CAP_LAST_CAP = 40;

/** The five sets of `process.capabilities`, in config.md order. */
export const CAPABILITY_SETS = ["effective", "bounding", "inheritable", "permitted", "ambient"] as const;
export type CapabilitySet = typeof CAPABILITY_SETS[number];

/** getrlimit(2) resources and their numbers. */
export const RLIMITS = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
} as const;
export type RlimitType = keyof typeof RLIMITS;

/** `linux.namespaces[].type` values, in config-linux.md order (error messages list them this way). */
export const NAMESPACE_TYPES = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"] as const;
export type NamespaceType = typeof NAMESPACE_TYPES[number];

/** The clone(2)/setns(2) flag and the /proc/PID/ns/ entry of each namespace type. */
export const NAMESPACES: Record<NamespaceType, { flag: number; proc: string }> = {
  pid: { flag: NAMESPACE_FLAGS.pid, proc: "pid" },
  network: { flag: NAMESPACE_FLAGS.network, proc: "net" },
  mount: { flag: NAMESPACE_FLAGS.mount, proc: "mnt" },
  ipc: { flag: NAMESPACE_FLAGS.ipc, proc: "ipc" },
  uts: { flag: NAMESPACE_FLAGS.uts, proc: "uts" },
  user: { flag: NAMESPACE_FLAGS.user, proc: "user" },
  cgroup: { flag: NAMESPACE_FLAGS.cgroup, proc: "cgroup" },
  time: { flag: NAMESPACE_FLAGS.time, proc: "time" },
};

/** Clocks a time namespace can offset (time_namespaces(7)), with their clockid_t. */
export const TIME_NAMESPACE_CLOCKS = { monotonic: 1, boottime: 7 } as const;
export type TimeNamespaceClock = keyof typeof TIME_NAMESPACE_CLOCKS;

/** Signal numbers (signal(7)); SIGIOT and SIGPOLL are the kernel's aliases. */
export const SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
} as const;
export type SignalName = keyof typeof SIGNALS;
/** The kernel's real-time range; glibc reserves the first two, which is why SIGRTMIN is 34 to programs. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

/** The six hook lists of config.md, in the order the lifecycle runs them. */
export const HOOK_KINDS = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
] as const;
export type HookKind = typeof HOOK_KINDS[number];
/** Still accepted and run, but superseded by createRuntime/createContainer/startContainer. */
export const DEPRECATED_HOOK_KINDS: readonly HookKind[] = ["prestart"];

/**
 * `linux.rootfsPropagation` values: config-linux.md's four, and their
 * recursive forms, which runc takes and podman writes (`rslave` for a
 * volume with that propagation).
 */
export const ROOTFS_PROPAGATIONS = ["shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"] as const;
export type RootfsPropagation = typeof ROOTFS_PROPAGATIONS[number];

/** Mount options asking for an ID-mapped mount; never passed to mount(2). */
export const IDMAP_MOUNT_OPTIONS = ["idmap", "ridmap"] as const;

/** `linux.devices[].type`: character, block, unbuffered character, FIFO. */
export const DEVICE_TYPES = ["c", "b", "u", "p"] as const;
export type DeviceType = typeof DEVICE_TYPES[number];

/** `linux.resources.devices[].type`: all, character, block. */
export const CGROUP_DEVICE_TYPES = ["a", "c", "b"] as const;

/** `linux.seccomp` actions, as libseccomp names them. */
export const SECCOMP_ACTIONS = [
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",
] as const;
export type SeccompAction = typeof SECCOMP_ACTIONS[number];
/** The actions that carry a return value (errnoRet / defaultErrnoRet). */
export const SECCOMP_ERRNO_ACTIONS: readonly SeccompAction[] = ["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"];

export const SECCOMP_ARCHES = [
  "SCMP_ARCH_X86",
  "SCMP_ARCH_X86_64",
  "SCMP_ARCH_X32",
  "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",
  "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32",
  "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390",
  "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64",
  "SCMP_ARCH_RISCV64",
  "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",
  "SCMP_ARCH_SH",
  "SCMP_ARCH_SHEB",
] as const;
export type SeccompArch = typeof SECCOMP_ARCHES[number];

export const SECCOMP_OPERATORS = [
  "SCMP_CMP_NE",
  "SCMP_CMP_LT",
  "SCMP_CMP_LE",
  "SCMP_CMP_EQ",
  "SCMP_CMP_GE",
  "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ",
] as const;
export type SeccompOperator = typeof SECCOMP_OPERATORS[number];

export const SECCOMP_FLAGS = [
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
] as const;
export type SeccompFlag = typeof SECCOMP_FLAGS[number];

/** A syscall has at most six arguments, so `args[].index` is 0 to 5. */
export const SECCOMP_MAX_ARGS = 6;

/** ioprio classes and their IOPRIO_CLASS_* numbers. */
export const IOPRIO_CLASSES = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 } as const;
export type IoPriorityClass = keyof typeof IOPRIO_CLASSES;

/** sched(7) policies; SCHED_ISO is reserved and not implemented by mainline Linux. */
export const SCHEDULER_POLICIES = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
} as const;
export type SchedulerPolicy = keyof typeof SCHEDULER_POLICIES;

/** sched_setattr(2) flags. */
export const SCHEDULER_FLAGS = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
} as const;
export type SchedulerFlag = keyof typeof SCHEDULER_FLAGS;

/** set_mempolicy(2) modes. */
export const MEMORY_POLICY_MODES = {
  MPOL_DEFAULT: 0,
  MPOL_PREFERRED: 1,
  MPOL_BIND: 2,
  MPOL_INTERLEAVE: 3,
  MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
} as const;
export type MemoryPolicyMode = keyof typeof MEMORY_POLICY_MODES;
/** Modes whose nodemask must be empty, and modes that need at least one node (set_mempolicy(2)). */
export const MEMORY_POLICY_MODES_WITHOUT_NODES: readonly MemoryPolicyMode[] = ["MPOL_DEFAULT", "MPOL_LOCAL"];
export const MEMORY_POLICY_MODES_WITH_NODES: readonly MemoryPolicyMode[] = [
  "MPOL_BIND",
  "MPOL_INTERLEAVE",
  "MPOL_WEIGHTED_INTERLEAVE",
  "MPOL_PREFERRED_MANY",
];

/** set_mempolicy(2) mode flags, OR-ed into the mode. */
export const MEMORY_POLICY_FLAGS = {
  MPOL_F_NUMA_BALANCING: 1 << 13,
  MPOL_F_RELATIVE_NODES: 1 << 14,
  MPOL_F_STATIC_NODES: 1 << 15,
} as const;
export type MemoryPolicyFlag = keyof typeof MEMORY_POLICY_FLAGS;

/** personality(2) execution domains. */
export const PERSONALITY_DOMAINS = { LINUX: 0x0000, LINUX32: 0x0008 } as const;
export type PersonalityDomain = keyof typeof PERSONALITY_DOMAINS;

/** Per-namespace sysctls (as runc allows them): which namespace makes each one safe to set. */
export const IPC_SYSCTLS: readonly string[] = [
  "kernel.msgmax",
  "kernel.msgmnb",
  "kernel.msgmni",
  "kernel.sem",
  "kernel.shmall",
  "kernel.shmmax",
  "kernel.shmmni",
  "kernel.shm_rmid_forced",
];
export const IPC_SYSCTL_PREFIXES: readonly string[] = ["fs.mqueue."];
export const UTS_SYSCTLS: readonly string[] = ["kernel.hostname", "kernel.domainname"];
export const NET_SYSCTL_PREFIXES: readonly string[] = ["net."];

/** Annotation whose value names the signal that stops the container (config.md "Annotations"). */
export const STOP_SIGNAL_ANNOTATION = "org.opencontainers.image.stopSignal";

/** The largest value oom_score_adj takes, in both directions (proc(5)). */
export const OOM_SCORE_ADJ_MAX = 1000;

/** Interface names are at most IFNAMSIZ - 1 bytes. */
export const IFNAMSIZ = 16;
