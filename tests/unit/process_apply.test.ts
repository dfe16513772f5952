import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CAPABILITIES,
  O_CLOEXEC,
  O_WRONLY,
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_CLEAR_ALL,
  PR_CAP_AMBIENT_RAISE,
  PR_CAPBSET_DROP,
  PR_SET_KEEPCAPS,
  PR_SET_NO_NEW_PRIVS,
  RecordingSyscalls,
  RLIM_INFINITY,
  RLIMIT_CORE,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
} from "../../ffi/mod.ts";
import { applyProcess, ProcessError, type ProcessHost } from "../../runtime/process/mod.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Process, Spec } from "../../runtime/spec/schema.ts";

type Call = [string, ...unknown[]];

const LAST_CAP = 40;

function host(overrides: Partial<ProcessHost> = {}): ProcessHost {
  return { lastCap: () => LAST_CAP, setgroupsAllowed: () => true, stdioOwner: () => 0, ...overrides };
}

function specWith(process: Partial<Process>): Spec {
  const spec = defaultSpec();
  spec.process = { ...spec.process!, ...process };
  return spec;
}

function mask(...names: string[]): bigint {
  return names.reduce((m, n) => m | (1n << BigInt(CAPABILITIES[n])), 0n);
}

function calls(sys: RecordingSyscalls): Call[] {
  return sys.calls.map((c) => [c.name, ...c.args] as Call);
}

/** The bounding-set drops for every capability up to `last` not in `keep`. */
function drops(keep: string[], last = LAST_CAP): Call[] {
  const kept = new Set(keep.map((n) => CAPABILITIES[n]));
  const out: Call[] = [];
  for (let cap = 0; cap <= last; cap++) if (!kept.has(cap)) out.push(["prctl", PR_CAPBSET_DROP, cap, 0, 0, 0]);
  return out;
}

const prctl = (...args: number[]): Call => ["prctl", ...args, ...Array(5 - args.length).fill(0)];

test("the default runc-like spec: every step in order", () => {
  const sys = new RecordingSyscalls();
  applyProcess(sys, defaultSpec(), { host: host() });
  const caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
  const m = mask(...caps);
  assert.deepEqual(calls(sys), [
    ["prlimit", 0, RLIMIT_NOFILE, { soft: 1024n, hard: 1024n }],
    ["umask", 0o022],
    ["chdir", "/"],
    ...drops(caps),
    prctl(PR_SET_KEEPCAPS, 1),
    ["setgroups", []],
    ["setresgid", 0, 0, 0],
    ["setresuid", 0, 0, 0],
    prctl(PR_SET_KEEPCAPS, 0),
    ["capset", { effective: m, permitted: m, inheritable: 0n }, 0],
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL),
    // The default spec's ambient capabilities are not inheritable, so the kernel would refuse them.
    prctl(PR_SET_NO_NEW_PRIVS, 1),
  ]);
});

test("a non-root user with groups, umask, oom score, reduced caps with ambient, several rlimits and no noNewPrivileges", () => {
  const sys = new RecordingSyscalls();
  const nbs = ["CAP_NET_BIND_SERVICE"];
  applyProcess(
    sys,
    specWith({
      user: { uid: 1000, gid: 1001, additionalGids: [5, 100], umask: 0o027 },
      cwd: "/home/user",
      oomScoreAdj: -17,
      capabilities: {
        bounding: [...nbs, "CAP_CHOWN"],
        effective: nbs,
        permitted: [...nbs, "CAP_CHOWN"],
        inheritable: [...nbs, "CAP_SYS_ADMIN"],
        ambient: [...nbs, "CAP_CHOWN", "CAP_SYS_ADMIN"],
      },
      rlimits: [
        { type: "RLIMIT_NOFILE", soft: 512, hard: 4096 },
        { type: "RLIMIT_NPROC", soft: 100, hard: 18446744073709551615 },
        { type: "RLIMIT_CORE", soft: 0, hard: 0 },
      ],
      noNewPrivileges: false,
    }),
    // stdin is /dev/null (left alone), stdout already the user's, stderr root's.
    { host: host({ stdioOwner: (fd) => [undefined, 1000, 0][fd] }) },
  );
  assert.deepEqual(calls(sys), [
    ["prlimit", 0, RLIMIT_NOFILE, { soft: 512n, hard: 4096n }],
    ["prlimit", 0, RLIMIT_NPROC, { soft: 100n, hard: RLIM_INFINITY }],
    ["prlimit", 0, RLIMIT_CORE, { soft: 0n, hard: 0n }],
    ["open", "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC, 0],
    ["write", 3, "-17"],
    ["close", 3],
    ["umask", 0o027],
    ["chdir", "/home/user"],
    ...drops(["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]),
    prctl(PR_SET_KEEPCAPS, 1),
    ["fchown", 2, 1000, -1],
    ["setgroups", [5, 100]],
    ["setresgid", 1001, 1001, 1001],
    ["setresuid", 1000, 1000, 1000],
    prctl(PR_SET_KEEPCAPS, 0),
    [
      "capset",
      {
        effective: mask("CAP_NET_BIND_SERVICE"),
        permitted: mask("CAP_NET_BIND_SERVICE", "CAP_CHOWN"),
        inheritable: mask("CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"),
      },
      0,
    ],
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL),
    // Only what is both permitted and inheritable can be ambient.
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAPABILITIES.CAP_NET_BIND_SERVICE),
  ]);
});

test("no capabilities in the spec means none at all", () => {
  const sys = new RecordingSyscalls();
  applyProcess(sys, specWith({ capabilities: undefined, rlimits: undefined, noNewPrivileges: undefined }), { host: host() });
  assert.equal(sys.callsTo("prctl").filter((a) => a[0] === PR_CAPBSET_DROP).length, LAST_CAP + 1);
  assert.deepEqual(sys.callsTo("capset"), [[{ effective: 0n, permitted: 0n, inheritable: 0n }, 0]]);
  assert.equal(sys.callsTo("prlimit").length, 0);
  assert.ok(!sys.callsTo("prctl").some((a) => a[0] === PR_SET_NO_NEW_PRIVS));
});

test("capabilities the kernel does not know are skipped with a warning", () => {
  const sys = new RecordingSyscalls();
  const warnings: string[] = [];
  const all = ["CAP_CHOWN", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"];
  applyProcess(sys, specWith({ capabilities: { bounding: all, effective: all, permitted: all } }), {
    host: host({ lastCap: () => 37 }),
    warn: (line) => warnings.push(line),
  });
  assert.deepEqual(warnings, [
    "ignoring capabilities this kernel does not support: CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE",
  ]);
  const dropped = sys.callsTo("prctl").filter((a) => a[0] === PR_CAPBSET_DROP).map((a) => a[1]);
  assert.deepEqual(dropped, drops(["CAP_CHOWN"], 37).map((c) => c[2]));
  const m = mask("CAP_CHOWN");
  assert.deepEqual(sys.callsTo("capset"), [[{ effective: m, permitted: m, inheritable: 0n }, 0]]);
});

test("a bounding drop the kernel does not know (EINVAL) is skipped; any other failure names the capability", () => {
  const skipped = new RecordingSyscalls().failOn("prctl", "EINVAL", { when: (op, cap) => op === PR_CAPBSET_DROP && cap === 40 });
  applyProcess(skipped, defaultSpec(), { host: host() });
  assert.equal(skipped.callsTo("capset").length, 1);

  const denied = new RecordingSyscalls().failOn("prctl", "EPERM", { when: (op) => op === PR_CAPBSET_DROP });
  assert.throws(
    () => applyProcess(denied, defaultSpec(), { host: host() }),
    (e: Error) =>
      e instanceof ProcessError &&
      e.message === "drop CAP_CHOWN from the bounding set: prctl(24, 0x0, 0x0, 0x0, 0x0): EPERM (Operation not permitted)",
  );
});

test("capset failing with EPERM names the step and stops before ambient and no_new_privs", () => {
  const sys = new RecordingSyscalls().failOn("capset", "EPERM");
  assert.throws(
    () => applyProcess(sys, defaultSpec(), { host: host() }),
    (e: Error) => e instanceof ProcessError && /^apply process\.capabilities: capset\(.*\): EPERM \(Operation not permitted\)$/.test(e.message),
  );
  assert.equal(sys.names().at(-1), "capset");
});

test("setresuid failing names the uid", () => {
  const sys = new RecordingSyscalls().failOn("setresuid", "EINVAL");
  assert.throws(
    () => applyProcess(sys, specWith({ user: { uid: 4242, gid: 0 } }), { host: host() }),
    { message: "set uid 4242: setresuid(4242, 4242, 4242): EINVAL (Invalid argument)" },
  );
});

test("an unknown rlimit and a failing prlimit are named", () => {
  assert.throws(
    () => applyProcess(new RecordingSyscalls(), specWith({ rlimits: [{ type: "RLIMIT_BOGUS", soft: 1, hard: 1 }] }), { host: host() }),
    { message: 'process.rlimits: unknown limit "RLIMIT_BOGUS"' },
  );
  const sys = new RecordingSyscalls().failOn("prlimit", "EPERM");
  assert.throws(
    () => applyProcess(sys, defaultSpec(), { host: host() }),
    { message: "set RLIMIT_NOFILE: prlimit64(0, 7, {soft: 1024, hard: 1024}): EPERM (Operation not permitted)" },
  );
});

test("a missing cwd fails at once; a forbidden one is retried as the container user", () => {
  const missing = new RecordingSyscalls().failOn("chdir", "ENOENT");
  assert.throws(
    () => applyProcess(missing, specWith({ cwd: "/gone" }), { host: host() }),
    { message: 'chdir to process.cwd "/gone": chdir("/gone"): ENOENT (No such file or directory)' },
  );
  assert.equal(missing.names().at(-1), "chdir");

  const squashed = new RecordingSyscalls().failOn("chdir", "EACCES", { times: 1 });
  applyProcess(squashed, specWith({ cwd: "/data", user: { uid: 1000, gid: 1000 } }), { host: host() });
  const names = squashed.names().filter((n) => n !== "prctl");
  assert.deepEqual(names.slice(names.indexOf("setgroups")), [
    "setgroups",
    "setresgid",
    "setresuid",
    "chdir",
    "capset",
  ]);
  assert.deepEqual(squashed.callsTo("chdir"), [["/data"], ["/data"]]);
});

test("where setgroups is denied, groups are skipped unless some were asked for", () => {
  const denied = host({ setgroupsAllowed: () => false });
  const sys = new RecordingSyscalls();
  applyProcess(sys, defaultSpec(), { host: denied });
  assert.equal(sys.callsTo("setgroups").length, 0);
  assert.equal(sys.callsTo("setresuid").length, 1);
  assert.throws(
    () => applyProcess(new RecordingSyscalls(), specWith({ user: { uid: 0, gid: 0, additionalGids: [10] } }), { host: denied }),
    { message: "process.user.additionalGids: this user namespace denies setgroups" },
  );
});

test("handing stdio to the user tolerates EPERM, EINVAL and EROFS", () => {
  for (const errno of ["EPERM", "EINVAL", "EROFS"]) {
    const sys = new RecordingSyscalls().failOn("fchown", errno);
    applyProcess(sys, specWith({ user: { uid: 1000, gid: 1000 } }), { host: host() });
    assert.equal(sys.callsTo("fchown").length, 3);
    assert.equal(sys.callsTo("capset").length, 1);
  }
  const sys = new RecordingSyscalls().failOn("fchown", "EIO");
  assert.throws(
    () => applyProcess(sys, specWith({ user: { uid: 1000, gid: 1000 } }), { host: host() }),
    { message: "give stdio descriptor 0 to uid 1000: fchown(0, 1000, -1): EIO (Input/output error)" },
  );
});

test("a spec without process is refused", () => {
  const spec = defaultSpec();
  delete spec.process;
  assert.throws(() => applyProcess(new RecordingSyscalls(), spec, { host: host() }), ProcessError);
});
