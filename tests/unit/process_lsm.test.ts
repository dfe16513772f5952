import { test } from "node:test";
import assert from "node:assert/strict";
import { applyLsmLabels, checkLsmSupport, type LsmHost } from "../../runtime/process/lsm.ts";

function host(apparmor: boolean, selinux: boolean): LsmHost & { written: [string, string][] } {
  const written: [string, string][] = [];
  return { apparmorEnabled: () => apparmor, selinuxEnabled: () => selinux, writeAttr: (p, v) => void written.push([p, v]), written };
}

const proc = { cwd: "/", args: ["sh"] };

test("a profile or label the host cannot apply is refused, naming the field", () => {
  assert.throws(() => checkLsmSupport({ ...proc, apparmorProfile: "runt-default" }, host(false, true)), {
    message: 'process.apparmorProfile: AppArmor is not enabled on this host, so profile "runt-default" cannot be applied',
  });
  assert.throws(() => checkLsmSupport({ ...proc, selinuxLabel: "system_u:system_r:container_t:s0" }, host(true, false)), /^ProcessError|process\.selinuxLabel: SELinux is not enabled/);
  assert.doesNotThrow(() => checkLsmSupport({ ...proc, apparmorProfile: "p", selinuxLabel: "l" }, host(true, true)));
  assert.doesNotThrow(() => checkLsmSupport(proc, host(false, false)));
});

test("labels are written for the next execve, and nothing is written without them", () => {
  const h = host(true, true);
  applyLsmLabels(proc, h);
  assert.deepEqual(h.written, []);
  applyLsmLabels({ ...proc, apparmorProfile: "runt-default", selinuxLabel: "system_u:system_r:container_t:s0" }, h);
  assert.equal(h.written.length, 2);
  assert.match(h.written[0][0], /^\/proc\/self\/attr\/(apparmor\/)?exec$/);
  assert.equal(h.written[0][1], "exec runt-default");
  assert.deepEqual(h.written[1], ["/proc/self/attr/exec", "system_u:system_r:container_t:s0"]);
});

test("a failed write names the field", () => {
  const h: LsmHost = { apparmorEnabled: () => true, selinuxEnabled: () => true, writeAttr: () => { throw new Error("EACCES"); } };
  assert.throws(() => applyLsmLabels({ ...proc, selinuxLabel: "x" }, h), { message: "process.selinuxLabel: EACCES" });
});
