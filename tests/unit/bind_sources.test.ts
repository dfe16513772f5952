/**
 * The bind sources runt opens for a user namespace's init
 * (runtime/container/bind_sources.ts), against the recording fake: which
 * mounts, opened where (inside the container's mount namespace, between
 * entering and leaving it), and what is left to the init.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { CLONE_NEWNS, O_PATH } from "../../ffi/constants.ts";
import { openBindSources } from "../../runtime/container/bind_sources.ts";
import type { Spec } from "../../runtime/spec/schema.ts";

const BUNDLE = "/srv/bundle";
const ROOTFS = "/srv/bundle/rootfs";

function specWith(mounts: NonNullable<Spec["mounts"]>): Spec {
  return { ociVersion: "1.3.0", root: { path: "rootfs" }, mounts } as Spec;
}

/** The sources opened, as the fake saw them: every open but the namespace files and the thread's root and cwd. */
function isSource(path: unknown): boolean {
  return !String(path).startsWith("/proc/") && path !== "/" && path !== ".";
}

test("the binds' sources, relative ones from the bundle, are opened inside the container's mount namespace; other mounts are not", () => {
  const sys = new RecordingSyscalls();
  const spec = specWith([
    { destination: "/proc", type: "proc", source: "proc" },
    { destination: "/data", type: "bind", source: "/var/lib/volumes/data", options: ["rbind", "ro"] },
    { destination: "/etc/hosts", source: "userdata/hosts", options: ["bind"] },
    { destination: "/tmp", type: "tmpfs", source: "tmpfs" },
  ]);
  const opened = openBindSources(sys, spec, BUNDLE, ROOTFS, 4242);
  assert.deepEqual(opened.indices, [1, 2]);
  assert.equal(opened.fds.length, 2);
  const sources = sys.callsTo("open").filter(([path]) => isSource(path));
  assert.deepEqual(sources.map(([path]) => path), ["/var/lib/volumes/data", `${BUNDLE}/userdata/hosts`]);
  for (const [, flags] of sources) assert.equal((flags as number) & O_PATH, O_PATH);
  // In, the sources, out: the mount namespace of 4242 entered, then left again, around them.
  assert.ok(sys.callsTo("open").some(([path]) => path === "/proc/4242/ns/mnt"));
  assert.deepEqual(sys.callsTo("setns").map(([, type]) => type), [CLONE_NEWNS, CLONE_NEWNS]);
  const at = (match: (c: { name: string; args: unknown[] }) => boolean) => sys.calls.flatMap((c, i) => (match(c) ? [i] : []));
  const setnsAt = at((c) => c.name === "setns");
  for (const i of at((c) => c.name === "open" && isSource(c.args[0]))) {
    assert.ok(i > setnsAt[0] && i < setnsAt[1], "a source opened outside the container's mount namespace");
  }
  // Every descriptor of its own is closed; the sources are the caller's to close once sent.
  const closed = sys.callsTo("close").map(([fd]) => fd);
  for (const fd of opened.fds) assert.ok(!closed.includes(fd));
});

test("left to the init: a source inside the rootfs (the image's symlinks), an idmapped bind, and one runt cannot open", () => {
  const sys = new RecordingSyscalls().failOn("open", "ENOENT", { when: (path: string) => path === "/gone" });
  const spec = specWith([
    { destination: "/a", type: "bind", source: "rootfs/etc/somewhere", options: ["bind"] },
    { destination: "/b", type: "bind", source: "/var/lib/ids", options: ["bind", "idmap"] },
    { destination: "/c", type: "bind", source: "/gone", options: ["bind"] },
    { destination: "/d", type: "bind", source: "/kept", options: ["bind"] },
  ]);
  const opened = openBindSources(sys, spec, BUNDLE, ROOTFS, 4242);
  assert.deepEqual(opened.indices, [3]);
  assert.deepEqual(sys.callsTo("open").filter(([path]) => isSource(path)).map(([path]) => path), ["/gone", "/kept"]);
});

test("no bind, or a namespace runt may not enter (runt without root): nothing opened, nothing entered or left behind", () => {
  const none = new RecordingSyscalls();
  assert.deepEqual(openBindSources(none, specWith([{ destination: "/tmp", type: "tmpfs", source: "tmpfs" }]), BUNDLE, ROOTFS, 4242), { indices: [], fds: [] });
  assert.deepEqual(none.calls, []);
  const refused = new RecordingSyscalls().failOn("setns", "EPERM", { times: 1 });
  const opened = openBindSources(refused, specWith([{ destination: "/d", type: "bind", source: "/kept", options: ["bind"] }]), BUNDLE, ROOTFS, 4242);
  assert.deepEqual(opened, { indices: [], fds: [] });
  assert.ok(!refused.callsTo("open").some(([path]) => path === "/kept"));
});
