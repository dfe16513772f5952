/**
 * startContainer hooks run in the container (runtime.md) and, as under
 * runc, as the container's process would: its user, capabilities, cgroup
 * and seccomp filter. A hook's path is resolved inside the container, so
 * running it with the runtime's own privileges would hand them to
 * whatever the container put there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { state, withRoot } from "./containers.ts";
import { isRoot, runt } from "./runt.ts";

const skip = !isRoot ? "needs root" : process.arch !== "x64" ? "seccomp tables are x86_64 only" : false;

const HOOK_SCRIPT = [
  "grep -E '^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status > /out/hook",
  "mkdir /out/hookdir 2>> /out/hook || echo mkdir-refused >> /out/hook",
  "cat /proc/self/cgroup > /out/hook-cgroup",
].join("; ");

function hookedBundle() {
  return makeBundle(["true"], (s) => {
    s.process!.user = { uid: 1000, gid: 1000 };
    s.process!.noNewPrivileges = true;
    s.linux!.seccomp = {
      defaultAction: "SCMP_ACT_ALLOW",
      architectures: ["SCMP_ARCH_X86_64"],
      syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
    };
    s.hooks = { startContainer: [{ path: "/bin/sh", args: ["sh", "-c", HOOK_SCRIPT], env: ["PATH=/bin"] }] };
  });
}

test("a startContainer hook runs with the container's user, capabilities, cgroup and seccomp filter, as under runc", { skip }, withRoot((root) => {
  const seen: Record<string, string> = {};
  for (const [runtime, argv] of [["runt", undefined], ["runc", ["runc"]]] as [string, string[] | undefined][]) {
    const b = hookedBundle();
    // The hook writes its report into /out as the container's user.
    chmodSync(b.out, 0o777);
    try {
      const c = runt(["--root", root, "create", "--bundle", b.dir, `hooked-${runtime}`], { files: true, argv });
      assert.equal(c.status, 0, c.stderr);
      // Read now: once started, the container's `true` ends, and an ended process shows the root cgroup.
      const cgroup = readFileSync(`/proc/${state(root, `hooked-${runtime}`, argv).pid}/cgroup`, "utf8");
      const r = runt(["--root", root, "start", `hooked-${runtime}`], { files: true, argv });
      assert.equal(r.status, 0, r.stderr);
      seen[runtime] = readFileSync(join(b.out, "hook"), "utf8");
      if (runtime === "runt") {
        assert.equal(readFileSync(join(b.out, "hook-cgroup"), "utf8"), cgroup);
      }
    } finally {
      runt(["--root", root, "delete", "--force", `hooked-${runtime}`], { argv });
      b.cleanup();
    }
  }
  assert.match(seen.runt, /^Uid:\s+1000\s/m);
  assert.match(seen.runt, /^Seccomp:\s+2$/m);
  assert.match(seen.runt, /^CapEff:\s+0+$/m);
  assert.match(seen.runt, /mkdir-refused/);
  assert.equal(seen.runt, seen.runc);
}));
