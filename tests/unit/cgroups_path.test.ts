import { test } from "node:test";
import assert from "node:assert/strict";
import { cgroupDir, cgroupPathIn, resolveCgroupsPath } from "../../runtime/cgroups/path.ts";
import { CgroupError } from "../../runtime/cgroups/errors.ts";

const mount = { mountPoint: "/sys/fs/cgroup/memory", root: "/", controllers: ["memory"] };

test("no cgroupsPath on pure v2: /runt/<id>, the same whatever cgroup runt runs in", () => {
  const p = resolveCgroupsPath(undefined, "web", "v2");
  assert.deepEqual(p, { absolute: true, path: "/runt/web" });
  assert.equal(cgroupPathIn(p, "/user.slice/session-1.scope"), "/runt/web");
  assert.deepEqual(resolveCgroupsPath("", "web", "v2"), p);
});

test("no cgroupsPath on v1 and hybrid hosts: the ID under runt's own cgroup, as runc does", () => {
  for (const version of ["v1", "hybrid"] as const) {
    const p = resolveCgroupsPath(undefined, "web", version);
    assert.deepEqual(p, { absolute: false, path: "web" });
    assert.equal(cgroupPathIn(p, "/user.slice/session-1.scope"), "/user.slice/session-1.scope/web");
  }
});

test("absolute paths are taken from the hierarchy root, normalised", () => {
  const p = resolveCgroupsPath("//my//runtime/./c1/", "x");
  assert.deepEqual(p, { absolute: true, path: "/my/runtime/c1" });
  assert.equal(cgroupDir(mount, cgroupPathIn(p, "/elsewhere")), "/sys/fs/cgroup/memory/my/runtime/c1");
  assert.equal(resolveCgroupsPath("/a/b/../c", "x").path, "/a/c");
});

test("relative paths go under runt's own cgroup in each hierarchy", () => {
  const p = resolveCgroupsPath("pod/c1", "x");
  assert.deepEqual(p, { absolute: false, path: "pod/c1" });
  assert.equal(cgroupPathIn(p, "/process_api/abc"), "/process_api/abc/pod/c1");
  assert.equal(cgroupPathIn(p, "/"), "/pod/c1");
  assert.equal(cgroupPathIn(p, undefined), "/pod/c1");
});

test(".. that climbs out of the base is refused", () => {
  assert.throws(() => resolveCgroupsPath("../sibling", "x"), (e: Error) => e instanceof CgroupError && /climbs above runt's own cgroup/.test(e.message));
  assert.throws(() => resolveCgroupsPath("/../../etc", "x"), /climbs above the cgroup root/);
  assert.throws(() => resolveCgroupsPath("a/../../b", "x"), /climbs above/);
  assert.throws(() => resolveCgroupsPath("/", "x"), /the cgroup root itself/);
});

test("systemd's slice:prefix:name form is refused in one line", () => {
  assert.throws(() => resolveCgroupsPath("system.slice:runt:abc", "abc"), (e: Error) => {
    assert.ok(e instanceof CgroupError);
    assert.match(e.message, /systemd's "slice:prefix:name" form/);
    assert.equal(e.message.split("\n").length, 1);
    return true;
  });
  assert.throws(() => resolveCgroupsPath(":runt:abc", "abc"), /systemd/);
  // A path with a colon elsewhere is an ordinary cgroup name.
  assert.equal(resolveCgroupsPath("/a:b", "x").path, "/a:b");
});

test("directories inside a mount whose root is not /", () => {
  const nsMount = { mountPoint: "/sys/fs/cgroup", root: "/kubepods/pod1", controllers: [] };
  assert.equal(cgroupDir(nsMount, "/kubepods/pod1/c1"), "/sys/fs/cgroup/c1");
  assert.throws(() => cgroupDir(nsMount, "/other/c1"), /outside the part of the hierarchy/);
});
