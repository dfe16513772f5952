/**
 * All six hook kinds on a real container: each gets the state on stdin with
 * the status runtime.md gives it, they run in lifecycle order, and a failing
 * one is fatal or a warning as runtime.md says for its kind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { cgroupEditingHook } from "../fixtures/cgroup_hook.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** A hook that saves its stdin as KIND.json and appends KIND to the order file, both under `dir`. */
function recorder(kind: string, dir: string) {
  return { path: "/bin/sh", args: ["sh", "-c", `cat > ${dir}/${kind}.json; echo ${kind} >> ${dir}/order`] };
}

test("every hook kind runs once, in lifecycle order, with the state on stdin", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", "echo > /out/ready; exec sleep 60"]);
  // createContainer hooks run before pivot_root, so host paths still resolve; startContainer ones inside the container.
  b.spec.hooks = {
    prestart: [recorder("prestart", b.out)],
    createRuntime: [recorder("createRuntime", b.out)],
    createContainer: [recorder("createContainer", b.out)],
    startContainer: [recorder("startContainer", "/out")],
    poststart: [recorder("poststart", b.out)],
    poststop: [recorder("poststop", b.out)],
  };
  b.save();
  try {
    runtOk(["--root", root.path, "create", "-b", b.dir, "hooked"], { files: true });
    const pid = JSON.parse(runt(["--root", root.path, "state", "hooked"]).stdout).pid;
    assert.equal(readFileSync(join(b.out, "order"), "utf8"), "prestart\ncreateRuntime\ncreateContainer\n");
    runtOk(["--root", root.path, "start", "hooked"], { files: true });
    runtOk(["--root", root.path, "delete", "--force", "hooked"]);
    assert.equal(
      readFileSync(join(b.out, "order"), "utf8"),
      "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop\n",
    );
    const expected: Record<string, string> = {
      prestart: "creating",
      createRuntime: "creating",
      createContainer: "creating",
      startContainer: "created",
      poststart: "running",
      poststop: "stopped",
    };
    for (const [kind, status] of Object.entries(expected)) {
      const state = JSON.parse(readFileSync(join(b.out, `${kind}.json`), "utf8"));
      assert.equal(state.id, "hooked", kind);
      assert.equal(state.status, status, kind);
      assert.equal(state.bundle, b.dir, kind);
      assert.match(state.ociVersion, /^1\./, kind);
      if (kind !== "poststop") assert.equal(state.pid, pid, kind);
    }
  } finally {
    runt(["--root", root.path, "delete", "--force", "hooked"]);
    b.cleanup();
    root.cleanup();
  }
});

test("a failing createContainer hook fails create; a failing poststart or poststop one only warns", { skip }, () => {
  const root = tempDir("runt-root-");
  const failing = { path: "/bin/sh", args: ["sh", "-c", "echo broken >&2; exit 4"] };
  const b = makeBundle(["true"], (s) => (s.hooks = { createContainer: [failing] }));
  try {
    const r = runt(["--root", root.path, "create", "-b", b.dir, "h1"], { files: true });
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], /createContainer/);
    assert.ok(!existsSync(join(root.path, "h1")));

    b.spec.hooks = { poststart: [failing], poststop: [failing, recorder("poststop", b.out)] };
    b.save();
    const ok = runt(["--root", root.path, "run", "-b", b.dir, "h2"]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(ok.errLines.some((l) => /warning: .*poststart/.test(l)), ok.stderr);
    assert.ok(ok.errLines.some((l) => /warning: .*poststop/.test(l)), ok.stderr);
    assert.ok(existsSync(join(b.out, "poststop.json")), "the hooks after a failed poststop hook still run");
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

/** The container's pids cgroup as /proc/PID/cgroup names it (v1 pids line, else the v2 one). */
function pidsCgroupOf(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n");
  const line = lines.find((l) => /^\d+:pids:/.test(l)) ?? lines.find((l) => l.startsWith("0::"))!;
  return line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
}

test("prestart and createRuntime hooks find the container's process in its cgroup with its limits set, and what they write there stays (runc's order)", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"], (s) => (s.linux!.resources = { ...s.linux!.resources, pids: { limit: 100 } }));
  b.spec.hooks = { prestart: [cgroupEditingHook("prestart", b.out)], createRuntime: [cgroupEditingHook("createRuntime", b.out)] };
  b.save();
  try {
    const created = runt(["--root", root.path, "create", "-b", b.dir, "cg-hooked"], { files: true });
    assert.equal(created.status, 0, created.stderr);
    const pid = JSON.parse(runt(["--root", root.path, "state", "cg-hooked"]).stdout).pid;
    const path = pidsCgroupOf(pid);
    assert.notEqual(path, "/");
    // prestart saw runt's limit, then wrote its own; createRuntime, after it, saw that.
    assert.equal(readFileSync(join(b.out, "prestart.seen"), "utf8"), `prestart: ${path} 100\n`);
    assert.equal(readFileSync(join(b.out, "createRuntime.seen"), "utf8"), `createRuntime: ${path} 77\n`);
    const dir = existsSync("/sys/fs/cgroup/pids") ? `/sys/fs/cgroup/pids${path}` : `/sys/fs/cgroup${path}`;
    assert.equal(readFileSync(join(dir, "pids.max"), "utf8"), "77\n");
  } finally {
    runt(["--root", root.path, "delete", "--force", "cg-hooked"]);
    b.cleanup();
    root.cleanup();
  }
});
