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
 *   - --no-pivot (MS_MOVE and chroot move only the calling thread's root).
 */
import { rawNamespaces } from "./raw_namespaces.ts";

export function runtCanBuild(json: unknown, noPivot: boolean): boolean {
  if (noPivot) return false;
  const namespaces = rawNamespaces(json);
  const of = (type: string) => namespaces.find((ns) => ns.type === type);
  if (of("user") || of("time")) return false;
  const mount = of("mount"), pid = of("pid");
  return mount !== undefined && mount.path === undefined && pid?.path === undefined;
}
