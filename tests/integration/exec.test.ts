/** `runt exec`: a new process in a running container, seen from inside and from the host. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Bundle, makeBundle } from "../fixtures/bundle.ts";
import { isRoot, runt, runtOk, tempDir, WAIT_SCALE } from "./runt.ts";
import { waitFor } from "./containers.ts";

const skip = isRoot ? false : "needs root";

/** A running container for the duration of `fn`. */
function withContainer(fn: (root: string, id: string, pid: number, b: Bundle) => void): () => void {
  return () => {
    const root = tempDir("runt-root-");
    const b = makeBundle(["sleep", "60"]);
    const id = "exec-target";
    try {
      const r = runt(["--root", root.path, "run", "-d", "-b", b.dir, id], { files: true });
      assert.equal(r.status, 0, r.stderr);
      const pid = JSON.parse(runt(["--root", root.path, "state", id]).stdout).pid;
      fn(root.path, id, pid, b);
    } finally {
      runt(["--root", root.path, "delete", "--force", id]);
      b.cleanup();
      root.cleanup();
    }
  };
}

test("the exec'd process shares PID 1's namespaces and cgroup", { skip }, withContainer((root, id, pid) => {
  const kinds = ["pid", "mnt", "net", "ipc", "uts", "cgroup"];
  const r = runt(["--root", root, "exec", id, "sh", "-c", `${kinds.map((k) => `readlink /proc/self/ns/${k}`).join("; ")}; cat /proc/self/cgroup`]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.deepEqual(lines.slice(0, kinds.length), kinds.map((k) => readlinkSync(`/proc/${pid}/ns/${k}`)));
  assert.deepEqual(lines.slice(kinds.length), readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n"));
}));

test("user, cwd, env and capabilities from the flags", { skip }, withContainer((root, id) => {
  const r = runt([
    "--root", root, "exec", "-u", "1000:1000", "-g", "100", "--cwd", "/tmp", "-e", "GREETING=hi", "--cap", "CAP_SYS_ADMIN",
    id, "sh", "-c", "id -u; id -g; id -G; pwd; echo $GREETING; grep CapBnd /proc/self/status; grep CapInh /proc/self/status",
  ]);
  assert.equal(r.status, 0, r.stderr);
  const [uid, gid, groups, cwd, greeting, capbnd, capinh] = r.stdout.trim().split("\n");
  assert.equal(uid, "1000");
  assert.equal(gid, "1000");
  assert.deepEqual(groups.split(" ").sort(), ["100", "1000"]);
  assert.equal(cwd, "/tmp");
  assert.equal(greeting, "hi");
  // CAP_SYS_ADMIN is bit 21, on top of the default AUDIT_WRITE, KILL and NET_BIND_SERVICE.
  assert.equal(BigInt("0x" + capbnd.split(/\s+/)[1]) & (1n << 21n), 1n << 21n);
  // --cap grants nothing inheritable (runc's CVE-2022-29162): across an execve it would stay the process's.
  assert.equal(capinh, "CapInh:\t0000000000000000");
}));

test("exit status: the process's own, 128+N for a signal, 127 not found, 126 not executable", { skip }, withContainer((root, id) => {
  assert.equal(runt(["--root", root, "exec", id, "sh", "-c", "exit 9"]).status, 9);
  assert.equal(runt(["--root", root, "exec", id, "sh", "-c", "kill -TERM $$"]).status, 128 + 15);
  const missing = runt(["--root", root, "exec", id, "no-such-command"]);
  assert.equal(missing.status, 127);
  assert.deepEqual(missing.errLines, ['runt: exec: "no-such-command": executable file not found in $PATH']);
  const notExec = runt(["--root", root, "exec", id, "/etc/passwd"]);
  assert.equal(notExec.status, 126);
  assert.equal(notExec.errLines.length, 1);
}));

test("no descriptor of the runtime reaches the exec'd process", { skip }, withContainer((root, id) => {
  const r = runt(["--root", root, "exec", id, "sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"]);
  assert.equal(r.status, 0, r.stderr);
  // busybox ls's own descriptor on /proc/self/fd is the 3.
  assert.equal(r.stdout, "0 1 2 3 ");
}));

/**
 * PID 1 of the container lists every descriptor and working directory in
 * its PID namespace, over and over, keeping any on a cgroup directory and
 * counting its scans. On cgroup v2, exec's start-up program holds a
 * descriptor of the container's cgroup directory for
 * clone3(CLONE_INTO_CGROUP) until its child closes it.
 */
const FD_WATCHER = [
  "touch /out/started",
  "n=0",
  "while [ ! -e /out/stop ]; do",
  "  ls -l /proc/[0-9]*/fd/ /proc/[0-9]*/cwd 2>/dev/null | grep cgroup >> /out/seen",
  "  n=$((n + 1)); echo $n > /out/scans",
  "done",
].join("\n");

test("a container process scanning /proc during execs never finds a descriptor or cwd on a cgroup directory", { skip, timeout: 120_000 * WAIT_SCALE }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", FD_WATCHER]);
  const id = "fd-watched";
  const scans = () => Number(readFileSync(join(b.out, "scans"), "utf8") || 0);
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, id], { files: true });
    waitFor(() => existsSync(join(b.out, "scans")), "the watcher's first scan");
    for (let i = 0; i < 20; i++) runtOk(["--root", root.path, "exec", id, "true"]);
    // A process that stays: whatever it was given, a whole scan made after it started lists.
    runtOk(["--root", root.path, "exec", "-d", id, "sleep", "60"], { files: true });
    const after = scans();
    waitFor(() => scans() >= after + 2, "two more scans of the watcher");
    writeFileSync(join(b.out, "stop"), "");
    waitFor(() => runt(["--root", root.path, "state", id]).stdout.includes('"stopped"'), "the watcher to stop", 20_000);
    assert.equal(readFileSync(join(b.out, "seen"), "utf8"), "");
  } finally {
    runt(["--root", root.path, "delete", "--force", id]);
    b.cleanup();
    root.cleanup();
  }
});

test("--detach with --pid-file returns at once and leaves the process running", { skip }, withContainer((root, id, _pid, b) => {
  const pidFile = join(b.dir, "exec.pid");
  const r = runt(["--root", root, "exec", "-d", "--pid-file", pidFile, id, "sh", "-c", "sleep 0.2; echo done > /out/detached"], { files: true });
  assert.equal(r.status, 0, r.stderr);
  const pid = Number(readFileSync(pidFile, "utf8"));
  assert.ok(pid > 0);
  // The shell makes the file before it writes the line: wait for the line, not the file.
  const written = join(b.out, "detached");
  const end = Date.now() + 10_000 * WAIT_SCALE;
  while (!(existsSync(written) && readFileSync(written, "utf8").endsWith("\n")) && Date.now() < end) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  assert.equal(readFileSync(written, "utf8"), "done\n");
}));

test("--process runs a whole process.json, checked like the config's", { skip }, withContainer((root, id, _pid, b) => {
  const file = join(b.dir, "process.json");
  writeFileSync(file, JSON.stringify({ cwd: "/", args: ["sh", "-c", "echo from-json; id -u"], user: { uid: 65534, gid: 65534 }, env: ["PATH=/bin"] }));
  const r = runt(["--root", root, "exec", "--process", file, id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "from-json\n65534\n");
  writeFileSync(file, JSON.stringify({ cwd: "relative", args: [] }));
  const bad = runt(["--root", root, "exec", "-p", file, id]);
  // A bad process.json is exec failing, not the process: 255, as runc.
  assert.equal(bad.status, 255);
  assert.ok(bad.errLines.every((l) => l.startsWith(`runt: ${file}: process.`)), bad.stderr);
}));

test("exec into a stopped or unknown container is one line", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"]);
  try {
    runtOk(["--root", root.path, "run", "--keep", "-b", b.dir, "done"]);
    const r = runt(["--root", root.path, "exec", "done", "true"]);
    // runt's own failure, not the process's: 255, as runc exits.
    assert.equal(r.status, 255);
    assert.deepEqual(r.errLines, ['runt: cannot exec in container "done": it is stopped']);
    assert.deepEqual(runt(["--root", root.path, "exec", "nope", "true"]).errLines, ['runt: container "nope" does not exist']);
  } finally {
    runt(["--root", root.path, "delete", "done"]);
    b.cleanup();
    root.cleanup();
  }
});
