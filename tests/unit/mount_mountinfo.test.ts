import { test } from "node:test";
import assert from "node:assert/strict";
import { findMount, parseMountinfo } from "../../runtime/mount/mountinfo.ts";

const TABLE = [
  "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard",
  "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 master:2 - tmpfs tmpfs ro,mode=755",
  String.raw`50 27 0:40 /data\040dir /mnt/with\040space\011tab rw,noatime - tmpfs my\134src rw`,
  "51 22 0:41 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw",
  "52 22 0:41 /sys /proc/sys rw,nosuid,nodev,relatime - proc proc rw",
  "garbage line",
  "",
].join("\n");

test("every field of a mountinfo line, with and without optional propagation tags", () => {
  const mounts = parseMountinfo(TABLE);
  assert.equal(mounts.length, 6);
  assert.deepEqual(mounts[0], {
    id: 27,
    parentId: 1,
    device: "254:0",
    root: "/",
    mountPoint: "/",
    options: ["rw", "relatime"],
    optional: ["shared:1"],
    fsType: "ext4",
    source: "/dev/vda",
    superOptions: ["rw", "discard"],
  });
  assert.deepEqual(mounts[1].optional, []);
  assert.deepEqual(mounts[2].optional, ["shared:4", "master:2"]);
  assert.deepEqual(mounts[2].superOptions, ["ro", "mode=755"]);
});

test("octal escapes in paths and sources are decoded", () => {
  const m = parseMountinfo(TABLE)[3];
  assert.equal(m.root, "/data dir");
  assert.equal(m.mountPoint, "/mnt/with space\ttab");
  assert.equal(m.source, "my\\src");
});

test("findMount gives the mount on top: the last one at that point", () => {
  const mounts = parseMountinfo(TABLE);
  assert.equal(findMount(mounts, "/proc/sys")?.id, 52);
  assert.equal(findMount(mounts, "/proc")?.id, 22);
  assert.equal(findMount(mounts, "/nowhere"), undefined);
});
