/**
 * Applies the process limits for real and becomes a start-up program that
 * switches the credentials and execs the scenario's command, the way runt
 * starts a container's process, in a process of its own (the test runner
 * must keep its credentials); the test reads what that command printed, or
 * the program's failure report on stderr.
 * Usage: process_probe.ts SCENARIO [ARG]
 * Before anything it writes one line, "before: SigIgn=<hex>", with its own state.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { CAPABILITIES, loadSyscalls, O_RDONLY } from "../../ffi/mod.ts";
import { encodeCapData, encodeCapHeader } from "../../ffi/structs.ts";
import { applyProcessLimits, planCredentials, type ProcessHost, systemHost } from "../../runtime/process/mod.ts";
import type { Process, Spec } from "../../runtime/spec/schema.ts";
import { becomeStartup } from "../../runtime/startup/become.ts";
import { StubProgram } from "../../runtime/stub/program.ts";

const sys = await loadSyscalls();
const [scenario, arg] = process.argv.slice(2);

function spec(proc: Partial<Process>): Spec {
  return { ociVersion: "1.2.0", process: { cwd: "/", args: ["unused"], ...proc } } as Spec;
}

const sigIgn = /SigIgn:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
sys.write(1, `before: SigIgn=${sigIgn}\n`);

const env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"];

interface Run {
  proc: Partial<Process>;
  argv: string[];
  host?: ProcessHost;
  keepFds?: number;
  /** Ops the program runs before the credentials, to put it in a state the scenario needs. */
  before?: (prog: StubProgram) => void;
}

/** The runtime's half here, the rest in the start-up program this process becomes; reports go to stderr. */
function become({ proc, argv, host = systemHost, keepFds = 3, before }: Run): never {
  const s = spec(proc);
  const applied = applyProcessLimits(sys, s, { host });
  const prog = new StubProgram({ reportFd: 2 });
  before?.(prog);
  planCredentials(prog, s, applied, host);
  prog.call("execve", [prog.str(argv[0]), prog.strings(argv.slice(1)), prog.strings(env)], { what: `exec: ${JSON.stringify(argv[0])}` });
  return becomeStartup(sys, prog, { argv: ["runt-probe", scenario], keepFds, programFds: [] });
}

/** The effective set without some capabilities, permitted kept: for this thread, or as a step of the program. */
function effectiveWithout(names: string[]) {
  const all = sys.capget();
  const gone = names.reduce((m, n) => m | (1n << BigInt(CAPABILITIES[n])), 0n);
  return { ...all, effective: all.effective & ~gone };
}

const status = ["/bin/cat", "cat", "/proc/self/status"];

switch (scenario) {
  case "root-caps": {
    become({
      proc: {
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
      },
      // A kernel newer than this one: the drops this kernel does not know fail with EINVAL and are skipped.
      host: { ...systemHost, lastCap: () => 63 },
      argv: [
        "/bin/sh",
        "sh",
        "-c",
        'grep -E "^(Cap|NoNewPrivs)" /proc/self/status; umask; ulimit -n; ulimit -Hn; pwd; cat /proc/self/oom_score_adj',
      ],
    });
    break;
  }
  case "user-caps": {
    const nbs = ["CAP_NET_BIND_SERVICE"];
    become({
      proc: {
        user: { uid: 1000, gid: 1000, additionalGids: [5, 100] },
        capabilities: { bounding: nbs, effective: nbs, permitted: nbs, inheritable: nbs, ambient: nbs },
        noNewPrivileges: false,
      },
      argv: status,
    });
    break;
  }
  case "user-stdio": {
    become({
      proc: { user: { uid: 1000, gid: 1000 } },
      argv: ["/usr/bin/stat", "stat", "-L", "-c", "%u:%g", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"],
    });
    break;
  }
  case "cwd-as-user": {
    // Root squashed, as on NFS: without the DAC overrides this thread cannot enter the user's 0700 directory.
    sys.capset(effectiveWithout(["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"]));
    become({ proc: { cwd: arg, user: { uid: 1000, gid: 1000 } }, argv: ["/bin/sh", "sh", "-c", "pwd; id -u"] });
    break;
  }
  case "fds": {
    // Opened without O_CLOEXEC, as an inherited descriptor would be.
    const leak = sys.open("/dev/null", O_RDONLY);
    sys.dup2(leak, 77);
    sys.dup2(leak, 90);
    become({ proc: {}, argv: ["/bin/ls", "ls", "/proc/self/fd"], keepFds: 78 });
    break;
  }
  case "groups-refused": {
    // More supplementary groups than the kernel takes (NGROUPS_MAX is 65536): setgroups fails with EINVAL.
    const many = Array.from({ length: 65537 }, (_, i) => i + 1);
    become({ proc: { user: { uid: 1000, gid: 1000, additionalGids: many } }, argv: status });
    break;
  }
  case "bounding-denied": {
    // Without CAP_SETPCAP in its effective set the program may not drop from the bounding set (EPERM).
    become({
      proc: { capabilities: { bounding: ["CAP_KILL"] } },
      argv: status,
      before: (prog) => {
        const sets = effectiveWithout(["CAP_SETPCAP"]);
        prog.call("capset", [prog.bytes(encodeCapHeader(0)), prog.bytes(encodeCapData(sets))], { what: "give up CAP_SETPCAP" });
      },
    });
    break;
  }
}
throw new Error(`unknown scenario ${scenario}`);
