import { test } from "node:test";
import assert from "node:assert/strict";
import { AT_FDCWD, O_CLOEXEC, O_WRONLY } from "../../ffi/mod.ts";
import { checkLsmSupport, type LsmHost, planLsmLabels } from "../../runtime/process/lsm.ts";
import { StubProgram } from "../../runtime/stub/program.ts";
import { decodeReport, describeReport } from "../../runtime/stub/report.ts";
import { plannedOps } from "./process_plan.ts";
import { runProgram, withTempDir } from "./stub_support.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function host(apparmor: boolean, selinux: boolean, apparmorAttr = "/proc/thread-self/attr/apparmor/exec"): LsmHost {
  return { apparmorEnabled: () => apparmor, selinuxEnabled: () => selinux, apparmorExecAttr: () => apparmorAttr };
}

const proc = { cwd: "/", args: ["sh"] };
const LABEL = "system_u:system_r:container_t:s0";

test("a profile or label the host cannot apply is refused, naming the field", () => {
  assert.throws(() => checkLsmSupport({ ...proc, apparmorProfile: "runt-default" }, host(false, true)), {
    message: 'process.apparmorProfile: AppArmor is not enabled on this host, so profile "runt-default" cannot be applied',
  });
  assert.throws(() => checkLsmSupport({ ...proc, selinuxLabel: LABEL }, host(true, false)), {
    message: `process.selinuxLabel: SELinux is not enabled on this host, so label "${LABEL}" cannot be applied`,
  });
  assert.doesNotThrow(() => checkLsmSupport({ ...proc, apparmorProfile: "p", selinuxLabel: "l" }, host(true, true)));
  assert.doesNotThrow(() => checkLsmSupport(proc, host(false, false)));
});

test("nothing is planned without labels", () => {
  const prog = new StubProgram();
  planLsmLabels(prog, proc, host(true, true));
  assert.deepEqual(prog.ops, []);
});

test("labels are written on the program's own thread for the next execve, each step naming its field", () => {
  for (const attr of ["/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec"]) {
    const prog = new StubProgram();
    planLsmLabels(prog, { ...proc, apparmorProfile: "runt-default", selinuxLabel: LABEL }, host(true, true, attr));
    const ops = plannedOps(prog);
    const fd = { slot: 2 };
    assert.deepEqual(ops.map((o) => o.call), [
      ["openat", AT_FDCWD, attr, O_WRONLY | O_CLOEXEC, 0],
      ["write", fd, "exec runt-default", "exec runt-default".length],
      ["close", fd],
      ["openat", AT_FDCWD, "/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC, 0],
      ["write", fd, LABEL, LABEL.length],
      ["close", fd],
    ]);
    assert.deepEqual(ops.map((o) => o.what), [
      `process.apparmorProfile: open ${attr}`,
      `process.apparmorProfile: write ${attr}`,
      `process.apparmorProfile: close ${attr}`,
      "process.selinuxLabel: open /proc/thread-self/attr/exec",
      "process.selinuxLabel: write /proc/thread-self/attr/exec",
      "process.selinuxLabel: close /proc/thread-self/attr/exec",
    ]);
    assert.ok(ops.every((o) => o.ok === undefined), "no failure is tolerated");
  }
});

test("run for real: the profile lands in the attr file through the descriptor the open stored", () => {
  withTempDir((dir) => {
    // A plain file stands in for AppArmor's attr file: what the program writes is what the kernel would read.
    const attr = join(dir, "exec");
    writeFileSync(attr, "");
    const prog = new StubProgram({ reportFd: 1 });
    planLsmLabels(prog, { ...proc, apparmorProfile: "runt-default" }, host(true, false, attr));
    const r = runProgram(prog);
    assert.equal(r.status, 0, String(r.stdout));
    assert.equal(readFileSync(attr, "utf8"), "exec runt-default");
  });
});

test("run for real: a label the kernel refuses stops the program with a report naming the field", () => {
  const prog = new StubProgram({ reportFd: 1 });
  planLsmLabels(prog, { ...proc, selinuxLabel: LABEL }, host(true, true));
  prog.call("write", [2, prog.str("not reached"), 11], { what: "after the label" });
  const r = runProgram(prog);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.length, 0, "nothing after the failed step ran");
  const report = decodeReport(new Uint8Array(r.stdout))!;
  assert.match(report.what, /^process\.selinuxLabel: (open|write) \/proc\/thread-self\/attr\/exec$/);
  assert.equal(prog.ops[report.index].what, report.what);
  assert.match(describeReport(report), /^process\.selinuxLabel: .*: E[A-Z]+ \(.+\)$/);
});
