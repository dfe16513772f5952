/** What `runt exec` runs: the container's process with the command line on top, as runc builds it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execProcessFrom } from "../../runtime/container/exec_process.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import { splitAfterPositionals } from "../../cli/command.ts";

const base = defaultSpec().process!;

test("args replace the container's, env is appended, the terminal is off unless asked", () => {
  const p = execProcessFrom(base, { args: ["ls", "-l"], env: ["A=1"] });
  assert.deepEqual(p.args, ["ls", "-l"]);
  assert.deepEqual(p.env, [...base.env!, "A=1"]);
  assert.equal(p.terminal, false);
  assert.equal(p.cwd, base.cwd);
  assert.deepEqual(p.capabilities, base.capabilities, "the container's capabilities by default");
  assert.deepEqual(base.args, ["sh"], "the base is not modified");
});

test("--user uid keeps the gid, uid:gid sets both; a name is refused", () => {
  assert.deepEqual(execProcessFrom(base, { args: ["id"], user: "1000" }).user, { uid: 1000, gid: 0 });
  assert.deepEqual(execProcessFrom(base, { args: ["id"], user: "1000:100" }).user, { uid: 1000, gid: 100 });
  assert.throws(() => execProcessFrom(base, { args: ["id"], user: "nobody" }), /--user "nobody": expected uid or uid:gid/);
});

test("--cap adds to every set but the inheritable one, once", () => {
  const p = execProcessFrom(base, { args: ["x"], caps: ["CAP_SYS_ADMIN", "CAP_KILL"] });
  for (const set of ["bounding", "effective", "permitted", "ambient"] as const) {
    assert.ok(p.capabilities![set]!.includes("CAP_SYS_ADMIN"), set);
    assert.equal(p.capabilities![set]!.filter((c) => c === "CAP_KILL").length, 1, set);
  }
  assert.equal(p.capabilities!.inheritable, undefined);
});

test("no command is an error", () => {
  assert.throws(() => execProcessFrom(base, { args: [] }), /exec needs the command/);
});

test("the exec command line: flags before the ID, everything after it verbatim", () => {
  const flags = { user: { type: "string" as const, short: "u", description: "" }, detach: { type: "boolean" as const, short: "d", description: "" } };
  assert.deepEqual(splitAfterPositionals(["-u", "1000", "-d", "c1", "ls", "-l", "-u"], flags, 1), [["-u", "1000", "-d", "c1"], ["ls", "-l", "-u"]]);
  assert.deepEqual(splitAfterPositionals(["--user=1", "c1", "sh"], flags, 1), [["--user=1", "c1"], ["sh"]]);
  assert.deepEqual(splitAfterPositionals(["c1", "--", "x"], flags, 1), [["c1"], ["x"]]);
  assert.deepEqual(splitAfterPositionals(["-d", "--", "c1", "x"], flags, 1), [["-d"], ["c1", "x"]]);
});
