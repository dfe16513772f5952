/**
 * One lock per container: flock on its state directory. Every operation
 * that reads a record and acts on it holds the lock, so parallel commands on
 * one container are serialised and never act on a stale state. The kernel
 * drops the lock when the holder dies, whatever killed it.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { LOCK_EX, LOCK_UN, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from "../../ffi/constants.ts";

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
