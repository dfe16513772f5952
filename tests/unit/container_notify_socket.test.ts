import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AF_UNIX,
  loadSyscalls,
  MSG_DONTWAIT,
  POLLIN,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  type Syscalls,
} from "../../ffi/mod.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import {
  CONTAINER_NOTIFY_SOCKET,
  notifyDir,
  notifySocketPath,
  NotifyRelay,
  prepareNotifySocket,
  readyLine,
  relayThenClose,
  withNotifySocket,
} from "../../runtime/container/notify_socket.ts";
import { RuntError } from "../../runtime/errors.ts";
import type { Spec } from "../../runtime/spec/schema.ts";

const sys: Syscalls = await loadSyscalls();
const encode = (text: string) => new TextEncoder().encode(text);

function baseSpec(): Spec {
  return {
    ociVersion: "1.0.2",
    root: { path: "rootfs" },
    process: { cwd: "/", args: ["sh"], env: ["PATH=/bin"], user: { uid: 0, gid: 0 } },
    mounts: [{ destination: "/proc", type: "proc", source: "proc" }],
  };
}

/** A state directory in a fresh temp dir, with the notify directory create makes. */
function withStateDir(fn: (stateDir: string, tmp: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const tmp = mkdtempSync(join(tmpdir(), "runt-notify-"));
    const stateDir = join(tmp, "state");
    mkdirSync(stateDir);
    try {
      await fn(stateDir, tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };
}

/** A bound datagram socket standing in for the service manager's. */
function managerSocket(path: string): { fd: number; receiveAll(): string[]; close(): void } {
  const fd = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
  sys.bind(fd, path);
  return {
    fd,
    receiveAll() {
      const got: string[] = [];
      const buf = new Uint8Array(4096);
      while (sys.poll([{ fd, events: POLLIN }], 0)[0] & POLLIN) {
        got.push(new TextDecoder().decode(buf.subarray(0, sys.recvmsg(fd, buf, 0, MSG_DONTWAIT).bytes)));
      }
      return got;
    },
    close: () => sys.close(fd),
  };
}

/** What a process in the container does: one datagram to the notify socket. */
function sendTo(path: string, text: string): void {
  const fd = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
  try {
    sys.connect(fd, path);
    sys.sendmsg(fd, encode(text));
  } finally {
    sys.close(fd);
  }
}

test("withNotifySocket appends runc's read-only bind of the notify directory and NOTIFY_SOCKET", () => {
  const spec = baseSpec();
  const before = structuredClone(spec);
  const adjusted = withNotifySocket(spec, "/run/runt/c1");
  assert.deepEqual(adjusted.mounts, [
    ...before.mounts!,
    { destination: "/run/notify", source: "/run/runt/c1/notify", type: "bind", options: ["bind", "nosuid", "noexec", "nodev", "ro"] },
  ]);
  assert.deepEqual(adjusted.process!.env, ["PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock"]);
  assert.deepEqual(spec, before, "the spec given is not changed");
  assert.equal(CONTAINER_NOTIFY_SOCKET, "/run/notify/notify.sock");
});

test("withNotifySocket copes with a spec without mounts or env, and makes the source absolute", () => {
  const spec: Spec = { ociVersion: "1.0.2", process: { cwd: "/", args: ["sh"], user: { uid: 0, gid: 0 } } };
  const adjusted = withNotifySocket(spec, "state/c1");
  assert.equal(adjusted.mounts!.length, 1);
  assert.equal(adjusted.mounts![0].source, join(process.cwd(), "state/c1/notify"));
  assert.deepEqual(adjusted.process!.env, ["NOTIFY_SOCKET=/run/notify/notify.sock"]);
  assert.equal(spec.mounts, undefined);
  assert.equal(spec.process!.env, undefined);
});

test("readyLine: the first line of a datagram starting with READY=, nothing for any other", () => {
  assert.equal(readyLine(encode("READY=1")), "READY=1");
  assert.equal(readyLine(encode("READY=1\nSTATUS=serving\n")), "READY=1");
  assert.equal(readyLine(encode("STATUS=starting\nREADY=1")), null);
  assert.equal(readyLine(encode("WATCHDOG=1")), null);
  assert.equal(readyLine(encode("")), null);
});

test("prepareNotifySocket makes the notify directory 0755 before the init needs it", withStateDir((stateDir) => {
  const spec = prepareNotifySocket(baseSpec(), stateDir);
  const dir = notifyDir(stateDir);
  assert.equal(statSync(dir).mode & 0o7777, 0o755);
  assert.equal(spec.mounts!.at(-1)!.source, dir);
}));

test("prepareNotifySocket refuses a state path too long for a socket, in one line, making nothing", withStateDir((stateDir) => {
  const long = join(stateDir, "c".repeat(100));
  mkdirSync(long);
  assert.throws(() => prepareNotifySocket(baseSpec(), long), (e: unknown) => {
    assert.ok(e instanceof RuntError);
    assert.equal(e.lines().length, 1);
    assert.match(e.message, /^NOTIFY_SOCKET: the container's notify socket \/.*\/notify\/notify\.sock is \d+ bytes, longer than the 107 .*\(use a shorter --root or container id\)$/);
    return true;
  });
  assert.equal(existsSync(notifyDir(long)), false);
}));

test("open binds the container's socket (mode 0777) and connects to the manager's", withStateDir((stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    const st = statSync(notifySocketPath(stateDir));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o777);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("open's system calls: a non-blocking listener, a blocking sender, both close-on-exec", withStateDir((stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  // The fake binds nothing: a file stands in for the socket chmod works on.
  writeFileSync(notifySocketPath(stateDir), "");
  const fake = new RecordingSyscalls();
  const relay = NotifyRelay.open(fake, stateDir, join(tmp, "manager.sock"));
  relay.close();
  assert.deepEqual(fake.names(), ["socket", "bind", "socket", "connect", "close", "close"]);
  assert.deepEqual(fake.callsTo("socket"), [[AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0], [AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0]]);
  assert.deepEqual(fake.callsTo("bind"), [[3, notifySocketPath(stateDir)]]);
  assert.deepEqual(fake.callsTo("connect"), [[4, join(tmp, "manager.sock")]]);
}));

test("a manager socket that cannot be reached fails open in one line and leaves no socket behind", withStateDir((stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const missing = join(tmp, "no-such.sock");
  assert.throws(() => NotifyRelay.open(sys, stateDir, missing), (e: unknown) => {
    assert.ok(e instanceof RuntError);
    assert.equal(e.message, `NOTIFY_SOCKET: connecting to ${missing}: ENOENT (No such file or directory)`);
    return true;
  });
  assert.equal(existsSync(notifySocketPath(stateDir)), false);
}));

test("a failed connect closes both sockets (recorded)", withStateDir((stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  writeFileSync(notifySocketPath(stateDir), "");
  const fake = new RecordingSyscalls().failOn("connect", "ECONNREFUSED");
  assert.throws(() => NotifyRelay.open(fake, stateDir, join(tmp, "m.sock")), /NOTIFY_SOCKET: connecting to .*m\.sock: ECONNREFUSED/);
  assert.deepEqual(fake.callsTo("close").map(([fd]) => fd).sort(), [3, 4]);
  assert.equal(existsSync(notifySocketPath(stateDir)), false);
}));

test("open refuses a container created without NOTIFY_SOCKET, or an overlong manager socket", withStateDir((stateDir, tmp) => {
  const fake = new RecordingSyscalls();
  assert.throws(() => NotifyRelay.open(fake, stateDir, join(tmp, "m.sock")), /created without NOTIFY_SOCKET/);
  assert.throws(() => NotifyRelay.open(fake, stateDir, "/" + "x".repeat(110)), /is 111 bytes, longer than the 107/);
  assert.deepEqual(fake.calls, [], "nothing is opened for a refused socket");
}));

test("relay passes the first READY on as its first line, then MAINPID, and drops the rest", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    sendTo(notifySocketPath(stateDir), "STATUS=starting");
    sendTo(notifySocketPath(stateDir), "READY=1\nSTATUS=serving");
    sendTo(notifySocketPath(stateDir), "READY=2");
    assert.equal(await relay.relay({ mainPid: 4242, isAlive: () => true }), true);
    assert.deepEqual(manager.receiveAll(), ["READY=1\n", "MAINPID=4242\n"]);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("relay keeps the event loop free while it waits (pollMs 0)", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    // The sender runs on a timer of this same thread: it only fires if relay yields.
    setTimeout(() => sendTo(notifySocketPath(stateDir), "READY=1"), 150);
    assert.equal(await relay.relay({ mainPid: 7, isAlive: () => true }), true);
    assert.deepEqual(manager.receiveAll(), ["READY=1\n", "MAINPID=7\n"]);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("relay ends without a word once the watched process is gone", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    sendTo(notifySocketPath(stateDir), "STATUS=never ready");
    let alive = true;
    setTimeout(() => alive = false, 200);
    const started = Date.now();
    assert.equal(await relay.relay({ mainPid: 1, isAlive: () => alive, pollMs: 100 }), false);
    const took = Date.now() - started;
    assert.ok(took >= 200 && took < 1000, `ended after ${took} ms`);
    assert.deepEqual(manager.receiveAll(), []);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("a READY sent just before the process went is still passed on", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    // The datagram lands between a poll that found nothing and the check that finds the process gone.
    const isAlive = () => {
      sendTo(notifySocketPath(stateDir), "READY=1");
      return false;
    };
    assert.equal(await relay.relay({ mainPid: 3, isAlive }), true);
    assert.deepEqual(manager.receiveAll(), ["READY=1\n", "MAINPID=3\n"]);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("relay stopped by its signal still passes on a READY already queued", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const manager = managerSocket(join(tmp, "manager.sock"));
  const relay = NotifyRelay.open(sys, stateDir, join(tmp, "manager.sock"));
  try {
    const stop = new AbortController();
    stop.abort();
    assert.equal(await relay.relay({ mainPid: 5, isAlive: () => true, signal: stop.signal }), false);
    sendTo(notifySocketPath(stateDir), "READY=1");
    assert.equal(await relay.relay({ mainPid: 5, isAlive: () => true, signal: stop.signal }), true);
    assert.deepEqual(manager.receiveAll(), ["READY=1\n", "MAINPID=5\n"]);
  } finally {
    relay.close();
    manager.close();
  }
}));

test("relayThenClose: a manager gone meanwhile is a warning with warn, an error without; the sockets close either way", withStateDir(async (stateDir, tmp) => {
  mkdirSync(notifyDir(stateDir));
  const managerPath = join(tmp, "manager.sock");
  for (const warned of [true, false]) {
    const manager = managerSocket(managerPath);
    const relay = NotifyRelay.open(sys, stateDir, managerPath);
    manager.close();
    rmSync(managerPath);
    sendTo(notifySocketPath(stateDir), "READY=1");
    const warnings: string[] = [];
    const relaying = relayThenClose(relay, { mainPid: 1, isAlive: () => true }, warned ? (l) => warnings.push(l) : undefined);
    if (warned) {
      assert.equal(await relaying, false);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /^NOTIFY_SOCKET: sending to the service manager: ECONNREFUSED/);
    } else {
      await assert.rejects(relaying, (e: unknown) => {
        assert.ok(e instanceof RuntError);
        assert.match(e.message, /^NOTIFY_SOCKET: sending to the service manager: ECONNREFUSED/);
        return true;
      });
    }
    // Closed: the container's socket is bound by nobody now.
    assert.throws(() => sendTo(notifySocketPath(stateDir), "READY=1"), /ECONNREFUSED/);
    rmSync(notifySocketPath(stateDir));
  }
}));
