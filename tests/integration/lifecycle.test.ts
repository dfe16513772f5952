/**
 * The lifecycle as a user drives it: create, start, state, kill, delete, run
 * and list on real containers, checking what the container printed, the
 * state JSON, exit statuses, and that nothing is left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Bundle, makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { leftovers, processesOf } from "./leftovers.ts";
import { isRoot, runt, runtArgv, runtOk, tempDir, WAIT_SCALE } from "./runt.ts";
import { waitFor } from "./containers.ts";

const skip = isRoot ? false : "needs root";

function withRoot(fn: (root: string) => void): () => void {
  return () => {
    const root = tempDir("runt-root-");
    try {
      fn(root.path);
    } finally {
      root.cleanup();
    }
  };
}

function state(root: string, id: string): Record<string, unknown> {
  const r = runt(["--root", root, "state", id]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("run: the container's process is PID 1 with the config's hostname, and its output and exit code come back", { skip }, withRoot((root) => {
  const b = makeBundle(["sh", "-c", "echo pid=$$ host=$(hostname); exit 7"], (s) => (s.hostname = "lifecycle"));
  try {
    const r = runt(["--root", root, "run", "--bundle", b.dir, "run1"]);
    assert.equal(r.stdout, "pid=1 host=lifecycle\n");
    assert.equal(r.status, 7, r.stderr);
    assert.deepEqual(leftovers(root, "run1", [b.dir]), []);
  } finally {
    b.cleanup();
  }
}));

test("run --keep leaves a stopped container for state and delete", { skip }, withRoot((root) => {
  const b = makeBundle(["true"]);
  try {
    runtOk(["--root", root, "run", "--keep", "-b", b.dir, "kept"]);
    const s = state(root, "kept");
    assert.equal(s.status, "stopped");
    assert.equal(s.pid, 0);
    runtOk(["--root", root, "delete", "kept"]);
    assert.deepEqual(leftovers(root, "kept", [b.dir]), []);
  } finally {
    b.cleanup();
  }
}));

test("create, start, state, kill, delete: each status as runc reports it", { skip }, withRoot((root) => {
  const tag = `RUNT_TEST=${process.pid}-cycle`;
  const b = makeBundle(["sh", "-c", "echo started > /out/started; exec sleep 60"], (s) => {
    s.process!.env!.push(tag);
    s.annotations = { "org.example.purpose": "test" };
  });
  const pidFile = join(b.dir, "pid");
  try {
    const c = runt(["--root", root, "create", "--bundle", b.dir, "--pid-file", pidFile, "cycle"], { files: true });
    assert.equal(c.status, 0, c.stderr);
    const created = state(root, "cycle");
    assert.equal(created.status, "created");
    assert.equal(created.id, "cycle");
    assert.equal(created.bundle, b.dir);
    assert.equal(created.rootfs, SHARED_ROOTFS);
    // runc's state leaves owner empty; list fills it in.
    assert.equal(created.owner, "");
    assert.deepEqual(created.annotations, { "org.example.purpose": "test" });
    assert.match(String(created.ociVersion), /^1\.\d+\.\d+$/);
    assert.ok(!Number.isNaN(Date.parse(String(created.created))));
    const pid = created.pid as number;
    assert.ok(pid > 1);
    assert.equal(readFileSync(pidFile, "utf8"), String(pid));
    assert.notEqual(readFileSync(`/proc/${pid}/stat`, "utf8"), "");
    assert.ok(!existsSync(join(b.out, "started")), "the process must not run before start");

    const s = runt(["--root", root, "start", "cycle"], { files: true });
    assert.equal(s.status, 0, s.stderr);
    waitFor(() => existsSync(join(b.out, "started")), "the container's first output");
    const running = state(root, "cycle");
    assert.equal(running.status, "running");
    assert.equal(running.pid, pid, "start execs in the same process");

    const again = runt(["--root", root, "start", "cycle"]);
    assert.equal(again.status, 1);
    assert.deepEqual(again.errLines, ['runt: cannot start container "cycle": it is running, only a created container can be started']);

    const del = runt(["--root", root, "delete", "cycle"]);
    assert.equal(del.status, 1);
    assert.deepEqual(del.errLines, ['runt: cannot delete container "cycle": it is running (stop it first, or use --force)']);

    runtOk(["--root", root, "kill", "cycle", "KILL"]);
    waitFor(() => state(root, "cycle").status === "stopped", "the container to stop");
    assert.equal(state(root, "cycle").pid, 0);

    const k = runt(["--root", root, "kill", "cycle"]);
    assert.equal(k.status, 1);
    assert.deepEqual(k.errLines, ['runt: cannot kill container "cycle": container not running (it is stopped)']);

    runtOk(["--root", root, "delete", "cycle"]);
    assert.deepEqual(leftovers(root, "cycle", [b.dir], tag), []);
  } finally {
    runt(["--root", root, "delete", "--force", "cycle"]);
    b.cleanup();
  }
}));

test("kill: signal names and numbers reach PID 1, default SIGTERM", { skip }, withRoot((root) => {
  const script = "trap 'echo TERM > /out/got; exit 0' TERM; trap 'echo USR1 >> /out/usr1' USR1; echo ready > /out/ready; while :; do sleep 0.05; done";
  const b = makeBundle(["sh", "-c", script]);
  try {
    runtOk(["--root", root, "run", "-d", "-b", b.dir, "sigs"], { files: true });
    waitFor(() => existsSync(join(b.out, "ready")), "the trap to be set");
    runtOk(["--root", root, "kill", "sigs", "USR1"]);
    waitFor(() => existsSync(join(b.out, "usr1")), "SIGUSR1");
    runtOk(["--root", root, "kill", "sigs", "10"]);
    waitFor(() => readFileSync(join(b.out, "usr1"), "utf8") === "USR1\nUSR1\n", "signal 10");
    const bad = runt(["--root", root, "kill", "sigs", "SIGNOPE"]);
    assert.equal(bad.status, 1);
    assert.equal(bad.errLines.length, 1);
    assert.match(bad.errLines[0], /unknown signal "SIGNOPE"/);
    runtOk(["--root", root, "kill", "sigs"]);
    waitFor(() => existsSync(join(b.out, "got")), "SIGTERM");
    waitFor(() => state(root, "sigs").status === "stopped", "exit after SIGTERM");
    runtOk(["--root", root, "delete", "sigs"]);
  } finally {
    runt(["--root", root, "delete", "--force", "sigs"]);
    b.cleanup();
  }
}));

test("kill --all reaches every process of the container", { skip }, withRoot((root) => {
  const tag = `RUNT_TEST=${process.pid}-all`;
  const b = makeBundle(["sh", "-c", "sleep 60 & sleep 60 & echo > /out/ready; wait"], (s) => s.process!.env!.push(tag));
  try {
    runtOk(["--root", root, "run", "-d", "-b", b.dir, "all"], { files: true });
    waitFor(() => existsSync(join(b.out, "ready")), "the children");
    const killed = runt(["--root", root, "kill", "--all", "all", "KILL"]);
    assert.equal(killed.status, 0, killed.stderr);
    waitFor(() => state(root, "all").status === "stopped", "the container to stop");
    runtOk(["--root", root, "delete", "all"]);
    assert.deepEqual(leftovers(root, "all", [b.dir], tag), []);
  } finally {
    runt(["--root", root, "delete", "--force", "all"]);
    b.cleanup();
  }
}));

// containerd's shim sends `kill --all ID KILL` after the init of a container
// without its own PID namespace (every container of a pod) has exited, to
// reach what it left behind; runc signals the cgroup and succeeds.
test("kill --all on a stopped container signals what is left in its cgroup and succeeds, as runc", { skip }, withRoot((root) => {
  for (const argv of [runtArgv(), ["runc"]]) {
    const tag = `RUNT_TEST=${process.pid}-left-${argv[0].endsWith("runc") ? "runc" : "runt"}`;
    const b = makeBundle(["sh", "-c", "sleep 60 & exit 0"], (s) => {
      s.process!.env!.push(tag);
      s.linux!.namespaces = s.linux!.namespaces!.filter((ns) => ns.type !== "pid");
    });
    try {
      runtOk(["--root", root, "run", "-d", "-b", b.dir, "left"], { files: true, argv });
      waitFor(() => runt(["--root", root, "state", "left"], { argv }).stdout.includes('"stopped"'), `${argv[0]}: the init to exit`);
      assert.equal(processesOf("left", tag).length, 1, `${argv[0]}: the child outlives the init`);
      const k = runt(["--root", root, "kill", "--all", "left", "KILL"], { argv });
      assert.equal(k.status, 0, `${argv[0]}: ${k.stderr}`);
      waitFor(() => processesOf("left", tag).length === 0, `${argv[0]}: the child to be killed`);
      runtOk(["--root", root, "delete", "left"], { argv });
    } finally {
      runt(["--root", root, "delete", "--force", "left"], { argv });
      b.cleanup();
    }
  }
}));

test("delete: a created container is torn down; --force kills a running one", { skip }, withRoot((root) => {
  const tag = `RUNT_TEST=${process.pid}-del`;
  const b = makeBundle(["sleep", "60"], (s) => s.process!.env!.push(tag));
  try {
    runtOk(["--root", root, "create", "-b", b.dir, "c1"], { files: true });
    runtOk(["--root", root, "delete", "c1"]);
    assert.deepEqual(leftovers(root, "c1", [b.dir], tag), []);

    runtOk(["--root", root, "run", "-d", "-b", b.dir, "c2"], { files: true });
    assert.equal(state(root, "c2").status, "running");
    runtOk(["--root", root, "delete", "--force", "c2"]);
    assert.deepEqual(leftovers(root, "c2", [b.dir], tag), []);
  } finally {
    b.cleanup();
  }
}));

test("list: runc's columns, --format json and --quiet", { skip }, withRoot((root) => {
  const b = makeBundle(["sleep", "60"]);
  try {
    assert.equal(runt(["--root", root, "list"]).stdout, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
    // runc prints Go's nil slice.
    assert.equal(runt(["--root", root, "list", "--format", "json"]).stdout, "null\n");
    runtOk(["--root", root, "create", "-b", b.dir, "beta"], { files: true });
    runtOk(["--root", root, "run", "-d", "-b", b.dir, "alpha"], { files: true });
    const table = runt(["--root", root, "list"]).stdout.trimEnd().split("\n");
    assert.match(table[0], /^ID +PID +STATUS +BUNDLE +CREATED +OWNER$/);
    assert.match(table[1], new RegExp(`^alpha +\\d+ +running +${b.dir} +\\S+ +root$`));
    assert.match(table[2], new RegExp(`^beta +\\d+ +created +${b.dir} +\\S+ +root$`));
    const json = JSON.parse(runt(["--root", root, "list", "-f", "json"]).stdout);
    assert.deepEqual(json.map((c: { id: string; status: string }) => [c.id, c.status]), [["alpha", "running"], ["beta", "created"]]);
    // As runc: list names the owner, state leaves it empty.
    assert.deepEqual(json[0], { ...state(root, "alpha"), owner: "root" });
    assert.equal(runt(["--root", root, "list", "-q"]).stdout, "alpha\nbeta\n");
  } finally {
    runt(["--root", root, "delete", "--force", "alpha"]);
    runt(["--root", root, "delete", "--force", "beta"]);
    b.cleanup();
  }
}));

/** Starts `runt run` in the foreground, waits for the container's /out/ready, returns its exit code promise. */
async function foregroundRun(root: string, b: Bundle, id: string): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const [cmd, ...pre] = runtArgv();
  const child = spawn(cmd, [...pre, "--root", root, "run", "-b", b.dir, id], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const end = Date.now() + 20_000 * WAIT_SCALE;
  while (!existsSync(join(b.out, "ready")) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.ok(existsSync(join(b.out, "ready")), "the container got going");
  return { child, exited };
}

test("run in the foreground forwards SIGTERM to the container and exits with its status", { skip }, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", "trap 'exit 42' TERM; echo > /out/ready; while :; do sleep 0.05; done"]);
  try {
    const { child, exited } = await foregroundRun(root.path, b, "fwd");
    // Not child.kill(): Deno's child_process then reports the signal as the exit cause, whatever the exit was.
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited, 42);
    assert.deepEqual(leftovers(root.path, "fwd", [b.dir]), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("run in the foreground exits 128+N when the container dies of signal N", { skip }, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", "echo > /out/ready; while :; do sleep 0.05; done"]);
  try {
    const { exited } = await foregroundRun(root.path, b, "sig");
    runtOk(["--root", root.path, "kill", "sig", "KILL"]);
    assert.equal(await exited, 137);
    assert.deepEqual(leftovers(root.path, "sig", [b.dir]), []);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("the state directory is private to root", { skip }, withRoot((root) => {
  const b = makeBundle(["true"]);
  try {
    runtOk(["--root", root, "create", "-b", b.dir, "perm"], { files: true });
    assert.equal(statSync(join(root, "perm", "state.json")).mode & 0o777, 0o600);
    runtOk(["--root", root, "delete", "perm"]);
  } finally {
    b.cleanup();
  }
}));
