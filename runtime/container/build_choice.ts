/**
 * Which containers runt builds itself (build.ts) and which keep the
 * JavaScript init, decided from the config before it is validated (the
 * process is spawned while validation runs; an invalid config kills it).
 * The init stays where runt's thread cannot do the init's part:
 *   - a user namespace (a multithreaded process can neither make nor join one);
 *   - a time namespace (likewise; its offsets are written before anything runs in it);
 *   - no mount namespace of its own, or one given by path (the thread
 *     would chroot the host's or another container's);
 *   - a PID namespace given by path (the init's own start-up program enters it);
 *   - --no-pivot (MS_MOVE and chroot move only the calling thread's root);
 *   - a /proc in a new PID namespace on a kernel whose procfs lacks `pidns=`
 *     (runt's thread, outside that namespace, could not mount it).
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { fieldOf } from "../spec/fold_name.ts";
import { procTakesPidNamespace } from "./pid_namespace.ts";
import { rawNamespaces } from "./raw_namespaces.ts";

export function runtCanBuild(sys: Syscalls, json: unknown, noPivot: boolean): boolean {
  if (noPivot) return false;
  const namespaces = rawNamespaces(json);
  const of = (type: string) => namespaces.find((ns) => ns.type === type);
  if (of("user") || of("time")) return false;
  const mount = of("mount"), pid = of("pid");
  if (!mount || mount.path !== undefined || pid?.path !== undefined) return false;
  return !pid || !mountsProc(json) || procTakesPidNamespace(sys);
}

function mountsProc(json: unknown): boolean {
  const mounts = fieldOf(json, "mounts");
  return Array.isArray(mounts) && mounts.some((m) => fieldOf(m, "type") === "proc");
}
