import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CgroupManager } from "../../runtime/cgroups/manager.ts";
import { parseSubCgroupArgs } from "../../runtime/cgroups/sub.ts";

test("exec --cgroup arguments as runc 1.1 reads them", () => {
  assert.deepEqual(parseSubCgroupArgs(["memory:sub"]), { memory: "sub" });
  assert.deepEqual(parseSubCgroupArgs(["memory:sub", "pids:a/b"]), { memory: "sub", pids: "a/b" });
  assert.deepEqual(parseSubCgroupArgs(["memory,pids:/sub/"]), { memory: "sub", pids: "sub" });
  assert.deepEqual(parseSubCgroupArgs(["sub"]), { "": "sub" });
  assert.deepEqual(parseSubCgroupArgs([":sub"]), { "": "sub" });
  assert.deepEqual(parseSubCgroupArgs(["memory:a/../sub"]), { memory: "sub" });
  assert.deepEqual(parseSubCgroupArgs(["memory:."]), { memory: "" });
  assert.throws(() => parseSubCgroupArgs(["a:b:c"]), /^CgroupError: invalid --cgroup argument: a:b:c$/);
  assert.throws(() => parseSubCgroupArgs(["sub", "memory:sub"]), /invalid --cgroup argument: sub \(missing <controller>: prefix\)/);
  assert.throws(() => parseSubCgroupArgs(["memory:../x"]), /invalid --cgroup argument: \.\.\/x is not a sub cgroup path/);
  assert.throws(() => parseSubCgroupArgs(["a/../../x"]), /is not a sub cgroup path/);
});

test("within: per-controller directories on v1, a shared hierarchy moved as one; the path alone everywhere", () => {
  const root = mkdtempSync(join(tmpdir(), "runt-cg-sub-"));
  try {
    for (const d of ["cpu,cpuacct/c/sub", "memory/c/sub", "pids/c/sub", "unified/c/sub"]) mkdirSync(join(root, d), { recursive: true });
    const saved = {
      version: "hybrid" as const,
      v1: { cpu: `${root}/cpu,cpuacct/c`, cpuacct: `${root}/cpu,cpuacct/c`, memory: `${root}/memory/c`, pids: `${root}/pids/c` },
      unified: `${root}/unified/c`,
    };
    const m = CgroupManager.open(saved);
    assert.deepEqual(m.within({ memory: "sub", cpuacct: "sub" }).dirs(), [
      `${root}/cpu,cpuacct/c/sub`,
      `${root}/memory/c/sub`,
      `${root}/pids/c`,
      `${root}/unified/c`,
    ]);
    assert.deepEqual(m.within({ "": "sub" }).dirs(), ["cpu,cpuacct", "memory", "pids", "unified"].map((h) => `${root}/${h}/c/sub`));
    assert.throws(() => m.within({ blkio: "sub" }), /invalid --cgroup argument: unknown controller blkio/);
    assert.throws(() => m.within({ cpu: "sub", cpuacct: "" }), /cpu,cpuacct share one hierarchy but were given different paths/);
    assert.throws(() => m.within({ memory: "nosuch" }), /--cgroup: .*\/memory\/c\/nosuch does not exist/);

    for (const d of m.within({ memory: "sub" }).dirs()) writeFileSync(join(d, "cgroup.procs"), "");
    m.within({ memory: "sub" }).apply(4242);
    assert.equal(readFileSync(`${root}/memory/c/sub/cgroup.procs`, "utf8"), "4242");
    assert.equal(readFileSync(`${root}/pids/c/cgroup.procs`, "utf8"), "4242");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("within on v2: the sub-cgroup path alone; a controller is unknown there", () => {
  const root = mkdtempSync(join(tmpdir(), "runt-cg-sub2-"));
  try {
    mkdirSync(join(root, "c/sub"), { recursive: true });
    const m = CgroupManager.open({ version: "v2", v1: {}, unified: `${root}/c` });
    assert.deepEqual(m.within({ "": "sub" }).dirs(), [`${root}/c/sub`]);
    assert.throws(() => m.within({ memory: "sub" }), /unknown controller memory \(the container's cgroup has only the cgroup v2 hierarchy\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
