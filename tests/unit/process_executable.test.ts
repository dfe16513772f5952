import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envValue, homeOf, processEnv, ProcessError, resolveExecutable } from "../../runtime/process/mod.ts";

/** bin/ and sbin/ with programs, a non-executable file, a directory and a symlink. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "runt-exe-"));
  for (const d of ["bin", "sbin", "work", "bin/subdir"]) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, "bin/tool"), "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(join(root, "sbin/tool"), "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(join(root, "sbin/admin"), "#!/bin/sh\n", { mode: 0o700 });
  writeFileSync(join(root, "bin/data"), "not a program\n", { mode: 0o644 });
  writeFileSync(join(root, "sbin/data"), "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(join(root, "work/local"), "#!/bin/sh\n", { mode: 0o755 });
  symlinkSync("tool", join(root, "bin/link"));
  chmodSync(join(root, "bin/subdir"), 0o755);
  return root;
}

function withTree(fn: (root: string) => void): void {
  const root = tree();
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProcessError, `expected ProcessError, got ${e}`);
    return e.message;
  }
  assert.fail("expected a failure");
}

test("a name is looked up on PATH in order, skipping what cannot run", () => {
  withTree((root) => {
    const env = [`PATH=${root}/bin:${root}/sbin`];
    assert.equal(resolveExecutable("tool", env, "/"), `${root}/bin/tool`);
    assert.equal(resolveExecutable("admin", env, "/"), `${root}/sbin/admin`);
    // bin/data has no exec bit, bin/subdir is a directory: the search goes on.
    assert.equal(resolveExecutable("data", env, "/"), `${root}/sbin/data`);
    assert.equal(resolveExecutable("link", env, "/"), `${root}/bin/link`);
  });
});

test("the last PATH in the environment wins", () => {
  withTree((root) => {
    assert.equal(resolveExecutable("tool", [`PATH=${root}/bin`, `PATH=${root}/sbin`], "/"), `${root}/sbin/tool`);
    assert.equal(envValue(["A=1", "PATH=/x", "PATH=/y"], "PATH"), "/y");
    assert.equal(envValue(["PATHX=/x"], "PATH"), undefined);
  });
});

test("not found on PATH, or no PATH at all", () => {
  withTree((root) => {
    assert.equal(
      failure(() => resolveExecutable("nosuch", [`PATH=${root}/bin`], "/")),
      'exec: "nosuch": executable file not found in $PATH',
    );
    assert.equal(failure(() => resolveExecutable("subdir", [`PATH=${root}/bin`], "/")), 'exec: "subdir": executable file not found in $PATH');
    // runc sets only the spec's environment: without PATH nothing is searched.
    assert.equal(failure(() => resolveExecutable("sh", ["TERM=xterm"], "/")), 'exec: "sh": executable file not found in $PATH');
    assert.equal(failure(() => resolveExecutable("sh", ["PATH="], "/")), 'exec: "sh": executable file not found in $PATH');
  });
});

test("a program found through a relative PATH entry is refused", () => {
  withTree((root) => {
    assert.equal(
      failure(() => resolveExecutable("local", ["PATH=/nonexistent:."], `${root}/work`)),
      'exec: "local": cannot run executable found relative to current directory',
    );
    assert.equal(
      failure(() => resolveExecutable("local", ["PATH=/nonexistent::/also-not"], `${root}/work`)),
      'exec: "local": cannot run executable found relative to current directory',
    );
  });
});

test("a name with a slash is taken relative to cwd, without PATH", () => {
  withTree((root) => {
    assert.equal(resolveExecutable("./local", [], `${root}/work`), `${root}/work/local`);
    assert.equal(resolveExecutable("../bin/tool", [], `${root}/work`), `${root}/bin/tool`);
    assert.equal(resolveExecutable(`${root}/bin/tool`, [], "/"), `${root}/bin/tool`);
  });
});

test("a path that cannot be executed says why", () => {
  withTree((root) => {
    assert.equal(failure(() => resolveExecutable(`${root}/bin/data`, [], "/")), `exec: "${root}/bin/data": permission denied`);
    assert.equal(failure(() => resolveExecutable(`${root}/bin/subdir`, [], "/")), `exec: "${root}/bin/subdir": is a directory`);
    assert.equal(failure(() => resolveExecutable("./nope", [], root)), 'exec: "./nope": no such file or directory');
    assert.equal(failure(() => resolveExecutable("/dev/null", [], "/")), 'exec: "/dev/null": not a regular file');
    assert.equal(
      failure(() => resolveExecutable(`${root}/bin/data/x`, [], "/")),
      `exec: "${root}/bin/data/x": not a directory`,
    );
  });
});

test("cwd must be an existing directory", () => {
  withTree((root) => {
    assert.equal(failure(() => resolveExecutable("tool", [`PATH=${root}/bin`], "/nope")), 'process.cwd "/nope": no such directory');
    assert.equal(
      failure(() => resolveExecutable("tool", [`PATH=${root}/bin`], `${root}/bin/tool`)),
      `process.cwd "${root}/bin/tool": not a directory`,
    );
  });
});

test("the process environment gets HOME from passwd, as runc sets it", () => {
  const passwd = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nbroken line\n";
  assert.equal(homeOf(passwd, 1000), "/home/user");
  assert.equal(homeOf(passwd, 7), undefined);
  assert.deepEqual(processEnv(["PATH=/bin", "TERM=xterm"], 0, () => passwd), ["PATH=/bin", "TERM=xterm", "HOME=/root"]);
  assert.deepEqual(processEnv(["PATH=/bin"], 4242, () => passwd), ["PATH=/bin", "HOME=/"]);
  assert.deepEqual(processEnv(["HOME=/mine"], 0, () => passwd), ["HOME=/mine"]);
  assert.deepEqual(processEnv(["HOME=", "A=1"], 1000, () => passwd), ["HOME=/home/user", "A=1"]);
  // A repeated name keeps its first position and its last value.
  assert.deepEqual(processEnv(["A=1", "B=2", "A=3", "HOME=/h"], 0, () => passwd), ["A=3", "B=2", "HOME=/h"]);
});
