/**
 * The container's cgroup where runc 1.1 (cgroupfs driver) is the contract,
 * each case run under runc and runt in turn on the same bundle and cgroup
 * path: a frozen cgroup refused, a cgroup with processes taken with runc's
 * warning, `update --memory -1` over a memory+swap limit, `unified` refused
 * off cgroup v2 and written on it, `exec --cgroup`; and `delete --force` of a
 * container whose cgroup was frozen while create ran. On pure cgroup v2 the
 * same cases use the one hierarchy's files (cgroup.freeze, memory.max, ...).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { readLayout, v1Hierarchies } from "../../runtime/cgroups/mod.ts";
import { type AsyncRun, cgroupVersion, pause, readOr, runtAsync, state, withRoot } from "./containers.ts";
import { leftovers } from "./leftovers.ts";
import { hasCommand, isRoot, runt, runtArgv } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "needs runc" : false;
const v2 = cgroupVersion === "v2";
const MiB = 1024 * 1024;
const layout = readLayout();
const RUNTIMES: Array<[name: string, argv: string[]]> = [["runc", ["runc"]], ["runt", runtArgv()]];

/** The directory of cgroup `path` in `controller`'s hierarchy ("" for the cgroup2 one). */
function dirOf(controller: string, path: string): string {
  const mount = controller === "" || v2 ? layout.unified : layout.v1[controller];
  assert.ok(mount, `no ${controller || "cgroup2"} hierarchy`);
  return `${mount.mountPoint}${path}`;
}

/** Every hierarchy's directory of `path`, deepest first, removed where empty; whatever a case made is gone. */
function removeCgroup(path: string): void {
  const mounts = [...v1Hierarchies(layout), ...(layout.unified ? [layout.unified] : [])];
  for (const m of mounts) {
    for (const d of [`${m.mountPoint}${path}/sub`, `${m.mountPoint}${path}`]) {
      try {
        rmdirSync(d);
      } catch { /* not there */ }
    }
  }
}

function bundleIn(path: string, args: string[], edit: (s: Spec) => void = () => {}) {
  return makeBundle(args, (s) => {
    s.linux!.cgroupsPath = path;
    edit(s);
  });
}

/** The freezer's file and its frozen and thawed words: freezer.state on v1, cgroup.freeze on v2. */
const FREEZER = v2 ? { file: "cgroup.freeze", frozen: "1", thawed: "0" } : { file: "freezer.state", frozen: "FROZEN", thawed: "THAWED" };

/** `argv ... args` with the state root, stdio in files (a detached container keeps what it is given). */
const under = (argv: string[], root: string) => (args: string[]) => runt(["--root", root, ...args], { argv, files: true });

test("a cgroup that is already frozen is refused at create, as runc refuses it, and left as it was", { skip }, withRoot((root) => {
  const path = `/runt-frozen-${process.pid}`;
  const b = bundleIn(path, ["true"]);
  try {
    for (const [name, argv] of RUNTIMES) {
      const freezer = dirOf("freezer", path);
      mkdirSync(freezer);
      writeFileSync(`${freezer}/${FREEZER.file}`, FREEZER.frozen);
      try {
        const r = under(argv, root)(["run", "-d", "--bundle", b.dir, "frozen"]);
        assert.notEqual(r.status, 0, `${name}: ${r.stderr}`);
        assert.match(r.stderr, /container's cgroup unexpectedly frozen/, name);
        assert.deepEqual(leftovers(root, "frozen", []), [], name);
        assert.equal(readFileSync(`${freezer}/${FREEZER.file}`, "utf8").trim(), FREEZER.frozen, `${name} left the cgroup frozen`);
        if (!v2) assert.equal(existsSync(dirOf("memory", path)), false, `${name} made no cgroup of its own`);
      } finally {
        writeFileSync(`${freezer}/${FREEZER.file}`, FREEZER.thawed);
        removeCgroup(path);
      }
    }
  } finally {
    b.cleanup();
  }
}));

test("delete --force kills a container whose cgroup was frozen while create ran", { skip }, withRoot(async (root) => {
  const path = `/runt-frozen-create-${process.pid}`;
  const freezerState = `${dirOf("freezer", path)}/${FREEZER.file}`;
  const b = bundleIn(path, ["sleep", "60"], (s) => {
    s.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", `echo ${FREEZER.frozen} > ${freezerState}`] }] };
  });
  const create = runtAsync(["--root", root, "create", "--bundle", b.dir, "fc"]);
  try {
    // The init is frozen while create waits for it: a create that cannot finish, as a frozen parent cgroup makes one.
    let ended: AsyncRun | undefined;
    create.done.then((r) => (ended = r));
    while (readOr(freezerState).trim() !== FREEZER.frozen) {
      if (ended) assert.fail(`create ended (status ${ended.code}) before its hook froze the cgroup: ${ended.stderr}`);
      await pause(10);
    }
    create.kill();
    await create.done;
    const d = runt(["--root", root, "delete", "--force", "fc"]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(leftovers(root, "fc", []), []);
    assert.equal(existsSync(dirOf("freezer", path)), false);
  } finally {
    // A create still running would hold the container's lock through the delete below.
    create.kill();
    await create.done;
    try {
      writeFileSync(freezerState, FREEZER.thawed);
    } catch { /* removed with the container */ }
    runt(["--root", root, "delete", "--force", "fc"]);
    removeCgroup(path);
    b.cleanup();
  }
}));

test("a cgroup that already has processes: runc's warning on stderr, and the container runs", { skip }, withRoot(async (root) => {
  const path = `/runt-busy-${process.pid}`;
  const b = bundleIn(path, ["sleep", "60"]);
  try {
    for (const [name, argv] of RUNTIMES) {
      const squatter = spawn("sleep", ["60"], { stdio: "ignore" });
      const gone = new Promise((resolve) => squatter.on("exit", resolve));
      try {
        for (const c of v2 ? [""] : ["freezer", "pids", "devices", "memory"]) {
          mkdirSync(dirOf(c, path));
          writeFileSync(`${dirOf(c, path)}/cgroup.procs`, String(squatter.pid));
        }
        const run = under(argv, root);
        const r = run(["run", "-d", "--bundle", b.dir, "busy"]);
        assert.equal(r.status, 0, `${name}: ${r.stderr}`);
        assert.match(r.stderr, /container's cgroup is not empty: 1 process\(es\) found/, name);
        assert.match(r.stderr, /DEPRECATED: running container in a non-empty cgroup won't be supported in runc 1\.2/, name);
        assert.equal(state(root, "busy", argv).status, "running", name);
        assert.equal(run(["delete", "--force", "busy"]).status, 0, name);
      } finally {
        squatter.kill("SIGKILL");
        await gone;
        removeCgroup(path);
      }
    }
  } finally {
    b.cleanup();
  }
}));

test("update --memory -1 over a memory+swap limit lifts both, as under runc", { skip }, withRoot((root) => {
  const path = `/runt-memory-${process.pid}`;
  const b = bundleIn(path, ["sleep", "60"], (s) => {
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 50 * MiB, swap: 100 * MiB } };
  });
  // v2 keeps swap apart from memory: 100 MiB of memory+swap is 50 MiB of memory.swap.max.
  const files = v2 ? ["memory.max", "memory.swap.max"] : ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"];
  const limits = () => files.map((f) => readFileSync(`${dirOf("memory", path)}/${f}`, "utf8").trim());
  const seen: Record<string, string[][]> = {};
  try {
    for (const [name, argv] of RUNTIMES) {
      const run = under(argv, root);
      try {
        assert.equal(run(["run", "-d", "--bundle", b.dir, "mem"]).status, 0, name);
        const before = limits();
        const u = run(["update", "--memory", "-1", "mem"]);
        assert.equal(u.status, 0, `${name}: ${u.stderr}`);
        const lifted = limits();
        assert.equal(run(["update", "--memory", "40m", "mem"]).status, 0, name);
        seen[name] = [before, lifted, limits()];
      } finally {
        run(["delete", "--force", "mem"]);
        removeCgroup(path);
      }
    }
    assert.deepEqual(seen.runc[0], [String(50 * MiB), String((v2 ? 50 : 100) * MiB)]);
    assert.deepEqual(seen.runt, seen.runc);
  } finally {
    b.cleanup();
  }
}));

test("linux.resources.unified off cgroup v2 is an invalid configuration, as runc says, and nothing is left", { skip: skip || (v2 && "needs a host with cgroup v1 controllers") }, withRoot((root) => {
  const path = `/runt-unified-${process.pid}`;
  const b = bundleIn(path, ["true"], (s) => {
    s.linux!.resources = { ...s.linux!.resources, unified: { "pids.max": "10" } };
  });
  try {
    for (const [name, argv] of RUNTIMES) {
      try {
        const r = under(argv, root)(["run", "-d", "--bundle", b.dir, "uni"]);
        assert.notEqual(r.status, 0, name);
        assert.match(r.stderr, /invalid configuration: cannot use unified on cgroup v1/, name);
        assert.deepEqual(leftovers(root, "uni", []), [], name);
        for (const c of ["", "memory", "pids"]) if (layout.unified || c) assert.equal(existsSync(dirOf(c, path)), false, `${name}: ${c || "cgroup2"}`);
      } finally {
        removeCgroup(path);
      }
    }
  } finally {
    b.cleanup();
  }
}));

test("linux.resources.unified on cgroup v2 is written to the container's cgroup, after the other limits, as under runc", { skip: skip || (!v2 && "needs pure cgroup v2") }, withRoot((root) => {
  const path = `/runt-unified-${process.pid}`;
  const b = bundleIn(path, ["sleep", "60"], (s) => {
    s.linux!.resources = { ...s.linux!.resources, pids: { limit: 20 }, unified: { "pids.max": "10", "memory.high": "33554432" } };
  });
  const seen: Record<string, string[]> = {};
  try {
    for (const [name, argv] of RUNTIMES) {
      const run = under(argv, root);
      try {
        const r = run(["run", "-d", "--bundle", b.dir, "uni"]);
        assert.equal(r.status, 0, `${name}: ${r.stderr}`);
        seen[name] = ["pids.max", "memory.high"].map((f) => readFileSync(`${dirOf("", path)}/${f}`, "utf8").trim());
      } finally {
        run(["delete", "--force", "uni"]);
        removeCgroup(path);
      }
    }
    assert.deepEqual(seen.runc, ["10", "33554432"]);
    assert.deepEqual(seen.runt, seen.runc);
  } finally {
    b.cleanup();
  }
}));

test("exec --cgroup puts the process in the container's sub-cgroups, with runc's forms and refusals", { skip }, withRoot((root) => {
  const path = `/runt-exec-cg-${process.pid}`;
  const b = bundleIn(path, ["sleep", "60"]);
  // v2 has one hierarchy: a bare path is its form there, a controller list is what runc refuses or ignores.
  const cases: string[][] = v2
    ? [
      ["--cgroup", "sub"],
      ["--cgroup", "/sub/"],
      ["--cgroup", "a/../sub"],
      ["--cgroup", "nosuch"],
      ["--cgroup", "../x"],
      ["--cgroup", "memory:sub"],
      ["--cgroup", "sub", "--cgroup", "memory:sub"],
    ]
    : [
      ["--cgroup", "memory:sub"],
      ["--cgroup", "memory:sub", "--cgroup", "pids:sub"],
      ["--cgroup", "memory,pids:/sub/"],
      ["--cgroup", "memory:a/../sub"],
      ["--cgroup", "memory:nosuch"],
      ["--cgroup", "memory:../x"],
      ["--cgroup", "nosuchcontroller:sub"],
      ["--cgroup", "a:b:c"],
      ["--cgroup", "sub", "--cgroup", "memory:sub"],
    ];
  const seen: Record<string, string[]> = {};
  try {
    for (const [name, argv] of RUNTIMES) {
      const run = under(argv, root);
      seen[name] = [];
      try {
        assert.equal(run(["run", "-d", "--bundle", b.dir, "ex"]).status, 0, name);
        for (const c of v2 ? [""] : ["memory", "pids"]) mkdirSync(`${dirOf(c, path)}/sub`);
        for (const flags of cases) {
          const r = runt(["--root", root, "exec", ...flags, "ex", "cat", "/proc/self/cgroup"], { argv });
          seen[name].push(r.status === 0 ? r.stdout : `refused (${r.status !== 0})`);
        }
      } finally {
        run(["delete", "--force", "ex"]);
        removeCgroup(path);
      }
    }
    assert.match(seen.runc[0], new RegExp(v2 ? `^0::${path}/sub\n` : `:memory:${path}/sub\n`));
    assert.deepEqual(seen.runt, seen.runc);
  } finally {
    b.cleanup();
  }
}));
