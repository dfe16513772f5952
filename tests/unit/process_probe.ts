/**
 * Runs applyProcess and execProcess for real, in a process of its own (the
 * test runner must keep its credentials), then becomes the command the
 * scenario names; the test reads what that command printed.
 * Usage: process_probe.ts root-caps | user-caps | user-stdio | fds
 * Before exec it writes one line, "before: SigIgn=<hex>", with its own state.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { loadSyscalls, O_RDONLY } from "../../ffi/mod.ts";
import { applyProcess, execProcess } from "../../runtime/process/mod.ts";
import type { Process, Spec } from "../../runtime/spec/schema.ts";

const sys = await loadSyscalls();
const scenario = process.argv[2];

function spec(proc: Partial<Process>): Spec {
  return { ociVersion: "1.2.0", process: { cwd: "/", args: ["unused"], ...proc } } as Spec;
}

const sigIgn = /SigIgn:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
sys.write(1, `before: SigIgn=${sigIgn}\n`);

const env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"];
switch (scenario) {
  case "root-caps": {
    applyProcess(sys, spec({
      cwd: "/tmp",
      user: { uid: 0, gid: 0, umask: 0o027 },
      capabilities: {
        bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        effective: ["CAP_CHOWN", "CAP_KILL"],
        permitted: ["CAP_CHOWN", "CAP_KILL"],
      },
      rlimits: [{ type: "RLIMIT_NOFILE", soft: 512, hard: 600 }],
      oomScoreAdj: 123,
      noNewPrivileges: true,
    }));
    const script = 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status; umask; ulimit -n; ulimit -Hn; pwd; cat /proc/self/oom_score_adj';
    execProcess(sys, "/bin/sh", ["sh", "-c", script], env, 3);
    break;
  }
  case "user-caps": {
    const nbs = ["CAP_NET_BIND_SERVICE"];
    applyProcess(sys, spec({
      user: { uid: 1000, gid: 1000, additionalGids: [5, 100] },
      capabilities: { bounding: nbs, effective: nbs, permitted: nbs, inheritable: nbs, ambient: nbs },
      noNewPrivileges: false,
    }));
    execProcess(sys, "/bin/cat", ["cat", "/proc/self/status"], env, 3);
    break;
  }
  case "user-stdio": {
    applyProcess(sys, spec({ user: { uid: 1000, gid: 1000 } }));
    execProcess(sys, "/usr/bin/stat", ["stat", "-L", "-c", "%u:%g", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"], env, 3);
    break;
  }
  case "fds": {
    // Opened without O_CLOEXEC, as an inherited descriptor would be.
    const leak = sys.open("/dev/null", O_RDONLY);
    sys.dup2(leak, 77);
    sys.dup2(leak, 90);
    execProcess(sys, "/bin/ls", ["ls", "/proc/self/fd"], env, 78);
    break;
  }
}
throw new Error(`unknown scenario ${scenario}`);
