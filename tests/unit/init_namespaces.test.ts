/** The order in which the parent and the init enter namespaces, recorded on the fake. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { CLONE_FS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS, IFF_UP, SIOCGIFFLAGS, SIOCSIFFLAGS } from "../../ffi/constants.ts";
import { bringUpLoopback } from "../../runtime/init/loopback.ts";
import { enterInitNamespaces } from "../../runtime/init/namespaces.ts";
import { spawnInit } from "../../runtime/init/spawn.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";

function specWith(namespaces: Array<{ type: string; path?: string }>): Spec {
  const spec = defaultSpec();
  spec.linux!.namespaces = namespaces as NonNullable<Spec["linux"]>["namespaces"];
  return spec;
}

const names = (sys: RecordingSyscalls) => sys.calls.map((c) => c.name);

test("the init unshares every new namespace but pid in one call", () => {
  const sys = new RecordingSyscalls();
  enterInitNamespaces(sys, defaultSpec());
  assert.deepEqual(sys.calls, [{ name: "unshare", args: [CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET] }]);
});

test("the init opens every namespace file before it joins any, unsharing its fs state before a mount namespace", () => {
  const sys = new RecordingSyscalls();
  enterInitNamespaces(sys, specWith([
    { type: "pid" },
    { type: "mount", path: "/proc/1/ns/mnt" },
    { type: "network", path: "/var/run/netns/x" },
    { type: "uts" },
  ]));
  assert.deepEqual(names(sys), ["open", "open", "unshare", "setns", "setns", "close", "close", "unshare"]);
  assert.equal(sys.calls[0].args[0], "/proc/1/ns/mnt");
  assert.equal(sys.calls[1].args[0], "/var/run/netns/x");
  assert.deepEqual(sys.calls[2].args, [CLONE_FS]);
  assert.equal(sys.calls[3].args[1], CLONE_NEWNS);
  assert.equal(sys.calls[4].args[1], CLONE_NEWNET);
  assert.deepEqual(sys.calls[7].args, [CLONE_NEWUTS]);
});

test("exec: the PID namespace is opened with the others and handed back, not joined", () => {
  const sys = new RecordingSyscalls();
  const { pid: fd } = enterInitNamespaces(sys, specWith([
    { type: "pid", path: "/proc/9/ns/pid" },
    { type: "mount", path: "/proc/9/ns/mnt" },
  ]), { pidForChildren: true });
  assert.deepEqual(names(sys), ["open", "open", "unshare", "setns", "close"]);
  assert.equal(sys.calls[0].args[0], "/proc/9/ns/mnt");
  assert.equal(sys.calls[1].args[0], "/proc/9/ns/pid");
  // The fake numbers descriptors from 3: the mount namespace's is closed, the PID one's returned.
  assert.equal(fd, 4);
  assert.deepEqual(sys.callsTo("close"), [[3]]);
  assert.equal(sys.calls[3].args[1], CLONE_NEWNS);
});

test("a namespace path that cannot be joined is named", () => {
  const sys = new RecordingSyscalls().failOn("setns", "EINVAL");
  assert.throws(() => enterInitNamespaces(sys, specWith([{ type: "network", path: "/proc/77/ns/net" }])), {
    message: /^joining network namespace \/proc\/77\/ns\/net: setns\(.*EINVAL/,
  });
});

type SpawnCall = [string, string[], string[], { fileActions: Array<{ to: number }>; pidNamespace?: { joinFd?: number; restoreFd: number } }];

function spawnCall(sys: RecordingSyscalls): SpawnCall {
  return sys.calls.find((c) => c.name === "posixSpawn")!.args as SpawnCall;
}

test("the parent spawns the init as the first process of a new PID namespace, returning to its own", () => {
  const sys = new RecordingSyscalls();
  const { pid } = spawnInit(sys, "c1", {}, 0);
  assert.ok(pid > 0);
  const [, argv, envp, options] = spawnCall(sys);
  assert.deepEqual(argv.slice(-2), ["init", "c1"]);
  assert.ok(envp.includes("_RUNT_INIT_FD=3"));
  assert.equal(options.fileActions[0].to, 3);
  assert.equal(options.pidNamespace?.joinFd, undefined, "a new namespace, not a joined one");
  const own = sys.calls.find((c) => c.name === "open" && c.args[0] === "/proc/self/ns/pid");
  assert.ok(own, "the parent's own PID namespace is held open to return to");
  assert.ok(sys.calls.some((c) => c.name === "close" && c.args[0] === options.pidNamespace?.restoreFd));
  assert.equal(typeof options.pidNamespace?.restoreFd, "number");
});

test("preserved descriptors push the init channel above them", () => {
  const sys = new RecordingSyscalls();
  spawnInit(sys, "c1", {}, 2);
  const [, , envp, options] = spawnCall(sys);
  assert.ok(envp.includes("_RUNT_INIT_FD=5"));
  assert.equal(options.fileActions[0].to, 5);
});

test("without a pid namespace the init is spawned in the host's", () => {
  const sys = new RecordingSyscalls();
  spawnInit(sys, "c1", undefined, 0);
  assert.equal(spawnCall(sys)[3].pidNamespace, undefined);
  assert.ok(!sys.calls.some((c) => c.name === "open" && c.args[0] === "/proc/self/ns/pid"));
});

test("a pid namespace given by path is joined for the spawn, and both descriptors are closed", () => {
  const sys = new RecordingSyscalls();
  spawnInit(sys, "c1", { path: "/proc/9/ns/pid" }, 0);
  const ns = spawnCall(sys)[3].pidNamespace!;
  assert.equal(typeof ns.joinFd, "number");
  assert.notEqual(ns.joinFd, ns.restoreFd);
  assert.ok(sys.calls.some((c) => c.name === "open" && c.args[0] === "/proc/9/ns/pid"));
  const closed = sys.calls.filter((c) => c.name === "close").map((c) => c.args[0]);
  assert.ok(closed.includes(ns.joinFd) && closed.includes(ns.restoreFd));
});

test("a pid namespace path that cannot be opened is named", () => {
  const sys = new RecordingSyscalls().failOn("open", "ENOENT", { when: (path: string) => path === "/proc/9/ns/pid" });
  assert.throws(() => spawnInit(sys, "c1", { path: "/proc/9/ns/pid" }, 0), { message: /^pid namespace \/proc\/9\/ns\/pid: open\(.*ENOENT/ });
});

test("a failed spawn closes what it opened and the channel", () => {
  const sys = new RecordingSyscalls().failOn("posixSpawn", "ENOMEM");
  assert.throws(() => spawnInit(sys, "c1", {}, 0), /ENOMEM/);
  const opened = sys.calls.filter((c) => c.name === "open").length + 2;
  assert.ok(sys.calls.filter((c) => c.name === "close").length >= opened);
});

test("a new network namespace gets its loopback interface up, its other flags kept", () => {
  const sys = new RecordingSyscalls();
  bringUpLoopback(sys);
  const [socket, get, set, close] = sys.calls;
  assert.equal(socket.name, "socket");
  assert.equal(get.name, "ioctl");
  assert.equal(get.args[1], SIOCGIFFLAGS);
  assert.equal(set.name, "ioctl");
  assert.equal(set.args[1], SIOCSIFFLAGS);
  const ifreq = set.args[2] as Uint8Array;
  assert.equal(new TextDecoder().decode(ifreq.subarray(0, 2)), "lo");
  assert.equal(new DataView(ifreq.buffer).getUint16(16, true) & IFF_UP, IFF_UP);
  assert.equal(close.name, "close");
});
