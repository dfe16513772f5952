/**
 * Whether this process runs in a user namespace other than the initial one
 * (its uid_map is not the whole range): root there (rootless podman, `unshare
 * -r`, a container in a container) has no privilege over the host's own
 * PID namespace or cgroups.
 */
import { readTextFile } from "../host.ts";

let answer: boolean | undefined;

export function runningInUserNamespace(): boolean {
  if (answer === undefined) {
    try {
      answer = !/^\s*0\s+0\s+4294967295\s*$/.test(readTextFile("/proc/self/uid_map"));
    } catch {
      answer = false;
    }
  }
  return answer;
}
