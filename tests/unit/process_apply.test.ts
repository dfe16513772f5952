import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AT_FDCWD,
  CAPABILITIES,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  O_WRONLY,
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_CLEAR_ALL,
  PR_CAP_AMBIENT_RAISE,
  PR_CAPBSET_DROP,
  PR_SET_KEEPCAPS,
  PR_SET_NO_NEW_PRIVS,
  RESOLVE_NO_MAGICLINKS,
  RLIM_INFINITY,
  RLIMIT_CORE,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
} from "../../ffi/mod.ts";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { applyProcessLimits, planCredentials, ProcessError, type ProcessHost } from "../../runtime/process/mod.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Process, Spec } from "../../runtime/spec/schema.ts";
import { StubProgram } from "../../runtime/stub/program.ts";
import { type PlannedCall, plannedCalls, plannedOps } from "./process_plan.ts";

type Call = [string, ...unknown[]];

const LAST_CAP = 40;
const NAMES = new Map(Object.entries(CAPABILITIES).map(([n, bit]) => [bit, n]));

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

/** The cwd entered through the descriptor it resolves to, no /proc link followed (see container_paths.ts). */
function entered(cwd: string, fd: number): Call[] {
  return [["openat2", AT_FDCWD, cwd, O_PATH | O_CLOEXEC | O_DIRECTORY, RESOLVE_NO_MAGICLINKS, 0], ["fchdir", fd], ["close", fd]];
}

function calls(sys: RecordingSyscalls): Call[] {
  return sys.calls.map((c) => [c.name, ...c.args] as Call);
}

/** The runtime's half for real (on the fake), then the start-up program's half planned, as runt does. */
function run(spec: Spec, h: ProcessHost = host(), sys = new RecordingSyscalls(), warn?: (line: string) => void) {
  const applied = applyProcessLimits(sys, spec, { host: h, warn });
  const prog = new StubProgram();
  planCredentials(prog, spec, applied, h);
  return { sys, applied, prog, planned: plannedCalls(prog) };
}

/** The bounding-set drops for every capability up to `last` not in `keep`. */
function drops(keep: string[], last = LAST_CAP): PlannedCall[] {
  const kept = new Set(keep.map((n) => CAPABILITIES[n]));
  const out: PlannedCall[] = [];
  for (let cap = 0; cap <= last; cap++) if (!kept.has(cap)) out.push(["prctl", PR_CAPBSET_DROP, cap, 0, 0, 0]);
  return out;
}

const prctl = (...args: number[]): PlannedCall => ["prctl", ...args, ...Array(5 - args.length).fill(0)];

const dropped = (prog: StubProgram) =>
  plannedCalls(prog).filter((c) => c[0] === "prctl" && c[1] === PR_CAPBSET_DROP).map((c) => c[2] as number);

test("the default runc-like spec: the runtime's steps, then every planned step in order", () => {
  const { sys, applied, prog, planned } = run(defaultSpec());
  const caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
  const m = mask(...caps);
  assert.deepEqual(calls(sys), [
    ["prlimit", 0, RLIMIT_NOFILE, { soft: 1024n, hard: 1024n }],
    ["umask", 0o022],
    ...entered("/", 3),
  ]);
  assert.equal(applied.cwdReached, true);
  assert.equal(applied.lastCap, LAST_CAP);
  assert.deepEqual(planned, [
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
  const whats = prog.ops.slice(LAST_CAP + 1 - caps.length).map((o) => o.what);
  assert.deepEqual(whats, [
    "set keep-capabilities",
    "set process.user.additionalGids",
    "set gid 0",
    "set uid 0",
    "clear keep-capabilities",
    "apply process.capabilities",
    "clear ambient capabilities",
    "set process.noNewPrivileges",
  ]);
});

test("a non-root user with groups, umask, oom score, reduced caps with ambient, several rlimits and no noNewPrivileges", () => {
  const nbs = ["CAP_NET_BIND_SERVICE"];
  const { sys, prog, planned } = run(
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
    host({ stdioOwner: (fd) => [undefined, 1000, 0][fd] }),
  );
  assert.deepEqual(calls(sys), [
    ["prlimit", 0, RLIMIT_NOFILE, { soft: 512n, hard: 4096n }],
    ["prlimit", 0, RLIMIT_NPROC, { soft: 100n, hard: RLIM_INFINITY }],
    ["prlimit", 0, RLIMIT_CORE, { soft: 0n, hard: 0n }],
    ["open", "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC, 0],
    ["write", 3, "-17"],
    ["close", 3],
    ["umask", 0o027],
    ...entered("/home/user", 4),
    ["fchown", 2, 1000, -1],
  ]);
  assert.deepEqual(planned, [
    ...drops(["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]),
    prctl(PR_SET_KEEPCAPS, 1),
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
  assert.deepEqual(prog.ops.slice(-6).map((o) => o.what), [
    "set gid 1001",
    "set uid 1000",
    "clear keep-capabilities",
    "apply process.capabilities",
    "clear ambient capabilities",
    "raise ambient CAP_NET_BIND_SERVICE",
  ]);
});

test("no capabilities in the spec means none at all", () => {
  const { sys, prog } = run(specWith({ capabilities: undefined, rlimits: undefined, noNewPrivileges: undefined }));
  assert.equal(dropped(prog).length, LAST_CAP + 1);
  assert.deepEqual(plannedCalls(prog).filter((c) => c[0] === "capset"), [["capset", { effective: 0n, permitted: 0n, inheritable: 0n }, 0]]);
  assert.equal(sys.callsTo("prlimit").length, 0);
  assert.ok(!plannedCalls(prog).some((c) => c[0] === "prctl" && c[1] === PR_SET_NO_NEW_PRIVS));
  assert.ok(!prog.ops.some((o) => o.what === "set process.noNewPrivileges"));
});

test("capabilities the kernel does not know are skipped with a warning", () => {
  const warnings: string[] = [];
  const all = ["CAP_CHOWN", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"];
  const { prog } = run(
    specWith({ capabilities: { bounding: all, effective: all, permitted: all } }),
    host({ lastCap: () => 37 }),
    new RecordingSyscalls(),
    (line) => warnings.push(line),
  );
  assert.deepEqual(warnings, [
    "ignoring capabilities this kernel does not support: CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE",
  ]);
  assert.deepEqual(dropped(prog), drops(["CAP_CHOWN"], 37).map((c) => c[2]));
  const m = mask("CAP_CHOWN");
  assert.deepEqual(plannedCalls(prog).filter((c) => c[0] === "capset"), [["capset", { effective: m, permitted: m, inheritable: 0n }, 0]]);
});

test("a bounding drop the kernel does not know (EINVAL) is skipped; any other failure names the capability", () => {
  const { prog } = run(defaultSpec());
  const ops = plannedOps(prog);
  const dropOps = ops.filter((o) => o.call[0] === "prctl" && o.call[1] === PR_CAPBSET_DROP);
  assert.equal(dropOps.length, LAST_CAP + 1 - 3);
  for (const op of dropOps) {
    const cap = op.call[2] as number;
    assert.equal(op.what, `drop ${NAMES.get(cap)} from the bounding set`);
    // Only EINVAL is accepted: EPERM (no CAP_SETPCAP) stops the program with this description.
    assert.equal(op.ok, "EINVAL", op.what);
  }
  assert.equal(dropOps[0].what, "drop CAP_CHOWN from the bounding set");
  // No other planned step accepts a failure.
  assert.deepEqual(ops.filter((o) => o.ok && !dropOps.includes(o)), []);
  // A number beyond what the runtime has names for (a newer kernel) is still named.
  const { prog: newer } = run(specWith({ capabilities: undefined }), host({ lastCap: () => 63 }));
  assert.equal(newer.ops.find((o) => o.what.includes("63"))?.what, "drop capability 63 from the bounding set");
});

test("capset comes after the user switch and before ambient and no_new_privs, so a failure there stops them", () => {
  const { prog } = run(defaultSpec());
  const names = prog.ops.map((o) => o.what);
  const at = names.indexOf("apply process.capabilities");
  assert.ok(at > names.indexOf("set uid 0"));
  assert.ok(at < names.indexOf("clear ambient capabilities"));
  assert.ok(at < names.indexOf("set process.noNewPrivileges"));
  assert.equal(prog.ops[at].name, "capset");
});

test("setresuid and setresgid name the ids", () => {
  const { prog, planned } = run(specWith({ user: { uid: 4242, gid: 77 } }));
  assert.deepEqual(planned.filter((c) => c[0] === "setresuid" || c[0] === "setresgid"), [
    ["setresgid", 77, 77, 77],
    ["setresuid", 4242, 4242, 4242],
  ]);
  assert.deepEqual(prog.ops.filter((o) => o.name.startsWith("setres")).map((o) => o.what), ["set gid 77", "set uid 4242"]);
});

test("an unknown rlimit and a failing prlimit are named", () => {
  assert.throws(
    () => run(specWith({ rlimits: [{ type: "RLIMIT_BOGUS", soft: 1, hard: 1 }] })),
    { message: 'process.rlimits: unknown limit "RLIMIT_BOGUS"' },
  );
  const sys = new RecordingSyscalls().failOn("prlimit", "EPERM");
  assert.throws(
    () => run(defaultSpec(), host(), sys),
    { message: "set RLIMIT_NOFILE: prlimit64(0, 7, {soft: 1024, hard: 1024}): EPERM (Operation not permitted)" },
  );
});

test("a failing oom score is named and its descriptor closed", () => {
  const sys = new RecordingSyscalls().failOn("write", "EACCES");
  assert.throws(
    () => run(specWith({ oomScoreAdj: 500 }), host(), sys),
    (e: Error) => e instanceof ProcessError && /^set process\.oomScoreAdj: write\(3, .*\): EACCES/.test(e.message),
  );
  assert.deepEqual(sys.names().slice(-2), ["write", "close"]);
});

test("a missing cwd fails at once; a forbidden one is retried by the program as the container user", () => {
  const missing = new RecordingSyscalls().failOn("openat2", "ENOENT");
  assert.throws(
    () => run(specWith({ cwd: "/gone" }), host(), missing),
    { message: /^chdir to process\.cwd "\/gone": openat2\(-100, "\/gone", .*\): ENOENT \(No such file or directory\)$/ },
  );
  assert.equal(missing.names().at(-1), "openat2");

  for (const errno of ["EACCES", "EPERM"]) {
    const squashed = new RecordingSyscalls().failOn("fchdir", errno, { times: 1 });
    const { applied, prog, planned } = run(specWith({ cwd: "/data", user: { uid: 1000, gid: 1000 } }), host(), squashed);
    assert.equal(applied.cwdReached, false);
    assert.deepEqual(squashed.callsTo("openat2").map((c) => c[1]), ["/data"]);
    assert.equal(squashed.callsTo("fchdir").length, 1);
    assert.equal(squashed.callsTo("close").length, 1, "the descriptor is closed after the refusal too");
    const names = planned.filter((c) => c[0] !== "prctl").map((c) => c[0]);
    // As the user, through a descriptor found following no /proc link.
    assert.deepEqual(names, ["setgroups", "setresgid", "setresuid", "openat2", "fchdir", "close", "capset"]);
    assert.deepEqual(planned.find((c) => c[0] === "openat2"), ["openat2", AT_FDCWD, "/data", [O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS], 24]);
    assert.equal(prog.ops.find((o) => o.name === "openat2")?.what, 'chdir to process.cwd "/data"');
  }
  // Reached as root: the program does not enter it again.
  assert.ok(!run(specWith({ cwd: "/data" })).prog.ops.some((o) => o.name === "openat2" || o.name === "chdir"));
});

test("where setgroups is denied, groups are skipped unless some were asked for", () => {
  const denied = host({ setgroupsAllowed: () => false });
  const { prog } = run(defaultSpec(), denied);
  assert.ok(!prog.ops.some((o) => o.name === "setgroups"));
  assert.equal(prog.ops.filter((o) => o.name === "setresuid").length, 1);
  const sys = new RecordingSyscalls();
  assert.throws(
    () => run(specWith({ user: { uid: 0, gid: 0, additionalGids: [10] } }), denied, sys),
    { message: "process.user.additionalGids: this user namespace denies setgroups" },
  );
});

test("handing stdio to the user tolerates EPERM, EINVAL and EROFS", () => {
  for (const errno of ["EPERM", "EINVAL", "EROFS"]) {
    const sys = new RecordingSyscalls().failOn("fchown", errno);
    const { prog } = run(specWith({ user: { uid: 1000, gid: 1000 } }), host(), sys);
    assert.deepEqual(sys.callsTo("fchown"), [[0, 1000, -1], [1, 1000, -1], [2, 1000, -1]]);
    assert.equal(prog.ops.filter((o) => o.name === "capset").length, 1);
  }
  const sys = new RecordingSyscalls().failOn("fchown", "EIO");
  assert.throws(
    () => run(specWith({ user: { uid: 1000, gid: 1000 } }), host(), sys),
    { message: "give stdio descriptor 0 to uid 1000: fchown(0, 1000, -1): EIO (Input/output error)" },
  );
  // Root's own stdio is left as it is.
  const root = new RecordingSyscalls();
  run(defaultSpec(), host(), root);
  assert.equal(root.callsTo("fchown").length, 0);
});

test("a spec without process is refused", () => {
  const spec = defaultSpec();
  delete spec.process;
  assert.throws(() => applyProcessLimits(new RecordingSyscalls(), spec, { host: host() }), ProcessError);
});
