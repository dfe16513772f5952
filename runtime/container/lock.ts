/**
 * One lock per container: flock on its state directory. Every operation
 * that reads a record and acts on it holds the lock, so parallel commands on
 * one container are serialised and never act on a stale state. The kernel
 * drops the lock when the holder dies, whatever killed it.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { LOCK_EX, LOCK_UN, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { ContainerNotFoundError, type StateStore } from "../state/store.ts";
import { stateRootAccessError } from "../state/root.ts";

export class ContainerLock {
  private constructor(private readonly sys: Syscalls, private fd: number) {}

  static acquire(sys: Syscalls, dir: string): ContainerLock {
    const fd = sys.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    try {
      sys.flock(fd, LOCK_EX);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    return new ContainerLock(sys, fd);
  }

  /**
   * The lock of container `id`, whose record the caller reads next. An ID
   * without a directory is named as unknown, and a root runt may not enter
   * as the store names it, with no lock taken: no read of the record first.
   */
  static ofContainer(sys: Syscalls, store: StateStore, id: string): ContainerLock {
    try {
      return ContainerLock.acquire(sys, store.dir(id));
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw new ContainerNotFoundError(`container "${id}" does not exist`);
      throw stateRootAccessError(store.root, e);
    }
  }

  release(): void {
    if (this.fd < 0) return;
    try {
      this.sys.flock(this.fd, LOCK_UN);
    } finally {
      this.sys.close(this.fd);
      this.fd = -1;
    }
  }
}
