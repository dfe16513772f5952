/**
 * Time namespaces a JavaScript runtime cannot enter (setns needs a
 * single-threaded process): the start-up program enters them, so `exec`
 * into a container with one, and a container joining another's by path,
 * see its clocks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";
import { state } from "./containers.ts";

const skip = !isRoot ? "needs root" : !existsSync("/proc/self/ns/time") ? "no time namespaces" : false;
const OFFSET = 1_000_000;
const SHOW = "echo $(readlink /proc/self/ns/time) $(cut -d' ' -f1 /proc/uptime)";

function hostUptime(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}

/** "time:[…] 1000123.45" → the namespace and the uptime. */
function seen(out: string): { ns: string; uptime: number } {
  const [ns, uptime] = out.trim().split(" ");
  return { ns, uptime: Number(uptime) };
}

test("exec into a container with a time namespace: the process is in it and sees its offset", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"], (s) => {
    s.linux!.namespaces!.push({ type: "time" });
    s.linux!.timeOffsets = { boottime: { secs: OFFSET, nanosecs: 0 } };
  });
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, "clocked"], { files: true });
    const pid1 = state(root.path, "clocked").pid;
    const r = runt(["--root", root.path, "exec", "clocked", "sh", "-c", SHOW]);
    assert.equal(r.status, 0, r.stderr);
    const { ns, uptime } = seen(r.stdout);
    assert.equal(ns, readlinkSync(`/proc/${pid1}/ns/time`));
    assert.notEqual(ns, readlinkSync("/proc/self/ns/time"));
    assert.ok(uptime >= OFFSET + hostUptime() - 5, `uptime ${uptime}`);
  } finally {
    runt(["--root", root.path, "delete", "--force", "clocked"]);
    b.cleanup();
    root.cleanup();
  }
});

test("a container joining another's time namespace by path shares its clocks", { skip }, () => {
  const root = tempDir("runt-root-");
  const first = makeBundle(["sleep", "60"], (s) => {
    s.linux!.namespaces!.push({ type: "time" });
    s.linux!.timeOffsets = { boottime: { secs: OFFSET, nanosecs: 0 } };
  });
  let second: ReturnType<typeof makeBundle> | undefined;
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", first.dir, "clock"], { files: true });
    const pid1 = state(root.path, "clock").pid;
    second = makeBundle(["sh", "-c", SHOW], (s) => {
      s.linux!.namespaces!.push({ type: "time", path: `/proc/${pid1}/ns/time` });
    });
    const r = runt(["--root", root.path, "run", "-b", second.dir, "follower"]);
    assert.equal(r.status, 0, r.stderr);
    const { ns, uptime } = seen(r.stdout);
    assert.equal(ns, readlinkSync(`/proc/${pid1}/ns/time`));
    assert.ok(uptime >= OFFSET + hostUptime() - 5, `uptime ${uptime}`);
  } finally {
    runt(["--root", root.path, "delete", "--force", "clock"]);
    first.cleanup();
    second?.cleanup();
    root.cleanup();
  }
});
