import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { decodeReport, describeReport, type StubReport } from "../../runtime/stub/report.ts";

const PROBE = fileURLToPath(new URL("./process_probe.ts", import.meta.url));
const skip = process.getuid?.() === 0 ? undefined : "needs root";

interface Probed {
  status: number | null;
  /** What the probe printed before becoming the program. */
  before: string;
  /** What the exec'd command printed. */
  output: string;
  /** The start-up program's failure report (its report descriptor is stderr), null when it wrote none. */
  report: StubReport | null;
}

/** Runs the probe with the runtime running the tests. */
function probe(scenario: string, ...args: string[]): Probed {
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", "--no-check", PROBE] : [PROBE];
  // With input, stdin is a pipe too (without, a runtime may hand the child /dev/null).
  const r = spawnSync(process.execPath, [...runtimeArgs, scenario, ...args], { timeout: 20_000, input: "\n" });
  const [before, ...rest] = r.stdout.toString("utf8").split("\n");
  return { status: r.status, before, output: rest.join("\n"), report: decodeReport(new Uint8Array(r.stderr)) };
}

/** A scenario expected to reach the user's command. */
function probeOk(scenario: string, ...args: string[]): Probed {
  const p = probe(scenario, ...args);
  if (p.status !== 0) throw new Error(`probe ${scenario} failed (${p.status}): ${p.report ? describeReport(p.report) : ""}`);
  assert.equal(p.report, null, "nothing on the report descriptor");
  return p;
}

function field(status: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status);
  assert.ok(m, `no ${name} in ${status}`);
  return m[1].trim();
}

test("root with reduced capabilities, umask, rlimit, oom score and no_new_privs: what the exec'd shell sees", { skip }, () => {
  // The probe claims a kernel knowing capabilities up to 63: this one's EINVAL for the rest is skipped.
  const { output } = probeOk("root-caps");
  // CAP_CHOWN (0) and CAP_KILL (5) permitted; CAP_NET_BIND_SERVICE (10) only bounding. no_new_privs keeps
  // root's exec from regaining the bounding set.
  assert.equal(field(output, "CapBnd"), "0000000000000421");
  assert.equal(field(output, "CapPrm"), "0000000000000021");
  assert.equal(field(output, "CapEff"), "0000000000000021");
  assert.equal(field(output, "CapInh"), "0000000000000000");
  assert.equal(field(output, "CapAmb"), "0000000000000000");
  assert.equal(field(output, "NoNewPrivs"), "1");
  const tail = output.trim().split("\n").slice(-5);
  assert.deepEqual(tail, ["0027", "512", "600", "/tmp", "123"]);
});

test("a non-root user with ambient capabilities, groups, default signals and nothing blocked", { skip }, () => {
  const { before, output } = probeOk("user-caps");
  assert.match(field(output, "Uid"), /^1000\s+1000\s+1000\s+1000$/);
  assert.match(field(output, "Gid"), /^1000\s+1000\s+1000\s+1000$/);
  assert.equal(field(output, "Groups"), "5 100");
  for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) {
    assert.equal(field(output, set), "0000000000000400", set);
  }
  assert.equal(field(output, "NoNewPrivs"), "0");
  // The runtime itself ignores SIGPIPE; the container's program must not inherit that.
  assert.notEqual(before, "before: SigIgn=0000000000000000");
  assert.equal(field(output, "SigIgn"), "0000000000000000");
  assert.equal(field(output, "SigBlk"), "0000000000000000");
});

test("a non-root user is given its stdio, so it can reopen it", { skip }, () => {
  // The test runner's pipes belong to root; only the owner changes.
  assert.deepEqual(probeOk("user-stdio").output.trim().split("\n"), ["1000:0", "1000:0", "1000:0"]);
});

test("a cwd root may not enter is entered by the program as the container's user, and only if the user may", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "runt-cwd-"));
  try {
    const mine = join(dir, "mine"), theirs = join(dir, "theirs");
    for (const [path, owner] of [[mine, 1000], [theirs, 2000]] as const) {
      mkdirSync(path);
      chownSync(path, owner, owner);
      chmodSync(path, 0o700);
    }
    chmodSync(dir, 0o755);
    assert.deepEqual(probeOk("cwd-as-user", mine).output.trim().split("\n"), [mine, "1000"]);
    // Another user's directory: the retry runs without privileges, so it fails and says where.
    const refused = probe("cwd-as-user", theirs);
    assert.equal(refused.status, 1);
    assert.equal(refused.output, "", "the command never ran");
    assert.equal(describeReport(refused.report!), `chdir to process.cwd ${JSON.stringify(theirs)}: EACCES (Permission denied)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("descriptors from keepFds up are closed by the exec, lower ones are inherited", { skip }, () => {
  const fds = probeOk("fds").output.trim().split(/\s+/).map(Number);
  assert.ok(fds.includes(77), `77 missing from ${fds}`);
  assert.ok(!fds.includes(90), `90 leaked: ${fds}`);
  assert.deepEqual(fds.filter((fd) => fd > 77), []);
});

test("a credential step the kernel refuses stops the program before the exec, and the report names it", { skip }, () => {
  const groups = probe("groups-refused");
  assert.equal(groups.status, 1);
  assert.equal(groups.output, "", "the command never ran");
  assert.equal(describeReport(groups.report!), "set process.user.additionalGids: EINVAL (Invalid argument)");

  // A drop failing with anything but EINVAL is not skipped: here EPERM, the first one, naming its capability.
  const bounding = probe("bounding-denied");
  assert.equal(bounding.status, 1);
  assert.equal(bounding.output, "");
  assert.equal(bounding.report!.index, 1, "the op after the program's own capset");
  assert.equal(describeReport(bounding.report!), "drop CAP_CHOWN from the bounding set: EPERM (Operation not permitted)");
});
