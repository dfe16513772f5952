/** The namespaces a container is given, as it sees them in /proc/self/ns and elsewhere. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
const KINDS = ["pid", "mnt", "net", "ipc", "uts", "cgroup", "time"];
const PRINT_NS = KINDS.map((k) => `echo ${k}=$(readlink /proc/self/ns/${k})`).join("; ");

type Namespaces = NonNullable<NonNullable<Spec["linux"]>["namespaces"]>;

/** Runs `script` in a container and returns its stdout, failing on a non-zero exit. */
function runIn(script: string, edit: (spec: Spec) => void = () => {}): string {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", script], edit);
  try {
    const r = runt(["--root", root.path, "run", "-b", b.dir, "ns"]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    b.cleanup();
    root.cleanup();
  }
}

function parse(out: string): Record<string, string> {
  return Object.fromEntries(out.trim().split("\n").map((l) => l.split("=", 2) as [string, string]));
}

const host = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);

test("the default config gives new pid, mount, network, ipc and uts namespaces, and the host's others", { skip }, () => {
  const seen = parse(runIn(PRINT_NS));
  for (const kind of ["pid", "mnt", "net", "ipc", "uts"]) assert.notEqual(seen[kind], host(kind), kind);
  for (const kind of ["cgroup", "time"]) assert.equal(seen[kind], host(kind), kind);
});

test("new cgroup and time namespaces, with the time offsets applied", { skip: skip || (!existsSync("/proc/self/ns/time") && "no time namespaces") }, () => {
  const out = runIn(`${PRINT_NS}; echo uptime=$(cut -d' ' -f1 /proc/uptime)`, (s) => {
    s.linux!.namespaces!.push({ type: "cgroup" }, { type: "time" });
    s.linux!.timeOffsets = { boottime: { secs: 1_000_000, nanosecs: 0 } };
  });
  const seen = parse(out);
  assert.notEqual(seen.cgroup, host("cgroup"));
  assert.notEqual(seen.time, host("time"));
  const hostUptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  assert.ok(Number(seen.uptime) >= 1_000_000 + hostUptime - 5, `uptime ${seen.uptime}`);
});

test("without a pid namespace the container shares the host's and is not PID 1", { skip }, () => {
  const seen = parse(runIn(`${PRINT_NS}; echo self=$$`, (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((ns) => ns.type !== "pid");
  }));
  assert.equal(seen.pid, host("pid"));
  assert.notEqual(seen.self, "1");
});

test("namespaces given by path are joined: a second container in the first one's network and ipc", { skip }, () => {
  const root = tempDir("runt-root-");
  const first = makeBundle(["sh", "-c", "echo > /out/ready; exec sleep 60"]);
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", first.dir, "first"], { files: true });
    const pid = JSON.parse(runt(["--root", root.path, "state", "first"]).stdout).pid;
    const joined: Namespaces = [
      { type: "network", path: `/proc/${pid}/ns/net` },
      { type: "ipc", path: `/proc/${pid}/ns/ipc` },
    ];
    const seen = parse(runIn(PRINT_NS, (s) => {
      s.linux!.namespaces = [...s.linux!.namespaces!.filter((ns) => ns.type !== "network" && ns.type !== "ipc"), ...joined];
    }));
    assert.equal(seen.net, readlinkSync(`/proc/${pid}/ns/net`));
    assert.equal(seen.ipc, readlinkSync(`/proc/${pid}/ns/ipc`));
    assert.notEqual(seen.uts, readlinkSync(`/proc/${pid}/ns/uts`), "the rest are still its own");
  } finally {
    runt(["--root", root.path, "delete", "--force", "first"]);
    first.cleanup();
    root.cleanup();
  }
});

test("a namespace path that does not exist is named, and nothing is left", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"], (s) => {
    s.linux!.namespaces = [...s.linux!.namespaces!.filter((ns) => ns.type !== "network"), { type: "network", path: "/proc/999999999/ns/net" }];
  });
  try {
    const r = runt(["--root", root.path, "create", "-b", b.dir, "badns"], { files: true });
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], /network namespace \/proc\/999999999\/ns\/net/);
    assert.ok(!existsSync(join(root.path, "badns")));
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("each container gets its own session keyring, unless --no-new-keyring", { skip: skip || (!existsSync("/proc/keys") && "no keyrings") }, () => {
  const root = tempDir("runt-root-");
  // /proc/keys is masked by default; unmask it to look. Each container counts keyrings named for it:
  // another's may linger in the list until the kernel collects it.
  const bundleFor = (id: string) =>
    makeBundle(["sh", "-c", `grep -c '_ses\\.${id}:' /proc/keys || true`], (s) => {
      s.linux!.maskedPaths = s.linux!.maskedPaths!.filter((p) => p !== "/proc/keys");
    });
  const own = bundleFor("keyring-1"), shared = bundleFor("keyring-2");
  try {
    const ownRun = runt(["--root", root.path, "run", "-b", own.dir, "keyring-1"]);
    assert.equal(ownRun.status, 0, ownRun.stderr);
    assert.equal(ownRun.stdout, "1\n");
    const sharedRun = runt(["--root", root.path, "run", "--no-new-keyring", "-b", shared.dir, "keyring-2"]);
    assert.equal(sharedRun.status, 0, sharedRun.stderr);
    assert.equal(sharedRun.stdout, "0\n");
  } finally {
    own.cleanup();
    shared.cleanup();
    root.cleanup();
  }
});

test("a pid namespace given by path is joined: the second container sees the first one's PID 1", { skip }, () => {
  const root = tempDir("runt-root-");
  const first = makeBundle(["sleep", "60"]);
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", first.dir, "pidfirst"], { files: true });
    const pid = JSON.parse(runt(["--root", root.path, "state", "pidfirst"]).stdout).pid;
    const seen = parse(runIn(`${PRINT_NS}; echo self=$$; echo one=$(tr '\\0' ' ' < /proc/1/cmdline)`, (s) => {
      s.linux!.namespaces = [...s.linux!.namespaces!.filter((ns) => ns.type !== "pid"), { type: "pid", path: `/proc/${pid}/ns/pid` }];
    }));
    assert.equal(seen.pid, readlinkSync(`/proc/${pid}/ns/pid`));
    assert.notEqual(seen.self, "1");
    assert.equal(seen.one.trim(), "sleep 60");
  } finally {
    runt(["--root", root.path, "delete", "--force", "pidfirst"]);
    first.cleanup();
    root.cleanup();
  }
});
