/**
 * `exec` whatever order the config lists the namespaces in: containerd's ctr
 * writes `pid, ipc, uts, mount, network`, docker `mount, network, uts, pid,
 * ipc`. Once the mount namespace is joined, /proc/<init> of the host is out
 * of sight, so a runtime that opens each namespace file just before joining
 * it fails on the ones after "mount". The same holds for a container with a
 * cgroup namespace. Each exec'd process must be in all of PID 1's namespaces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { isRoot, runt, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

type NamespaceType = NonNullable<NonNullable<Spec["linux"]>["namespaces"]>[number]["type"];

const PROC_NAMES: Record<string, string> = { pid: "pid", ipc: "ipc", uts: "uts", mount: "mnt", network: "net", cgroup: "cgroup" };

/** Inside the exec'd process: each of its namespace links, then PID 1's, as `kind self one`. */
function compareScript(types: readonly string[]): string {
  return types.map((t) => PROC_NAMES[t]).map((k) => `echo ${k} $(readlink /proc/self/ns/${k}) $(readlink /proc/1/ns/${k})`).join("; ");
}

function execInOrder(id: string, order: readonly NamespaceType[]): void {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"], (s) => (s.linux!.namespaces = order.map((type) => ({ type }))));
  try {
    const r = runt(["--root", root.path, "run", "-d", "-b", b.dir, id], { files: true });
    assert.equal(r.status, 0, r.stderr);
    for (let i = 0; i < 2; i++) {
      const e = runt(["--root", root.path, "exec", id, "sh", "-c", compareScript(order)]);
      assert.equal(e.status, 0, `exec ${i + 1} with namespaces ${order.join(", ")}: ${e.stderr}`);
      const lines = e.stdout.trim().split("\n").map((l) => l.split(" "));
      assert.equal(lines.length, order.length, e.stdout);
      for (const [kind, self, one] of lines) {
        assert.match(self, /^\w+:\[\d+\]$/, `${kind}: ${e.stdout}`);
        assert.equal(self, one, `${kind}: the exec'd process is not in PID 1's namespace`);
      }
    }
  } finally {
    runt(["--root", root.path, "delete", "--force", id]);
    b.cleanup();
    root.cleanup();
  }
}

test("exec with ctr's namespace order (pid, ipc, uts, mount, network)", { skip }, () => {
  execInOrder("order-ctr", ["pid", "ipc", "uts", "mount", "network"]);
});

test("exec with docker's namespace order (mount, network, uts, pid, ipc)", { skip }, () => {
  execInOrder("order-docker", ["mount", "network", "uts", "pid", "ipc"]);
});

test("exec into a container with a cgroup namespace added to runt spec's list (after mount)", { skip }, () => {
  execInOrder("order-cgroupns", ["pid", "network", "ipc", "uts", "mount", "cgroup"]);
});
