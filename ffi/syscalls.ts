/**
 * The one boundary between runt and the kernel. Container setup code gets a
 * `Syscalls` object and never touches FFI itself, so it can be unit-tested
 * against the recording fake (fake.ts) and run for real on libc (libc.ts).
 *
 * Conventions: paths are strings, flags are numbers, data is Uint8Array,
 * 64-bit quantities that can exceed 2^53 (rlimits, capability masks) are
 * bigint. Every failure throws SyscallError; nothing returns -1.
 */

export * from "./constants.ts";

/** struct mount_attr (mount_setattr(2)). */
export interface MountAttr {
  attrSet?: bigint | number;
  attrClr?: bigint | number;
  propagation?: number;
  usernsFd?: number;
}

/** struct rlimit; RLIM_INFINITY is 2^64-1. */
export interface Rlimit {
  soft: bigint;
  hard: bigint;
}

/** The fields of struct stat runt reads. */
export interface FileStat {
  dev: bigint;
  ino: bigint;
  /** File type and permission bits (S_IFMT …). */
  mode: number;
  uid: number;
  gid: number;
  /** The device a character or block special file stands for, as makedev() encodes it. */
  rdev: bigint;
  size: bigint;
}

/** What statfs(2) says of the filesystem a path is on. */
export interface FilesystemStat {
  /** f_type, the filesystem's magic number. */
  type: bigint;
  /** f_flags: ST_* bits, which have MS_*'s values for rdonly, nosuid, nodev, noexec and the atime flags. */
  flags: number;
}

/** Capability sets as 64-bit masks (bit n = capability n). */
export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

/** One posix_spawn file action, applied in order in the child. */
export type FileAction =
  | { op: "dup2"; fd: number; to: number }
  | { op: "close"; fd: number }
  | { op: "open"; fd: number; path: string; flags: number; mode?: number }
  | { op: "chdir"; path: string }
  | { op: "fchdir"; fd: number }
  /** Closes every descriptor from `fd` up, after the actions before it (glibc 2.34's addclosefrom_np). */
  | { op: "closefrom"; fd: number };

export interface SpawnOptions {
  fileActions?: FileAction[];
  /** Start a new session (POSIX_SPAWN_SETSID). */
  setsid?: boolean;
  /** Put the child in this process group (0 = its own). */
  pgroup?: number;
  /**
   * Signals blocked in the child. Defaults to none: Deno and Bun block
   * signals on some threads and the mask would otherwise leak into the child.
   */
  sigmask?: number[];
  /**
   * Signals reset to SIG_DFL in the child. Defaults to every signal: Rust
   * and Zig runtimes ignore SIGPIPE, and ignored dispositions survive exec.
   */
  sigdefault?: number[];
  /** Search PATH like posix_spawnp when the path has no slash. */
  searchPath?: boolean;
  /**
   * Spawn the child as the first process of a new PID namespace (or into the
   * one open at `joinFd`), then return the calling thread to the namespace
   * open at `restoreFd`. Done here, around the bare posix_spawn call with all
   * its arguments already built, because a multithreaded runtime that
   * creates a thread from this thread inside that window aborts.
   */
  pidNamespace?: { joinFd?: number; restoreFd: number };
}

export type WaitStatus =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: number; coreDumped: boolean }
  | { kind: "stopped"; signal: number }
  | { kind: "continued" };

/** pid 0 with status null: WNOHANG and no child has changed state yet. */
export interface WaitResult {
  pid: number;
  status: WaitStatus | null;
}

export interface PollFd {
  fd: number;
  /** POLLIN, POLLOUT … */
  events: number;
}

export interface RecvResult {
  /** Number of bytes written into the buffer. */
  bytes: number;
  /** Descriptors received with SCM_RIGHTS. */
  fds: number[];
  /** msg_flags (MSG_TRUNC, MSG_CTRUNC …). */
  flags: number;
}

export interface Syscalls {
  // namespaces and mounts
  unshare(flags: number): void;
  setns(fd: number, nstype: number): void;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  pivotRoot(newRoot: string, putOld: string): void;
  mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void;
  chdir(path: string): void;
  fchdir(fd: number): void;
  chroot(path: string): void;
  sethostname(name: string): void;
  /** keyctl(KEYCTL_JOIN_SESSION_KEYRING): a new session keyring named `name`; returns its serial. */
  joinSessionKeyring(name: string): number;
  /** keyctl(KEYCTL_DESCRIBE): "type;uid;gid;perm;description". */
  describeKey(id: number): string;
  /** keyctl(KEYCTL_SETPERM). */
  setKeyPerm(id: number, perm: number): void;
  setdomainname(name: string): void;

  // resources, devices, credentials
  /** Sets `limit` when given; always returns the previous limit. */
  prlimit(pid: number, resource: number, limit?: Rlimit): Rlimit;
  mknod(path: string, mode: number, dev: number | bigint): void;
  capget(pid?: number): CapSets;
  capset(sets: CapSets, pid?: number): void;
  prctl(option: number, arg2?: number | bigint, arg3?: number | bigint, arg4?: number | bigint, arg5?: number | bigint): number;
  setresuid(ruid: number, euid: number, suid: number): void;
  setresgid(rgid: number, egid: number, sgid: number): void;
  setgroups(gids: number[]): void;
  /** Returns the previous mask. */
  umask(mask: number): number;
  fchown(fd: number, uid: number, gid: number): void;

  // processes
  execve(path: string, argv: string[], envp: string[]): never;
  posixSpawn(path: string, argv: string[], envp: string[], options?: SpawnOptions): number;
  waitpid(pid: number, flags?: number): WaitResult;
  kill(pid: number, signal: number): void;
  pidfdOpen(pid: number, flags?: number): number;
  pidfdSendSignal(pidfd: number, signal: number, flags?: number): void;
  /** pidfd_getfd(2): a copy, close-on-exec, of descriptor `targetFd` of the process `pidfd` refers to. */
  pidfdGetfd(pidfd: number, targetFd: number): number;
  /** The calling thread's signal mask (SIG_BLOCK/SIG_UNBLOCK/SIG_SETMASK); returns the previous one. */
  sigprocmask(how: number, signals: readonly number[]): number[];
  /**
   * Sets a disposition to SIG_DFL or SIG_IGN (no handlers: the runtimes own
   * those) for any signal 1-64, glibc's internal 32 and 33 included; returns
   * the previous handler (SIG_DFL, SIG_IGN or an address).
   */
  signal(signum: number, handler: number): bigint;

  // BPF programs (bpf(2)), for cgroup v2 device filters
  /** BPF_PROG_LOAD: loads `insns` (struct bpf_insn, 8 bytes each); returns the program's fd. */
  bpfProgLoad(progType: number, insns: Uint8Array, license: string, expectedAttachType?: number): number;
  /** BPF_PROG_ATTACH of `progFd` to `targetFd` (a cgroup directory fd). */
  bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags?: number): void;
  /** BPF_PROG_DETACH of one program (`progFd`) attached with BPF_F_ALLOW_MULTI. */
  bpfProgDetach(targetFd: number, progFd: number, attachType: number): void;
  /** BPF_PROG_QUERY: ids of the programs attached to `targetFd` for `attachType`. */
  bpfProgQuery(targetFd: number, attachType: number): number[];
  /** BPF_PROG_GET_FD_BY_ID: an fd for a loaded program. */
  bpfProgGetFdById(id: number): number;

  // file descriptors
  open(path: string, flags: number, mode?: number): number;
  openat(dirfd: number, path: string, flags: number, mode?: number): number;
  /** openat2(2): `resolve` holds RESOLVE_* flags (struct open_how). */
  openat2(dirfd: number, path: string, flags: number, resolve: number, mode?: number): number;
  mkdirat(dirfd: number, path: string, mode: number): void;
  /** renameat2(2); RENAME_EXCHANGE swaps two existing names atomically. */
  renameat2(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): void;
  close(fd: number): void;
  /** close_range(2); with CLOSE_RANGE_CLOEXEC it marks instead of closing. */
  closeRange(first: number, last: number, flags?: number): void;
  read(fd: number, buf: Uint8Array): number;
  write(fd: number, data: Uint8Array | string): number;
  pipe2(flags?: number): [read: number, write: number];
  dup2(oldfd: number, newfd: number): number;
  fcntl(fd: number, cmd: number, arg?: number): number;
  flock(fd: number, operation: number): void;
  mkfifo(path: string, mode: number): void;
  socketpair(domain: number, type: number, protocol?: number): [number, number];
  /** Close-on-exec unless `type` says otherwise is up to the caller (SOCK_CLOEXEC). */
  socket(domain: number, type: number, protocol?: number): number;
  /** Sends `data` with `fds` attached as SCM_RIGHTS; returns bytes sent. */
  sendmsg(fd: number, data: Uint8Array, fds?: number[], flags?: number): number;
  /** Receives into `buf`; received descriptors are close-on-exec unless flags say otherwise. */
  recvmsg(fd: number, buf: Uint8Array, maxFds?: number, flags?: number): RecvResult;
  /**
   * Installs a seccomp filter (BPF instructions, 8 bytes each) on the calling
   * thread; it stays with the process through execve.
   */
  seccompSetFilter(flags: number, program: Uint8Array): void;
  /** Connects a socket to the unix socket at `path`. */
  connect(fd: number, path: string): void;
  /** Binds a unix socket to `path` (which must not exist yet). */
  bind(fd: number, path: string): void;
  listen(fd: number, backlog: number): void;
  /** accept4; the new connection is close-on-exec unless `flags` say otherwise. */
  accept(fd: number, flags?: number): number;
  /** poll(2): the revents of each entry, in order; all 0 on timeout. */
  poll(fds: readonly PollFd[], timeoutMs: number): number[];
  /** With a buffer the kernel may write into it; returns ioctl's result. */
  ioctl(fd: number, request: number, arg?: number | Uint8Array): number;

  // identity
  getpid(): number;
  gettid(): number;
  getppid(): number;
  getuid(): number;
  geteuid(): number;

  // sealed in-memory executables
  /** memfd_create(2); returns the descriptor. */
  memfdCreate(name: string, flags: number): number;
  // filesystem contexts (the new mount API)
  /** fsopen(2): a filesystem context for `fsname`, not mounted anywhere. */
  fsopen(fsname: string, flags: number): number;
  /** fsconfig(2) with FSCONFIG_SET_STRING: one option of the context, checked by the filesystem at once. */
  fsconfigSetString(fd: number, key: string, value: string): void;
  /** fsconfig(2) with FSCONFIG_CMD_CREATE: the superblock, from the options set so far. */
  fsconfigCreate(fd: number): void;
  /** fsmount(2): a detached mount of the created superblock, with MOUNT_ATTR_* `attrs`. */
  fsmount(fd: number, flags: number, attrs: number): number;
  /** open_tree(2): with OPEN_TREE_CLONE, a detached copy (a bind) of the mount at `path` from `dirfd`. */
  openTree(dirfd: number, path: string, flags: number): number;
  /** move_mount(2): attaches the detached mount `from` onto `to` (both may be descriptors with the *_EMPTY_PATH flags). */
  moveMount(fromDirfd: number, fromPath: string, toDirfd: number, toPath: string, flags: number): void;
  /** fchmodat2(2) (Linux 6.6): with AT_EMPTY_PATH it changes the mode of what an O_PATH `dirfd` holds. */
  fchmodat2(dirfd: number, path: string, mode: number, flags: number): void;
  /** execveat(2); with AT_EMPTY_PATH and path "" it runs the file open at `dirfd`. Returns only by throwing. */
  execveat(dirfd: number, path: string, argv: string[], envp: string[], flags: number): never;
  // inodes through descriptors
  /** newfstatat(2); with AT_EMPTY_PATH and "" it describes `dirfd` itself, an O_PATH one included. */
  fstatat(dirfd: number, path: string, flags?: number): FileStat;
  /** readlinkat(2): the target of the link `path` names in `dirfd` (an O_PATH descriptor will do), with no /proc to read it through. */
  readlinkat(dirfd: number, path: string): string;
  /** statfs(2): the filesystem at `path` (its last component followed), and the flags of the mount it is reached through. */
  statfs(path: string): FilesystemStat;
  /** The ID of the mount `fd`'s object is on (mountinfo's first field), by statx(2); undefined where the kernel does not tell (before 5.8). */
  mountIdOf(fd: number): bigint | undefined;
  /** fchmodat(2) without flags: the final component is followed, so pass a /proc/thread-self/fd link to change a descriptor's inode. */
  fchmodat(dirfd: number, path: string, mode: number): void;
  // creating a layer's entries at a directory descriptor (the final name is never followed)
  mknodat(dirfd: number, path: string, mode: number, dev: number | bigint): void;
  symlinkat(target: string, dirfd: number, path: string): void;
  /** linkat(2) without AT_SYMLINK_FOLLOW: a link to the named entry itself. */
  linkat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags?: number): void;
  /** With AT_REMOVEDIR it removes an empty directory. */
  unlinkat(dirfd: number, path: string, flags?: number): void;
  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void;
  /** utimensat(2): access and modification times in nanoseconds since the epoch. */
  utimensat(dirfd: number, path: string, atimeNs: bigint, mtimeNs: bigint, flags: number): void;
  /** lsetxattr(2): a symlink's own attributes when the path names one. */
  lsetxattr(path: string, name: string, value: Uint8Array, flags?: number): void;
}

/** dev_t from major/minor, as glibc's makedev(3) encodes it. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** Decodes a wait status word (WIFEXITED/WIFSIGNALED/WIFSTOPPED/WIFCONTINUED). */
export function decodeWaitStatus(status: number): WaitStatus {
  const low = status & 0x7f;
  if (low === 0) return { kind: "exited", code: (status >> 8) & 0xff };
  if (status === 0xffff) return { kind: "continued" };
  if ((status & 0xff) === 0x7f) return { kind: "stopped", signal: (status >> 8) & 0xff };
  return { kind: "signaled", signal: low, coreDumped: (status & 0x80) !== 0 };
}
