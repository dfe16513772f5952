/**
 * The terminal pieces without a container: termios and winsize layouts,
 * cfmakeraw's changes, a real pty pair (no root needed), the channel passing
 * a descriptor, and the rules for where a terminal may go.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AF_UNIX, loadSyscalls, O_CLOEXEC, O_CREAT, O_NOCTTY, O_RDWR, O_WRONLY, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM } from "../../ffi/mod.ts";
import { decodeTermios, decodeWinsize, encodeTermios, encodeWinsize, makeRaw } from "../../runtime/terminal/termios.ts";
import { openPty, readTermios, readWindowSize, writeTermios, writeWindowSize } from "../../runtime/terminal/pty.ts";
import { relayTerminal } from "../../runtime/terminal/relay.ts";
import { Channel } from "../../runtime/init/channel.ts";
import { checkConsoleUse, connectConsoleSocket, handOverConsole } from "../../runtime/container/console.ts";
import { activationFds, withActivationEnv } from "../../runtime/container/listen_fds.ts";
import type { Spec } from "../../runtime/spec/schema.ts";

const sys = await loadSyscalls();
const ONLCR = 0o4, ICRNL = 0o400, OPOST = 0o1, ECHO = 0o10, ICANON = 0o2, ISIG = 0o1, CS8 = 0o60;

test("termios round-trips through the kernel's 36-byte layout", () => {
  const t = { iflag: ICRNL, oflag: OPOST | ONLCR, cflag: 0o277, lflag: ECHO | ICANON | ISIG, line: 0, cc: Array.from({ length: 19 }, (_, i) => i + 1) };
  const bytes = encodeTermios(t);
  assert.equal(bytes.length, 36);
  assert.deepEqual(decodeTermios(bytes), t);
  assert.deepEqual(decodeWinsize(encodeWinsize({ rows: 30, cols: 100 })), { rows: 30, cols: 100 });
});

test("raw mode turns off echo, line editing, signals and output processing, and reads byte by byte", () => {
  const cooked = { iflag: ICRNL, oflag: OPOST | ONLCR, cflag: 0o277, lflag: ECHO | ICANON | ISIG, line: 0, cc: new Array(19).fill(0) };
  const raw = makeRaw(cooked);
  assert.equal(raw.lflag & (ECHO | ICANON | ISIG), 0);
  assert.equal(raw.iflag & ICRNL, 0);
  assert.equal(raw.oflag & OPOST, 0);
  assert.equal(raw.oflag & ONLCR, ONLCR, "other output flags are kept");
  assert.equal(raw.cflag & CS8, CS8);
  assert.equal(raw.cc[6], 1, "VMIN");
  assert.equal(raw.cc[5], 0, "VTIME");
  assert.equal(cooked.lflag, ECHO | ICANON | ISIG, "the input is not changed");
});

test("a real pty: what the slave writes the master reads, with the size and mode set through the master", () => {
  const { master, slavePath } = openPty(sys);
  const slave = sys.open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC);
  try {
    assert.match(slavePath, /^\/dev\/pts\/\d+$/);
    writeWindowSize(sys, master, { rows: 33, cols: 111 });
    assert.deepEqual(readWindowSize(sys, slave), { rows: 33, cols: 111 });
    sys.write(slave, "hi\n");
    const buf = new Uint8Array(64);
    assert.deepEqual(sys.poll([{ fd: master, events: POLLIN }], 1000), [POLLIN]);
    assert.equal(new TextDecoder().decode(buf.subarray(0, sys.read(master, buf))), "hi\r\n", "ONLCR is on by default");
    const saved = readTermios(sys, slave)!;
    writeTermios(sys, slave, makeRaw(saved));
    assert.equal(readTermios(sys, slave)!.lflag & ECHO, 0);
    writeTermios(sys, slave, saved);
    assert.deepEqual(readTermios(sys, slave), saved);
  } finally {
    sys.close(slave);
    sys.close(master);
  }
});

test("a descriptor that is not a terminal has no termios and no size", () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  try {
    assert.equal(readTermios(sys, a), undefined);
    assert.equal(readWindowSize(sys, a), undefined);
  } finally {
    sys.close(a);
    sys.close(b);
  }
});

test("the channel carries a descriptor with its message", () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  const { master, slavePath } = openPty(sys);
  const sender = new Channel(sys, a), receiver = new Channel(sys, b);
  try {
    sender.send({ type: "console" }, [master]);
    sender.send({ type: "ready" });
    assert.deepEqual(receiver.receive(), { type: "console" });
    const got = receiver.takeFd()!;
    assert.notEqual(got, master);
    // The received descriptor is the same pty: the slave's output shows up on it.
    const slave = sys.open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC);
    sys.write(slave, "x");
    const buf = new Uint8Array(8);
    assert.equal(sys.read(got, buf), 1);
    sys.close(slave);
    sys.close(got);
    assert.deepEqual(receiver.receive(), { type: "ready" });
    assert.equal(receiver.takeFd(), undefined);
  } finally {
    sender.close();
    receiver.close();
    sys.close(master);
  }
});

test("a console socket receives the master with the name runc sends", () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-console-"));
  const path = join(dir, "console.sock");
  const listener = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  const { master } = openPty(sys);
  try {
    sys.bind(listener, path);
    sys.listen(listener, 1);
    const socket = connectConsoleSocket(sys, path);
    handOverConsole(sys, master, socket, { consoleSocket: path });
    sys.close(socket);
    const conn = sys.accept(listener);
    const buf = new Uint8Array(4096);
    const r = sys.recvmsg(conn, buf);
    sys.close(conn);
    assert.equal(new TextDecoder().decode(buf.subarray(0, r.bytes)), "/dev/ptmx");
    assert.equal(r.fds.length, 1);
    assert.ok(readTermios(sys, r.fds[0]), "the descriptor is a terminal");
    sys.close(r.fds[0]);
    assert.throws(() => sys.fcntl(master, 1), /EBADF/, "runt keeps no copy of the master");
  } finally {
    sys.close(listener);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a terminal must have somewhere to go, and a console socket needs a detached terminal", () => {
  const relay = { onConsole: () => {} };
  assert.doesNotThrow(() => checkConsoleUse(true, { consoleSocket: "/s" }));
  assert.doesNotThrow(() => checkConsoleUse(true, relay));
  assert.doesNotThrow(() => checkConsoleUse(false, {}));
  assert.doesNotThrow(() => checkConsoleUse(false, relay));
  assert.throws(() => checkConsoleUse(true, {}), /process\.terminal: without --console-socket/);
  assert.throws(() => checkConsoleUse(false, { consoleSocket: "/s" }), /process\.terminal is false/);
  assert.throws(() => checkConsoleUse(true, { consoleSocket: "/s", ...relay }), /only for a detached/);
});

test("activation descriptors are only those meant for this PID, and the container is told it is PID 1", () => {
  assert.equal(activationFds({ LISTEN_PID: "42", LISTEN_FDS: "2" }, 42), 2);
  assert.equal(activationFds({ LISTEN_PID: "41", LISTEN_FDS: "2" }, 42), 0);
  assert.equal(activationFds({ LISTEN_FDS: "2" }, 42), 0);
  assert.equal(activationFds({ LISTEN_PID: "42", LISTEN_FDS: "x" }, 42), 0);
  assert.equal(activationFds({ LISTEN_PID: "42", LISTEN_FDS: "-1" }, 42), 0);
  const spec = { ociVersion: "1.0.2", process: { cwd: "/", args: ["sh"], env: ["A=1"] } } as Spec;
  assert.deepEqual(withActivationEnv(spec, 2).process!.env, ["A=1", "LISTEN_FDS=2", "LISTEN_PID=1"]);
  assert.deepEqual(spec.process!.env, ["A=1"]);
  assert.equal(withActivationEnv(spec, 0), spec);
});

test("an abstract unix socket name (@name, as systemd writes NOTIFY_SOCKET) is bound and reached", () => {
  const name = `@runt-test-${process.pid}`;
  const server = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
  const client = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC);
  try {
    sys.bind(server, name);
    sys.connect(client, name);
    sys.sendmsg(client, new TextEncoder().encode("READY=1\n"));
    const buf = new Uint8Array(64);
    assert.equal(new TextDecoder().decode(buf.subarray(0, sys.recvmsg(server, buf).bytes)), "READY=1\n");
    assert.throws(() => sys.connect(client, "@runt-test-nobody-listens"), /ECONNREFUSED/);
  } finally {
    sys.close(server);
    sys.close(client);
  }
});

test("the relay types runt's input into the terminal, copies everything out, and returns the exit status", async () => {
  const { master, slavePath } = openPty(sys);
  const slave = sys.open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC);
  const [inRead, inWrite] = sys.pipe2();
  // A file, not a pipe: nobody reads while the relay runs.
  const outDir = mkdtempSync(join(tmpdir(), "runt-relay-"));
  const outWrite = sys.open(join(outDir, "out"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600);
  let pid: number;
  try {
    const stdio = [0, 1, 2].map((to) => ({ op: "dup2" as const, fd: slave, to }));
    // A burst written just before the exit is still in the terminal's buffers then: none of it may be lost.
    const script = "read line; echo got:$line; head -c 100000 /dev/zero | tr '\\0' x; printf last; exit 3";
    pid = sys.posixSpawn("/bin/sh", ["sh", "-c", script], ["PATH=/usr/bin:/bin"], { fileActions: stdio, setsid: true });
  } finally {
    sys.close(slave);
  }
  sys.write(inWrite, "hello\n");
  sys.close(inWrite);
  const status = await relayTerminal(sys, master, pid, { input: inRead, output: outWrite });
  sys.close(inRead);
  sys.close(outWrite);
  const out = readFileSync(join(outDir, "out"), "utf8");
  rmSync(outDir, { recursive: true, force: true });
  assert.deepEqual(status, { kind: "exited", code: 3 });
  assert.match(out, /got:hello\r?\n/);
  assert.ok(out.endsWith("x".repeat(100000) + "last"), `${out.length} bytes, ending ${JSON.stringify(out.slice(-20))}`);
  assert.throws(() => sys.fcntl(master, 1), /EBADF/, "the relay closes the master");
});
