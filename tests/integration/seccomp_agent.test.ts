/**
 * Seccomp agents (SCMP_ACT_NOTIFY with listenerPath): the listener reaches
 * the agent with the container process state, for the container and for a
 * process `exec` adds; the agent's answers are what the container sees;
 * and an agent that is not there, or goes away, is an error or ENOSYS, as
 * runtime.md and the kernel say. Each case also runs under runc where
 * runc can do the same, and must give the same result.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { leftovers } from "./leftovers.ts";
import { waitFor } from "./containers.ts";
import { isRoot, REPO, runt, runtOk, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : process.arch !== "x64" ? "seccomp tables are x86_64 only" : false;
type Seccomp = NonNullable<NonNullable<Spec["linux"]>["seccomp"]>;

function notifyMkdir(listenerPath: string): Seccomp {
  return {
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ["SCMP_ARCH_X86_64"],
    listenerPath,
    listenerMetadata: "agent-test",
    syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY" }],
  };
}

/** The agent in a process of its own, listening when this returns. */
function startAgent(socket: string, out: string, mode: "fake-success" | "exit"): ChildProcess {
  const deno = join(REPO, "node_modules/.bin/deno");
  const agent = spawn(deno, ["run", "-A", join(REPO, "tests/fixtures/seccomp_agent.ts"), socket, out, mode], { stdio: "ignore" });
  waitFor(() => existsSync(join(out, "listening")), "the agent to listen", 30_000);
  return agent;
}

/** runt as the test runs it, and runc on the same bundle. */
const RUNTIMES: [string, string[] | undefined][] = [["runt", undefined], ["runc", ["runc"]]];

const SCRIPT = "mkdir /made && echo mkdir-ok || echo mkdir-failed; [ -d /made ] && echo exists || echo absent";

for (const [runtime, argv] of RUNTIMES) {
  test(`${runtime}: the agent gets the listener with the state, and its answer is the container's (mkdir succeeds, nothing made)`, { skip }, () => {
    const dir = tempDir("runt-agent-");
    const root = tempDir("runt-root-");
    const socket = join(dir.path, "agent.sock");
    const agent = startAgent(socket, dir.path, "fake-success");
    const b = makeBundle(["sh", "-c", SCRIPT], (s) => {
      s.linux!.seccomp = notifyMkdir(socket);
    });
    try {
      const r = runt(["--root", root.path, "run", "agented"], { cwd: b.dir, argv });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "mkdir-ok\nabsent\n");
      const state = JSON.parse(readFileSync(join(dir.path, "state-1.json"), "utf8"));
      assert.deepEqual(state.fds, ["seccompFd"]);
      assert.equal(state.metadata, "agent-test");
      assert.equal(state.state.id, "agented");
      assert.equal(state.state.status, "creating");
      assert.equal(state.pid, state.state.pid);
      assert.ok(readFileSync(join(dir.path, "calls"), "utf8").split("\n").includes("83"), "mkdir (83) was notified");
    } finally {
      agent.kill("SIGKILL");
      runt(["--root", root.path, "delete", "--force", "agented"], { argv });
      b.cleanup();
      root.cleanup();
      dir.cleanup();
    }
  });
}

test("exec: the process exec adds is under the filter, and its own listener reaches the agent", { skip }, () => {
  const dir = tempDir("runt-agent-");
  const root = tempDir("runt-root-");
  const socket = join(dir.path, "agent.sock");
  const agent = startAgent(socket, dir.path, "fake-success");
  const b = makeBundle(["sleep", "60"], (s) => {
    s.linux!.seccomp = notifyMkdir(socket);
  });
  try {
    runtOk(["--root", root.path, "run", "-d", "agented"], { cwd: b.dir, files: true });
    const r = runt(["--root", root.path, "exec", "agented", "sh", "-c", SCRIPT]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "mkdir-ok\nabsent\n");
    const states = readdirSync(dir.path).filter((f) => f.startsWith("state-")).sort();
    assert.deepEqual(states, ["state-1.json", "state-2.json"]);
    const execState = JSON.parse(readFileSync(join(dir.path, "state-2.json"), "utf8"));
    assert.equal(execState.state.status, "running");
    assert.notEqual(execState.pid, execState.state.pid, "the exec'd process's own PID");
  } finally {
    agent.kill("SIGKILL");
    runt(["--root", root.path, "delete", "--force", "agented"]);
    b.cleanup();
    root.cleanup();
    dir.cleanup();
  }
});

test("no agent listening: create fails in one line naming listenerPath, and leaves nothing", { skip }, () => {
  const dir = tempDir("runt-agent-");
  const root = tempDir("runt-root-");
  const socket = join(dir.path, "nobody.sock");
  const b = makeBundle(["true"], (s) => {
    s.linux!.seccomp = notifyMkdir(socket);
  });
  try {
    const r = runt(["--root", root.path, "create", "--bundle", b.dir, "lonely"], { files: true });
    assert.equal(r.status, 1);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], /^runt: linux\.seccomp\.listenerPath ".*nobody\.sock": cannot connect: ENOENT/);
    assert.deepEqual(leftovers(root.path, "lonely", [b.dir]), []);
  } finally {
    runt(["--root", root.path, "delete", "--force", "lonely"]);
    b.cleanup();
    root.cleanup();
    dir.cleanup();
  }
});

for (const [runtime, argv] of RUNTIMES) {
  test(`${runtime}: an agent that exits after taking the listener leaves the notified call failing with ENOSYS`, { skip }, () => {
    const dir = tempDir("runt-agent-");
    const root = tempDir("runt-root-");
    const socket = join(dir.path, "agent.sock");
    const agent = startAgent(socket, dir.path, "exit");
    const b = makeBundle(["sh", "-c", "mkdir /out/made 2>&1; [ -d /out/made ] && echo exists || echo absent"], (s) => {
      s.linux!.seccomp = notifyMkdir(socket);
    });
    try {
      const r = runt(["--root", root.path, "run", "deserted"], { cwd: b.dir, argv });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Function not implemented|not implemented/);
      assert.match(r.stdout, /absent\n$/);
    } finally {
      agent.kill("SIGKILL");
      runt(["--root", root.path, "delete", "--force", "deserted"], { argv });
      b.cleanup();
      root.cleanup();
      dir.cleanup();
    }
  });
}
