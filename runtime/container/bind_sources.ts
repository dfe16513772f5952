/**
 * Bind-mount sources of a container with a user namespace, opened by runt
 * and handed to its init with the config. The init mounts as root of the
 * container's user namespace only: a source below a directory the mapped
 * IDs cannot enter (a 0700 bundle, /var/lib/kubelet, a volume store) is out
 * of its reach by path, and CAP_DAC_OVERRIDE does not help there. runc
 * (opencontainers/runc#2576) and crun (containers/crun#872) open such
 * sources in the host's user namespace, as this does: runt's thread enters
 * the container's mount namespace, where the init would have resolved the
 * path, and opens each source (O_PATH) with runt's own credentials; the init
 * binds from the descriptor (/proc/thread-self/fd/N), a mount of its own
 * namespace, so the new mount is what a bind by path would have made.
 */
import { O_CLOEXEC, O_PATH } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { isBind } from "../mount/options.ts";
import { bindSource } from "../rootfs/bind.ts";
import type { Spec } from "../spec/schema.ts";
import { isIdmapped } from "./idmapped_mounts.ts";
import { enterNamespacesOf } from "./thread_namespaces.ts";

export interface BindSources {
  /** Indexes into spec.mounts, in the order of `fds`. */
  indices: number[];
  /** The sources, opened O_PATH; the caller closes them once they are sent. */
  fds: number[];
}

/**
 * The bind sources of `spec` opened in the mount namespace of process
 * `pid` (the init, or the program that made the namespace for it). One runt
 * cannot open is left out: the init tries it by path, and its error names
 * the mount as before. So is a source inside the container's `rootfs`,
 * whose symlinks the image chose: the namespace's root resolves it with its
 * own rights, as before. Nothing is opened where runt may not enter the
 * namespace (runt without root lacks CAP_SYS_CHROOT for it) or when no
 * mount is a bind.
 */
export function openBindSources(sys: Syscalls, spec: Spec, bundle: string, rootfs: string, pid: number): BindSources {
  const opened: BindSources = { indices: [], fds: [] };
  const inImage = (source: string) => source === rootfs || source.startsWith(`${rootfs}/`);
  const binds = (spec.mounts ?? []).flatMap((m, i) => {
    if (!isBind(m.options, m.type) || !m.source || isIdmapped(m)) return [];
    const source = bindSource(m.source, bundle);
    return inImage(source) ? [] : [{ i, source }];
  });
  if (binds.length === 0) return opened;
  let inside;
  try {
    inside = enterNamespacesOf(sys, pid, ["mount"]);
  } catch {
    return opened;
  }
  try {
    for (const { i, source } of binds) {
      try {
        opened.fds.push(sys.open(source, O_PATH | O_CLOEXEC));
        opened.indices.push(i);
      } catch {
        // The init's own attempt says what is wrong with it.
      }
    }
  } finally {
    inside.leave();
  }
  return opened;
}
