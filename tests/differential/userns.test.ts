/**
 * Differential: a container in a new user namespace, as root, under runc
 * and under runt — its maps, capabilities, `id`, /dev and mountinfo —
 * with one range and with several, and with a process user that only the
 * second range maps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Spec } from "../../runtime/spec/schema.ts";
import { assertSameView, skipReason } from "./differential.ts";
import { copyRootfs } from "./rootfs.ts";

const skip = skipReason();

const MAPS = { maps: "cat /proc/self/uid_map /proc/self/gid_map", userns: "ls -ln /proc/self/ns/user | cut -d' ' -f3,4" };

/**
 * The namespace's root must reach the rootfs: a copy in a directory others
 * may enter (a bundle directory is the caller's only), read-only, so
 * neither runtime leaves mount points in it for the other.
 */
function sharedRootfs(scratch: string) {
  chmodSync(scratch, 0o755);
  return { values: { rootfs: copyRootfs(join(scratch, "rootfs")) } };
}

function inUserNamespace(spec: Spec, rootfs: string) {
  spec.root = { path: rootfs, readonly: true };
  spec.linux!.namespaces!.push({ type: "user" });
}

test("new user namespace, one range: maps, Cap*, id, /dev and mountinfo", { skip }, () => {
  assertSameView({
    setup: sharedRootfs,
    edit: (spec, { fixture }) => {
      inUserNamespace(spec, fixture.rootfs);
      spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    },
    probes: MAPS,
    expect: (s) => assert.match(s.get("maps") ?? "", /^\s+0\s+100000\s+65536\n\s+0\s+100000\s+65536\n/),
  });
});

test("new user namespace and 30 bind mounts, more than the init's channel once took descriptors for", { skip }, () => {
  assertSameView({
    setup: (scratch) => {
      const { values } = sharedRootfs(scratch);
      const dir = join(scratch, "binds");
      mkdirSync(dir, { mode: 0o755 });
      for (let i = 0; i < 30; i++) writeFileSync(join(dir, `f${i}`), `bound ${i}\n`, { mode: 0o644 });
      return { values: { ...values, dir } };
    },
    edit: (spec, { fixture }) => {
      inUserNamespace(spec, fixture.rootfs);
      spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      // Their mount points on a tmpfs: the namespace's root may not make them in the read-only rootfs.
      spec.mounts!.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"] });
      for (let i = 0; i < 30; i++) {
        spec.mounts!.push({ destination: `/tmp/f${i}`, type: "bind", source: join(fixture.dir, `f${i}`), options: ["bind", "ro"] });
      }
    },
    probes: { binds: "cat /tmp/f0 /tmp/f17 /tmp/f29" },
    expect: (s) => assert.match(s.get("binds") ?? "", /^bound 0\nbound 17\nbound 29\n/),
  });
});

test("new user namespace, several ranges, process user in the second", { skip }, () => {
  assertSameView({
    setup: sharedRootfs,
    edit: (spec, { fixture }) => {
      inUserNamespace(spec, fixture.rootfs);
      spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 300000, size: 1000 }];
      spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 300000, size: 1000 }];
      spec.process!.user = { uid: 1500, gid: 1500, additionalGids: [1600] };
    },
    probes: MAPS,
    expect: (s) => assert.match(s.get("id") ?? "", /^uid=1500 gid=1500 groups=1600/),
  });
});

test("user namespace joined by path (made by unshare --map-root-user), the others new", { skip }, () => {
  assertSameView({
    setup: (scratch) => {
      const { values } = sharedRootfs(scratch);
      const holder = spawn("unshare", ["--user", "--map-root-user", "sleep", "120"], { stdio: "ignore" });
      const path = `/proc/${holder.pid}/ns/user`;
      waitFor(() => readlinkOr(path) !== readlinkOr("/proc/self/ns/user"), "the unshare'd user namespace");
      return { values: { ...values, path }, cleanup: () => holder.kill("SIGKILL") };
    },
    edit: (spec, { fixture }) => {
      spec.root = { path: fixture.rootfs, readonly: true };
      spec.linux!.namespaces!.push({ type: "user", path: fixture.path });
      // Only gid 0 exists in that namespace: devpts cannot take gid=5.
      for (const m of spec.mounts!) if (m.type === "devpts") m.options = m.options!.filter((o) => o !== "gid=5");
      // runc 1.1.5 wants the namespace's maps restated even when it joins one.
      spec.linux!.uidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
      spec.linux!.gidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
    },
    probes: MAPS,
    expect: (s) => assert.match(s.get("maps") ?? "", /^\s+0\s+0\s+1\n\s+0\s+0\s+1\n/),
  });
});

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

function waitFor(cond: () => boolean, what: string): void {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
