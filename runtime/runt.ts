/**
 * The lifecycle as a library: what the `runt` commands do, for scripts.
 * Errors are RuntErrors with the same one-line messages the CLI prints.
 */
import { loadSyscalls } from "../ffi/mod.ts";
import type { Syscalls } from "../ffi/syscalls.ts";
import type { LifecycleContext } from "./container/context.ts";
import { createContainer, type CreateOptions } from "./container/create.ts";
import { deleteContainer } from "./container/delete.ts";
import { killContainer } from "./container/kill.ts";
import { containerState, listContainers } from "./container/query.ts";
import { runContainer, type RunOptions } from "./container/run.ts";
import { startContainer } from "./container/start.ts";
import { execInContainer, type ExecOptions } from "./container/exec.ts";
import { pauseContainer, resumeContainer } from "./container/pause.ts";
import { containerPids } from "./container/ps.ts";
import type { Spec } from "./spec/schema.ts";
import type { OciState } from "./state/record.ts";
import { StateStore } from "./state/store.ts";
import { renameExchange } from "./state/exchange.ts";
import { defaultStateRoot } from "./state/default_root.ts";
import { type Container, signalNumber } from "./library/container.ts";
import { RuntImages } from "./library/images.ts";
import * as systemdDriver from "./cgroups/systemd/driver.ts";
import { useSystemdDriver } from "./cgroups/manager.ts";
import type { ImageRunOptions, RunResult } from "./library/run_image.ts";

// A script's delete and update are synchronous: a container whose cgroup systemd owns finds its driver loaded.
useSystemdDriver(systemdDriver);

/** /run/runt, or $XDG_RUNTIME_DIR/runt for a user without root, as the CLI's --root. */
export const DEFAULT_STATE_ROOT = defaultStateRoot();

export interface RuntOptions {
  /** The image store: /var/lib/runt as root, $XDG_DATA_HOME/runt otherwise, as the CLI's --store. */
  imageStore?: string;
  warn?: (line: string) => void;
}

export class Runt {
  private readonly ctx: LifecycleContext;
  private readonly imageStore?: string;
  private imageList?: RuntImages;

  constructor(sys: Syscalls, root = DEFAULT_STATE_ROOT, warn: (line: string) => void = (l) => console.warn(l), options: RuntOptions = {}) {
    this.ctx = { sys, store: new StateStore(root, renameExchange(sys)), warn: options.warn ?? warn };
    this.imageStore = options.imageStore;
  }

  /** A Runt on the real system calls of this process. */
  static async open(root = DEFAULT_STATE_ROOT, options: RuntOptions = {}): Promise<Runt> {
    return new Runt(await loadSyscalls(), root, undefined, options);
  }

  /** The image store: pull, load, list, remove, prune. */
  get images(): RuntImages {
    return this.imageList ??= new RuntImages(this.ctx.sys, this.imageStore);
  }

  /**
   * `create(id, { bundle })` as `runt create`, resolving to the state; or
   * `create({ image, … })` as `runt create --image`, resolving to a handle
   * with start, wait, kill, stop and delete.
   */
  create(id: string, options?: Omit<CreateOptions, "id">): Promise<OciState>;
  create(options: ImageRunOptions): Promise<Container>;
  async create(idOrImage: string | ImageRunOptions, options: Omit<CreateOptions, "id"> = {}): Promise<OciState | Container> {
    if (typeof idOrImage !== "string") {
      const { createFromImage } = await import("./library/run_image.ts");
      return createFromImage(this.ctx, this.imageStore, idOrImage);
    }
    await createContainer(this.ctx, { ...options, id: idOrImage });
    return this.state(idOrImage);
  }

  start(id: string): void {
    startContainer(this.ctx, id);
  }

  /**
   * `run(id, { bundle })` as `runt run`: creates, starts and (unless
   * detached) waits; resolves to the exit status, 128+N for signal N. Or
   * `run({ image, args, … })` as `runt run --image --rm`: resolves to the
   * status and, where piped (the default), what it wrote to stdout and stderr.
   */
  run(id: string, options?: Omit<RunOptions, "id">): Promise<number>;
  run(options: ImageRunOptions): Promise<RunResult>;
  async run(idOrImage: string | ImageRunOptions, options: Omit<RunOptions, "id"> = {}): Promise<number | RunResult> {
    if (typeof idOrImage !== "string") {
      const { runImage } = await import("./library/run_image.ts");
      return runImage(this.ctx, this.imageStore, idOrImage);
    }
    return runContainer(this.ctx, { ...options, id: idOrImage });
  }

  state(id: string): OciState {
    return containerState(this.ctx.store, id);
  }

  list(): OciState[] {
    return listContainers(this.ctx.store);
  }

  kill(id: string, signal: string | number = "SIGTERM", options: { all?: boolean } = {}): void {
    killContainer(this.ctx, id, signalNumber(signal), options.all ?? false);
  }

  delete(id: string, options: { force?: boolean } = {}): void {
    deleteContainer(this.ctx, id, options.force ?? false);
  }

  /** Runs `process` (a config's process object) in the running container; resolves to its exit status. */
  exec(id: string, process: NonNullable<Spec["process"]>, options: Omit<ExecOptions, "id" | "process"> = {}): Promise<number> {
    return execInContainer(this.ctx, { ...options, id, process });
  }

  pause(id: string): void {
    pauseContainer(this.ctx, id);
  }

  resume(id: string): void {
    resumeContainer(this.ctx, id);
  }

  /** The host PIDs of the container's processes. */
  pids(id: string): number[] {
    return containerPids(this.ctx.store, id);
  }
}
