/**
 * NOTIFY_SOCKET end to end: systemd-notify in a real container, a datagram
 * socket of the test's own as the service manager's, and runc 1.1.5 doing
 * the same on the same bundle for comparison.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AF_UNIX, loadSyscalls, MSG_DONTWAIT, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, type Syscalls } from "../../ffi/mod.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { type Bundle, makeBundle } from "../fixtures/bundle.ts";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { state, waitFor } from "./containers.ts";
import { hasCommand, isRoot, runt, runtArgv, runtOk, tempDir } from "./runt.ts";

const NOTIFIER = "/usr/bin/systemd-notify";
const skip = !isRoot ? "needs root" : !existsSync(NOTIFIER) ? `${NOTIFIER} is missing (Debian package systemd)` : false;
const sys: Syscalls = await loadSyscalls();

// The notifier comes from the host's /usr; a rootfs of this file's own takes the mount points.
let rootfs = "";
let work = "";
before(() => {
  work = mkdtempSync(join(tmpdir(), "runt-notify-"));
  rootfs = ensureBusyboxRootfs(join(work, "rootfs"));
});
after(() => rmSync(work, { recursive: true, force: true }));

function notifyBundle(script: string): Bundle {
  return makeBundle(["sh", "-c", script], (spec: Spec) => {
    spec.root = { path: rootfs, readonly: true };
    spec.mounts!.push(
      { destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"] },
      { destination: "/lib", type: "bind", source: "/usr/lib", options: ["rbind", "ro"] },
      { destination: "/lib64", type: "bind", source: "/usr/lib64", options: ["rbind", "ro"] },
    );
  });
}

/** The service manager's end: a bound datagram socket whose queue the test reads afterwards. */
class Manager {
  readonly path: string;
  private readonly fd: number;

  constructor(dir: string) {
    this.path = join(dir, "manager.sock");
    this.fd = sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
    sys.bind(this.fd, this.path);
  }

  /** Every datagram queued, waiting up to `ms` for the first. */
  received(ms = 0): string[] {
    const got: string[] = [];
    const buf = new Uint8Array(4096);
    let wait = ms;
    while (sys.poll([{ fd: this.fd, events: POLLIN }], wait)[0] & POLLIN) {
      got.push(new TextDecoder().decode(buf.subarray(0, sys.recvmsg(this.fd, buf, 0, MSG_DONTWAIT).bytes)));
      wait = 200;
    }
    return got;
  }

  close(): void {
    sys.close(this.fd);
  }
}

interface Scene {
  root: string;
  manager: Manager;
  env: Record<string, string>;
}

function withScene(fn: (s: Scene) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = tempDir("runt-root-");
    const manager = new Manager(dir.path);
    const root = join(dir.path, "state");
    try {
      await fn({ root, manager, env: { NOTIFY_SOCKET: manager.path } });
    } finally {
      for (const id of existsSync(root) ? spawnSync("ls", [root], { encoding: "utf8" }).stdout.split("\n").filter(Boolean) : []) {
        runt(["--root", root, "delete", "--force", id]);
      }
      manager.close();
      dir.cleanup();
    }
  };
}

/** runt in the background with `env` added, for a foreground run whose PID the test needs. */
function runtInBackground(args: string[], env: Record<string, string>): { pid: number; done: Promise<number | null> } {
  const [cmd, ...pre] = runtArgv();
  const child = spawn(cmd, [...pre, ...args], { stdio: "ignore", env: { ...process.env, NO_COLOR: "1", ...env } });
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { pid: child.pid!, done };
}

test("run in the foreground: READY=1 is passed on with MAINPID set to runt's own PID", { skip }, withScene(async ({ root, manager, env }) => {
  const b = notifyBundle(`echo "$NOTIFY_SOCKET" > /out/env; ${NOTIFIER} --ready; sleep 0.3`);
  try {
    const r = runtInBackground(["--root", root, "run", "-b", b.dir, "fg"], env);
    assert.equal(await r.done, 0);
    assert.deepEqual(manager.received(1000), ["READY=1\n", `MAINPID=${r.pid}\n`]);
    assert.equal(readFileSync(join(b.out, "env"), "utf8"), "/run/notify/notify.sock\n");
  } finally {
    b.cleanup();
  }
}));

test("run in the foreground still forwards signals while it waits for READY", { skip }, withScene(async ({ root, manager, env }) => {
  const b = notifyBundle(`trap "exit 7" TERM; touch /out/started; while :; do sleep 0.1; done`);
  try {
    const r = runtInBackground(["--root", root, "run", "-b", b.dir, "sig"], env);
    waitFor(() => existsSync(join(b.out, "started")), "the container to start");
    // Past start-up, into the wait where the notify socket is polled.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Not child.kill(): Deno's child_process then reports the signal as the exit cause, whatever the exit was.
    process.kill(r.pid, "SIGTERM");
    assert.equal(await r.done, 7);
    assert.deepEqual(manager.received(), []);
  } finally {
    b.cleanup();
  }
}));

test("run -d returns once the container is ready, with MAINPID its PID 1", { skip }, withScene(({ root, manager, env }) => {
  const b = notifyBundle(`sleep 1; ${NOTIFIER} --ready; exec sleep 60`);
  try {
    const started = Date.now();
    const r = runt(["--root", root, "run", "-d", "-b", b.dir, "bg"], { files: true, env });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Date.now() - started >= 900, "run -d waited for READY");
    assert.deepEqual(manager.received(), ["READY=1\n", `MAINPID=${state(root, "bg").pid}\n`]);
  } finally {
    b.cleanup();
  }
}));

test("create records the notify mount and variable; start binds the socket and relays READY", { skip }, withScene(({ root, manager, env }) => {
  const b = notifyBundle(`${NOTIFIER} --ready; exec sleep 60`);
  try {
    const c = runt(["--root", root, "create", "-b", b.dir, "cs"], { files: true, env });
    assert.equal(c.status, 0, c.stderr);
    const config = JSON.parse(readFileSync(join(root, "cs", "state.json"), "utf8")).config as Spec;
    assert.deepEqual(config.mounts!.at(-1), {
      destination: "/run/notify",
      source: join(root, "cs", "notify"),
      type: "bind",
      options: ["bind", "nosuid", "noexec", "nodev", "ro"],
    });
    assert.equal(config.process!.env!.at(-1), "NOTIFY_SOCKET=/run/notify/notify.sock");
    assert.equal(statSync(join(root, "cs", "notify")).mode & 0o7777, 0o755);
    assert.equal(existsSync(join(root, "cs", "notify", "notify.sock")), false, "create binds nothing");

    const s = runt(["--root", root, "start", "cs"], { files: true, env });
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(manager.received(), ["READY=1\n", `MAINPID=${state(root, "cs").pid}\n`]);
    assert.equal(statSync(join(root, "cs", "notify", "notify.sock")).mode & 0o777, 0o777);
  } finally {
    b.cleanup();
  }
}));

test("start returns when a container that never notifies exits", { skip }, withScene(({ root, manager, env }) => {
  const b = notifyBundle("sleep 0.5");
  try {
    runtOk(["--root", root, "create", "-b", b.dir, "silent"], { files: true, env });
    const started = Date.now();
    const s = runt(["--root", root, "start", "silent"], { files: true, env });
    assert.equal(s.status, 0, s.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(state(root, "silent").status, "stopped");
    assert.deepEqual(manager.received(), []);
  } finally {
    b.cleanup();
  }
}));

test("a manager socket that is not there fails run in one line and leaves no container", { skip }, withScene(({ root }) => {
  const b = notifyBundle("exec sleep 60");
  try {
    const missing = join(root, "..", "missing.sock");
    const r = runt(["--root", root, "run", "-d", "-b", b.dir, "nosock"], { files: true, env: { NOTIFY_SOCKET: missing } });
    assert.equal(r.status, 1);
    assert.deepEqual(r.errLines, [`runt: NOTIFY_SOCKET: connecting to ${missing}: ENOENT (No such file or directory)`]);
    assert.equal(existsSync(join(root, "nosock")), false);
  } finally {
    b.cleanup();
  }
}));

test("a manager socket that is not there fails start in one line; the container stays created and can start later", { skip }, withScene(({ root, manager, env }) => {
  const b = notifyBundle(`${NOTIFIER} --ready; exec sleep 60`);
  try {
    runtOk(["--root", root, "create", "-b", b.dir, "later"], { files: true, env });
    const missing = join(root, "..", "missing.sock");
    const failed = runt(["--root", root, "start", "later"], { files: true, env: { NOTIFY_SOCKET: missing } });
    assert.equal(failed.status, 1);
    assert.deepEqual(failed.errLines, [`runt: NOTIFY_SOCKET: connecting to ${missing}: ENOENT (No such file or directory)`]);
    assert.equal(state(root, "later").status, "created");
    assert.equal(existsSync(join(root, "later", "notify", "notify.sock")), false);

    const s = runt(["--root", root, "start", "later"], { files: true, env });
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(manager.received(), ["READY=1\n", `MAINPID=${state(root, "later").pid}\n`]);
  } finally {
    b.cleanup();
  }
}));

test("a state path too long for a socket fails create in one line, before anything runs", { skip }, withScene(({ root, env }) => {
  const b = notifyBundle("exec sleep 60");
  const longRoot = join(root, "r".repeat(90));
  try {
    const r = runt(["--root", longRoot, "create", "-b", b.dir, "long"], { files: true, env });
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], /NOTIFY_SOCKET: the container's notify socket .* longer than the 107 .*\(use a shorter --root or container id\)$/);
    assert.equal(existsSync(join(longRoot, "long")), false);
  } finally {
    b.cleanup();
  }
}));

test("exec ignores NOTIFY_SOCKET", { skip }, withScene(({ root, manager, env }) => {
  const b = notifyBundle("exec sleep 60");
  try {
    runtOk(["--root", root, "run", "-d", "-b", b.dir, "ex"], { files: true });
    const r = runt(["--root", root, "exec", "ex", "sh", "-c", `echo "[$NOTIFY_SOCKET]"; ${NOTIFIER} --ready; echo $?`], { env });
    assert.equal(r.status, 0, r.stderr);
    // Created without it, the container has no notify socket to reach.
    assert.match(r.stdout, /^\[\]\n[1-9]\d*\n$/);
    assert.deepEqual(manager.received(200), []);
  } finally {
    b.cleanup();
  }
}));

const noRunc = skip || (hasCommand("runc") ? false : "runc is not installed");

/** Datagrams from runc's `run -d` and create+start on `script`, PIDs replaced by "PID1". */
function runcDatagrams(script: string, how: "run" | "create"): string[] {
  const dir = tempDir("runc-root-");
  const manager = new Manager(dir.path);
  const b = notifyBundle(script);
  const root = join(dir.path, "state");
  // Files, not pipes: the container keeps the stdio it was given, and a pipe would stay open.
  const errFile = join(dir.path, "stderr");
  const runc = (args: string[]) => {
    const err = openSync(errFile, "w");
    try {
      const r = spawnSync("runc", ["--root", root, ...args], { stdio: ["ignore", "ignore", err], env: { ...process.env, NOTIFY_SOCKET: manager.path }, killSignal: "SIGKILL", timeout: 60_000 });
      return { status: r.status, stderr: readFileSync(errFile, "utf8") };
    } finally {
      closeSync(err);
    }
  };
  try {
    const steps = how === "run" ? [["run", "-d", "-b", b.dir, "c"]] : [["create", "-b", b.dir, "c"], ["start", "c"]];
    for (const step of steps) {
      const r = runc(step);
      assert.equal(r.status, 0, r.stderr);
    }
    const pid = JSON.parse(spawnSync("runc", ["--root", root, "state", "c"], { encoding: "utf8" }).stdout).pid;
    return manager.received().map((d) => d.replace(`MAINPID=${pid}\n`, "MAINPID=PID1\n"));
  } finally {
    runc(["delete", "--force", "c"]);
    manager.close();
    b.cleanup();
    dir.cleanup();
  }
}

function runtDatagrams(scene: Scene, script: string, how: "run" | "create"): string[] {
  const b = notifyBundle(script);
  try {
    const steps = how === "run" ? [["run", "-d", "-b", b.dir, "c"]] : [["create", "-b", b.dir, "c"], ["start", "c"]];
    for (const step of steps) {
      const r = runt(["--root", scene.root, ...step], { files: true, env: scene.env });
      assert.equal(r.status, 0, r.stderr);
    }
    const pid = state(scene.root, "c").pid;
    return scene.manager.received().map((d) => d.replace(`MAINPID=${pid}\n`, "MAINPID=PID1\n"));
  } finally {
    runt(["--root", scene.root, "delete", "--force", "c"]);
    b.cleanup();
  }
}

test("runc 1.1.5 sends the service manager the same datagrams", { skip: noRunc }, withScene((scene) => {
  // Noise before READY, and more in the READY datagram after its first line.
  const script = `${NOTIFIER} STATUS=starting; ${NOTIFIER} --ready STATUS=up; exec sleep 60`;
  for (const how of ["run", "create"] as const) {
    const expected = runcDatagrams(script, how);
    assert.deepEqual(expected, ["READY=1\n", "MAINPID=PID1\n"], `runc's ${how}`);
    assert.deepEqual(runtDatagrams(scene, script, how), expected, `runt's ${how}`);
  }
}));
