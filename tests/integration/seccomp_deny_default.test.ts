/**
 * A deny-by-default profile without close_range (Docker's classic default)
 * on a container and on a process `exec` adds, next to runc: nothing the
 * filter may forbid runs after it, in create's init or in exec's helper.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeBundle } from "../fixtures/bundle.ts";
import { dockerClassic } from "../fixtures/seccomp_profiles.ts";
import { hasCommand, isRoot, runt, runtArgv, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "runc is not installed" : process.arch !== "x64" ? "x86_64 profile" : false;

test("run and exec under Docker's classic profile (EPERM default), with and without no_new_privs, as under runc", { skip }, () => {
  for (const noNewPrivileges of [true, false]) {
    const seen: Record<string, string> = {};
    for (const [name, argv] of [["runt", runtArgv()], ["runc", ["runc"]]] as Array<[string, string[]]>) {
      const root = tempDir("runt-root-");
      const id = `deny-default-${name}-${process.pid}`;
      const b = makeBundle(["sleep", "60"], (s) => {
        s.process!.noNewPrivileges = noNewPrivileges;
        s.linux!.seccomp = dockerClassic();
      });
      try {
        const r = runt(["--root", root.path, "run", "-d", "-b", b.dir, id], { argv, files: true });
        assert.equal(r.status, 0, `${name}, noNewPrivileges ${noNewPrivileges}: ${r.stderr}`);
        const e = runt(["--root", root.path, "exec", id, "sh", "-c", "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; unshare -m true || echo unshare-refused"], { argv });
        assert.equal(e.status, 0, `${name} exec, noNewPrivileges ${noNewPrivileges}: ${e.stderr}`);
        seen[name] = e.stdout;
      } finally {
        runt(["--root", root.path, "delete", "--force", id], { argv });
        b.cleanup();
        root.cleanup();
      }
    }
    assert.match(seen.runt, /^Seccomp:\s+2$/m);
    assert.match(seen.runt, /^unshare-refused$/m);
    assert.equal(seen.runt, seen.runc, `noNewPrivileges ${noNewPrivileges}`);
  }
});
