import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls, type Syscalls } from "../../ffi/mod.ts";
import { HookError, hookFailureIsFatal, runHooks, runHooksWarnOnly } from "../../runtime/hooks/mod.ts";
import type { Hook } from "../../runtime/spec/schema.ts";
import type { OciState } from "../../runtime/state/record.ts";

const sys: Syscalls = await loadSyscalls();

const state: OciState = {
  ociVersion: "1.2.0",
  id: "hooked",
  status: "creating",
  pid: 4242,
  bundle: "/bundles/hooked",
  annotations: { "org.example/key": "value with \"quotes\" and ünïcode" },
  rootfs: "/bundles/hooked/rootfs",
  created: "2024-01-02T03:04:05.000000006Z",
  owner: "",
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "runt-hooks-"));
}

/** A hook running a shell script; $$ is the hook process itself. */
function sh(script: string, extra: Partial<Hook> = {}): Hook {
  return { path: "/bin/sh", args: ["sh", "-c", script], ...extra };
}

function hookError(fn: () => void): HookError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HookError, `expected HookError, got ${e}`);
    return e;
  }
  assert.fail("expected the hook to fail");
}

test("the state arrives on stdin exactly as JSON", () => {
  const dir = tempDir();
  try {
    runHooks(sys, "createRuntime", [sh(`cat > ${dir}/stdin`)], state);
    const received = readFileSync(`${dir}/stdin`, "utf8");
    assert.equal(received, JSON.stringify(state));
    assert.deepEqual(JSON.parse(received), state);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a state larger than a pipe buffer arrives whole", () => {
  const dir = tempDir();
  try {
    const big = { ...state, annotations: { big: "x".repeat(1024 * 1024) } };
    runHooks(sys, "prestart", [sh(`cat > ${dir}/stdin`, { timeout: 20 })], big);
    assert.equal(readFileSync(`${dir}/stdin`, "utf8"), JSON.stringify(big));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a hook that exits without reading a large state does not stall or kill the runtime", () => {
  const big = { ...state, annotations: { big: "x".repeat(1024 * 1024) } };
  const started = Date.now();
  runHooks(sys, "prestart", [{ path: "/bin/true", timeout: 20 }], big);
  assert.ok(Date.now() - started < 5000);
});

test("args are passed as argv, including argv[0]", () => {
  const dir = tempDir();
  try {
    const args = ["custom-argv0", "-c", `cat /proc/$$/cmdline > ${dir}/cmdline`, "one arg", "two"];
    runHooks(sys, "poststart", [{ path: "/bin/sh", args }], state);
    assert.deepEqual(readFileSync(`${dir}/cmdline`, "utf8").split("\0").slice(0, -1), args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without args, argv is just the path", () => {
  const dir = tempDir();
  try {
    // A script file: its own argv is [path] and the kernel prepends the interpreter.
    const script = join(dir, "hook");
    writeFileSync(script, `#!/bin/sh\necho "$0 $#" > ${dir}/argv\n`, { mode: 0o755 });
    runHooks(sys, "poststop", [{ path: script }], state);
    assert.equal(readFileSync(`${dir}/argv`, "utf8"), `${script} 0\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the environment is exactly the hook's env, and empty without one", () => {
  const dir = tempDir();
  try {
    const env = ["A=1", "SPACED=two words", "EMPTY="];
    runHooks(sys, "createContainer", [
      sh(`cat /proc/$$/environ > ${dir}/with`, { env }),
      sh(`cat /proc/$$/environ > ${dir}/without`),
    ], state);
    assert.deepEqual(readFileSync(`${dir}/with`, "utf8").split("\0").slice(0, -1), env);
    assert.equal(readFileSync(`${dir}/without`, "utf8"), "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a non-zero exit is a HookError with the status and the last line of output", () => {
  const e = hookError(() =>
    runHooks(sys, "prestart", [sh("echo first line; echo 'on stderr' >&2; echo; exit 3")], state)
  );
  assert.equal(e.message, "prestart hook /bin/sh: exit status 3: on stderr");
  assert.equal(e.kind, "prestart");
  assert.equal(e.path, "/bin/sh");
});

test("a failure without output names just the status", () => {
  const e = hookError(() => runHooks(sys, "startContainer", [{ path: "/bin/false" }], state));
  assert.equal(e.message, "startContainer hook /bin/false: exit status 1");
});

test("a hook killed by a signal names the signal", () => {
  const e = hookError(() => runHooks(sys, "createRuntime", [sh("kill -TERM $$")], state));
  assert.equal(e.message, "createRuntime hook /bin/sh: killed by SIGTERM");
});

test("the first failure stops the remaining hooks", () => {
  const dir = tempDir();
  try {
    assert.throws(() => runHooks(sys, "prestart", [sh("exit 1"), sh(`touch ${dir}/ran`)], state), HookError);
    assert.equal(existsSync(`${dir}/ran`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a hook past its timeout is killed and reported", () => {
  const started = Date.now();
  const e = hookError(() => runHooks(sys, "prestart", [{ path: "/bin/sleep", args: ["sleep", "10"], timeout: 1 }], state));
  const elapsed = Date.now() - started;
  assert.equal(e.message, "prestart hook /bin/sleep: timed out after 1s");
  assert.ok(elapsed >= 1000 && elapsed < 4000, `took ${elapsed} ms`);
});

test("a path that does not exist is a clear error", () => {
  const e = hookError(() => runHooks(sys, "createRuntime", [{ path: "/nonexistent/hook" }], state));
  assert.equal(e.message, "createRuntime hook /nonexistent/hook: cannot run: ENOENT (No such file or directory)");
});

test("1 MB of output neither deadlocks nor hides the last line", () => {
  const started = Date.now();
  const e = hookError(() =>
    runHooks(sys, "poststart", [
      sh("head -c 1048576 /dev/zero | tr '\\0' x; echo; head -c 1048576 /dev/zero | tr '\\0' y >&2; echo; echo the end; exit 2", {
        timeout: 20,
      }),
    ], state)
  );
  assert.equal(e.message, "poststart hook /bin/sh: exit status 2: the end");
  assert.ok(Date.now() - started < 10_000);
});

test("fast hooks cost little", () => {
  const started = Date.now();
  runHooks(sys, "prestart", Array.from({ length: 10 }, () => ({ path: "/bin/true" })), state);
  assert.ok(Date.now() - started < 2000, `10 hooks took ${Date.now() - started} ms`);
});

test("no hooks, nothing to do", () => {
  runHooks(sys, "prestart", undefined, state);
  runHooks(sys, "prestart", [], state);
});

test("warn-only mode runs every hook and warns once per failure", () => {
  const dir = tempDir();
  try {
    const warnings: string[] = [];
    runHooksWarnOnly(sys, "poststop", [
      sh("echo broken; exit 4"),
      { path: "/nonexistent/hook" },
      sh(`touch ${dir}/ran`),
    ], { ...state, status: "stopped" }, (line) => warnings.push(line));
    assert.deepEqual(warnings, [
      "poststop hook /bin/sh: exit status 4: broken",
      "poststop hook /nonexistent/hook: cannot run: ENOENT (No such file or directory)",
    ]);
    assert.equal(existsSync(`${dir}/ran`), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("only poststart and poststop failures are non-fatal", () => {
  assert.deepEqual(
    (["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"] as const)
      .filter(hookFailureIsFatal),
    ["prestart", "createRuntime", "createContainer", "startContainer"],
  );
});
