/**
 * The container's start-up program, as data: the ordered system calls that
 * run in the container's own process after the runtime has built the
 * container, each naming what it is for. This file is the one place their
 * order is written down; runtime/stub/ turns the list into a sealed
 * executable, and the runtime's process becomes it (execveat), so that no
 * process a container can see is ever the runt binary or has a thread of
 * a JavaScript runtime.
 *
 * `create`: the init has built the rootfs and becomes this program, still
 * PID 1: credentials, "ready" to the parent, then it blocks on exec.fifo
 * until `start`, and execs the user's program.
 *
 * `exec`, and `create` with a PID namespace given by path: runt's process
 * was started outside that namespace, so the container never sees it; it
 * becomes this program, which enters the namespace (for its children
 * only) and clones the process that will run the user's program, born
 * inside the container's PID and mount namespaces (never visible there
 * with the host's root), as a child of runt itself (CLONE_PARENT).
 *
 * `create` built by the runtime itself (runtime/container/build.ts): no
 * JavaScript runs in the container's process at all. runt starts a loader
 * there, which waits for its next program on the channel; the namespace
 * stage makes or joins the container's namespaces, says so, and waits in
 * turn; runt's own thread builds the rootfs inside them; then it sends the
 * `create` program above, made once everything it needs is known.
 *
 * `create` with a user namespace: the JavaScript init, multithreaded, can
 * neither make nor join one, so runt starts this program instead; it
 * enters the user namespace, then the PID namespace (so the new user
 * namespace owns it), and clones the init there, which makes the other
 * namespaces from inside (owned by the user namespace too): runc's order.
 */
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  CLONE_NEWCGROUP,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_ARGS_SIZE,
  CLONE_INTO_CGROUP,
  CLONE_PARENT,
  FSCONFIG_CMD_CREATE,
  FSCONFIG_SET_FLAG,
  FSCONFIG_SET_STRING,
  FSMOUNT_CLOEXEC,
  FSOPEN_CLOEXEC,
  SCM_RIGHTS,
  SOL_SOCKET,
  F_SETFD,
  FD_CLOEXEC,
  NAMESPACE_FLAGS,
  KEYCTL_JOIN_SESSION_KEYRING,
  KEYCTL_SETPERM,
  MSG_CMSG_CLOEXEC,
  O_CLOEXEC,
  O_NOCTTY,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  PR_SET_DUMPABLE,
  SIGCHLD,
  TIOCSCTTY,
} from "../../ffi/constants.ts";
import type { Spec } from "../spec/schema.ts";
import { planCredentials, type ProcessLimitsApplied } from "../process/apply.ts";
import type { ProcessHost } from "../process/host.ts";
import { planLsmLabels } from "../process/lsm.ts";
import { planEnterCwd } from "../process/container_paths.ts";
import { planFilter, type SeccompFilter } from "../seccomp/install.ts";
import { slot, StubProgram } from "../stub/program.ts";
import { SLOT_COUNT as SLOT_LIMIT } from "../stub/layout.ts";
import { NAMESPACES_REPORT_MAGIC, PID_REPORT_MAGIC, READY_LINE, USERNS_REPORT_MAGIC } from "./report.ts";
import { quote } from "../quote.ts";

/** The user's program, resolved on the container's PATH. */
export interface ExecTarget {
  path: string;
  args: string[];
  env: string[];
}

interface Common {
  spec: Spec;
  exec: ExecTarget;
  seccomp?: SeccompFilter;
  /** What applyProcessLimits did and left to do. */
  applied: ProcessLimitsApplied;
  host?: ProcessHost;
  /** The parent ↔ runtime channel; reports go there until something else is said. */
  channelFd: number;
  /** A time namespace given by path: only a single-threaded process can enter one. */
  timeNamespaceFd?: number;
  /** `exec`: the container's user namespace, which only a single-threaded process can enter. */
  userNamespaceFd?: number;
}

export interface CreateStartup extends Common {
  /** An O_PATH descriptor of exec.fifo, opened before pivot_root. */
  fifoFd: number;
  /**
   * Left by a runtime that built the container from outside (the JavaScript
   * init does these itself): the terminal's slave, by its path in the
   * container's devpts, to open as stdio and take as controlling terminal;
   * the umask; the cwd, entered as root (see ProcessLimitsApplied.cwdReached).
   */
  ownProcess?: { cgroupNamespace?: boolean; terminal?: string; umask: number; cwd?: string };
  /**
   * A PID namespace given by path: the init was started outside it, and
   * the container's process is cloned into it (see startInPidNamespace).
   */
  pidNamespaceFd?: number;
}

/** Slot 0 holds the descriptor reports go to; the fifo's writing end takes it over. */
const REPORT = 0;
/** The exec helper's clone result: the new PID in the helper, 0 in the child. */
const CHILD = 1;
/**
 * Three slots (24 bytes) that recvmsg fills with the control message
 * carrying the next program: cmsg_len, then level and type, then the
 * descriptor, which so lands in the low half of the third, a slot of its
 * own whose high half no one has written.
 */
const NEXT = 2;
const NEXT_FD = NEXT + 2;
/** The terminal's slave, opened by path. */
const CONSOLE = 5;
/** Namespace files opened before the first setns, one slot each. */
const NAMESPACE_SLOTS = 6;

export function createStartup(o: CreateStartup): StubProgram {
  const prog = new StubProgram({ reportFd: o.channelFd });
  enterTimeNamespace(prog, o.timeNamespaceFd);
  if (o.pidNamespaceFd !== undefined) {
    startInPidNamespace(prog, o.channelFd, o.pidNamespaceFd);
    // Until the runtime has recorded the new PID, so nothing can happen to a container it does not know.
    prog.call("read", [o.channelFd, prog.reserve(1), 1], { what: "wait for the runtime to record the container's PID" });
  }
  // Nothing in the container may read this process's memory or open its exe while it waits.
  prog.call("prctl", [PR_SET_DUMPABLE, 0, 0, 0, 0], { what: "make the init non-dumpable" });
  if (o.ownProcess) ownProcessSettings(prog, o.ownProcess);
  processSettings(prog, o);
  // With no_new_privs, as late as the channel allows: a seccomp agent needs the listener before "ready".
  lateFilter(prog, o);
  prog.call("write", [o.channelFd, prog.str(READY_LINE), READY_LINE.length], { what: "report ready to the runtime" });
  prog.call("close", [o.channelFd], { what: "close the runtime's channel" });
  // Blocks until `start` opens the fifo for reading; as the container's user, as runc's init does.
  const fifo = prog.str(`/proc/self/fd/${o.fifoFd}`);
  prog.call("openat", [AT_FDCWD, fifo, O_WRONLY | O_CLOEXEC, 0], { what: "open the exec fifo", result: REPORT });
  prog.call("close", [o.fifoFd], { what: "close the exec fifo's path descriptor" });
  // The first byte tells `start` the init is alive; from here on, failures go to start through the fifo.
  prog.call("write", [slot(REPORT), prog.str("0"), 1], { what: "tell start the container is released" });
  lastSteps(prog, o);
  return prog;
}

function execPrelude(prog: StubProgram, p: ExecPrelude): void {
  prog.call("prctl", [PR_SET_DUMPABLE, 0, 0, 0, 0], { what: "make the exec helper non-dumpable" });
  closeInherited(prog, p.closeFrom);
  if (p.oomScoreAdj !== undefined) {
    const what = "set process.oomScoreAdj";
    const value = String(p.oomScoreAdj);
    prog.call("openat", [AT_FDCWD, prog.str("/proc/self/oom_score_adj"), O_WRONLY | O_CLOEXEC, 0], { what, result: CONSOLE });
    prog.call("write", [slot(CONSOLE), prog.str(value), value.length], { what });
    prog.call("close", [slot(CONSOLE)], { what });
  }
  for (const { type, resource, soft, hard } of p.rlimits) {
    prog.call("prlimit64", [0, resource, prog.u64s([soft, hard]), 0], { what: `set ${type}` });
  }
  if (p.keyring !== undefined) joinSessionKeyring(prog, p.keyring);
}

function joinNamespaces(prog: StubProgram, p: ExecPrelude): void {
  for (const { type, fd } of p.join) {
    prog.call("setns", [fd, NAMESPACE_FLAGS[type]], { what: `joining the container's ${type} namespace` });
    prog.call("close", [fd], { what: `close the ${type} namespace's descriptor` });
  }
  prog.call("umask", [p.umask], { what: "set process.user.umask" });
  if (p.cwd !== undefined) planEnterCwd(prog, p.cwd, `chdir to process.cwd ${quote(p.cwd)}`);
}

/** What a program started by the runtime needs to fetch the one that follows it. */
export interface Continued {
  channelFd: number;
  /** What `ps` shows for the process meanwhile. */
  argv: string[];
}

/** The first program of a container the runtime builds itself: it only waits for the next. */
export function loaderStartup(o: Continued & { closeFrom: number; cgroupProcs?: string[] }): StubProgram {
  const prog = new StubProgram({ reportFd: o.channelFd });
  prog.call("prctl", [PR_SET_DUMPABLE, 0, 0, 0, 0], { what: "make the init non-dumpable" });
  closeInherited(prog, o.closeFrom);
  // `exec`: into the container's cgroup by itself ("0" is the writer), while runt prepares the next program.
  for (const file of o.cgroupProcs ?? []) {
    const what = `joining the container's cgroup: ${file}`;
    prog.call("openat", [AT_FDCWD, prog.str(file), O_WRONLY | O_CLOEXEC, 0], { what, result: CONSOLE });
    prog.call("write", [slot(CONSOLE), prog.str("0"), 1], { what });
    prog.call("close", [slot(CONSOLE)], { what });
  }
  continueWithNext(prog, o);
  return prog;
}

export interface NamespaceStage extends Continued {
  /** linux.namespaces given by path, joined first (runc's order). */
  join: { type: string; path: string }[];
  /** The types of the new namespaces to make (never user, pid or time here). */
  make: string[];
  /** The name of a new session keyring to join (absent: --no-new-keyring). */
  keyring?: string;
  /**
   * proc mounts for the new PID namespace, made here because proc shows
   * the PID namespace of whoever mounts it, and handed to the runtime with
   * the report, which attaches them where they go. `fd`: the number each
   * takes on the way (unused in the program: it must be known to the
   * message that carries it).
   */
  procMounts?: { destination: string; options: Record<string, string | true>; attrs: number; fd: number }[];
}

/**
 * KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK, the permissions
 * the kernel gives a session keyring it makes for join, plus KEY_USR_SEARCH
 * as runc adds: the container's own user may then use its keyring.
 */
const SESSION_KEYRING_PERM = 0x3f1b0000;

/**
 * In the container's cgroup already, and PID 1 of its PID namespace: the
 * namespaces, in runc's order (those given by path, then the new ones, the
 * cgroup one now rooted at the container's cgroup), the session keyring,
 * then word to the runtime, whose thread joins them to build the rootfs.
 */
export function namespaceStage(o: NamespaceStage): StubProgram {
  const prog = new StubProgram({ reportFd: o.channelFd });
  // execve made the process dumpable again.
  prog.call("prctl", [PR_SET_DUMPABLE, 0, 0, 0, 0], { what: "make the init non-dumpable" });
  if (o.join.length > SLOT_LIMIT - NAMESPACE_SLOTS) throw new Error(`start-up program: ${o.join.length} namespaces to join`);
  o.join.forEach(({ type, path }, i) => {
    prog.call("openat", [AT_FDCWD, prog.str(path), O_RDONLY | O_CLOEXEC, 0], { what: `${type} namespace ${path}`, result: NAMESPACE_SLOTS + i });
  });
  o.join.forEach(({ type, path }, i) => {
    prog.call("setns", [slot(NAMESPACE_SLOTS + i), NAMESPACE_FLAGS[type]], { what: `joining ${type} namespace ${path}` });
    prog.call("close", [slot(NAMESPACE_SLOTS + i)], { what: `close the ${type} namespace's descriptor` });
  });
  const made = o.make.reduce((flags, type) => flags | NAMESPACE_FLAGS[type], 0);
  if (made !== 0) prog.call("unshare", [made], { what: `linux.namespaces: creating namespaces (${o.make.join(", ")})` });
  if (o.keyring !== undefined) joinSessionKeyring(prog, o.keyring);
  const procs = o.procMounts ?? [];
  for (const m of procs) mountProc(prog, m);
  const report = prog.u64s([NAMESPACES_REPORT_MAGIC, 0]);
  if (procs.length === 0) {
    prog.call("write", [o.channelFd, report, 16], { what: "report the namespaces made" });
  } else {
    // One message: the report and, as SCM_RIGHTS, every proc mount.
    const data = procs.length * 4;
    const control = new Uint8Array(16 + Math.ceil(data / 8) * 8);
    const view = new DataView(control.buffer);
    view.setBigUint64(0, BigInt(16 + data), true);
    view.setInt32(8, SOL_SOCKET, true);
    view.setInt32(12, SCM_RIGHTS, true);
    procs.forEach((m, i) => view.setInt32(16 + 4 * i, m.fd, true));
    const msghdr = prog.u64s([0, 0, prog.u64s([report, 16]), 1, prog.bytes(control), control.length, 0]);
    prog.call("sendmsg", [o.channelFd, msghdr, 0], { what: "report the namespaces made, with the proc mounts" });
    for (const m of procs) prog.call("close", [m.fd], { what: `close the proc mount for ${quote(m.destination)}` });
  }
  continueWithNext(prog, o);
  return prog;
}

/** A detached proc mount of this process's PID namespace, its options set, at descriptor `m.fd`. */
function mountProc(prog: StubProgram, m: NonNullable<NamespaceStage["procMounts"]>[number]): void {
  const what = `mount "proc" on ${quote(m.destination)}`;
  const [context, mount] = [CONSOLE, NAMESPACE_SLOTS];
  prog.call("fsopen", [prog.str("proc"), FSOPEN_CLOEXEC], { what, result: context });
  for (const [key, value] of Object.entries(m.options)) {
    const set = value === true ? [FSCONFIG_SET_FLAG, prog.str(key), 0, 0] : [FSCONFIG_SET_STRING, prog.str(key), prog.str(value), 0];
    prog.call("fsconfig", [slot(context), ...set], { what: `${what}: option ${quote(key)}` });
  }
  prog.call("fsconfig", [slot(context), FSCONFIG_CMD_CREATE, 0, 0, 0], { what });
  prog.call("fsmount", [slot(context), FSMOUNT_CLOEXEC, m.attrs], { what, result: mount });
  prog.call("close", [slot(context)], { what });
  prog.call("dup3", [slot(mount), m.fd, O_CLOEXEC], { what });
  prog.call("close", [slot(mount)], { what });
}

/**
 * A process spawned by a JavaScript runtime inherits every descriptor of the
 * runtime's not marked close-on-exec (Deno keeps some): none may reach the
 * container. Linux before 5.9 lacks close_range; there they stay open.
 */
function closeInherited(prog: StubProgram, from: number): void {
  prog.call("close_range", [from, 0xffffffff, 0], { what: "close the runtime's other descriptors", ok: "ENOSYS" });
}

/** A kernel without keyrings has nothing to isolate: ENOSYS is no failure. */
function joinSessionKeyring(prog: StubProgram, name: string): void {
  const what = "joining a new session keyring (--no-new-keyring skips it)";
  prog.call("keyctl", [KEYCTL_JOIN_SESSION_KEYRING, prog.str(name), 0, 0, 0], { what, result: CONSOLE, ok: "ENOSYS" });
  prog.call("keyctl", [KEYCTL_SETPERM, slot(CONSOLE), SESSION_KEYRING_PERM, 0, 0], { what, ok: "ENOSYS" });
}

/**
 * Receives the next program's sealed memfd on the channel and runs it. A
 * closed channel (the runtime gave up) reads as zero bytes and skips the
 * execveat: the program then ends.
 */
function continueWithNext(prog: StubProgram, o: Continued): void {
  const iov = prog.u64s([prog.reserve(8), 1]);
  const msghdr = prog.u64s([0, 0, iov, 1, prog.slotAddr(NEXT), 24, 0]);
  prog.call("recvmsg", [o.channelFd, msghdr, MSG_CMSG_CLOEXEC], { what: "receive the next start-up program", skipIfZero: 1 });
  prog.call("execveat", [slot(NEXT_FD), prog.str(""), prog.strings(o.argv), prog.strings([]), AT_EMPTY_PATH], {
    what: "run the next start-up program",
  });
}

/** The terminal, the umask and the cwd: what the JavaScript init did in its own process before it became the program. */
function ownProcessSettings(prog: StubProgram, own: NonNullable<CreateStartup["ownProcess"]>): void {
  // Now that the process is in its cgroup, which becomes the namespace's root.
  if (own.cgroupNamespace) prog.call("unshare", [CLONE_NEWCGROUP], { what: "linux.namespaces: creating the cgroup namespace" });
  if (own.terminal !== undefined) {
    const what = `process.terminal: open ${quote(own.terminal)}`;
    prog.call("openat", [AT_FDCWD, prog.str(own.terminal), O_RDWR | O_NOCTTY | O_CLOEXEC, 0], { what, result: CONSOLE });
    for (const fd of [0, 1, 2]) prog.call("dup3", [slot(CONSOLE), fd, 0], { what: `process.terminal: make it descriptor ${fd}` });
    prog.call("close", [slot(CONSOLE)], { what: "process.terminal: close the extra descriptor" });
    prog.call("ioctl", [0, TIOCSCTTY, 0], { what: "process.terminal: take the terminal" });
  }
  prog.call("umask", [own.umask], { what: "set process.user.umask" });
  if (own.cwd !== undefined) planEnterCwd(prog, own.cwd, `chdir to process.cwd ${quote(own.cwd)}`);
}

/**
 * What an `exec` helper written in JavaScript did in its own process before
 * it became the program, for a process runt starts without one (its loader
 * has joined the cgroup already): the program sets the limits its
 * child inherits, joins the container's namespaces by the descriptors it
 * was given (after the user namespace, which owns them), and enters the
 * container's cwd.
 */
export interface ExecPrelude {
  /** Descriptors from this one up are the runtime's, inherited by accident: closed first. */
  closeFrom: number;
  /** process.oomScoreAdj, written for the program itself while the host's /proc is its own. */
  oomScoreAdj?: number;
  /** process.rlimits as prlimit64 resources. */
  rlimits: { type: string; resource: number; soft: bigint; hard: bigint }[];
  /** A new session keyring's name (runc gives an exec'd process one too). */
  keyring?: string;
  /** mount, network, IPC, UTS and cgroup namespaces, as descriptors the program holds. */
  join: { type: string; fd: number }[];
  umask: number;
  /** process.cwd when root may enter it (else the credentials step enters it as the user). */
  cwd?: string;
}

export interface ExecStartup extends Common {
  prelude?: ExecPrelude;
  /** The container's PID namespace, entered for the process to come. */
  pidNamespaceFd?: number;
  /**
   * The container's cgroup v2 directory, opened: the process is cloned
   * straight into it (CLONE_INTO_CGROUP), where a move into a cgroup would
   * wait out an RCU grace period of the kernel's first.
   */
  cgroupFd?: number;
}

export function execStartup(o: ExecStartup): StubProgram {
  const prog = new StubProgram({ reportFd: o.channelFd });
  if (o.prelude) execPrelude(prog, o.prelude);
  // User first, as the kernel needs and runc does: the namespaces below belong to it.
  enterUserNamespace(prog, o.userNamespaceFd);
  if (o.prelude) joinNamespaces(prog, o.prelude);
  enterTimeNamespace(prog, o.timeNamespaceFd);
  startInPidNamespace(prog, o.channelFd, o.pidNamespaceFd, o.cgroupFd);
  // The child: the channel must not reach the user's program.
  prog.call("fcntl", [o.channelFd, F_SETFD, FD_CLOEXEC], { what: "close the channel on exec" });
  if (o.spec.process?.terminal) {
    // The terminal (already on 0, 1 and 2) becomes this session's controlling one.
    prog.call("setsid", [], { what: "process.terminal: start a session" });
    prog.call("ioctl", [0, TIOCSCTTY, 0], { what: "process.terminal: take the terminal" });
  }
  processSettings(prog, o);
  lateFilter(prog, o);
  lastSteps(prog, o);
  return prog;
}

export interface UserNamespaceStartup {
  /** The channel to the runtime, which the init goes on using. */
  channelFd: number;
  /** linux.namespaces' user namespace given by path, opened by the runtime: joined instead of a new one. */
  userNamespaceFd?: number;
  /**
   * Neither: the config has no user namespace, and the runtime is root of
   * one other than the host's (rootless podman), whose own namespaces it
   * could not come back to from the container's: the container is made in
   * that user namespace as in one of its own.
   */
  ownUserNamespace?: boolean;
  /** With a new user namespace: namespaces given by path, joined before it is made (runc's order). */
  joinFirst: { type: string; fd: number }[];
  /** New namespaces made right after the user namespace (runtime/container/user_namespace.ts says which). */
  make: string[];
  /** linux.namespaces has a new PID namespace: made after the user namespace, so that one owns it. */
  newPidNamespace: boolean;
  /** The JavaScript init (`runt init ID`), run as PID 1 of that PID namespace. */
  init: ExecTarget;
  /**
   * The init's executable, opened by the runtime: it is exec'd from this
   * descriptor, which the namespace's root could not reach by path below a
   * directory others may not enter (runc runs a copy of itself made in
   * memory). Close-on-exec first: the init does not keep it.
   */
  initFd: number;
}

/**
 * Started by `create` instead of the init when the config has a user
 * namespace. The init it starts runs exec'd inside that namespace, so the
 * namespace's root may ptrace it (non-dumpable does not stop a holder of
 * CAP_SYS_PTRACE there). No process of the container exists before the
 * init has become the container's own start-up program: in a new user
 * namespace the init is the only process (createContainer hooks aside,
 * which the config's author runs there on purpose); in one joined by path,
 * the processes already there see the init only if they share its PID
 * namespace, and a PID namespace given by path is entered by the init's
 * own start-up program, never by the init. Keep it that way.
 */
export function userNamespaceStartup(o: UserNamespaceStartup): StubProgram {
  const prog = new StubProgram({ reportFd: o.channelFd });
  if (o.userNamespaceFd !== undefined) {
    enterUserNamespace(prog, o.userNamespaceFd);
  } else {
    for (const { type, fd } of o.joinFirst) {
      prog.call("setns", [fd, NAMESPACE_FLAGS[type]], { what: `joining the ${type} namespace of linux.namespaces` });
      prog.call("close", [fd], { what: `close the ${type} namespace's descriptor` });
    }
    if (!o.ownUserNamespace) prog.call("unshare", [CLONE_NEWUSER], { what: "linux.namespaces: creating the user namespace" });
  }
  // The maps, for a new namespace, are written from outside, once the config is valid (under systemd, once the program is in its unit).
  const ask = prog.u64s([prog.u64s([USERNS_REPORT_MAGIC]), 8, prog.u64s([0]), 8]);
  prog.call("writev", [o.channelFd, ask, 2], { what: "ask the runtime for linux.uidMappings and linux.gidMappings" });
  prog.call("read", [o.channelFd, prog.reserve(1), 1], { what: "wait for the runtime to write the ID maps" });
  // Root of the namespace, as runc's init becomes: the init then has every capability in it.
  prog.call("setresuid", [0, 0, 0], { what: "linux.uidMappings: become uid 0 in the user namespace" });
  const made = o.make.reduce((flags, type) => flags | NAMESPACE_FLAGS[type], 0);
  if (made !== 0) prog.call("unshare", [made], { what: `linux.namespaces: creating namespaces (${o.make.join(", ")})` });
  prog.call("setresgid", [0, 0, 0], { what: "linux.gidMappings: become gid 0 in the user namespace" });
  // The host's supplementary groups go; a namespace whose setgroups is "deny" never had them mapped.
  prog.call("setgroups", [0, 0], { what: "drop the runtime's supplementary groups", ok: "EPERM" });
  if (o.newPidNamespace) prog.call("unshare", [CLONE_NEWPID], { what: "linux.namespaces: creating the pid namespace" });
  prog.call("clone", [CLONE_PARENT | SIGCHLD, 0, 0, 0, 0], { what: "start the container init", result: CHILD, skipIfZero: 2 });
  const iov = prog.u64s([prog.u64s([PID_REPORT_MAGIC]), 8, prog.slotAddr(CHILD), 8]);
  prog.call("writev", [o.channelFd, iov, 2], { what: "report the init's PID" });
  prog.call("exit_group", [0], { what: "exit" });
  // The child: a session of its own, as the init started by posix_spawn has, for the container's terminal.
  prog.call("setsid", [], { what: "start the init's session" });
  const { path, args, env } = o.init;
  prog.call("fcntl", [o.initFd, F_SETFD, FD_CLOEXEC], { what: "close the init's executable on exec" });
  prog.call("execveat", [o.initFd, prog.str(""), prog.strings(args), prog.strings(env), AT_EMPTY_PATH], { what: `exec the container init ${quote(path)}` });
  return prog;
}

/** Joined before any other namespace: those made or joined afterwards are the user namespace's. */
function enterUserNamespace(prog: StubProgram, fd: number | undefined): void {
  if (fd === undefined) return;
  prog.call("setns", [fd, CLONE_NEWUSER], { what: "joining the user namespace of linux.namespaces" });
  prog.call("close", [fd], { what: "close the user namespace's descriptor" });
}

/** Entered by the program itself, and so by every process it starts. */
function enterTimeNamespace(prog: StubProgram, fd: number | undefined): void {
  if (fd === undefined) return;
  prog.call("setns", [fd, CLONE_NEWTIME], { what: "joining the time namespace of linux.namespaces" });
  prog.call("close", [fd], { what: "close the time namespace's descriptor" });
}

/**
 * The runtime's process cannot be born in a PID namespace it did not
 * create: the program enters it (for its children) and clones the process
 * that lives there, as the runtime's own child (CLONE_PARENT). The program
 * reports that PID and ends; the child goes on with the calls that follow.
 */
function startInPidNamespace(prog: StubProgram, channelFd: number, pidNamespaceFd?: number, cgroupFd?: number): void {
  if (pidNamespaceFd !== undefined) {
    prog.call("setns", [pidNamespaceFd, CLONE_NEWPID], { what: "joining the container's pid namespace" });
    prog.call("close", [pidNamespaceFd], { what: "close the pid namespace's descriptor" });
  }
  if (cgroupFd === undefined) {
    prog.call("clone", [CLONE_PARENT | SIGCHLD, 0, 0, 0, 0], { what: "start the process inside the container", result: CHILD, skipIfZero: 2 });
  } else {
    // struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup.
    // clone3 refuses an exit signal with CLONE_PARENT: the child takes the caller's own, SIGCHLD, as clone's does.
    const args = prog.u64s([BigInt(CLONE_PARENT) | CLONE_INTO_CGROUP, 0, 0, 0, 0, 0, 0, 0, 0, 0, cgroupFd]);
    prog.call("clone3", [args, CLONE_ARGS_SIZE], { what: "start the process inside the container and its cgroup", result: CHILD, skipIfZero: 2 });
  }
  // [PID_REPORT_MAGIC, pid] in one write, so it never mixes with what the child writes.
  const iov = prog.u64s([prog.u64s([PID_REPORT_MAGIC]), 8, prog.slotAddr(CHILD), 8]);
  prog.call("writev", [channelFd, iov, 2], { what: "report the process's PID" });
  prog.call("exit_group", [0], { what: "exit" });
  // A host cgroup directory must not reach the container's process.
  if (cgroupFd !== undefined) prog.call("close", [cgroupFd], { what: "close the cgroup's descriptor" });
}

/** LSM labels, the filter that needs privileges, then the credentials (runc's order). */
function processSettings(prog: StubProgram, o: Common): void {
  const proc = o.spec.process!;
  planLsmLabels(prog, proc);
  // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: before the capabilities go.
  if (o.seccomp && !proc.noNewPrivileges) planFilter(prog, o.seccomp, o.channelFd);
  planCredentials(prog, o.spec, o.applied, o.host);
}

/**
 * With no_new_privs the filter goes in after the credentials, so the
 * profile need not allow them: what follows it is what runc's init does
 * after its own (report ready, the exec fifo, execve).
 */
function lateFilter(prog: StubProgram, o: Common): void {
  if (o.seccomp && o.spec.process?.noNewPrivileges) planFilter(prog, o.seccomp, o.channelFd);
}

function lastSteps(prog: StubProgram, o: Common): void {
  const { path, args, env } = o.exec;
  prog.call("execve", [prog.str(path), prog.strings(args), prog.strings(env)], { what: `exec: ${quote(path)}` });
}
