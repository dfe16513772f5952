/** What the parent tells the container init, as the first message on the channel. */
import type { Spec } from "../spec/schema.ts";
import type { OciState } from "../state/record.ts";
import type { SeccompFilter } from "../seccomp/install.ts";

export interface InitConfig {
  /** `create` builds a container; `exec` joins a running one's namespaces (all given by path) and execs at once. */
  mode: "create" | "exec";
  spec: Spec;
  /** Absolute host path of root.path. */
  rootfs: string;
  bundle: string;
  noPivot: boolean;
  /** Keep the caller's session keyring instead of a new one. */
  noNewKeyring: boolean;
  /** The exec fifo whose opening by `start` releases the user process. */
  fifoPath: string;
  /** The fifo already open (O_PATH) at this descriptor: a user namespace's init cannot reach the state directory. */
  fifoFd?: number;
  /** Namespaces the user namespace's program joined or made already (runtime/container/user_namespace.ts). */
  enteredNamespaces?: string[];
  /** mounts[] indexes of idmapped mounts, whose detached trees came with this message (SCM_RIGHTS), in order. */
  idmappedMounts?: number[];
  /** mounts[] indexes of binds whose sources runt opened (runtime/container/bind_sources.ts); their descriptors follow the trees. */
  bindSources?: number[];
  /** Descriptors 3 … 3+preserveFds-1 pass into the container. */
  preserveFds: number;
  /** The container's state as hooks run inside the container receive it. */
  state: OciState;
  /** linux.seccomp, compiled by the parent. */
  seccomp?: SeccompFilter;
  /**
   * The PID namespace given by path, which the init was started outside of
   * (see runtime/container/pid_namespace.ts); unset when it was started in it.
   */
  joinPidNamespace?: string;
  /** `exec` of a hook: its environment exactly as given (no HOME added). */
  exactEnv?: boolean;
  /** `exec` of a hook: its `path`, run as it is rather than args[0] looked up on PATH. */
  executable?: string;
  /**
   * `exec` in the foreground with a terminal: runt relays it, so the init
   * sets the pty up for relaying (see clearOnlcr) before its master leaves.
   */
  relayTerminal?: boolean;
}

/** The environment variable naming the channel descriptor in the init. */
export const INIT_FD_ENV = "_RUNT_INIT_FD";
