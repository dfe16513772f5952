/**
 * Syscalls on glibc, written once over the neutral Native interface: all
 * marshalling and error handling lives here, the backends only bind symbols.
 */
import type { Native } from "./native.ts";
import type {
  CapSets,
  FileAction,
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
import { decodeWaitStatus } from "./syscalls.ts";
import {
  BPF_PROG_ATTACH,
  BPF_PROG_DETACH,
  BPF_PROG_GET_FD_BY_ID,
  BPF_PROG_LOAD,
  BPF_PROG_QUERY,
  CLONE_NEWPID,
  KEYCTL_DESCRIBE,
  KEYCTL_JOIN_SESSION_KEYRING,
  KEYCTL_SETPERM,
  MOUNT_ATTR_SIZE_VER0,
  MSG_CMSG_CLOEXEC,
  MSG_NOSIGNAL,
  NSIG,
  O_CLOEXEC,
  POSIX_SPAWN_SETPGROUP,
  POSIX_SPAWN_SETSID,
  POSIX_SPAWN_SETSIGDEF,
  POSIX_SPAWN_SETSIGMASK,
  SIG_DFL,
  SIG_IGN,
  SIGKILL,
  SIGSTOP,
  SECCOMP_SET_MODE_FILTER,
  SOCK_CLOEXEC,
  SYS,
  SYS_EXECVEAT,
  SYS_FSCONFIG,
  SYS_FSOPEN,
  SYS_FSMOUNT,
  SYS_OPEN_TREE,
  SYS_MOVE_MOUNT,
  SYS_FCHMODAT2,
  FSCONFIG_SET_STRING,
  FSCONFIG_CMD_CREATE,
  SYS_MEMFD_CREATE,
} from "./constants.ts";
import { SyscallError } from "./errors.ts";
import {
  alloc,
  cmsgSpace,
  cstr,
  decodeCapData,
  decodePollRevents,
  decodeRights,
  decodeRlimit,
  decodeSigset,
  encodeCapData,
  encodeCapHeader,
  encodeIovec,
  encodeMountAttr,
  encodeMsghdr,
  encodePollFds,
  encodeRights,
  encodeRlimit,
  encodeSigset,
  encodeTimespec,
  encodeSockaddrUn,
  msghdrControlLen,
  msghdrFlags,
  pointerArray,
  SIGSET_SIZE,
} from "./structs.ts";
import { decodeStat, decodeStatfs, STAT_SIZE, STATFS_SIZE } from "./structs.ts";
import { AT_EMPTY_PATH, AT_FDCWD, S_IFIFO, STATX_MNT_ID, STATX_MNT_ID_OFFSET, STATX_SIZE, SYS_INODE } from "./constants.ts";

/** A link's target is shorter than this (the kernel's PATH_MAX, its terminating NUL included). */
const PATH_MAX = 4096;

const EINTR = 4;
const encoder = new TextEncoder();
// Generous: glibc 2.36 uses 80 and 336 bytes; other libcs may use more.
const FILE_ACTIONS_SIZE = 256;
const SPAWNATTR_SIZE = 512;
// Larger than any field runt sets, smaller than the kernel's union bpf_attr (which accepts a shorter one).
const BPF_ATTR_SIZE = 120;
const OPEN_HOW_SIZE = 24;

/** Signals whose disposition can be reset (not KILL/STOP, not glibc's internal 32/33). */
const ALL_RESETTABLE: number[] = [];
// A loop: Array.from and filter would each pay their first call at load (see constants.ts).
for (let s = 1; s < NSIG; s++) if (s !== SIGKILL && s !== SIGSTOP && s !== 32 && s !== 33) ALL_RESETTABLE.push(s);

/**
 * Buffers whose addresses sit inside other structs must stay reachable until
 * the call returns; storing them in a module-level slot is a side effect no
 * optimiser may drop.
 */
let keepAlive: unknown = null;
function keep(...values: unknown[]): void {
  keepAlive = values;
}

export class LibcSyscalls implements Syscalls {
  constructor(private readonly native: Native) {}

  get runtime(): "deno" | "bun" {
    return this.native.runtime;
  }

  /** Throws SyscallError when `r` is -1, else returns it as a number. */
  private check(r: number | bigint, method: string, args: unknown[]): number {
    if (r === -1 || r === -1n) throw new SyscallError(method, args, this.native.errno());
    return Number(r);
  }

  /** Calls whose result is the error number itself (posix_spawn family). */
  private checkRc(rc: number | bigint, method: string, args: unknown[]): void {
    if (rc !== 0) throw new SyscallError(method, args, Number(rc));
  }

  /** An address for a struct's field. */
  private addr(buf: Uint8Array | null): bigint {
    return buf === null ? 0n : BigInt(this.native.addressOf(buf));
  }

  /** An address as raw() passes it: a number where the backend gives one, with no bigint to make. */
  private arg(buf: Uint8Array | null): number | bigint {
    return buf === null ? 0 : this.native.addressOf(buf);
  }

  /** syscall(2) with integer/address arguments; `bufs` are kept alive across it. */
  private raw(method: string, args: unknown[], nr: number, values: Array<number | bigint>, bufs: Array<Uint8Array | null>): number {
    return this.check(this.trap(nr, values, bufs), method, args);
  }

  /** syscall(2)'s result as it comes, -1 on failure with errno set: for callers that retry on EINTR. */
  private trap(nr: number, values: Array<number | bigint>, bufs: Array<Uint8Array | null>): number | bigint {
    // Numbers and bigints as they come: the kernel gets the same words, with no seven bigints made for each call.
    const r = this.native.fn.syscall(nr, values[0] ?? 0, values[1] ?? 0, values[2] ?? 0, values[3] ?? 0, values[4] ?? 0, values[5] ?? 0);
    keep(bufs);
    return r;
  }

  unshare(flags: number): void {
    this.raw("unshare", [flags], SYS.unshare, [flags], []);
  }

  setns(fd: number, nstype: number): void {
    this.raw("setns", [fd, nstype], SYS.setns, [fd, nstype], []);
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    const src = source === null ? null : cstr(source);
    const dst = cstr(target);
    const fs = fstype === null ? null : cstr(fstype);
    const d = data === null ? null : cstr(data);
    this.raw("mount", [source, target, fstype, flags, data], SYS.mount, [this.arg(src), this.arg(dst), this.arg(fs), flags, this.arg(d)], [src, dst, fs, d]);
  }

  umount2(target: string, flags: number): void {
    const t = cstr(target);
    this.raw("umount2", [target, flags], SYS.umount2, [this.arg(t), flags], [t]);
  }

  joinSessionKeyring(name: string): number {
    const n = cstr(name);
    return this.raw("joinSessionKeyring", [name], SYS.keyctl, [KEYCTL_JOIN_SESSION_KEYRING, this.arg(n)], [n]);
  }

  describeKey(id: number): string {
    const buf = alloc(512);
    const len = this.raw("describeKey", [id], SYS.keyctl, [KEYCTL_DESCRIBE, id, this.arg(buf), buf.length], [buf]);
    return new TextDecoder().decode(buf.subarray(0, Math.max(0, Math.min(len, buf.length) - 1)));
  }

  setKeyPerm(id: number, perm: number): void {
    this.raw("setKeyPerm", [id, perm], SYS.keyctl, [KEYCTL_SETPERM, id, perm >>> 0], []);
  }

  pivotRoot(newRoot: string, putOld: string): void {
    const a = cstr(newRoot), b = cstr(putOld);
    this.raw("pivotRoot", [newRoot, putOld], SYS.pivot_root, [this.arg(a), this.arg(b)], [a, b]);
  }

  mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void {
    const p = cstr(path), a = encodeMountAttr(attr);
    this.raw("mountSetattr", [dirfd, path, flags, attr], SYS.mount_setattr, [
      dirfd,
      this.arg(p),
      flags,
      this.arg(a),
      MOUNT_ATTR_SIZE_VER0,
    ], [p, a]);
  }

  chdir(path: string): void {
    const p = cstr(path);
    this.raw("chdir", [path], SYS.chdir, [this.arg(p)], [p]);
  }

  fchdir(fd: number): void {
    this.raw("fchdir", [fd], SYS.fchdir, [fd], []);
  }

  chroot(path: string): void {
    const p = cstr(path);
    this.raw("chroot", [path], SYS.chroot, [this.arg(p)], [p]);
  }

  sethostname(name: string): void {
    const b = cstr(name);
    this.raw("sethostname", [name], SYS.sethostname, [this.arg(b), b.length - 1], [b]);
  }

  setdomainname(name: string): void {
    const b = cstr(name);
    this.raw("setdomainname", [name], SYS.setdomainname, [this.arg(b), b.length - 1], [b]);
  }

  prlimit(pid: number, resource: number, limit?: Rlimit): Rlimit {
    const old = alloc(16);
    const next = limit ? encodeRlimit(limit) : null;
    const args = limit ? [pid, resource, limit] : [pid, resource, null];
    this.raw("prlimit", args, SYS.prlimit64, [pid, resource, this.arg(next), this.arg(old)], [next, old]);
    return decodeRlimit(old);
  }

  mknod(path: string, mode: number, dev: number | bigint): void {
    const p = cstr(path);
    this.raw("mknod", [path, mode, dev], SYS.mknodat, [AT_FDCWD, this.arg(p), mode, dev], [p]);
  }

  capget(pid = 0): CapSets {
    const data = alloc(24);
    this.check(this.native.fn.capget(encodeCapHeader(pid), data), "capget", [pid]);
    return decodeCapData(data);
  }

  capset(sets: CapSets, pid = 0): void {
    this.check(this.native.fn.capset(encodeCapHeader(pid), encodeCapData(sets)), "capset", [sets, pid]);
  }

  prctl(option: number, arg2: number | bigint = 0, arg3: number | bigint = 0, arg4: number | bigint = 0, arg5: number | bigint = 0): number {
    const u = (x: number | bigint) => BigInt.asUintN(64, BigInt(x));
    const r = this.native.fn.prctl(option, u(arg2), u(arg3), u(arg4), u(arg5));
    return this.check(r, "prctl", [option, arg2, arg3, arg4, arg5]);
  }

  setresuid(ruid: number, euid: number, suid: number): void {
    this.check(this.native.fn.setresuid(ruid, euid, suid), "setresuid", [ruid, euid, suid]);
  }

  setresgid(rgid: number, egid: number, sgid: number): void {
    this.check(this.native.fn.setresgid(rgid, egid, sgid), "setresgid", [rgid, egid, sgid]);
  }

  setgroups(gids: number[]): void {
    const buf = alloc(4 * Math.max(gids.length, 1));
    new Uint32Array(buf.buffer, 0, gids.length).set(gids);
    this.check(this.native.fn.setgroups(gids.length, buf), "setgroups", [gids]);
  }

  umask(mask: number): number {
    return this.raw("umask", [mask], SYS.umask, [mask], []);
  }

  fchown(fd: number, uid: number, gid: number): void {
    // -1 ("leave unchanged") is (uid_t)-1.
    this.check(this.native.fn.fchown(fd, uid >>> 0, gid >>> 0), "fchown", [fd, uid, gid]);
  }

  execve(path: string, argv: string[], envp: string[]): never {
    const a = pointerArray(argv, (b) => this.native.addressOf(b));
    const e = pointerArray(envp, (b) => this.native.addressOf(b));
    const r = this.native.fn.execve(cstr(path), a.table, e.table);
    keep(a, e);
    // execve only returns on failure.
    throw new SyscallError("execve", [path, argv, envp], r === -1 ? this.native.errno() : 0);
  }

  posixSpawn(path: string, argv: string[], envp: string[], options: SpawnOptions = {}): number {
    const args = [path, argv, envp, options];
    const fa = alloc(FILE_ACTIONS_SIZE), attr = alloc(SPAWNATTR_SIZE);
    const fn = this.native.fn;
    this.checkRc(fn.posix_spawn_file_actions_init(fa), "posixSpawn", args);
    try {
      this.checkRc(fn.posix_spawnattr_init(attr), "posixSpawn", args);
      try {
        for (const action of options.fileActions ?? []) this.checkRc(this.addAction(fa, action), "posixSpawn", args);
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        if (options.setsid) flags |= POSIX_SPAWN_SETSID;
        if (options.pgroup !== undefined) {
          flags |= POSIX_SPAWN_SETPGROUP;
          this.checkRc(fn.posix_spawnattr_setpgroup(attr, options.pgroup), "posixSpawn", args);
        }
        this.checkRc(fn.posix_spawnattr_setsigmask(attr, encodeSigset(options.sigmask ?? [])), "posixSpawn", args);
        const defaults = encodeSigset(options.sigdefault ?? ALL_RESETTABLE);
        this.checkRc(fn.posix_spawnattr_setsigdefault(attr, defaults), "posixSpawn", args);
        this.checkRc(fn.posix_spawnattr_setflags(attr, flags), "posixSpawn", args);

        const pid = alloc(4);
        const file = cstr(path);
        const a = pointerArray(argv, (b) => this.native.addressOf(b));
        const e = pointerArray(envp, (b) => this.native.addressOf(b));
        const spawn = options.searchPath ? fn.posix_spawnp : fn.posix_spawn;
        const ns = options.pidNamespace;
        let rc: number | bigint;
        if (ns) {
          // Nothing but these three calls between entering and leaving: no allocation, no thread.
          const entered = ns.joinFd === undefined
            ? fn.syscall(SYS.unshare, CLONE_NEWPID, 0, 0, 0, 0, 0)
            : fn.syscall(SYS.setns, ns.joinFd, CLONE_NEWPID, 0, 0, 0, 0);
          if (Number(entered) === -1) {
            const errno = this.native.errno();
            throw new SyscallError(ns.joinFd === undefined ? "unshare" : "setns", [CLONE_NEWPID], errno);
          }
          rc = spawn(pid, file, fa, attr, a.table, e.table);
          const left = fn.syscall(SYS.setns, ns.restoreFd, CLONE_NEWPID, 0, 0, 0, 0);
          if (Number(left) === -1) throw new SyscallError("setns", [ns.restoreFd, CLONE_NEWPID], this.native.errno());
        } else {
          rc = spawn(pid, file, fa, attr, a.table, e.table);
        }
        keep(a, e, file);
        this.checkRc(rc, "posixSpawn", args);
        return new DataView(pid.buffer).getInt32(0, true);
      } finally {
        fn.posix_spawnattr_destroy(attr);
      }
    } finally {
      fn.posix_spawn_file_actions_destroy(fa);
    }
  }

  /** glibc copies paths into the file actions, so the cstrs need not outlive this. */
  private addAction(fa: Uint8Array, action: FileAction): number | bigint {
    const fn = this.native.fn;
    switch (action.op) {
      case "dup2":
        return fn.posix_spawn_file_actions_adddup2(fa, action.fd, action.to);
      case "close":
        return fn.posix_spawn_file_actions_addclose(fa, action.fd);
      case "open":
        return fn.posix_spawn_file_actions_addopen(fa, action.fd, cstr(action.path), action.flags, action.mode ?? 0o644);
      case "chdir":
        return fn.posix_spawn_file_actions_addchdir_np(fa, cstr(action.path));
      case "fchdir":
        return fn.posix_spawn_file_actions_addfchdir_np(fa, action.fd);
      case "closefrom":
        return fn.posix_spawn_file_actions_addclosefrom_np(fa, action.fd);
    }
  }

  waitpid(pid: number, flags = 0): WaitResult {
    const status = alloc(4);
    for (;;) {
      const r = this.trap(SYS.wait4, [pid, this.arg(status), flags], [status]);
      if (Number(r) === -1) {
        const errno = this.native.errno();
        if (errno === EINTR) continue;
        throw new SyscallError("waitpid", [pid, flags], errno);
      }
      const got = Number(r);
      if (got === 0) return { pid: 0, status: null };
      return { pid: got, status: decodeWaitStatus(new DataView(status.buffer).getInt32(0, true)) };
    }
  }

  kill(pid: number, signal: number): void {
    this.check(this.native.fn.kill(pid, signal), "kill", [pid, signal]);
  }

  pidfdGetfd(pidfd: number, targetFd: number): number {
    return this.raw("pidfdGetfd", [pidfd, targetFd], SYS.pidfd_getfd, [pidfd, targetFd, 0], []);
  }

  pidfdOpen(pid: number, flags = 0): number {
    return this.raw("pidfdOpen", [pid, flags], SYS.pidfd_open, [pid, flags], []);
  }

  pidfdSendSignal(pidfd: number, signal: number, flags = 0): void {
    this.raw("pidfdSendSignal", [pidfd, signal, flags], SYS.pidfd_send_signal, [pidfd, signal, 0, flags], []);
  }

  sigprocmask(how: number, signals: readonly number[]): number[] {
    const old = alloc(SIGSET_SIZE);
    this.check(this.native.fn.sigprocmask(how, encodeSigset(signals), old), "sigprocmask", [how, [...signals]]);
    return decodeSigset(old);
  }

  signal(signum: number, handler: number): bigint {
    if (handler !== SIG_DFL && handler !== SIG_IGN) throw new TypeError(`signal: only SIG_DFL and SIG_IGN can be set, not ${handler}`);
    // struct kernel_sigaction { handler, flags, restorer, mask } on x86_64 and aarch64: all zero but the handler.
    const act = alloc(32), old = alloc(32);
    new DataView(act.buffer).setBigUint64(0, BigInt(handler), true);
    const SIGSET_BYTES = 8;
    this.raw("signal", [signum, handler], SYS.rt_sigaction, [signum, this.arg(act), this.arg(old), SIGSET_BYTES], [act, old]);
    return new DataView(old.buffer).getBigUint64(0, true);
  }

  /** union bpf_attr, zero-filled: the kernel requires unused trailing bytes to be zero. */
  private bpfAttr(): { buf: Uint8Array; v: DataView } {
    const buf = alloc(BPF_ATTR_SIZE);
    return { buf, v: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
  }

  bpfProgLoad(progType: number, insns: Uint8Array, license: string, expectedAttachType = 0): number {
    const code = alloc(insns.length);
    code.set(insns);
    const lic = cstr(license);
    const { buf, v } = this.bpfAttr();
    v.setUint32(0, progType, true);
    v.setUint32(4, insns.length / 8, true);
    v.setBigUint64(8, this.addr(code), true);
    v.setBigUint64(16, this.addr(lic), true);
    v.setUint32(68, expectedAttachType, true);
    const args = [progType, insns, license, expectedAttachType];
    return this.raw("bpfProgLoad", args, SYS.bpf, [BPF_PROG_LOAD, this.arg(buf), BPF_ATTR_SIZE], [buf, code, lic]);
  }

  bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags = 0): void {
    const { buf, v } = this.bpfAttr();
    v.setUint32(0, targetFd, true);
    v.setUint32(4, progFd, true);
    v.setUint32(8, attachType, true);
    v.setUint32(12, flags, true);
    this.raw("bpfProgAttach", [targetFd, progFd, attachType, flags], SYS.bpf, [BPF_PROG_ATTACH, this.arg(buf), BPF_ATTR_SIZE], [buf]);
  }

  bpfProgDetach(targetFd: number, progFd: number, attachType: number): void {
    const { buf, v } = this.bpfAttr();
    v.setUint32(0, targetFd, true);
    v.setUint32(4, progFd, true);
    v.setUint32(8, attachType, true);
    this.raw("bpfProgDetach", [targetFd, progFd, attachType], SYS.bpf, [BPF_PROG_DETACH, this.arg(buf), BPF_ATTR_SIZE], [buf]);
  }

  bpfProgQuery(targetFd: number, attachType: number): number[] {
    const MAX_PROGS = 64;
    const ids = alloc(4 * MAX_PROGS);
    const { buf, v } = this.bpfAttr();
    v.setUint32(0, targetFd, true);
    v.setUint32(4, attachType, true);
    v.setBigUint64(16, this.addr(ids), true);
    v.setUint32(24, MAX_PROGS, true);
    this.raw("bpfProgQuery", [targetFd, attachType], SYS.bpf, [BPF_PROG_QUERY, this.arg(buf), BPF_ATTR_SIZE], [buf, ids]);
    const count = Math.min(v.getUint32(24, true), MAX_PROGS);
    const dv = new DataView(ids.buffer, ids.byteOffset, ids.byteLength);
    return Array.from({ length: count }, (_, i) => dv.getUint32(4 * i, true));
  }

  bpfProgGetFdById(id: number): number {
    const { buf, v } = this.bpfAttr();
    v.setUint32(0, id, true);
    return this.raw("bpfProgGetFdById", [id], SYS.bpf, [BPF_PROG_GET_FD_BY_ID, this.arg(buf), BPF_ATTR_SIZE], [buf]);
  }

  open(path: string, flags: number, mode = 0): number {
    const p = cstr(path);
    return this.raw("open", [path, flags, mode], SYS.openat, [AT_FDCWD, this.arg(p), flags, mode], [p]);
  }

  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    const p = cstr(path);
    return this.raw("openat", [dirfd, path, flags, mode], SYS.openat, [dirfd, this.arg(p), flags, mode], [p]);
  }

  openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
    const p = cstr(path);
    // struct open_how: u64 flags, u64 mode, u64 resolve.
    const how = alloc(OPEN_HOW_SIZE);
    const v = new DataView(how.buffer, how.byteOffset, how.byteLength);
    v.setBigUint64(0, BigInt(flags >>> 0), true);
    v.setBigUint64(8, BigInt(mode), true);
    v.setBigUint64(16, BigInt(resolve), true);
    const args = [dirfd, path, flags, resolve, mode];
    return this.raw("openat2", args, SYS.openat2, [dirfd, this.arg(p), this.arg(how), OPEN_HOW_SIZE], [p, how]);
  }

  mkdirat(dirfd: number, path: string, mode: number): void {
    const p = cstr(path);
    this.raw("mkdirat", [dirfd, path, mode], SYS.mkdirat, [dirfd, this.arg(p), mode], [p]);
  }

  renameat2(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): void {
    const from = cstr(oldpath), to = cstr(newpath);
    const args = [olddirfd, oldpath, newdirfd, newpath, flags];
    this.raw("renameat2", args, SYS.renameat2, [olddirfd, this.arg(from), newdirfd, this.arg(to), flags], [from, to]);
  }

  close(fd: number): void {
    this.raw("close", [fd], SYS.close, [fd], []);
  }

  closeRange(first: number, last: number, flags = 0): void {
    this.raw("closeRange", [first, last, flags], SYS.close_range, [first >>> 0, last >>> 0, flags], []);
  }

  read(fd: number, buf: Uint8Array): number {
    // A zero-length view has no address Bun will hand out; read 0 bytes into scratch instead.
    const target = buf.length === 0 ? alloc(1) : buf;
    return this.raw("read", [fd, buf], SYS.read, [fd, this.arg(target), buf.length], [target]);
  }

  write(fd: number, data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const source = bytes.length === 0 ? alloc(1) : bytes;
    return this.raw("write", [fd, data], SYS.write, [fd, this.arg(source), bytes.length], [source]);
  }

  /** Defaults to O_CLOEXEC: the runtimes spawn processes from other threads at any time. */
  pipe2(flags = O_CLOEXEC): [number, number] {
    const fds = alloc(8);
    this.check(this.native.fn.pipe2(fds, flags), "pipe2", [flags]);
    const v = new DataView(fds.buffer);
    return [v.getInt32(0, true), v.getInt32(4, true)];
  }

  dup2(oldfd: number, newfd: number): number {
    return this.check(this.native.fn.dup2(oldfd, newfd), "dup2", [oldfd, newfd]);
  }

  fcntl(fd: number, cmd: number, arg = 0): number {
    return this.raw("fcntl", [fd, cmd, arg], SYS.fcntl, [fd, cmd, arg], []);
  }

  flock(fd: number, operation: number): void {
    this.raw("flock", [fd, operation], SYS.flock, [fd, operation], []);
  }

  mkfifo(path: string, mode: number): void {
    const p = cstr(path);
    this.raw("mkfifo", [path, mode], SYS.mknodat, [AT_FDCWD, this.arg(p), S_IFIFO | mode, 0], [p]);
  }

  socket(domain: number, type: number, protocol = 0): number {
    return this.raw("socket", [domain, type, protocol], SYS.socket, [domain, type, protocol], []);
  }

  socketpair(domain: number, type: number, protocol = 0): [number, number] {
    const fds = alloc(8);
    this.raw("socketpair", [domain, type, protocol], SYS.socketpair, [domain, type, protocol, this.arg(fds)], [fds]);
    const v = new DataView(fds.buffer);
    return [v.getInt32(0, true), v.getInt32(4, true)];
  }

  /** MSG_NOSIGNAL by default, so a vanished peer is an EPIPE error rather than a fatal signal. */
  sendmsg(fd: number, data: Uint8Array, fds: number[] = [], flags = MSG_NOSIGNAL): number {
    const payload = alloc(data.length);
    payload.set(data);
    const iov = encodeIovec(this.addr(payload), data.length);
    const control = fds.length ? encodeRights(fds) : null;
    const msg = encodeMsghdr(this.addr(iov), 1, this.addr(control), control?.length ?? 0);
    return this.raw("sendmsg", [fd, data, fds, flags], SYS.sendmsg, [fd, this.arg(msg), flags], [payload, iov, control, msg]);
  }

  /** MSG_CMSG_CLOEXEC by default: received descriptors must not leak into unrelated children. */
  recvmsg(fd: number, buf: Uint8Array, maxFds = 16, flags = MSG_CMSG_CLOEXEC): RecvResult {
    // Receive into an off-heap copy: the caller's view may live on a moving GC heap.
    const scratch = alloc(buf.length);
    const iov = encodeIovec(this.addr(scratch), buf.length);
    const control = alloc(cmsgSpace(4 * maxFds));
    const msg = encodeMsghdr(this.addr(iov), 1, this.addr(control), control.length);
    let r: number | bigint;
    for (;;) {
      r = this.trap(SYS.recvmsg, [fd, this.arg(msg), flags], [msg]);
      if (r !== -1n && r !== -1) break;
      const errno = this.native.errno();
      if (errno !== EINTR) throw new SyscallError("recvmsg", [fd, buf, maxFds, flags], errno);
    }
    keep(scratch, iov, control, msg);
    const bytes = Number(r);
    buf.set(scratch.subarray(0, bytes));
    return { bytes, fds: decodeRights(control, msghdrControlLen(msg)), flags: msghdrFlags(msg) };
  }

  seccompSetFilter(flags: number, program: Uint8Array): void {
    const code = alloc(program.length);
    code.set(program);
    // struct sock_fprog: the instruction count, then (aligned) the pointer.
    const fprog = alloc(16);
    const v = new DataView(fprog.buffer);
    v.setUint16(0, program.length / 8, true);
    v.setBigUint64(8, this.addr(code), true);
    this.raw("seccompSetFilter", [flags, `<${program.length / 8} instructions>`], SYS.seccomp, [SECCOMP_SET_MODE_FILTER, flags, this.arg(fprog)], [code, fprog]);
  }

  connect(fd: number, path: string): void {
    const addr = encodeSockaddrUn(path);
    this.check(this.native.fn.connect(fd, addr, addr.length), "connect", [fd, path]);
  }

  bind(fd: number, path: string): void {
    const addr = encodeSockaddrUn(path);
    this.check(this.native.fn.bind(fd, addr, addr.length), "bind", [fd, path]);
  }

  listen(fd: number, backlog: number): void {
    this.check(this.native.fn.listen(fd, backlog), "listen", [fd, backlog]);
  }

  accept(fd: number, flags = SOCK_CLOEXEC): number {
    for (;;) {
      const r = this.native.fn.accept4(fd, null, null, flags);
      if (r !== -1 || this.native.errno() !== EINTR) return this.check(r, "accept", [fd, flags]);
    }
  }

  /** A signal arriving while blocked counts as the timeout: the caller polls again. */
  poll(fds: readonly PollFd[], timeoutMs: number): number[] {
    const buf = encodePollFds(fds);
    // poll's timeout is an int (ToInt32, as the FFI converted it), ppoll's a timespec, absent for "forever" (negative).
    const ms = timeoutMs | 0;
    const timeout = ms < 0 ? null : encodeTimespec(ms);
    const r = this.trap(SYS.ppoll, [this.arg(buf), fds.length, this.arg(timeout)], [buf, timeout]);
    if (Number(r) === -1 && this.native.errno() === EINTR) return fds.map(() => 0);
    this.check(r, "poll", [fds.map((f) => f.fd), timeoutMs]);
    return decodePollRevents(buf, fds.length);
  }

  ioctl(fd: number, request: number, arg: number | Uint8Array = 0): number {
    if (typeof arg === "number") {
      return this.raw("ioctl", [fd, request, arg], SYS.ioctl, [fd, request, arg], []);
    }
    const scratch = alloc(arg.length);
    scratch.set(arg);
    const out = this.raw("ioctl", [fd, request, arg], SYS.ioctl, [fd, request, this.arg(scratch)], [scratch]);
    arg.set(scratch);
    return out;
  }

  getpid(): number {
    return Number(this.native.fn.getpid());
  }

  gettid(): number {
    return Number(this.native.fn.gettid());
  }

  getppid(): number {
    return Number(this.native.fn.getppid());
  }

  getuid(): number {
    return Number(this.native.fn.getuid());
  }

  geteuid(): number {
    return Number(this.native.fn.geteuid());
  }

  fsopen(fsname: string, flags: number): number {
    const n = cstr(fsname);
    return this.raw("fsopen", [fsname, flags], SYS_FSOPEN, [this.arg(n), flags], [n]);
  }

  fsconfigSetString(fd: number, key: string, value: string): void {
    const k = cstr(key), v = cstr(value);
    this.raw("fsconfigSetString", [fd, key, value], SYS_FSCONFIG, [fd, FSCONFIG_SET_STRING, this.arg(k), this.arg(v), 0], [k, v]);
  }

  fsconfigCreate(fd: number): void {
    this.raw("fsconfigCreate", [fd], SYS_FSCONFIG, [fd, FSCONFIG_CMD_CREATE, 0, 0, 0], []);
  }

  fsmount(fd: number, flags: number, attrs: number): number {
    return this.raw("fsmount", [fd, flags, attrs], SYS_FSMOUNT, [fd, flags, attrs], []);
  }

  openTree(dirfd: number, path: string, flags: number): number {
    const p = cstr(path);
    return this.raw("openTree", [dirfd, path, flags], SYS_OPEN_TREE, [dirfd, this.arg(p), flags], [p]);
  }

  moveMount(fromDirfd: number, fromPath: string, toDirfd: number, toPath: string, flags: number): void {
    const f = cstr(fromPath), t = cstr(toPath);
    this.raw("moveMount", [fromDirfd, fromPath, toDirfd, toPath, flags], SYS_MOVE_MOUNT, [fromDirfd, this.arg(f), toDirfd, this.arg(t), flags], [f, t]);
  }

  fchmodat2(dirfd: number, path: string, mode: number, flags: number): void {
    const p = cstr(path);
    this.raw("fchmodat2", [dirfd, path, mode, flags], SYS_FCHMODAT2, [dirfd, this.arg(p), mode, flags], [p]);
  }

  memfdCreate(name: string, flags: number): number {
    const n = cstr(name);
    return this.raw("memfdCreate", [name, flags], SYS_MEMFD_CREATE, [this.arg(n), flags], [n]);
  }

  execveat(dirfd: number, path: string, argv: string[], envp: string[], flags: number): never {
    const p = cstr(path);
    const a = pointerArray(argv, (b) => this.native.addressOf(b));
    const e = pointerArray(envp, (b) => this.native.addressOf(b));
    // On success the process is replaced, so raw() returning at all means failure.
    this.raw("execveat", [dirfd, path, argv, envp, flags], SYS_EXECVEAT, [
      dirfd,
      this.arg(p),
      this.arg(a.table),
      this.arg(e.table),
      flags,
    ], [p, a.table, e.table, ...a.strings, ...e.strings]);
    throw new SyscallError("execveat", [dirfd, path, argv, envp, flags], 0);
  }

  fstatat(dirfd: number, path: string, flags = 0): FileStat {
    const p = cstr(path), st = alloc(STAT_SIZE);
    this.raw("fstatat", [dirfd, path, flags], SYS_INODE.newfstatat, [dirfd, this.arg(p), this.arg(st), flags], [p, st]);
    return decodeStat(st);
  }

  readlinkat(dirfd: number, path: string): string {
    const p = cstr(path), buf = alloc(PATH_MAX);
    const n = this.raw("readlinkat", [dirfd, path], SYS_INODE.readlinkat, [dirfd, this.arg(p), this.arg(buf), PATH_MAX], [p, buf]);
    return new TextDecoder().decode(buf.subarray(0, n));
  }

  statfs(path: string): FilesystemStat {
    const p = cstr(path), buf = alloc(STATFS_SIZE);
    this.raw("statfs", [path], SYS_INODE.statfs, [this.arg(p), this.arg(buf)], [p, buf]);
    return decodeStatfs(buf);
  }

  mountIdOf(fd: number): bigint | undefined {
    const p = cstr(""), stx = alloc(STATX_SIZE);
    this.raw("mountIdOf", [fd], SYS_INODE.statx, [fd, this.arg(p), AT_EMPTY_PATH, STATX_MNT_ID, this.arg(stx)], [p, stx]);
    const view = new DataView(stx.buffer, stx.byteOffset, stx.byteLength);
    return view.getUint32(0, true) & STATX_MNT_ID ? view.getBigUint64(STATX_MNT_ID_OFFSET, true) : undefined;
  }

  fchmodat(dirfd: number, path: string, mode: number): void {
    const p = cstr(path);
    this.raw("fchmodat", [dirfd, path, mode], SYS_INODE.fchmodat, [dirfd, this.arg(p), mode], [p]);
  }

  mknodat(dirfd: number, path: string, mode: number, dev: number | bigint): void {
    const p = cstr(path);
    this.raw("mknodat", [dirfd, path, mode, dev], SYS.mknodat, [dirfd, this.arg(p), mode, dev], [p]);
  }

  symlinkat(target: string, dirfd: number, path: string): void {
    const t = cstr(target), p = cstr(path);
    this.raw("symlinkat", [target, dirfd, path], SYS.symlinkat, [this.arg(t), dirfd, this.arg(p)], [t, p]);
  }

  linkat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags = 0): void {
    const o = cstr(oldpath), n = cstr(newpath);
    this.raw("linkat", [olddirfd, oldpath, newdirfd, newpath, flags], SYS.linkat, [olddirfd, this.arg(o), newdirfd, this.arg(n), flags], [o, n]);
  }

  unlinkat(dirfd: number, path: string, flags = 0): void {
    const p = cstr(path);
    this.raw("unlinkat", [dirfd, path, flags], SYS.unlinkat, [dirfd, this.arg(p), flags], [p]);
  }

  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
    const p = cstr(path);
    this.raw("fchownat", [dirfd, path, uid, gid, flags], SYS.fchownat, [dirfd, this.arg(p), uid, gid, flags], [p]);
  }

  utimensat(dirfd: number, path: string, atimeNs: bigint, mtimeNs: bigint, flags: number): void {
    const p = cstr(path), times = alloc(32);
    const view = new DataView(times.buffer, times.byteOffset, 32);
    for (const [i, ns] of [atimeNs, mtimeNs].entries()) {
      view.setBigInt64(i * 16, ns / 1_000_000_000n, true);
      view.setBigInt64(i * 16 + 8, ns % 1_000_000_000n, true);
    }
    this.raw("utimensat", [dirfd, path, atimeNs, mtimeNs, flags], SYS.utimensat, [dirfd, this.arg(p), this.arg(times), flags], [p, times]);
  }

  lsetxattr(path: string, name: string, value: Uint8Array, flags = 0): void {
    const p = cstr(path), n = cstr(name), v = value.length > 0 ? value : new Uint8Array(1);
    this.raw("lsetxattr", [path, name, value.length, flags], SYS.lsetxattr, [this.arg(p), this.arg(n), this.arg(v), value.length, flags], [p, n, v]);
  }
}

/** For tests: the last kept-alive values exist only to defeat dead-store elimination. */
export function _keptAlive(): unknown {
  return keepAlive;
}
