/**
 * The parent ↔ init channel over a real socketpair: descriptors sent with a
 * message arrive whole and in order, also more than one message may carry
 * (the bind sources of a container whose mounts bind every device).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AF_UNIX, AT_EMPTY_PATH, loadSyscalls, O_CLOEXEC, SCM_MAX_FD, SOCK_STREAM, type Syscalls } from "../../ffi/mod.ts";
import { Channel } from "../../runtime/init/channel.ts";

const sys: Syscalls = await loadSyscalls();

/** `count` descriptors, each of a pipe of its own, sent in one message; the inodes that arrived, in order. */
function sendAndReceive(count: number): { sent: bigint[]; received: bigint[]; message: unknown } {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM | O_CLOEXEC);
  const pipes = Array.from({ length: count }, () => sys.pipe2());
  const taken: number[] = [];
  try {
    const parent = new Channel(sys, a), init = new Channel(sys, b);
    parent.send({ type: "config", mounts: count }, pipes.map(([r]) => r));
    const message = init.receive();
    for (let fd = init.takeFd(); fd !== undefined; fd = init.takeFd()) taken.push(fd);
    const inode = (fd: number) => sys.fstatat(fd, "", AT_EMPTY_PATH).ino;
    return { sent: pipes.map(([r]) => inode(r)), received: taken.map(inode), message };
  } finally {
    for (const fd of [a, b, ...pipes.flat(), ...taken]) sys.close(fd);
  }
}

test("a message's descriptors arrive in order, more than 16 of them (the receiver's room was 16: the rest were closed)", () => {
  const { sent, received, message } = sendAndReceive(40);
  assert.deepEqual(message, { type: "config", mounts: 40 });
  assert.deepEqual(received, sent);
});

test("more descriptors than one message carries go SCM_MAX_FD at a time, in order, with the message whole", () => {
  const { sent, received, message } = sendAndReceive(SCM_MAX_FD + 7);
  assert.deepEqual(message, { type: "config", mounts: SCM_MAX_FD + 7 });
  assert.equal(received.length, SCM_MAX_FD + 7);
  assert.deepEqual(received, sent);
});
