/**
 * A hostile container against the runtime's own processes (CVE-2019-5736
 * class, and the threads a JavaScript runtime keeps in the host's
 * namespaces): no process the container can see may be the runt binary,
 * and none may have a thread whose root is outside the container.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, REPO, runt, runtArgv, runtOk, tempDir, UNDER } from "./runt.ts";
import { waitFor, withRoot } from "./containers.ts";

const skip = !isRoot && "needs root";

function sha(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The executable the runt under test runs as: dist/runt, or deno itself for the sources. */
function runtExecutable(argv = runtArgv()): string {
  return argv[0];
}

/** runt started from a private copy of its executable, so an attack that succeeds harms only the copy. */
function privateRunt(dir: string): string[] {
  const copy = join(dir, UNDER === "binary" ? "runt" : "deno");
  copyFileSync(runtExecutable(), copy);
  return UNDER === "binary" ? [copy] : [copy, "run", "-A", join(REPO, "cli/main.ts")];
}

function create(root: string, id: string, bundle: string, argv?: string[]): number {
  const r = runt(["--root", root, "create", "--bundle", bundle, id], { files: true, argv });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(runt(["--root", root, "state", id], { argv }).stdout).pid;
}

/**
 * A container process that records every executable another process of the
 * container runs, and opens anything but busybox for appending, at once and
 * through a descriptor kept for later (CVE-2019-5736's trick).
 */
const WATCHER = [
  "touch /out/started",
  "while [ ! -e /out/stop ]; do",
  "  for p in /proc/[0-9]*; do",
  '    l=$(readlink "$p/exe" 2>/dev/null) || continue',
  '    case "$l" in /bin/busybox|"") continue ;; esac',
  '    echo "$l" >> /out/seen',
  '    (exec 3< "$p/exe" && for i in 1 2 3 4 5 6 7 8 9 10; do echo -n X >> /proc/self/fd/3 && echo WROTE >> /out/seen; usleep 20000; done) 2>/dev/null &',
  "  done",
  "done",
].join("\n");

/** What the watcher saw that is neither busybox nor the start-up program. */
function foreignExecutables(out: string): string[] {
  const seen = readOr(join(out, "seen")).split("\n").filter((l) => l);
  return seen.filter((l) => !/^\/bin\/(sleep|true|busybox)$/.test(l) && l !== "/memfd:runt (deleted)");
}

test("the waiting container is the sealed start-up program: one thread, not the runt binary, not writable", { skip }, withRoot((root) => {
  const b = makeBundle(["true"]);
  try {
    const pid = create(root, "waiting", b.dir);
    const exe = readlinkSync(`/proc/${pid}/exe`);
    assert.match(exe, /^\/memfd:runt \(deleted\)$/);
    const runtIno = statSync(runtExecutable()).ino;
    assert.notEqual(statSync(`/proc/${pid}/exe`).ino, runtIno);
    assert.deepEqual(readdirSync(`/proc/${pid}/task`), [String(pid)]);
    assert.match(readFileSync(`/proc/${pid}/status`, "utf8"), /^Threads:\s+1$/m);
    // Reopening what it runs for writing, as CVE-2019-5736 does, fails: it is a sealed memfd being executed.
    assert.throws(() => writeFileSync(`/proc/${pid}/exe`, "x", { flag: "a" }), /ETXTBSY|EPERM|EACCES/);
  } finally {
    runt(["--root", root, "delete", "--force", "waiting"]);
    b.cleanup();
  }
}));

test("while the container is built, its PID namespace holds the start-up program alone: no JavaScript runtime", { skip }, withRoot((root) => {
  // A createContainer hook runs in the container's namespaces after the mounts; its cwd is the rootfs, whose proc
  // is the container's PID namespace's. Under a JavaScript init, PID 1 there was the runt binary with its threads.
  const b = makeBundle(["true"]);
  const look = "for p in proc/[0-9]*; do echo \"$(readlink $p/exe) $(grep Threads $p/status | tr -d '\\t')\"; done";
  b.spec.hooks = { createContainer: [{ path: "/bin/sh", args: ["sh", "-c", `(${look}) > ${b.out}/seen`] }] };
  b.save();
  try {
    create(root, "building", b.dir);
    const seen = readFileSync(join(b.out, "seen"), "utf8").trim().split("\n");
    // PID 1, then the hook's own processes (host programs: the hook runs before pivot_root).
    assert.equal(seen[0], "/memfd:runt (deleted) Threads:1", seen.join("\n"));
    const runtExe = realpathSync(runtExecutable());
    for (const line of seen.slice(1)) assert.ok(!line.startsWith(`${runtExe} `), seen.join("\n"));
  } finally {
    runt(["--root", root, "delete", "--force", "building"]);
    b.cleanup();
  }
}));

test("with CAP_SYS_PTRACE, no task of the waiting container has the host's root", { skip }, withRoot((root) => {
  const marker = tempDir("runt-host-marker-");
  writeFileSync(join(marker.path, "secret"), "host-secret\n");
  const b = makeBundle(["true"], (spec) => {
    const caps = spec.process!.capabilities!;
    for (const set of ["bounding", "effective", "permitted"] as const) caps[set] = [...caps[set]!, "CAP_SYS_PTRACE"];
  });
  try {
    create(root, "ptrace", b.dir);
    const script = `ls /proc/1/task | wc -l; for t in /proc/1/task/*; do cat "$t/root${marker.path}/secret" 2>/dev/null; done; echo end`;
    const r = runt(["--root", root, "exec", "ptrace", "sh", "-c", script]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "1\nend\n");
  } finally {
    runt(["--root", root, "delete", "--force", "ptrace"]);
    b.cleanup();
    marker.cleanup();
  }
}));

test("exec: a container process watching /proc sees no runt binary and overwrites nothing", { skip, timeout: 120_000 }, withRoot((root) => {
  const copies = tempDir("runt-private-");
  const argv = privateRunt(copies.path);
  const before = sha(argv[0]);
  const b = makeBundle(["sh", "-c", WATCHER]);

  const id = "watched";
  try {
    create(root, id, b.dir, argv);
    runtOk(["--root", root, "start", id], { files: true, argv });
    waitFor(() => readdirSync(b.out).includes("started"), "the watcher to start");
    for (let i = 0; i < 15; i++) {
      const r = runt(["--root", root, "exec", id, "true"], { argv });
      assert.equal(r.status, 0, r.stderr);
    }
    // One that outlives its start, so the watcher can also find the process itself.
    runtOk(["--root", root, "exec", id, "sleep", "0.3"], { argv });
    writeFileSync(join(b.out, "stop"), "");
    waitFor(() => runt(["--root", root, "state", id], { argv }).stdout.includes('"stopped"'), "the watcher to stop", 20_000);
    assert.deepEqual(foreignExecutables(b.out), [], "executables seen inside the container");
    assert.equal(sha(argv[0]), before, "the runt executable was modified");
  } finally {
    runt(["--root", root, "delete", "--force", id], { argv });
    b.cleanup();
    copies.cleanup();
  }
}));

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

test("a container joining another's PID namespace: the processes already there never see runt", { skip, timeout: 120_000 }, withRoot((root) => {
  const copies = tempDir("runt-private-");
  const argv = privateRunt(copies.path);
  const before = sha(argv[0]);
  const watched = makeBundle(["sh", "-c", WATCHER]);
  let joiner: ReturnType<typeof makeBundle> | undefined;
  try {
    const pid1 = create(root, "pod", watched.dir, argv);
    runtOk(["--root", root, "start", "pod"], { files: true, argv });
    waitFor(() => readdirSync(watched.out).includes("started"), "the watcher to start");
    const script = 'ls /proc | grep -E "^[0-9]+$" | head -1 > /out/first; readlink /proc/1/exe > /out/pid1';
    joiner = makeBundle(["sh", "-c", script], (spec) => {
      spec.linux!.namespaces = spec.linux!.namespaces!.map((ns) => ns.type === "pid" ? { type: "pid", path: `/proc/${pid1}/ns/pid` } : ns);
    });
    for (let i = 0; i < 8; i++) {
      const r = runt(["--root", root, "run", `member${i}`], { cwd: joiner.dir, argv });
      assert.equal(r.status, 0, r.stderr);
    }
    // The member saw the pod's processes (its /proc is the pod's PID namespace), the pod's PID 1 first.
    assert.equal(readFileSync(join(joiner.out, "first"), "utf8"), "1\n");
    assert.equal(readFileSync(join(joiner.out, "pid1"), "utf8"), "/bin/busybox\n");
    writeFileSync(join(watched.out, "stop"), "");
    waitFor(() => runt(["--root", root, "state", "pod"], { argv }).stdout.includes('"stopped"'), "the watcher to stop", 20_000);
    assert.deepEqual(foreignExecutables(watched.out), [], "executables seen inside the pod");
    assert.equal(sha(argv[0]), before, "the runt executable was modified");
  } finally {
    runt(["--root", root, "delete", "--force", "pod"], { argv });
    watched.cleanup();
    joiner?.cleanup();
    copies.cleanup();
  }
}));
