/**
 * Differential: what mounts, masked and read-only paths and device nodes
 * look like from inside a container under runc and under runt.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertSameView, skipReason } from "./differential.ts";
import { dataDirWithSubmount } from "./host.ts";

const skip = skipReason();

const section = (s: Map<string, string>, name: string) => s.get(name) ?? "";

test("bind mounts: ro,nosuid,nodev directory, rbind with rprivate, a single file", { skip }, () => {
  assertSameView({
    setup: (scratch) => {
      const { data, cleanup } = dataDirWithSubmount(scratch);
      const file = join(scratch, "motd");
      writeFileSync(file, "bound file\n");
      return { values: { data, file }, cleanup };
    },
    edit: (spec, { fixture }) => {
      spec.mounts!.push(
        { destination: "/mnt/ro", type: "bind", source: fixture.data, options: ["bind", "ro", "nosuid", "nodev"] },
        { destination: "/mnt/rbind", type: "bind", source: fixture.data, options: ["rbind", "rprivate"] },
        { destination: "/etc/motd", type: "bind", source: fixture.file, options: ["bind", "ro"] },
      );
    },
    probes: {
      "ro-bind": "ls -ln /mnt/ro /mnt/ro/sub; touch /mnt/ro/new",
      rbind: "cat /mnt/rbind/file.txt /mnt/rbind/sub/inner.txt; touch /mnt/rbind/sub/new && ls /mnt/rbind/sub",
      "file-bind": "cat /etc/motd; ls -ln /etc/motd",
    },
    expect: (s) => {
      assert.match(section(s, "ro-bind"), /Read-only file system/);
      assert.match(section(s, "rbind"), /in the submount/);
      assert.match(section(s, "file-bind"), /^bound file\n/);
    },
  });
});

test("rootfsPropagation rslave with an rslave bind, as podman writes for a volume mounted so: the same propagation tags as runc's", { skip }, () => {
  assertSameView({
    setup: (scratch) => {
      const { data, cleanup } = dataDirWithSubmount(scratch);
      return { values: { data }, cleanup };
    },
    edit: (spec, { fixture }) => {
      spec.linux!.rootfsPropagation = "rslave";
      spec.mounts!.push({ destination: "/v", type: "bind", source: fixture.data, options: ["rslave", "rw", "rbind"] });
    },
    probes: { volume: "cat /v/file.txt /v/sub/inner.txt; grep -c master /proc/self/mountinfo" },
    expect: (s) => {
      assert.match(section(s, "volume"), /in the submount/);
      assert.doesNotMatch(section(s, "volume"), /\n0\n$/);
    },
  });
});

test("masked and read-only paths: the defaults plus a directory, a file and a missing path", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.linux!.maskedPaths!.push("/home/user", "/etc/group", "/proc/no-such-entry");
      spec.linux!.readonlyPaths!.push("/dev/shm", "/dev/mqueue", "/no/such/path");
    },
    probes: {
      masked: "ls -lan /home/user; cat /etc/group; echo x > /etc/group",
      readonly: "touch /dev/shm/x; mkdir /dev/mqueue/q",
      "proc-masks": "cat /proc/kcore /proc/keys /proc/timer_list | wc -c; ls /proc/acpi /sys/firmware",
    },
    expect: (s) => {
      assert.doesNotMatch(section(s, "masked"), /root:x:0/);
      assert.match(section(s, "readonly"), /Read-only file system/);
    },
  });
});

test("devices: /dev/fuse allowed by the device cgroup, a node in a new subdirectory, one owned by 1000:1000 with mode 0600, one whose fileMode carries its file type as podman writes it", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.linux!.resources!.devices!.push({ allow: true, type: "c", major: 10, minor: 229, access: "rwm" });
      spec.linux!.devices = [
        { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
        { path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 0o666 },
        { path: "/dev/mydev", type: "c", major: 1, minor: 3, fileMode: 0o600, uid: 1000, gid: 1000 },
        // podman's --device and --privileged: the host node's st_mode, S_IFCHR | 0o640 (the JSON schema stops at 511).
        { path: "/dev/typed", type: "c", major: 1, minor: 5, fileMode: 0o20640 },
      ];
    },
    probes: {
      "dev-net": "ls -ln /dev/net",
      // Root without CAP_DAC_OVERRIDE may not open mydev; 1:3 itself is in the device cgroup.
      "dev-use": "echo data > /dev/mydev; true < /dev/fuse && echo opened fuse; true < /dev/net/tun && echo opened tun",
    },
    expect: (s) => {
      assert.match(section(s, "dev"), /crw------- +1 1000 +1000 +1, +3 <date> mydev/);
      assert.match(section(s, "dev"), /crw-r----- +1 0 +0 +1, +5 <date> typed/);
      assert.match(section(s, "dev-use"), /mydev: Permission denied\nopened fuse\nopened tun\n/);
    },
  });
});
