/**
 * A new network namespace starts with its loopback interface down; runc
 * brings it up, and containers expect 127.0.0.1 to work.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { AF_INET, IFF_UP, O_CLOEXEC, SIOCGIFFLAGS, SIOCSIFFLAGS, SOCK_DGRAM } from "../../ffi/constants.ts";
import { RuntError } from "../errors.ts";

/** struct ifreq: a 16-byte name, then the union whose first member is the short ifr_flags. */
const IFREQ_SIZE = 40;
const FLAGS_OFFSET = 16;

export function bringUpLoopback(sys: Syscalls): void {
  const fd = sys.socket(AF_INET, SOCK_DGRAM | O_CLOEXEC);
  try {
    const ifreq = new Uint8Array(IFREQ_SIZE);
    ifreq.set(new TextEncoder().encode("lo"));
    sys.ioctl(fd, SIOCGIFFLAGS, ifreq);
    const view = new DataView(ifreq.buffer);
    view.setUint16(FLAGS_OFFSET, view.getUint16(FLAGS_OFFSET, true) | IFF_UP, true);
    sys.ioctl(fd, SIOCSIFFLAGS, ifreq);
  } catch (e) {
    throw new RuntError(`bringing up the loopback interface: ${(e as Error).message}`);
  } finally {
    sys.close(fd);
  }
}
