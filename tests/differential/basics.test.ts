/**
 * Differential: the default config and the process basics — root
 * filesystem mode, working directory, no_new_privs, OOM score, exit
 * statuses — each seen identically by a container under runc and under runt.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertSameView, compareRuntimes, skipReason } from "./differential.ts";

const skip = skipReason();

const section = (s: Map<string, string>, name: string) => s.get(name) ?? "";

test("default config (as runt spec writes it)", { skip }, () => {
  assertSameView({
    expect: (s) => {
      assert.match(section(s, "hostname"), /^runt\n/);
      assert.match(section(s, "status"), /NoNewPrivs:\t1/);
      assert.match(section(s, "mountinfo"), /^<rootfs> \/ ro,/);
    },
  });
});

test("normalisation leaves no run-to-run noise: runc twice gives the same view", { skip }, () => {
  const c = compareRuntimes({}, "runc", "runc");
  assert.deepEqual(c.differences, []);
});

test("writable root filesystem (root.readonly false)", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.root!.readonly = false),
    probes: { "write-root": "touch /written && ls -ln /written" },
    expect: (s) => assert.match(section(s, "write-root"), /\[status 0\]/),
  });
});

test("cwd /tmp", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.process!.cwd = "/tmp"),
    expect: (s) => assert.match(section(s, "pwd"), /^\/tmp\n/),
  });
});

test("cwd in a directory that only a mount creates", { skip }, () => {
  assertSameView({
    edit: (spec) => {
      spec.mounts!.push({ destination: "/srv/data/nested", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=750"] });
      spec.process!.cwd = "/srv/data/nested";
    },
    probes: { "cwd-listing": "ls -lnd . .. /srv" },
    expect: (s) => assert.match(section(s, "pwd"), /^\/srv\/data\/nested\n/),
  });
});

test("cwd that does not exist in the rootfs", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.process!.cwd = "/var/tmp/made/here"),
    probes: { "cwd-listing": "ls -lnd . /var/tmp/made" },
  });
});

test("noNewPrivileges false", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.process!.noNewPrivileges = false),
    expect: (s) => assert.match(section(s, "status"), /NoNewPrivs:\t0/),
  });
});

test("oomScoreAdj", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.process!.oomScoreAdj = 321),
    probes: { oom: "cat /proc/self/oom_score_adj" },
    expect: (s) => assert.match(section(s, "oom"), /^321\n/),
  });
});

test("environment: extra variables, HOME given by the config", { skip }, () => {
  assertSameView({
    edit: (spec) => spec.process!.env!.push("HOME=/srv", "EMPTY=", "WITH_EQUALS=a=b"),
  });
});

test("non-zero exit code comes back as the runtime's exit status", { skip }, () => {
  assertSameView({ finish: "exit 7", status: 7 });
});

// PID 1 of a PID namespace cannot be killed from inside it, so this
// container shares the host's PID namespace, where the shell is not init.
test("death by SIGKILL comes back as 137", { skip }, () => {
  assertSameView({
    edit: (spec) => (spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== "pid")),
    probes: { pid: "test $$ -ne 1 && echo not init" },
    finish: "kill -KILL $$",
    status: 137,
  });
});
