/**
 * A PID namespace given by path (a pod's shared one, say) already has
 * processes in it, which could see a runtime process spawned into it while
 * it builds the container. Where the kernel's procfs takes the `pidns=`
 * option (recent kernels; asked with fsconfig), the init stays outside
 * that namespace instead: it mounts the container's /proc for that
 * namespace by option, and its start-up program clones the container's
 * process into it.
 */
import { FSOPEN_CLOEXEC } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

let answer: boolean | undefined;

/** Asked of a filesystem context never mounted: the option is parsed when set, so an old kernel says EINVAL. */
export function procTakesPidNamespace(sys: Syscalls): boolean {
  if (answer !== undefined) return answer;
  let fd: number;
  try {
    fd = sys.fsopen("proc", FSOPEN_CLOEXEC);
  } catch {
    return answer = false;
  }
  try {
    sys.fsconfigSetString(fd, "pidns", "/proc/self/ns/pid");
    answer = true;
  } catch {
    answer = false;
  } finally {
    sys.close(fd);
  }
  return answer;
}
