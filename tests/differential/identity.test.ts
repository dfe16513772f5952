/**
 * Differential: the identity and limits of the container process — user,
 * groups, umask, capability sets, rlimits — under runc and under runt.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertSameView, skipReason } from "./differential.ts";

const skip = skipReason();

const section = (s: Map<string, string>, name: string) => s.get(name) ?? "";

test("user 1000:1000 with additionalGids [100, 5] and umask 0077", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.process!.user = { uid: 1000, gid: 1000, additionalGids: [100, 5], umask: 0o077 };
      spec.mounts!.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] });
    },
    probes: { "new-files": "cd /tmp && touch f && mkdir d && ls -ln /tmp" },
    expect: (s) => {
      assert.match(section(s, "id"), /uid=1000\(user\) gid=1000\(user\) groups=5\(tty\),100\(users\)/);
      assert.match(section(s, "umask"), /^0077\n/);
      assert.match(section(s, "new-files"), /-rw------- +1 1000 +1000 .* f\n/);
    },
  });
});

const FEW = ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"];

test("capabilities reduced to CAP_NET_BIND_SERVICE and CAP_CHOWN, no ambient", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.process!.capabilities = { bounding: FEW, effective: FEW, permitted: FEW, inheritable: FEW, ambient: [] };
    },
    probes: { chown: "chown 1000 /dev/shm && ls -lnd /dev/shm; chmod 700 /proc/self/fd" },
    expect: (s) => {
      assert.match(section(s, "status"), /CapEff:\t0000000000000401/);
      assert.match(section(s, "status"), /CapInh:\t0000000000000401/);
    },
  });
});

test("capabilities with ambient ones kept by a non-root user", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.process!.user = { uid: 1000, gid: 1000 };
      spec.process!.capabilities = { bounding: FEW, effective: FEW, permitted: FEW, inheritable: FEW, ambient: FEW };
    },
    expect: (s) => {
      assert.match(section(s, "status"), /CapAmb:\t0000000000000401/);
      assert.match(section(s, "status"), /CapEff:\t0000000000000401/);
    },
  });
});

test("default capabilities for a non-root user: ambient ones only", { skip }, () => {
  assertSameView({ edit: (spec) => (spec.process!.user = { uid: 65534, gid: 65534 }) });
});

test("rlimits: NOFILE 1024/2048, NPROC, CORE", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.process!.rlimits = [
        { type: "RLIMIT_NOFILE", soft: 1024, hard: 2048 },
        { type: "RLIMIT_NPROC", soft: 500, hard: 1000 },
        { type: "RLIMIT_CORE", soft: 0, hard: 4096 },
      ];
    },
    expect: (s) => {
      assert.match(section(s, "ulimit-hard"), /open files +\(-n\) 2048/);
      assert.match(section(s, "ulimit-soft"), /max user processes +\(-u\) 500/);
    },
  });
});
