/**
 * Replaces this process with a start-up program through execveat on its
 * sealed memfd, the way runt starts container processes. Run by
 * stub_memfd.test.ts in a child process.
 */
import { AT_EMPTY_PATH, loadSyscalls } from "../../ffi/mod.ts";
import { sealedExecutable } from "../../runtime/stub/memfd.ts";
import { slot, StubProgram } from "../../runtime/stub/program.ts";

const sys = await loadSyscalls();
const p = new StubProgram();
const link = p.reserve(64);
p.call("readlinkat", [-100, p.str("/proc/self/exe"), link, 64], { what: "readlink /proc/self/exe", result: 1 });
p.call("write", [1, link, slot(1)], { what: "write the link" });
sys.execveat(sealedExecutable(sys, p.image(), "runt-probe"), "", ["stub"], [], AT_EMPTY_PATH);
