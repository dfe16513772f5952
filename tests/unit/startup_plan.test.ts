/**
 * The start-up program's order, as runtime/startup/plan.ts writes it, for
 * each kind of container process: read back from the built program.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { capabilityMasks } from "../../runtime/process/capabilities.ts";
import type { ProcessLimitsApplied } from "../../runtime/process/apply.ts";
import type { ProcessHost } from "../../runtime/process/host.ts";
import { filterMessage } from "../../runtime/seccomp/install.ts";
import { compileSeccomp } from "../../runtime/seccomp/compile.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { createStartup, execStartup, loaderStartup, namespaceStage, userNamespaceStartup } from "../../runtime/startup/plan.ts";
import type { StubProgram } from "../../runtime/stub/program.ts";
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_PATH, RESOLVE_NO_MAGICLINKS } from "../../ffi/constants.ts";
import { plannedCalls } from "./process_plan.ts";

const host: ProcessHost = { lastCap: () => 40, setgroupsAllowed: () => true, stdioOwner: () => 0 };
const CHANNEL = 5, FIFO = 6, PIDNS = 7;

function applied(spec: Spec): ProcessLimitsApplied {
  return { caps: capabilityMasks(spec.process!.capabilities, 40), lastCap: 40, cwdReached: true };
}

function base(edit: (s: Spec) => void = () => {}) {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  edit(spec);
  return {
    spec,
    exec: { path: "/bin/sh", args: ["sh"], env: ["PATH=/bin"] },
    applied: applied(spec),
    host,
    channelFd: CHANNEL,
  };
}

/** The program's calls by name, runs of the bounding-set drops and ambient raises folded into one. */
function names(prog: StubProgram): string[] {
  const out: string[] = [];
  for (const { name, what } of prog.ops) {
    const label = what.includes("from the bounding set") ? "drop bounding" : name;
    if (out[out.length - 1] !== label || label !== "drop bounding") out.push(label);
  }
  return out;
}

const CREDENTIALS = ["drop bounding", "prctl", "setgroups", "setresgid", "setresuid", "prctl", "capset", "prctl", "prctl"];

test("create: non-dumpable, credentials, ready, the exec fifo, then execve — PID 1 all along", () => {
  const prog = createStartup({ ...base(), fifoFd: FIFO });
  assert.deepEqual(names(prog), ["prctl", ...CREDENTIALS, "write", "close", "openat", "close", "write", "execve"]);
  const whats = prog.ops.map((o) => o.what);
  assert.equal(whats[0], "make the init non-dumpable");
  assert.ok(whats.indexOf("report ready to the runtime") < whats.indexOf("open the exec fifo"));
  assert.equal(whats[whats.length - 1], 'exec: "/bin/sh"');
});

test("create into a PID namespace given by path: enter it, clone, the parent reports the PID and ends, the child waits to be recorded", () => {
  const prog = createStartup({ ...base(), fifoFd: FIFO, pidNamespaceFd: PIDNS });
  assert.deepEqual(names(prog).slice(0, 7), ["setns", "close", "clone", "writev", "exit_group", "read", "prctl"]);
});

test("seccomp without no_new_privs goes in before the credentials; with it, after them and before ready", () => {
  const filter = filterMessage(compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }] }, "x64"));
  const early = names(createStartup({ ...base((s) => (s.process!.noNewPrivileges = false)), fifoFd: FIFO, seccomp: filter }));
  assert.ok(early.indexOf("seccomp") < early.indexOf("setresuid"));
  const late = createStartup({ ...base((s) => (s.process!.noNewPrivileges = true)), fifoFd: FIFO, seccomp: filter });
  const whats = late.ops.map((o) => o.what);
  const seccomp = whats.indexOf("linux.seccomp: installing the filter");
  assert.ok(seccomp > whats.indexOf("set process.noNewPrivileges"));
  assert.ok(seccomp < whats.indexOf("report ready to the runtime"));
  // Nothing the profile might forbid but what runc's init does after its own: ready, the fifo, execve.
  assert.deepEqual(late.ops.slice(seccomp + 1).map((o) => o.name), ["write", "close", "openat", "close", "write", "execve"]);
});

test("a filter with SCMP_ACT_NOTIFY: the listener is reported, held until the runtime has it, then closed", () => {
  const filter = filterMessage(compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/a", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_NOTIFY" }] }, "x64"));
  const prog = createStartup({ ...base(), fifoFd: FIFO, seccomp: filter });
  const at = prog.ops.findIndex((o) => o.name === "seccomp");
  assert.deepEqual(prog.ops.slice(at, at + 4).map((o) => o.name), ["seccomp", "writev", "read", "close"]);
});

test("exec: enter the PID namespace, clone (the parent reports and ends), then the child's terminal, credentials and execve", () => {
  const prog = execStartup({ ...base((s) => (s.process!.terminal = true)), pidNamespaceFd: PIDNS });
  assert.deepEqual(names(prog), [
    "setns",
    "close",
    "clone",
    "writev",
    "exit_group",
    "fcntl",
    "setsid",
    "ioctl",
    ...CREDENTIALS,
    "execve",
  ]);
});

test("exec on cgroup v2: cloned straight into the cgroup (clone3, CLONE_INTO_CGROUP), and the child closes the cgroup's descriptor first", () => {
  const prog = execStartup({ ...base(), pidNamespaceFd: PIDNS, cgroupFd: 8 });
  assert.deepEqual(names(prog).slice(0, 7), ["setns", "close", "clone3", "writev", "exit_group", "close", "fcntl"]);
  assert.deepEqual(prog.ops[5], { name: "close", what: "close the cgroup's descriptor" });
  assert.match(prog.ops[2].what, /cgroup/);
  // Without the directory, the clone of old: the loader has moved itself.
  assert.deepEqual(names(execStartup({ ...base(), pidNamespaceFd: PIDNS })).slice(2, 6), ["clone", "writev", "exit_group", "fcntl"]);
});

const INIT = { path: "/usr/bin/runt", args: ["/usr/bin/runt", "init", "c1"], env: ["_RUNT_INIT_FD=5"] };
const INIT_EXE = 7;

test("user namespace, new: joins those given by path, unshares the user namespace, asks for its maps and waits, becomes root, makes the others, then the PID namespace, clones the init", () => {
  const prog = userNamespaceStartup({ channelFd: CHANNEL, joinFirst: [{ type: "network", fd: 8 }], make: ["ipc", "mount"], newPidNamespace: true, init: INIT, initFd: INIT_EXE });
  assert.deepEqual(names(prog), [
    "setns", "close", "unshare", "writev", "read", "setresuid", "unshare", "setresgid", "setgroups", "unshare", "clone", "writev", "exit_group", "setsid", "fcntl", "execveat",
  ]);
  const whats = prog.ops.map((o) => o.what);
  assert.equal(whats[2], "linux.namespaces: creating the user namespace");
  assert.equal(whats[6], "linux.namespaces: creating namespaces (ipc, mount)");
  assert.equal(whats[9], "linux.namespaces: creating the pid namespace");
  assert.equal(whats[whats.length - 1], 'exec the container init "/usr/bin/runt"');
});

test("user namespace given by path: joined first, no PID namespace of its own, still waits for the runtime", () => {
  const prog = userNamespaceStartup({ channelFd: CHANNEL, userNamespaceFd: 8, joinFirst: [], make: [], newPidNamespace: false, init: INIT, initFd: INIT_EXE });
  assert.deepEqual(names(prog), ["setns", "close", "writev", "read", "setresuid", "setresgid", "setgroups", "clone", "writev", "exit_group", "setsid", "fcntl", "execveat"]);
  assert.equal(prog.ops[0].what, "joining the user namespace of linux.namespaces");
});

test("no user namespace in the config, run by root of one other than the host's (rootless podman): the same steps in that one, none made", () => {
  const prog = userNamespaceStartup({ channelFd: CHANNEL, joinFirst: [], make: ["network", "mount"], newPidNamespace: true, ownUserNamespace: true, init: INIT, initFd: INIT_EXE });
  assert.deepEqual(names(prog), [
    "writev", "read", "setresuid", "unshare", "setresgid", "setgroups", "unshare", "clone", "writev", "exit_group", "setsid", "fcntl", "execveat",
  ]);
  assert.ok(prog.ops.every((o) => o.what !== "linux.namespaces: creating the user namespace"));
  assert.equal(prog.ops[3].what, "linux.namespaces: creating namespaces (network, mount)");
  assert.equal(prog.ops[6].what, "linux.namespaces: creating the pid namespace");
});

test("exec into a container with a user namespace: the user namespace before the time and PID ones", () => {
  const prog = execStartup({ ...base(), userNamespaceFd: 8, timeNamespaceFd: 9, pidNamespaceFd: PIDNS });
  assert.deepEqual(prog.ops.slice(0, 6).map((o) => o.what), [
    "joining the user namespace of linux.namespaces",
    "close the user namespace's descriptor",
    "joining the time namespace of linux.namespaces",
    "close the time namespace's descriptor",
    "joining the container's pid namespace",
    "close the pid namespace's descriptor",
  ]);
});

test("loader: non-dumpable, then receives the next program and runs it (a closed channel skips the execveat)", () => {
  const prog = loaderStartup({ channelFd: CHANNEL, argv: ["runt", "init", "c1"], closeFrom: FIFO + 1 });
  assert.deepEqual(names(prog), ["prctl", "close_range", "recvmsg", "execveat"]);
});

test("exec's loader joins the cgroup itself, writing 0 to each cgroup.procs, before it waits for the program", () => {
  const cgroupProcs = ["/sys/fs/cgroup/cpu/c1/cgroup.procs", "/sys/fs/cgroup/pids/c1/cgroup.procs"];
  const prog = loaderStartup({ channelFd: CHANNEL, argv: ["runt", "init", "c1"], closeFrom: 9, cgroupProcs });
  assert.deepEqual(names(prog), ["prctl", "close_range", "openat", "write", "close", "openat", "write", "close", "recvmsg", "execveat"]);
  assert.equal(prog.ops[2].what, "joining the container's cgroup: /sys/fs/cgroup/cpu/c1/cgroup.procs");
});

test("namespace stage: paths opened before the first setns, new namespaces, the keyring, proc for the new PID namespace, the report carrying it, then the next program", () => {
  const prog = namespaceStage({
    channelFd: CHANNEL,
    argv: ["runt", "init", "c1"],
    join: [{ type: "network", path: "/proc/10/ns/net" }, { type: "ipc", path: "/proc/10/ns/ipc" }],
    make: ["mount", "uts"],
    keyring: "_ses.c1",
    procMounts: [{ destination: "/proc", options: { source: "proc", hidepid: "2" }, attrs: 0xe, fd: 9 }],
  });
  assert.deepEqual(names(prog), [
    "prctl",
    "openat",
    "openat",
    "setns",
    "close",
    "setns",
    "close",
    "unshare",
    "keyctl",
    "keyctl",
    "fsopen",
    "fsconfig",
    "fsconfig",
    "fsconfig",
    "fsmount",
    "close",
    "dup3",
    "close",
    "sendmsg",
    "close",
    "recvmsg",
    "execveat",
  ]);
  const whats = prog.ops.map((o) => o.what);
  assert.ok(whats.includes("network namespace /proc/10/ns/net"));
  assert.ok(whats.includes('mount "proc" on "/proc": option "hidepid"'));
});

/** The cwd is entered through the descriptor openat2 gives, found following no /proc link. */
function assertCwdByDescriptor(prog: StubProgram, cwd: string): void {
  const at = names(prog).indexOf("openat2");
  const [open, enter, close] = plannedCalls(prog).slice(at, at + 3);
  assert.deepEqual(open.slice(0, 2), ["openat2", AT_FDCWD]);
  assert.equal(prog.ops[at].what, `chdir to process.cwd "${cwd}"`);
  assert.deepEqual(open.slice(2), [cwd, [O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS], 24]);
  assert.deepEqual([enter[0], close[0]], ["fchdir", "close"]);
  assert.equal(names(prog).includes("chdir"), false);
}

test("create built by runt: the cgroup namespace (now in the cgroup), the terminal, umask and cwd come first", () => {
  const prog = createStartup({ ...base(), fifoFd: FIFO, ownProcess: { cgroupNamespace: true, terminal: "/dev/pts/3", umask: 0o22, cwd: "/" } });
  assert.deepEqual(names(prog).slice(0, 12), ["prctl", "unshare", "openat", "dup3", "dup3", "dup3", "close", "ioctl", "umask", "openat2", "fchdir", "close"]);
  assertCwdByDescriptor(prog, "/");
});

test("exec started by runt: limits, keyring, then the user namespace before the others, then the PID namespace", () => {
  const prog = execStartup({
    ...base((s) => s.process!.rlimits = [{ type: "RLIMIT_NOFILE", soft: 100, hard: 200 }]),
    userNamespaceFd: 11,
    pidNamespaceFd: 12,
    prelude: {
      closeFrom: 13,
      oomScoreAdj: 10,
      rlimits: [{ type: "RLIMIT_NOFILE", resource: 7, soft: 100n, hard: 200n }],
      keyring: "_ses.c1",
      join: [{ type: "mount", fd: 9 }, { type: "network", fd: 10 }],
      umask: 0o22,
      cwd: "/",
    },
  });
  assertCwdByDescriptor(prog, "/");
  assert.deepEqual(names(prog).slice(0, 21), [
    "prctl",
    "close_range",
    "openat",
    "write",
    "close",
    "prlimit64",
    "keyctl",
    "keyctl",
    "setns",
    "close",
    "setns",
    "close",
    "setns",
    "close",
    "umask",
    "openat2",
    "fchdir",
    "close",
    "setns",
    "close",
    "clone",
  ]);
  assert.equal(prog.ops[8].what, "joining the user namespace of linux.namespaces");
});
