/**
 * Idmapped mounts (mounts[].uidMappings/gidMappings, options idmap and
 * ridmap): a host directory owned by one ID is seen inside as owned by
 * another, and what the container writes there lands as the host's ID.
 * runc 1.1.5 ignores these fields (it shows the files as nobody), so only
 * runt runs here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Bundle, makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import type { LinuxIDMapping, Mount, Spec } from "../../runtime/spec/schema.ts";
import { rootlessUser, runAsUser, userBundle } from "../fixtures/rootless_user.ts";
import { hasCommand, isRoot, runt, tempDir } from "./runt.ts";
import { leftovers } from "./leftovers.ts";
import { assertRefused } from "./containers.ts";

const skip = isRoot ? false : "needs root";
const FIRST = 100000;
const CONTAINER_MAP = [{ containerID: 0, hostID: FIRST, size: 65536 }];
const HOST_USER = 1000;

function owner(path: string): string {
  const st = statSync(path);
  return `${st.uid}:${st.gid}`;
}

function one(containerID: number, hostID: number): LinuxIDMapping[] {
  return [{ containerID, hostID, size: 1 }];
}

/** A directory of the host owned by `uid`, with a file of that user's in it. */
function hostVolume(dir: string, uid: number): string {
  const vol = join(dir, "vol");
  mkdirSync(vol);
  writeFileSync(join(vol, "theirs"), "x");
  chownSync(vol, uid, uid);
  chownSync(join(vol, "theirs"), uid, uid);
  return vol;
}

/** A bundle with a user namespace mapping 0 to FIRST, on a rootfs owned by FIRST (as userns.test.ts makes them). */
function userBundle0(args: string[], edit: (spec: Spec, b: Bundle) => void): Bundle {
  const b = makeBundle(args, (spec) => {
    spec.linux!.namespaces!.push({ type: "user" });
    spec.linux!.uidMappings = CONTAINER_MAP;
    spec.linux!.gidMappings = CONTAINER_MAP;
    spec.root = { path: "rootfs", readonly: false };
  });
  execFileSync("cp", ["-a", SHARED_ROOTFS, join(b.dir, "rootfs")]);
  execFileSync("chown", ["-R", `${FIRST}:${FIRST}`, join(b.dir, "rootfs")]);
  chmodSync(b.dir, 0o755);
  chmodSync(b.out, 0o1777);
  edit(b.spec, b);
  b.save();
  return b;
}

function volumeMount(source: string, options: string[], uid?: LinuxIDMapping[], gid = uid): Mount {
  const m: Mount = { destination: "/vol", type: "bind", source, options };
  if (uid) Object.assign(m, { uidMappings: uid, gidMappings: gid });
  return m;
}

/** `run` of the bundle; nothing of the container may be left after it (`paths`: where mounts must not remain). */
function runIn(b: Bundle, id: string, paths = [b.dir]) {
  const root = tempDir("runt-root-");
  try {
    const r = runt(["--root", root.path, "run", "--bundle", b.dir, id]);
    assert.deepEqual(leftovers(root.path, id, paths), []);
    return r;
  } finally {
    root.cleanup();
  }
}

const SCRIPT = "stat -c '%u:%g' /vol /vol/theirs; touch /vol/mine; grep ' /vol ' /proc/self/mountinfo | grep -c idmapped";

/**
 * SCRIPT run in `b`: /vol and the file in it are the container root's, the
 * mount is idmapped, and the file root makes there is `hostOwner`'s on the host.
 */
function seenAsRoot(b: Bundle, id: string, hostOwner: number): void {
  try {
    const r = runIn(b, id);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "0:0\n0:0\n1\n");
    assert.equal(owner(join(b.dir, "vol/mine")), `${hostOwner}:${hostOwner}`);
  } finally {
    b.cleanup();
  }
}

test("a host directory owned by 1000, idmapped onto the container's root: owned by root inside, writes land as host 1000", { skip }, () => {
  const b = userBundle0(["sh", "-c", SCRIPT], (spec, b) => {
    spec.mounts!.push(volumeMount(hostVolume(b.dir, HOST_USER), ["bind", "idmap"], one(HOST_USER, FIRST)));
  });
  seenAsRoot(b, "idmap-userns", HOST_USER);
});

test("without a user namespace: host 1000's directory idmapped to root is root's inside, and root's writes are 1000's on the host", { skip }, () => {
  const b = makeBundle(["sh", "-c", SCRIPT]);
  b.spec.mounts!.push(volumeMount(hostVolume(b.dir, HOST_USER), ["bind", "idmap"], one(HOST_USER, 0)));
  b.save();
  seenAsRoot(b, "idmap-plain", HOST_USER);
});

test("`idmap` without maps of its own takes the container's: a host root's directory is the container root's, writes land as host root", { skip }, () => {
  const b = userBundle0(["sh", "-c", SCRIPT], (spec, b) => {
    spec.mounts!.push(volumeMount(hostVolume(b.dir, 0), ["bind", "idmap"]));
  });
  seenAsRoot(b, "idmap-container-maps", 0);
});

test("ridmap maps the mounts below the source too; idmap only the top one", { skip }, () => {
  for (const [option, below] of [["ridmap", "0:0"], ["idmap", "65534:65534"]] as const) {
    const b = userBundle0(["stat", "-c", "%u:%g", "/vol", "/vol/sub"], (spec, b) => {
      spec.mounts!.push(volumeMount(hostVolume(b.dir, HOST_USER), ["rbind", option], one(HOST_USER, FIRST)));
    });
    const sub = join(b.dir, "vol/sub");
    mkdirSync(sub);
    execFileSync("mount", ["-t", "tmpfs", "-o", `uid=${HOST_USER},gid=${HOST_USER}`, "tmpfs", sub]);
    try {
      // The test's own tmpfs stays until the end; only the rootfs must be clean.
      const r = runIn(b, `idmap-${option}`, [join(b.dir, "rootfs")]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `0:0\n${below}\n`, option);
    } finally {
      execFileSync("umount", [sub]);
      b.cleanup();
    }
  }
});

test("idmapped mounts refused in one line naming the field, nothing left: not a bind, no maps to use, a user without root", { skip }, () => {
  const tmpfs = makeBundle(["true"]);
  tmpfs.spec.mounts!.push({ destination: "/vol", type: "tmpfs", source: "tmpfs", options: ["idmap"], uidMappings: one(0, 1000), gidMappings: one(0, 1000) });
  tmpfs.save();
  const byPath = makeBundle(["true"], (spec) => {
    // Any user namespace file: the mount is refused before it would be joined.
    spec.linux!.namespaces!.push({ type: "user", path: "/proc/self/ns/user" });
  });
  byPath.spec.mounts!.push(volumeMount(hostVolume(byPath.dir, 0), ["bind", "idmap"]));
  byPath.save();
  try {
    const n = tmpfs.spec.mounts!.length - 1;
    const cases: [Bundle, string, RegExp][] = [
      [tmpfs, "idmap-tmpfs", new RegExp(`^runt: mounts\\[${n}\\]\\.uidMappings: idmapped mounts are made of bind mounts only`)],
      [byPath, "idmap-nomaps", new RegExp(`^runt: mounts\\[${byPath.spec.mounts!.length - 1}\\]\\.options: idmap needs uidMappings and gidMappings`)],
    ];
    for (const [b, id, message] of cases) assertRefused(b.dir, id, message);
  } finally {
    tmpfs.cleanup();
    byPath.cleanup();
  }
  if (!hasCommand("setpriv") || !hasCommand("newuidmap")) return;
  // Without root: the host's filesystems cannot be idmapped by a user (the kernel's rule), so runt cannot either.
  const user = rootlessUser();
  const b = userBundle(user, ["true"], (spec) => {
    spec.mounts!.push({ destination: "/vol", type: "bind", source: user.home, options: ["bind", "idmap"], uidMappings: one(0, user.uid), gidMappings: one(0, user.gid) });
  });
  try {
    const r = runAsUser(user, ["run", "--bundle", b.dir, "idmap-rootless"]);
    assert.notEqual(r.status, 0);
    const errors = r.errLines.filter((l) => !l.startsWith("runt: warning: "));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /^runt: mounts\[\d+\]\.source ".*": only root may idmap a mount of the host's filesystems \(EPERM\)$/);
    assert.deepEqual(leftovers(join(user.runtimeDir, "runt"), "idmap-rootless", [b.dir]), []);
  } finally {
    b.cleanup();
  }
});

test("features reports idmapped mounts as supported", { skip }, () => {
  const f = runt(["features"]);
  assert.equal(f.status, 0, f.stderr);
  assert.deepEqual(JSON.parse(f.stdout).linux.mountExtensions, { idmap: { enabled: true } });
});
