/**
 * How each Syscalls method is named and shown in error messages. Shared by
 * the real backend and the fake so both throw identical SyscallErrors.
 */

export interface CallInfo {
  /** The libc / kernel name shown in messages ("pivot_root"). */
  call: string;
  /** Argument positions rendered in hex (flags, masks, requests). */
  hex: readonly number[];
  /** Argument positions rendered in octal (modes). */
  oct: readonly number[];
  /** Argument positions (environments) shown only as a count: they may hold secrets. */
  redact: readonly number[];
}

type Spec = [call?: string, hex?: number[], oct?: number[], redact?: number[]];

const SPECS: Record<string, Spec> = {
  unshare: [, [0]],
  setns: [, [1]],
  mount: [, [3]],
  umount2: [, [1]],
  pivotRoot: ["pivot_root"],
  joinSessionKeyring: ["keyctl(KEYCTL_JOIN_SESSION_KEYRING)"],
  describeKey: ["keyctl(KEYCTL_DESCRIBE)"],
  setKeyPerm: ["keyctl(KEYCTL_SETPERM)", [1]],
  mountSetattr: ["mount_setattr", [2]],
  mountIdOf: ["statx(STATX_MNT_ID)"],
  renameat2: [, [4]],
  prlimit: ["prlimit64"],
  closeRange: ["close_range", [2]],
  signal: ["rt_sigaction"],
  bpfProgLoad: ["bpf(BPF_PROG_LOAD)"],
  bpfProgAttach: ["bpf(BPF_PROG_ATTACH)", [3]],
  bpfProgDetach: ["bpf(BPF_PROG_DETACH)"],
  bpfProgQuery: ["bpf(BPF_PROG_QUERY)"],
  bpfProgGetFdById: ["bpf(BPF_PROG_GET_FD_BY_ID)"],
  mknod: [, [2], [1]],
  umask: [, [], [0]],
  posixSpawn: ["posix_spawn", [], [], [2]],
  execve: [, [], [], [2]],
  waitpid: [, [1]],
  pidfdOpen: ["pidfd_open", [1]],
  pidfdGetfd: ["pidfd_getfd"],
  pidfdSendSignal: ["pidfd_send_signal", [2]],
  open: [, [1], [2]],
  openat: [, [2], [3]],
  openat2: [, [2, 3], [4]],
  mkdirat: [, [], [2]],
  pipe2: [, [0]],
  fcntl: [, [1]],
  flock: [, [1]],
  mkfifo: [, [], [1]],
  socketpair: [, [1]],
  socket: [, [1]],
  sendmsg: [, [3]],
  recvmsg: [, [3]],
  ioctl: [, [1]],
  accept: ["accept4", [1]],
  seccompSetFilter: ["seccomp(SECCOMP_SET_MODE_FILTER)", [0]],
  prctl: [, [1, 2, 3, 4]],
  memfdCreate: ["memfd_create", [1]],
  fsconfigSetString: ["fsconfig(FSCONFIG_SET_STRING)"],
  fsconfigCreate: ["fsconfig(FSCONFIG_CMD_CREATE)"],
  openTree: ["open_tree", [2]],
  moveMount: ["move_mount", [4]],
  fchmodat2: [, [3], [2]],
  execveat: [, [4], [], [3]],
  mknodat: [, [], [2]],
  unlinkat: [, [2]],
  fchownat: [, [4]],
  utimensat: [, [4]],
};

export function callInfo(method: string): CallInfo {
  // Indexed, not destructured: an array pattern walks an iterator, slow in code that runs a few times.
  const spec = SPECS[method];
  if (spec === undefined) return { call: method, hex: [], oct: [], redact: [] };
  return { call: spec[0] ?? method, hex: spec[1] ?? [], oct: spec[2] ?? [], redact: spec[3] ?? [] };
}
