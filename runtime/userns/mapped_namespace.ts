/**
 * A user namespace that only carries ID maps, for mount_setattr's
 * MOUNT_ATTR_IDMAP: no process is ever meant to run in it. A multithreaded
 * runtime cannot unshare one itself, so a tiny start-up program does
 * (unshare, say so, wait); runt writes its maps, keeps /proc/PID/ns/user
 * open, and lets the program end. The descriptor keeps the namespace.
 */
import { AF_UNIX, CLONE_NEWUSER, O_CLOEXEC, O_RDONLY, SOCK_STREAM } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { LinuxIDMapping } from "../spec/schema.ts";
import { StubProgram } from "../stub/program.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import { killAndReap } from "../process/reap.ts";
import { IdMapError } from "./errors.ts";
import { writeIdMap } from "./maps.ts";

/** Where the program finds its end of the socketpair. */
const PROGRAM_FD = 3;

/** The program: a user namespace of its own, one byte to say so, then wait until runt hangs up. */
function holderProgram(): StubProgram {
  const prog = new StubProgram({ reportFd: PROGRAM_FD });
  prog.call("unshare", [CLONE_NEWUSER], { what: "creating a user namespace for an idmapped mount" });
  prog.call("write", [PROGRAM_FD, prog.str("u"), 1], { what: "report the user namespace" });
  prog.call("read", [PROGRAM_FD, prog.reserve(1), 1], { what: "wait for the runtime" });
  prog.call("exit_group", [0], { what: "exit" });
  return prog;
}

/**
 * A descriptor of a new user namespace with `uid`/`gid` as its maps;
 * `field` (e.g. "mounts[2]") names them in errors. The caller closes it.
 */
export function mappedUserNamespace(sys: Syscalls, uid: readonly LinuxIDMapping[], gid: readonly LinuxIDMapping[], field: string): number {
  const [ours, theirs] = sys.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC);
  let image: number | undefined;
  let pid = 0;
  try {
    try {
      image = sealedExecutable(sys, holderProgram().image(), "runt-idmap");
      pid = sys.posixSpawn(`/proc/self/fd/${image}`, ["runt-idmap"], [], { fileActions: [{ op: "dup2", fd: theirs, to: PROGRAM_FD }] });
    } finally {
      // Only the program's copy may stay open: its end of file is what ends the wait below.
      sys.close(theirs);
    }
    const said = new Uint8Array(1);
    if (sys.read(ours, said) !== 1) throw new IdMapError(`${field}: the kernel refused a user namespace for the idmapped mount`);
    writeIdMap(pid, "uid", uid, `${field}.uidMappings`);
    writeIdMap(pid, "gid", gid, `${field}.gidMappings`);
    return sys.open(`/proc/${pid}/ns/user`, O_RDONLY | O_CLOEXEC);
  } finally {
    sys.close(ours);
    if (image !== undefined) sys.close(image);
    if (pid > 0) killAndReap(sys, pid);
  }
}
