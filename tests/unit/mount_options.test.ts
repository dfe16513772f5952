import { test } from "node:test";
import assert from "node:assert/strict";
import { isBind, MOUNT_ATTR, MOUNT_OPTION_NAMES, mountFlagsFromStatfs, MS, parseMountOptions } from "../../runtime/mount/options.ts";

test("runc's default /dev mount: flags and data split as runc splits them", () => {
  const p = parseMountOptions(["nosuid", "strictatime", "mode=755", "size=65536k"]);
  assert.equal(p.flags, MS.NOSUID | MS.STRICTATIME);
  assert.equal(p.data, "mode=755,size=65536k");
  assert.deepEqual(p.propagation, []);
});

test("later options override earlier ones (ro then rw leaves the mount writable)", () => {
  assert.equal(parseMountOptions(["ro", "rw"]).flags & MS.RDONLY, 0);
  assert.equal(parseMountOptions(["rw", "ro"]).flags & MS.RDONLY, MS.RDONLY);
  assert.equal(parseMountOptions(["noexec", "exec", "nodev"]).flags, MS.NODEV);
});

test("rbind is BIND|REC; propagation options are kept apart, in order", () => {
  const p = parseMountOptions(["rbind", "rslave", "private"]);
  assert.equal(p.flags, MS.BIND | MS.REC);
  assert.deepEqual(p.propagation, [MS.SLAVE | MS.REC, MS.PRIVATE]);
  assert.ok(isBind(["rbind"]) && isBind([], "bind") && !isBind(["ro"], "tmpfs"));
});

test("recursive options become mount_setattr attributes; atime modes clear the atime mask", () => {
  const p = parseMountOptions(["rbind", "rro", "rnosuid", "rnoatime"]);
  assert.equal(p.recursive.set, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOATIME);
  assert.equal(p.recursive.clear, MOUNT_ATTR.ATIME_MASK);
  const q = parseMountOptions(["rro", "rrw"]);
  assert.equal(q.recursive.set & MOUNT_ATTR.RDONLY, 0);
  assert.equal(q.recursive.clear & MOUNT_ATTR.RDONLY, MOUNT_ATTR.RDONLY);
});

test("tmpcopyup is recognized and not passed to the kernel", () => {
  const p = parseMountOptions(["tmpcopyup", "mode=1777"]);
  assert.equal(p.tmpcopyup, true);
  assert.equal(p.data, "mode=1777");
});

test("every option of the spec's features example is recognized", () => {
  const spec = ["acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
    "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime",
    "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev",
    "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
    "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave",
    "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid",
    "symfollow", "sync", "tmpcopyup", "unbindable"];
  assert.deepEqual([...MOUNT_OPTION_NAMES], [...spec].sort());
  for (const o of spec) assert.equal(parseMountOptions([o]).data, "", o);
});

test("statfs flags become MS_* flags: ST_VALID, ST_SYNCHRONOUS and ST_MANDLOCK dropped, ST_RELATIME and ST_NOSYMFOLLOW moved, strictatime when neither relatime nor noatime", () => {
  const ST = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, VALID: 0x20, MANDLOCK: 0x40, NOATIME: 0x400, NODIRATIME: 0x800, RELATIME: 0x1000, NOSYMFOLLOW: 0x2000 };
  assert.equal(mountFlagsFromStatfs(ST.NOSUID | ST.NODEV | ST.NOEXEC | ST.RELATIME | ST.VALID), MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RELATIME);
  assert.equal(mountFlagsFromStatfs(ST.RDONLY | ST.SYNCHRONOUS | ST.MANDLOCK), MS.RDONLY | MS.STRICTATIME);
  assert.equal(mountFlagsFromStatfs(ST.NOATIME | ST.NODIRATIME | ST.NOSYMFOLLOW), MS.NOATIME | MS.NODIRATIME | MS.NOSYMFOLLOW);
  assert.equal(mountFlagsFromStatfs(ST.VALID) & MS.REMOUNT, 0);
});

