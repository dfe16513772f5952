/**
 * A Syscalls that performs nothing and records everything, for unit tests of
 * container-setup code: assert the exact sequence of calls, and inject
 * failures to exercise error paths. Failures throw the same SyscallError the
 * real backend would.
 */
import type {
  CapSets,
  FileStat,
  FilesystemStat,
  MountAttr,
  PollFd,
  RecvResult,
  Rlimit,
  SpawnOptions,
  Syscalls,
  WaitResult,
} from "./syscalls.ts";
import { F_DUPFD, F_DUPFD_CLOEXEC, RLIM_INFINITY } from "./constants.ts";
import { errnoNumber } from "./errno.ts";
import { SyscallError } from "./errors.ts";

export interface RecordedCall {
  /** The Syscalls method name ("mount", "pivotRoot" …). */
  name: string;
  args: unknown[];
}

interface Failure {
  name: string;
  errno: number;
  when?: (...args: any[]) => boolean;
  times: number;
}

export interface FailOptions {
  /** Only fail when this returns true for the call's arguments. */
  when?: (...args: any[]) => boolean;
  /** Fail this many matching calls, then succeed again (default: every one). */
  times?: number;
}

export class RecordingSyscalls implements Syscalls {
  readonly calls: RecordedCall[] = [];
  private failures: Failure[] = [];
  private nextFd = 3;
  private nextPid = 1000;
  private mask = 0o022;
  /** What capget reports; capset replaces it. */
  caps: CapSets = { effective: (1n << 41n) - 1n, permitted: (1n << 41n) - 1n, inheritable: 0n };
  /** What prlimit reports per resource until set. */
  limits = new Map<number, Rlimit>();
  /** Bytes `read`/`recvmsg` return, consumed in order (empty = EOF). */
  reads: Uint8Array[] = [];
  /** Exit statuses `waitpid` reports, consumed in order (default exited 0). */
  waits: WaitResult["status"][] = [];

  /** Makes calls to `name` throw SyscallError with `errno` (number or "EPERM"). */
  failOn(name: keyof Syscalls, errno: number | string, options: FailOptions = {}): this {
    const n = typeof errno === "number" ? errno : errnoNumber(errno);
    if (n === undefined) throw new Error(`unknown errno ${errno}`);
    this.failures.push({ name, errno: n, when: options.when, times: options.times ?? Infinity });
    return this;
  }

  /** Recorded calls to one method, in order. */
  callsTo(name: keyof Syscalls): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** Method names in call order, for asserting sequences. */
  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  clear(): void {
    this.calls.length = 0;
  }

  /** Records the call, then throws the failure failOn set for it, if any (subclasses recording arguments of their own use it too). */
  protected record(name: string, args: unknown[]): void {
    this.calls.push({ name, args });
    const f = this.failures.find((f) => f.name === name && f.times > 0 && (!f.when || f.when(...args)));
    if (f) {
      f.times--;
      throw new SyscallError(name, args, f.errno);
    }
  }

  private fd(): number {
    return this.nextFd++;
  }

  unshare(flags: number): void {
    this.record("unshare", [flags]);
  }
  setns(fd: number, nstype: number): void {
    this.record("setns", [fd, nstype]);
  }
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.record("mount", [source, target, fstype, flags, data]);
  }
  umount2(target: string, flags: number): void {
    this.record("umount2", [target, flags]);
  }
  pivotRoot(newRoot: string, putOld: string): void {
    this.record("pivotRoot", [newRoot, putOld]);
  }
  mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void {
    this.record("mountSetattr", [dirfd, path, flags, attr]);
  }
  chdir(path: string): void {
    this.record("chdir", [path]);
  }
  fchdir(fd: number): void {
    this.record("fchdir", [fd]);
  }
  chroot(path: string): void {
    this.record("chroot", [path]);
  }
  joinSessionKeyring(name: string): number {
    this.record("joinSessionKeyring", [name]);
    return 0x1234;
  }
  describeKey(id: number): string {
    this.record("describeKey", [id]);
    return "keyring;0;0;3f010000;_ses";
  }
  setKeyPerm(id: number, perm: number): void {
    this.record("setKeyPerm", [id, perm]);
  }
  sethostname(name: string): void {
    this.record("sethostname", [name]);
  }
  setdomainname(name: string): void {
    this.record("setdomainname", [name]);
  }
  prlimit(pid: number, resource: number, limit?: Rlimit): Rlimit {
    this.record("prlimit", limit ? [pid, resource, limit] : [pid, resource, null]);
    const old = this.limits.get(resource) ?? { soft: RLIM_INFINITY, hard: RLIM_INFINITY };
    if (limit) this.limits.set(resource, { ...limit });
    return old;
  }
  mknod(path: string, mode: number, dev: number | bigint): void {
    this.record("mknod", [path, mode, dev]);
  }
  capget(pid = 0): CapSets {
    this.record("capget", [pid]);
    return { ...this.caps };
  }
  capset(sets: CapSets, pid = 0): void {
    this.record("capset", [sets, pid]);
    this.caps = { ...sets };
  }
  prctl(option: number, arg2: number | bigint = 0, arg3: number | bigint = 0, arg4: number | bigint = 0, arg5: number | bigint = 0): number {
    this.record("prctl", [option, arg2, arg3, arg4, arg5]);
    return 0;
  }
  setresuid(ruid: number, euid: number, suid: number): void {
    this.record("setresuid", [ruid, euid, suid]);
  }
  setresgid(rgid: number, egid: number, sgid: number): void {
    this.record("setresgid", [rgid, egid, sgid]);
  }
  setgroups(gids: number[]): void {
    this.record("setgroups", [[...gids]]);
  }
  umask(mask: number): number {
    this.record("umask", [mask]);
    const old = this.mask;
    this.mask = mask;
    return old;
  }
  fchown(fd: number, uid: number, gid: number): void {
    this.record("fchown", [fd, uid, gid]);
  }
  execve(path: string, argv: string[], envp: string[]): never {
    this.record("execve", [path, [...argv], [...envp]]);
    // A real execve never returns; the fake cannot replace the process, so it stops the caller here.
    throw new ExecveCalled(path, argv, envp);
  }
  posixSpawn(path: string, argv: string[], envp: string[], options: SpawnOptions = {}): number {
    this.record("posixSpawn", [path, [...argv], [...envp], options]);
    return this.nextPid++;
  }
  waitpid(pid: number, flags = 0): WaitResult {
    this.record("waitpid", [pid, flags]);
    const status = this.waits.length ? this.waits.shift()! : { kind: "exited" as const, code: 0 };
    return { pid: status === null ? 0 : pid, status };
  }
  kill(pid: number, signal: number): void {
    this.record("kill", [pid, signal]);
  }
  pidfdGetfd(pidfd: number, targetFd: number): number {
    this.record("pidfdGetfd", [pidfd, targetFd]);
    return this.fd();
  }
  pidfdOpen(pid: number, flags = 0): number {
    this.record("pidfdOpen", [pid, flags]);
    return this.fd();
  }
  pidfdSendSignal(pidfd: number, signal: number, flags = 0): void {
    this.record("pidfdSendSignal", [pidfd, signal, flags]);
  }
  sigprocmask(how: number, signals: readonly number[]): number[] {
    this.record("sigprocmask", [how, [...signals]]);
    return [];
  }
  signal(signum: number, handler: number): bigint {
    this.record("signal", [signum, handler]);
    return 0n;
  }
  /** Program ids bpfProgQuery reports, per target fd (default none). */
  attachedPrograms = new Map<number, number[]>();
  bpfProgLoad(progType: number, insns: Uint8Array, license: string, expectedAttachType = 0): number {
    this.record("bpfProgLoad", [progType, insns, license, expectedAttachType]);
    return this.fd();
  }
  bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags = 0): void {
    this.record("bpfProgAttach", [targetFd, progFd, attachType, flags]);
  }
  bpfProgDetach(targetFd: number, progFd: number, attachType: number): void {
    this.record("bpfProgDetach", [targetFd, progFd, attachType]);
  }
  bpfProgQuery(targetFd: number, attachType: number): number[] {
    this.record("bpfProgQuery", [targetFd, attachType]);
    return [...(this.attachedPrograms.get(targetFd) ?? [])];
  }
  bpfProgGetFdById(id: number): number {
    this.record("bpfProgGetFdById", [id]);
    return this.fd();
  }
  open(path: string, flags: number, mode = 0): number {
    this.record("open", [path, flags, mode]);
    const fd = this.fd();
    this.opened.set(fd, path);
    return fd;
  }
  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    this.record("openat", [dirfd, path, flags, mode]);
    const fd = this.fd();
    this.opened.set(fd, path);
    return fd;
  }
  openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
    this.record("openat2", [dirfd, path, flags, resolve, mode]);
    return this.fd();
  }
  mkdirat(dirfd: number, path: string, mode: number): void {
    this.record("mkdirat", [dirfd, path, mode]);
  }
  renameat2(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): void {
    this.record("renameat2", [olddirfd, oldpath, newdirfd, newpath, flags]);
  }
  close(fd: number): void {
    this.record("close", [fd]);
  }
  closeRange(first: number, last: number, flags = 0): void {
    this.record("closeRange", [first, last, flags]);
  }
  read(fd: number, buf: Uint8Array): number {
    this.record("read", [fd, buf]);
    return this.take(buf);
  }
  write(fd: number, data: Uint8Array | string): number {
    this.record("write", [fd, data]);
    return typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
  }
  pipe2(flags = 0): [number, number] {
    this.record("pipe2", [flags]);
    return [this.fd(), this.fd()];
  }
  dup2(oldfd: number, newfd: number): number {
    this.record("dup2", [oldfd, newfd]);
    return newfd;
  }
  fcntl(fd: number, cmd: number, arg = 0): number {
    this.record("fcntl", [fd, cmd, arg]);
    if (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC) return 0;
    // A copy: the lowest free number at or above arg, as the kernel picks it.
    this.nextFd = Math.max(this.nextFd, arg);
    return this.fd();
  }
  flock(fd: number, operation: number): void {
    this.record("flock", [fd, operation]);
  }
  mkfifo(path: string, mode: number): void {
    this.record("mkfifo", [path, mode]);
  }
  socket(domain: number, type: number, protocol = 0): number {
    this.record("socket", [domain, type, protocol]);
    return this.fd();
  }
  socketpair(domain: number, type: number, protocol = 0): [number, number] {
    this.record("socketpair", [domain, type, protocol]);
    return [this.fd(), this.fd()];
  }
  sendmsg(fd: number, data: Uint8Array, fds: number[] = [], flags = 0): number {
    this.record("sendmsg", [fd, data, [...fds], flags]);
    return data.length;
  }
  recvmsg(fd: number, buf: Uint8Array, maxFds = 16, flags = 0): RecvResult {
    this.record("recvmsg", [fd, buf, maxFds, flags]);
    return { bytes: this.take(buf), fds: [], flags: 0 };
  }
  seccompSetFilter(flags: number, program: Uint8Array): void {
    this.record("seccompSetFilter", [flags, program]);
  }
  connect(fd: number, path: string): void {
    this.record("connect", [fd, path]);
  }
  bind(fd: number, path: string): void {
    this.record("bind", [fd, path]);
  }
  listen(fd: number, backlog: number): void {
    this.record("listen", [fd, backlog]);
  }
  accept(fd: number, flags = 0): number {
    this.record("accept", [fd, flags]);
    return this.fd();
  }
  /** Every descriptor is ready for what it asked. */
  poll(fds: readonly PollFd[], timeoutMs: number): number[] {
    this.record("poll", [fds.map((f) => ({ ...f })), timeoutMs]);
    return fds.map((f) => f.events);
  }
  ioctl(fd: number, request: number, arg: number | Uint8Array = 0): number {
    this.record("ioctl", [fd, request, arg]);
    return 0;
  }
  getpid(): number {
    this.record("getpid", []);
    return 1;
  }
  gettid(): number {
    this.record("gettid", []);
    return 1;
  }
  getppid(): number {
    this.record("getppid", []);
    return 0;
  }
  getuid(): number {
    this.record("getuid", []);
    return 0;
  }
  geteuid(): number {
    this.record("geteuid", []);
    return 0;
  }

  fsopen(fsname: string, flags: number): number {
    this.record("fsopen", [fsname, flags]);
    return this.named(this.fd(), `fs:${fsname}`);
  }
  fsconfigSetString(fd: number, key: string, value: string): void {
    this.record("fsconfigSetString", [fd, key, value]);
  }
  fsconfigCreate(fd: number): void {
    this.record("fsconfigCreate", [fd]);
  }
  fsmount(fd: number, flags: number, attrs: number): number {
    this.record("fsmount", [fd, flags, attrs]);
    return this.named(this.fd(), `mount of ${this.openedPath(fd)}`);
  }
  openTree(dirfd: number, path: string, flags: number): number {
    this.record("openTree", [dirfd, path, flags]);
    return this.named(this.fd(), `tree of ${this.openedPath(dirfd)}${path ? `/${path}` : ""}`);
  }
  private named(fd: number, name: string): number {
    this.opened.set(fd, name);
    return fd;
  }
  moveMount(fromDirfd: number, fromPath: string, toDirfd: number, toPath: string, flags: number): void {
    this.record("moveMount", [fromDirfd, fromPath, toDirfd, toPath, flags]);
  }
  fchmodat2(dirfd: number, path: string, mode: number, flags: number): void {
    this.record("fchmodat2", [dirfd, path, mode, flags]);
  }
  memfdCreate(name: string, flags: number): number {
    this.record("memfdCreate", [name, flags]);
    return this.fd();
  }
  execveat(dirfd: number, path: string, argv: string[], envp: string[], flags: number): never {
    this.record("execveat", [dirfd, path, [...argv], [...envp], flags]);
    throw new ExecveCalled(path, argv, envp);
  }
  /**
   * What fstatat reports for (dirfd, path); by default a root-owned regular
   * file. Descriptors are the fake's own numbers, so tests usually decide by
   * the path the descriptor was opened with (see `openedPath`).
   */
  stat: (dirfd: number, path: string) => FileStat = () => ({ dev: 0n, ino: 0n, mode: 0o100644, uid: 0, gid: 0, rdev: 0n, size: 0n });
  fstatat(dirfd: number, path: string, flags = 0): FileStat {
    this.record("fstatat", [dirfd, path, flags]);
    return this.stat(dirfd, path);
  }
  /** What readlinkat reports for (dirfd, path); by default that it is no link (EINVAL). */
  link: (dirfd: number, path: string) => string = (dirfd, path) => {
    throw new SyscallError("readlinkat", [dirfd, path], errnoNumber("EINVAL")!);
  };
  readlinkat(dirfd: number, path: string): string {
    this.record("readlinkat", [dirfd, path]);
    return this.link(dirfd, path);
  }
  /** What statfs reports for a path; by default a filesystem with no flags set. */
  filesystem: (path: string) => FilesystemStat = () => ({ type: 0n, flags: 0 });
  statfs(path: string): FilesystemStat {
    this.record("statfs", [path]);
    return this.filesystem(path);
  }
  /** What mountIdOf reports for a descriptor; by default its number, so every descriptor is on a mount of its own. */
  mountId: (fd: number) => bigint | undefined = (fd) => BigInt(fd);
  mountIdOf(fd: number): bigint | undefined {
    this.record("mountIdOf", [fd]);
    return this.mountId(fd);
  }
  fchmodat(dirfd: number, path: string, mode: number): void {
    this.record("fchmodat", [dirfd, path, mode]);
  }
  mknodat(dirfd: number, path: string, mode: number, dev: number | bigint): void {
    this.record("mknodat", [dirfd, path, mode, dev]);
  }
  symlinkat(target: string, dirfd: number, path: string): void {
    this.record("symlinkat", [target, dirfd, path]);
  }
  linkat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags = 0): void {
    this.record("linkat", [olddirfd, oldpath, newdirfd, newpath, flags]);
  }
  unlinkat(dirfd: number, path: string, flags = 0): void {
    this.record("unlinkat", [dirfd, path, flags]);
  }
  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
    this.record("fchownat", [dirfd, path, uid, gid, flags]);
  }
  utimensat(dirfd: number, path: string, atimeNs: bigint, mtimeNs: bigint, flags: number): void {
    this.record("utimensat", [dirfd, path, atimeNs, mtimeNs, flags]);
  }
  lsetxattr(path: string, name: string, value: Uint8Array, flags = 0): void {
    this.record("lsetxattr", [path, name, new Uint8Array(value), flags]);
  }
  /** The path `open` or `openat` was given for the descriptor it returned (for the new mount API's, what it holds). */
  openedPath(fd: number): string | undefined {
    return this.opened.get(fd);
  }
  private readonly opened = new Map<number, string>();

  private take(buf: Uint8Array): number {
    const next = this.reads.shift();
    if (!next) return 0;
    const n = Math.min(next.length, buf.length);
    buf.set(next.subarray(0, n));
    if (n < next.length) this.reads.unshift(next.subarray(n));
    return n;
  }
}

/** Thrown by the fake's execve, standing in for "the process was replaced". */
export class ExecveCalled extends Error {
  constructor(readonly path: string, readonly argv: string[], readonly envp: string[]) {
    super(`execve(${JSON.stringify(path)}) called`);
    this.name = "ExecveCalled";
  }
}
