import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookError, runHook, runHooks, runHooksWarning } from "../../runtime/hooks.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "runt-hooks-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a hook gets the state on stdin, its argv (with argv0) and exactly its env", () => {
  withDir((dir) => {
    const out = join(dir, "out");
    runHook("createRuntime", 0, {
      path: "/bin/sh",
      args: ["hook-name", "-c", `{ echo "$0"; echo "$FOO"; env | wc -l; cat; } > ${out}`],
      env: ["FOO=bar=baz"],
    }, `{"id":"c1"}`);
    const [argv0, foo, envCount, state] = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(argv0, "hook-name");
    assert.equal(foo, "bar=baz");
    // FOO plus what the shell itself adds (PWD, SHLVL, _): nothing from our environment.
    assert.ok(Number(envCount.trim()) <= 4, `env has ${envCount} entries`);
    assert.equal(state, `{"id":"c1"}`);
  });
});

test("a failing hook is a HookError naming kind, index, path, status and its last stderr line", () => {
  assert.throws(
    () => runHook("prestart", 2, { path: "/bin/sh", args: ["sh", "-c", "echo first >&2; echo boom >&2; exit 3"] }, "{}"),
    (e) => e instanceof HookError && e.message === "prestart hook 2 (/bin/sh) exited with status 3: boom",
  );
});

test("a missing hook binary and a timeout are reported", () => {
  assert.throws(() => runHook("poststart", 0, { path: "/nonexistent/hook" }, "{}"), /poststart hook 0 \(\/nonexistent\/hook\) could not run: ENOENT/);
  const t0 = Date.now();
  assert.throws(() => runHook("createRuntime", 0, { path: "/bin/sleep", args: ["sleep", "5"], timeout: 1 }, "{}"), /timed out after 1s/);
  assert.ok(Date.now() - t0 < 4000);
});

test("runHooks stops at the first failure; runHooksWarning runs them all", () => {
  withDir((dir) => {
    const mark = (n: number) => ({ path: "/bin/sh", args: ["sh", "-c", `echo ${n} >> ${join(dir, "log")}`] });
    const fail = { path: "/bin/false" };
    assert.throws(() => runHooks("prestart", [mark(1), fail, mark(2)], "{}"), HookError);
    assert.equal(readFileSync(join(dir, "log"), "utf8"), "1\n");
    const warnings = runHooksWarning("poststop", [mark(3), fail, mark(4)], "{}");
    assert.deepEqual(warnings, ["poststop hook 1 (/bin/false) exited with status 1"]);
    assert.equal(readFileSync(join(dir, "log"), "utf8"), "1\n3\n4\n");
  });
});
