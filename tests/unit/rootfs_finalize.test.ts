import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { MS } from "../../runtime/mount/options.ts";
import { finalizeRootfs, RootfsError } from "../../runtime/rootfs/mod.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { FakeProc } from "./rootfs_support.ts";

/** The container's mount table as it is after the default spec's mounts and the pivot. */
const CONTAINER_MOUNTS = [
  "100 90 254:0 /tmp/b/rootfs / rw,nodev,relatime - ext4 /dev/vda rw",
  "101 100 0:50 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "102 100 0:51 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
  "110 101 0:50 /sys /proc/sys rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "111 101 0:50 /bus /proc/bus rw,nosuid,nodev,relatime - proc proc rw",
  "",
].join("\n");

function run(spec: Spec, setup?: (sys: RecordingSyscalls) => void) {
  const sys = new RecordingSyscalls();
  setup?.(sys);
  const proc = new FakeProc({ "/proc/thread-self/mountinfo": CONTAINER_MOUNTS });
  finalizeRootfs(sys, spec, proc);
  return { sys, proc, calls: sys.calls.map((c) => [c.name, ...c.args]) };
}

function only(linux: Spec["linux"], rest: Partial<Spec> = {}): Spec {
  return { ociVersion: "1.2.0", linux, ...rest };
}

test("masked paths: /dev/null over a file, a read-only tmpfs over a directory, missing ones skipped", () => {
  const { calls } = run(only({ maskedPaths: ["/proc/kcore", "/proc/acpi", "/proc/missing"] }), (sys) => {
    sys.failOn("mount", "ENOTDIR", { when: (src, target) => src === "/dev/null" && target === "/proc/acpi" });
    sys.failOn("mount", "ENOENT", { when: (_src, target) => target === "/proc/missing" });
  });
  assert.deepEqual(calls, [
    ["mount", "/dev/null", "/proc/kcore", null, MS.BIND, null],
    ["mount", "/dev/null", "/proc/acpi", null, MS.BIND, null],
    ["mount", "tmpfs", "/proc/acpi", "tmpfs", MS.RDONLY, null],
    ["mount", "/dev/null", "/proc/missing", null, MS.BIND, null],
  ]);
});

test("readonly paths: a recursive self-bind, remounted read-only keeping nosuid/nodev/noexec; missing skipped", () => {
  const { calls } = run(only({ readonlyPaths: ["/proc/sys", "/proc/bus/", "/proc/nothing"] }), (sys) => {
    sys.failOn("mount", "ENOENT", { when: (_src, target) => target === "/proc/nothing" });
  });
  assert.deepEqual(calls, [
    ["mount", "/proc/sys", "/proc/sys", null, MS.BIND | MS.REC, null],
    [
      "mount",
      "/proc/sys",
      "/proc/sys",
      null,
      MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.BIND | MS.REMOUNT | MS.RDONLY,
      null,
    ],
    ["mount", "/proc/bus/", "/proc/bus/", null, MS.BIND | MS.REC, null],
    ["mount", "/proc/bus/", "/proc/bus/", null, MS.NOSUID | MS.NODEV | MS.BIND | MS.REMOUNT | MS.RDONLY, null],
    ["mount", "/proc/nothing", "/proc/nothing", null, MS.BIND | MS.REC, null],
  ]);
});

test("root.readonly remounts / read-only with the flags it has; without a mount table, with none", () => {
  const { calls } = run(only({}, { root: { path: "rootfs", readonly: true } }));
  assert.deepEqual(calls, [[
    "mount",
    null,
    "/",
    null,
    MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NODEV | MS.RELATIME,
    null,
  ]]);
  const sys = new RecordingSyscalls();
  finalizeRootfs(sys, only({}, { root: { path: "rootfs", readonly: true } }), new FakeProc());
  assert.deepEqual(sys.callsTo("mount"), [[null, "/", null, MS.BIND | MS.REMOUNT | MS.RDONLY, null]]);
  assert.deepEqual(run(only({}, { root: { path: "rootfs", readonly: false } })).calls, []);
});

test("rootfsPropagation is applied to the new / first", () => {
  const { calls } = run(only({ rootfsPropagation: "shared", maskedPaths: ["/proc/kcore"] }));
  assert.deepEqual(calls[0], ["mount", null, "/", null, MS.SHARED, null]);
  assert.equal(calls.length, 2);
});

test("read-only tmpfs mounts and /dev, mounted writable before, are remounted read-only", () => {
  const spec = only({}, {
    mounts: [
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "ro", "mode=755"] },
      { destination: "/run/", type: "tmpfs", source: "tmpfs", options: ["ro", "nodev"] },
      { destination: "/data", type: "bind", source: "/srv", options: ["rbind", "ro"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["ro"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs" },
    ],
  });
  assert.deepEqual(run(spec).calls, [
    ["mount", null, "/dev", null, MS.NOSUID | MS.RDONLY | MS.REMOUNT | MS.BIND, null],
    ["mount", null, "/run", null, MS.NODEV | MS.RDONLY | MS.REMOUNT | MS.BIND, null],
  ]);
});

test("sysctls are written under /proc/sys with dots as slashes", () => {
  const { proc, calls } = run(only({ sysctl: { "net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1" } }));
  assert.deepEqual(proc.writes, [
    ["/proc/sys/net/ipv4/ip_forward", "1"],
    ["/proc/sys/kernel/shm_rmid_forced", "1"],
  ]);
  assert.deepEqual(calls, []);
});

test("a sysctl that cannot be written names its key", () => {
  const sys = new RecordingSyscalls();
  const proc = new FakeProc();
  proc.write = () => {
    throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
  };
  assert.throws(
    () => finalizeRootfs(sys, only({ sysctl: { "kernel.msgmax": "1" } }), proc),
    (e: unknown) => e instanceof RootfsError && e.message === 'sysctl "kernel.msgmax": EACCES (Permission denied)',
  );
});

test("hostname and domainname are set when given", () => {
  assert.deepEqual(run(only({}, { hostname: "box", domainname: "example.org" })).calls, [
    ["sethostname", "box"],
    ["setdomainname", "example.org"],
  ]);
  assert.deepEqual(run(only({}, { hostname: "" })).calls, []);
  assert.throws(
    () => run(only({}, { hostname: "box" }), (sys) => sys.failOn("sethostname", "EPERM")),
    /^RootfsError: hostname "box": EPERM \(Operation not permitted\)$/,
  );
});

test("the default spec, in runc's order: ro remounts and root, hostname, then readonly paths, then masked paths", () => {
  const spec = defaultSpec();
  spec.linux!.sysctl = { "net.ipv4.ping_group_range": "0 0" };
  const { sys, proc } = run(spec);
  const targets = sys.calls.map((c) => c.name === "mount" ? `${c.args[1]}` : c.name);
  const readonlyPaths = spec.linux!.readonlyPaths!.flatMap((p) => [p, p]);
  assert.deepEqual(targets, ["/", "sethostname", ...readonlyPaths, ...spec.linux!.maskedPaths!]);
  assert.deepEqual(proc.writes, [["/proc/sys/net/ipv4/ping_group_range", "0 0"]]);
});
