import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const PROBE = fileURLToPath(new URL("./process_probe.ts", import.meta.url));
const skip = process.getuid?.() === 0 ? undefined : "needs root";

/** Runs the probe with the runtime running the tests: what it printed before exec, and what the exec'd program printed. */
function probe(scenario: string): { before: string; output: string } {
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", "--no-check", PROBE] : [PROBE];
  // With input, stdin is a pipe too (without, a runtime may hand the child /dev/null).
  const r = spawnSync(process.execPath, [...runtimeArgs, scenario], { encoding: "utf8", timeout: 20_000, input: "\n" });
  if (r.status !== 0) throw new Error(`probe ${scenario} failed (${r.status ?? r.signal}): ${r.stderr}`);
  const [before, ...rest] = r.stdout.split("\n");
  return { before, output: rest.join("\n") };
}

function field(status: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status);
  assert.ok(m, `no ${name} in ${status}`);
  return m[1].trim();
}

test("root with reduced capabilities, umask, rlimit, oom score and no_new_privs: what the exec'd shell sees", { skip }, () => {
  const { output } = probe("root-caps");
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
  const { before, output } = probe("user-caps");
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
  assert.deepEqual(probe("user-stdio").output.trim().split("\n"), ["1000:0", "1000:0", "1000:0"]);
});

test("descriptors from keepFds up are closed by the exec, lower ones are inherited", { skip }, () => {
  const fds = probe("fds").output.trim().split(/\s+/).map(Number);
  assert.ok(fds.includes(77), `77 missing from ${fds}`);
  assert.ok(!fds.includes(90), `90 leaked: ${fds}`);
  assert.deepEqual(fds.filter((fd) => fd > 77), []);
});
