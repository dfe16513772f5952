/**
 * `exec` with a terminal through mod.ts, by a runt slow to take the
 * terminal's master: once the master arrives it stands still until the
 * process has written to the terminal, as a loaded machine may hold it up.
 * Run by terminal.test.ts in its own process; the relayed terminal is this
 * process's stdout, and its exit status the process's.
 *
 * Usage: terminal_slow_parent.ts ROOT ID ARG...
 */
import { Runt } from "../../mod.ts";
import { loadSyscalls } from "../../ffi/mod.ts";
import { POLLIN } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

const [root, id, ...args] = process.argv.slice(2);
const sys = await loadSyscalls();
const slow = new Proxy(sys, {
  get(target, name) {
    if (name === "recvmsg") {
      return (...a: Parameters<Syscalls["recvmsg"]>) => {
        const got = target.recvmsg(...a);
        // The only descriptor the helper sends here is the master.
        for (const master of got.fds) target.poll([{ fd: master, events: POLLIN }], 20_000);
        return got;
      };
    }
    const value = Reflect.get(target, name);
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const runt = new Runt(slow, root);
process.exitCode = await runt.exec(id, { terminal: true, cwd: "/", args, env: ["PATH=/bin"], user: { uid: 0, gid: 0 } });
