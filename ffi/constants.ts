/**
 * Kernel ABI constants for x86_64 and aarch64. Most are asm-generic and
 * identical on both; the ones that differ (some O_* bits, old syscall
 * numbers) are picked from per-arch tables by the host's architecture.
 */
import { hostArch } from "../runtime/host.ts";

export type Arch = "x64" | "arm64";

export function currentArch(): Arch {
  const arch = hostArch();
  if (arch === "x64" || arch === "arm64") return arch;
  throw new Error(`runt supports x86_64 and aarch64 only, not ${arch}`);
}
const ARCH = currentArch();

/*
 * The tables below are built with plain loops: in a fresh process the first
 * call of each of the engine's built-ins written in JavaScript (map,
 * Object.fromEntries over an iterator, destructuring) costs 0.02-0.4 ms,
 * and this module loads with every command that binds FFI.
 */

/** Each name → its index in `names`. */
function positions<T extends string>(names: readonly T[]): Readonly<Record<T, number>> {
  const out = {} as Record<T, number>;
  for (let i = 0; i < names.length; i++) out[names[i]] = i;
  return Object.freeze(out);
}

/** [name, value] pairs as an object. */
function byName(pairs: ReadonlyArray<readonly [string, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < pairs.length; i++) out[pairs[i][0]] = pairs[i][1];
  return out;
}

// Namespaces (clone(2) / unshare(2) / setns(2)).
export const CLONE_FS = 0x200;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_FILES = 0x400;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_NEWTIME = 0x80;
export const CLONE_NEWNS = 0x20000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
/** clone3(2) only (Linux 5.7): the child is born in the cgroup v2 directory `cgroup` names, with no move and no wait. */
export const CLONE_INTO_CGROUP = 0x200000000n;
/** struct clone_args up to its `cgroup` field (CLONE_ARGS_SIZE_VER2). */
export const CLONE_ARGS_SIZE = 88;

/** OCI namespace type → clone flag. */
export const NAMESPACE_FLAGS: Readonly<Record<string, number>> = {
  mount: CLONE_NEWNS,
  cgroup: CLONE_NEWCGROUP,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  user: CLONE_NEWUSER,
  pid: CLONE_NEWPID,
  network: CLONE_NEWNET,
  time: CLONE_NEWTIME,
};

// mount(2)
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_POSIXACL = 0x10000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_KERNMOUNT = 0x400000;
export const MS_I_VERSION = 0x800000;
export const MS_STRICTATIME = 0x1000000;
export const MS_LAZYTIME = 0x2000000;

// umount2(2)
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const MNT_EXPIRE = 0x4;
export const UMOUNT_NOFOLLOW = 0x8;

// mount_setattr(2)
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_IDMAP = 0x100000;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;
export const MOUNT_ATTR_SIZE_VER0 = 32;

// *at(2)
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;
/** statx(2): the mount ID asked for (Linux 5.8), and where struct statx holds it. */
export const STATX_MNT_ID = 0x1000;
export const STATX_SIZE = 256;
export const STATX_MNT_ID_OFFSET = 144;

// openat2(2) struct open_how.resolve
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

// open(2): the directory/nofollow/direct/largefile bits differ on aarch64.
const O_ARCH = {
  x64: { O_DIRECT: 0o40000, O_LARGEFILE: 0o100000, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000 },
  arm64: { O_DIRECT: 0o200000, O_LARGEFILE: 0o400000, O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000 },
}[ARCH];
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = O_ARCH.O_DIRECT;
export const O_LARGEFILE = O_ARCH.O_LARGEFILE;
export const O_DIRECTORY = O_ARCH.O_DIRECTORY;
export const O_NOFOLLOW = O_ARCH.O_NOFOLLOW;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_ARCH.O_DIRECTORY;

// fcntl(2)
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_SETOWN = 8;
export const F_GETOWN = 9;
export const F_DUPFD_CLOEXEC = 1030;
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;
export const F_ADD_SEALS = 1033;
export const F_GET_SEALS = 1034;
export const FD_CLOEXEC = 1;

// memfd_create(2) flags and the seals F_ADD_SEALS takes
export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
/** Linux 6.3+: executable even where vm.memfd_noexec makes memfds non-executable by default. */
export const MFD_EXEC = 0x10;
export const F_SEAL_SEAL = 0x1;
export const F_SEAL_SHRINK = 0x2;
export const F_SEAL_GROW = 0x4;
export const F_SEAL_WRITE = 0x8;

// close_range(2)
export const CLOSE_RANGE_UNSHARE = 2;
export const CLOSE_RANGE_CLOEXEC = 4;

// flock(2)
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// prctl(2)
export const PR_SET_PDEATHSIG = 1;
export const PR_GET_PDEATHSIG = 2;
export const PR_GET_DUMPABLE = 3;
export const PR_SET_DUMPABLE = 4;
export const PR_GET_KEEPCAPS = 7;
export const PR_SET_KEEPCAPS = 8;
export const PR_SET_NAME = 15;
export const PR_GET_NAME = 16;
export const PR_GET_SECCOMP = 21;
export const PR_SET_SECCOMP = 22;
export const PR_CAPBSET_READ = 23;
export const PR_CAPBSET_DROP = 24;
export const PR_GET_SECUREBITS = 27;
export const PR_SET_SECUREBITS = 28;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_GET_NO_NEW_PRIVS = 39;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_IS_SET = 1;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_LOWER = 3;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;

// waitpid(2)
export const WNOHANG = 1;
export const WUNTRACED = 2;
export const WCONTINUED = 8;
export const __WALL = 0x40000000;

// mknod(2) file types
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o60000;
export const S_IFDIR = 0o40000;
export const S_IFCHR = 0o20000;
export const S_IFIFO = 0o10000;

// sockets
export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const AF_INET = 2;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const IFF_UP = 0x1;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1;
/** The most descriptors one message may carry (include/net/scm.h). */
export const SCM_MAX_FD = 253;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const MSG_CTRUNC = 0x8;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CMSG_CLOEXEC = 0x40000000;

// ioctl(2) requests used around terminals (asm-generic; same on both arches)
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TIOCSCTTY = 0x540e;
export const TIOCNOTTY = 0x5422;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const TIOCGPTN = 0x80045430;
export const TIOCSPTLCK = 0x40045431;
export const FIONREAD = 0x541b;

// capget/capset
export const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

/** posix_spawn attribute flags (glibc). */
export const POSIX_SPAWN_RESETIDS = 0x01;
export const POSIX_SPAWN_SETPGROUP = 0x02;
export const POSIX_SPAWN_SETSIGDEF = 0x04;
export const POSIX_SPAWN_SETSIGMASK = 0x08;
export const POSIX_SPAWN_SETSID = 0x80;

/**
 * Calls glibc wraps as plain system calls, made through syscall(2) instead:
 * Deno takes ~0.28 ms to bind each FFI symbol, `run` bound 26 such
 * wrappers, and the one `syscall` binding serves them all. (open and
 * mkfifo are openat and mknodat; arm64 has no poll, hence ppoll.)
 */
type WrappedCall =
  | "openat"
  | "close"
  | "read"
  | "write"
  | "fcntl"
  | "flock"
  | "socket"
  | "socketpair"
  | "sendmsg"
  | "recvmsg"
  | "ioctl"
  | "unshare"
  | "setns"
  | "mount"
  | "umount2"
  | "umask"
  | "chdir"
  | "fchdir"
  | "chroot"
  | "sethostname"
  | "setdomainname"
  | "prlimit64"
  | "wait4"
  | "ppoll";

const WRAPPED_CALLS: Record<WrappedCall, number> = {
  openat: { x64: 257, arm64: 56 }[ARCH],
  close: { x64: 3, arm64: 57 }[ARCH],
  read: { x64: 0, arm64: 63 }[ARCH],
  write: { x64: 1, arm64: 64 }[ARCH],
  fcntl: { x64: 72, arm64: 25 }[ARCH],
  flock: { x64: 73, arm64: 32 }[ARCH],
  socket: { x64: 41, arm64: 198 }[ARCH],
  socketpair: { x64: 53, arm64: 199 }[ARCH],
  sendmsg: { x64: 46, arm64: 211 }[ARCH],
  recvmsg: { x64: 47, arm64: 212 }[ARCH],
  ioctl: { x64: 16, arm64: 29 }[ARCH],
  unshare: { x64: 272, arm64: 97 }[ARCH],
  setns: { x64: 308, arm64: 268 }[ARCH],
  mount: { x64: 165, arm64: 40 }[ARCH],
  umount2: { x64: 166, arm64: 39 }[ARCH],
  umask: { x64: 95, arm64: 166 }[ARCH],
  chdir: { x64: 80, arm64: 49 }[ARCH],
  fchdir: { x64: 81, arm64: 50 }[ARCH],
  chroot: { x64: 161, arm64: 51 }[ARCH],
  sethostname: { x64: 170, arm64: 161 }[ARCH],
  setdomainname: { x64: 171, arm64: 162 }[ARCH],
  prlimit64: { x64: 302, arm64: 261 }[ARCH],
  wait4: { x64: 61, arm64: 260 }[ARCH],
  ppoll: { x64: 271, arm64: 73 }[ARCH],
};

/** Numbers for the system calls runt makes through syscall(2): those glibc has no wrapper for (or not on every version), and the wrapped ones above. */
export const SYS: Readonly<
  Record<
    | "pivot_root"
    | "pidfd_send_signal"
    | "pidfd_open"
    | "pidfd_getfd"
    | "close_range"
    | "openat2"
    | "mount_setattr"
    | "mkdirat"
    | "renameat2"
    | "rt_sigaction"
    | "keyctl"
    | "bpf"
    | "seccomp"
    | "mknodat"
    | "symlinkat"
    | "linkat"
    | "unlinkat"
    | "fchownat"
    | "utimensat"
    | "lsetxattr"
    | WrappedCall,
    number>
> = {
  // Calls from 424 on share one number across architectures.
  pidfd_send_signal: 424,
  pidfd_open: 434,
  pidfd_getfd: 438,
  close_range: 436,
  // glibc 2.36 has no openat2() wrapper.
  openat2: 437,
  mount_setattr: 442,
  pivot_root: { x64: 155, arm64: 41 }[ARCH],
  mkdirat: { x64: 258, arm64: 34 }[ARCH],
  // glibc has renameat2() only from 2.28 on.
  renameat2: { x64: 316, arm64: 276 }[ARCH],
  // glibc's signal() and sigaction() refuse 32 and 33, which a parent may still have left ignored.
  rt_sigaction: { x64: 13, arm64: 134 }[ARCH],
  // Session keyrings live in libkeyutils, which runt does not load.
  keyctl: { x64: 250, arm64: 219 }[ARCH],
  // glibc has no bpf() wrapper.
  bpf: { x64: 321, arm64: 280 }[ARCH],
  // Nor a seccomp() one.
  seccomp: { x64: 317, arm64: 277 }[ARCH],
  // Writing an image layer's entries below a directory descriptor, never by a host path.
  mknodat: { x64: 259, arm64: 33 }[ARCH],
  symlinkat: { x64: 266, arm64: 36 }[ARCH],
  linkat: { x64: 265, arm64: 37 }[ARCH],
  unlinkat: { x64: 263, arm64: 35 }[ARCH],
  fchownat: { x64: 260, arm64: 54 }[ARCH],
  utimensat: { x64: 280, arm64: 88 }[ARCH],
  lsetxattr: { x64: 189, arm64: 6 }[ARCH],
  ...WRAPPED_CALLS,
};

/** renameat2(2): swap the two names, both of which must exist (Linux 3.15; not on every filesystem). */
export const RENAME_EXCHANGE = 2;

/** memfd_create and execveat: glibc wraps them only from 2.27 and 2.34 on. */
export const SYS_MEMFD_CREATE = { x64: 319, arm64: 279 }[ARCH];
export const SYS_EXECVEAT = { x64: 322, arm64: 281 }[ARCH];

/** The new mount API's fsopen and fsconfig: numbered alike on every architecture. */
export const SYS_FSOPEN = 430;
export const SYS_FSCONFIG = 431;
export const SYS_OPEN_TREE = 428;
export const SYS_MOVE_MOUNT = 429;
export const SYS_FSMOUNT = 432;
export const SYS_FCHMODAT2 = 452;
export const FSOPEN_CLOEXEC = 1;
export const FSCONFIG_SET_FLAG = 0;
export const FSCONFIG_SET_STRING = 1;
export const FSCONFIG_CMD_CREATE = 6;
export const FSMOUNT_CLOEXEC = 1;
export const OPEN_TREE_CLONE = 1;
export const OPEN_TREE_CLOEXEC = 0o2000000;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;

export const SECCOMP_SET_MODE_FILTER = 1;

// bpf(2) commands, program and attach types, and flags (linux/bpf.h)
export const BPF_PROG_LOAD = 5;
export const BPF_PROG_ATTACH = 8;
export const BPF_PROG_DETACH = 9;
export const BPF_PROG_GET_FD_BY_ID = 13;
export const BPF_PROG_QUERY = 16;
export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 2;

export const KEYCTL_DESCRIBE = 6;
export const KEYCTL_SETPERM = 5;
export const KEYCTL_JOIN_SESSION_KEYRING = 1;

export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

const RLIMIT_LIST = [
  "RLIMIT_CPU",
  "RLIMIT_FSIZE",
  "RLIMIT_DATA",
  "RLIMIT_STACK",
  "RLIMIT_CORE",
  "RLIMIT_RSS",
  "RLIMIT_NPROC",
  "RLIMIT_NOFILE",
  "RLIMIT_MEMLOCK",
  "RLIMIT_AS",
  "RLIMIT_LOCKS",
  "RLIMIT_SIGPENDING",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME",
] as const;
export type RlimitName = typeof RLIMIT_LIST[number];
/** "RLIMIT_NOFILE" → 7 (the OCI spec names rlimits this way). */
export const RLIMITS: Readonly<Record<RlimitName, number>> = positions(RLIMIT_LIST);
export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_CORE = 4;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export function rlimitName(resource: number): string | undefined {
  return RLIMIT_LIST[resource];
}

const SIGNAL_LIST: ReadonlyArray<readonly [string, number]> = [
  ["SIGHUP", 1],
  ["SIGINT", 2],
  ["SIGQUIT", 3],
  ["SIGILL", 4],
  ["SIGTRAP", 5],
  ["SIGABRT", 6],
  ["SIGBUS", 7],
  ["SIGFPE", 8],
  ["SIGKILL", 9],
  ["SIGUSR1", 10],
  ["SIGSEGV", 11],
  ["SIGUSR2", 12],
  ["SIGPIPE", 13],
  ["SIGALRM", 14],
  ["SIGTERM", 15],
  ["SIGSTKFLT", 16],
  ["SIGCHLD", 17],
  ["SIGCONT", 18],
  ["SIGSTOP", 19],
  ["SIGTSTP", 20],
  ["SIGTTIN", 21],
  ["SIGTTOU", 22],
  ["SIGURG", 23],
  ["SIGXCPU", 24],
  ["SIGXFSZ", 25],
  ["SIGVTALRM", 26],
  ["SIGPROF", 27],
  ["SIGWINCH", 28],
  ["SIGIO", 29],
  ["SIGPWR", 30],
  ["SIGSYS", 31],
];
/** glibc reserves 32 and 33 for its own threads, so user real-time signals start at 34. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;
export const NSIG = 65;

/** Signal numbers by name ("SIGTERM" → 15), plus aliases SIGIOT/SIGPOLL/SIGCLD. */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze(
  byName(SIGNAL_LIST.concat([["SIGIOT", 6], ["SIGPOLL", 29], ["SIGCLD", 17], ["SIGRTMIN", SIGRTMIN], ["SIGRTMAX", SIGRTMAX]])),
);
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGWINCH = 28;

// sigprocmask(2) and signal(2)
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;
export const SIG_DFL = 0;
export const SIG_IGN = 1;

const SIGNAL_NAMES = new Map<number, string>();
for (let i = 0; i < SIGNAL_LIST.length; i++) SIGNAL_NAMES.set(SIGNAL_LIST[i][1], SIGNAL_LIST[i][0]);

/** 15 → "SIGTERM"; real-time signals as "SIGRTMIN+n"; unknown → undefined. */
export function signalName(signal: number): string | undefined {
  const known = SIGNAL_NAMES.get(signal);
  if (known) return known;
  if (signal === SIGRTMIN) return "SIGRTMIN";
  if (signal > SIGRTMIN && signal <= SIGRTMAX) return `SIGRTMIN+${signal - SIGRTMIN}`;
  return undefined;
}

/**
 * "SIGTERM", "TERM", "term", "15", "SIGRTMIN+2", "RTMAX-1" → number;
 * undefined when not a valid signal.
 */
export function signalNumber(name: string): number | undefined {
  const trimmed = name.trim();
  if (/^\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1 && n < NSIG ? n : undefined;
  }
  let upper = trimmed.toUpperCase();
  if (!upper.startsWith("SIG")) upper = "SIG" + upper;
  const rt = /^SIGRT(MIN|MAX)([+-]\d+)?$/.exec(upper);
  if (rt) {
    const n = (rt[1] === "MIN" ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0);
    return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
  }
  return SIGNALS[upper];
}

const CAP_LIST = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
] as const;
/** "CAP_SYS_ADMIN" → 21 (the names the OCI spec uses). */
export const CAPABILITIES: Readonly<Record<string, number>> = positions(CAP_LIST);
export const CAP_LAST_CAP = CAP_LIST.length - 1;

/** Capability names → one 64-bit mask; throws on an unknown name. */
export function capMask(names: Iterable<string>): bigint {
  let mask = 0n;
  for (const name of names) {
    const bit = CAPABILITIES[name];
    if (bit === undefined) throw new Error(`unknown capability ${JSON.stringify(name)}`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** A 64-bit mask → capability names (bits beyond the known list as "CAP_<n>"). */
export function capNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (mask & (1n << BigInt(bit))) out.push(CAP_LIST[bit] ?? `CAP_${bit}`);
  }
  return out;
}

// Inspecting and changing files through descriptors: what a hostile rootfs cannot redirect.
export const SYS_INODE: Readonly<Record<"newfstatat" | "fchmodat" | "statx" | "statfs" | "readlinkat", number>> = {
  newfstatat: { x64: 262, arm64: 79 }[ARCH],
  readlinkat: { x64: 267, arm64: 78 }[ARCH],
  statx: { x64: 332, arm64: 291 }[ARCH],
  statfs: { x64: 137, arm64: 43 }[ARCH],
  fchmodat: { x64: 268, arm64: 53 }[ARCH],
};
/** ioctl on a pty master: opens its slave without a path (Linux 4.13). */
export const TIOCGPTPEER = 0x5441;
