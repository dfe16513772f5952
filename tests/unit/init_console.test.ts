import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import {
  AT_EMPTY_PATH,
  O_CLOEXEC,
  OPEN_TREE_CLOEXEC,
  OPEN_TREE_CLONE,
  O_CREAT,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_WRONLY,
  S_IFCHR,
  S_IFIFO,
  S_IFLNK,
  S_IFREG,
  TCGETS,
  TCSETS,
  TIOCGPTPEER,
} from "../../ffi/constants.ts";
import { bindDevConsole, setupConsole } from "../../runtime/init/console.ts";
import { Channel } from "../../runtime/init/channel.ts";
import { decodeTermios, encodeTermios, ONLCR } from "../../runtime/terminal/termios.ts";

const MASTER = 100;

/** The fake with /dev/console already present as a file of type `type`. */
function withConsole(type: number): RecordingSyscalls {
  const sys = new RecordingSyscalls();
  sys.failOn("openat", "EEXIST", { when: (_dir, _name, flags) => (flags & O_CREAT) !== 0 });
  sys.stat = () => ({ dev: 0n, ino: 0n, mode: type | 0o600, uid: 0, gid: 0, rdev: 0n, size: 0n });
  return sys;
}

test("/dev/console: made without following links or blocking, then chmodded and bound over through descriptors", () => {
  const sys = new RecordingSyscalls();
  sys.stat = () => ({ dev: 0n, ino: 0n, mode: S_IFREG | 0o666, uid: 0, gid: 0, rdev: 0n, size: 0n });
  bindDevConsole(sys, MASTER);
  // TIOCGPTPEER on the master; the fake's ioctl returns 0, standing for the slave's new descriptor.
  assert.deepEqual(sys.callsTo("ioctl").map(([fd, request]) => [fd, request]), [[MASTER, TIOCGPTPEER]]);
  const slave = 0;
  const opens = sys.callsTo("openat").map(([, name, flags, mode]) => [name, flags, mode]);
  assert.deepEqual(opens, [
    ["console", O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0o666],
    ["console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0],
  ]);
  // The O_PATH descriptor, opened last.
  const consoleFd = Math.max(...[...Array(20).keys()].filter((fd) => sys.openedPath(fd) === "console"));
  // Descriptor to descriptor: nothing goes through the container's /proc, which may be missing or fake.
  assert.deepEqual(sys.callsTo("fchmodat2"), [[consoleFd, "", 0o666, AT_EMPTY_PATH]]);
  assert.deepEqual(sys.callsTo("openTree"), [[slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH]]);
  const [[tree, , target]] = sys.callsTo("moveMount");
  assert.equal(target, consoleFd);
  assert.equal(sys.openedPath(tree as number), `tree of ${sys.openedPath(slave)}`);
  assert.deepEqual(sys.callsTo("mount"), []);
});

test("/dev/console as a symbolic link or a fifo is refused in one line: nothing chmodded, nothing mounted, all closed", () => {
  for (const [type, kind] of [[S_IFLNK, "symbolic link"], [S_IFIFO, "fifo"]] as const) {
    const sys = withConsole(type);
    assert.throws(
      () => bindDevConsole(sys, MASTER),
      new RegExp(`^RuntError: process\\.terminal: /dev/console in the rootfs is a ${kind}, not a regular file or character device`),
    );
    assert.deepEqual([sys.callsTo("fchmodat2"), sys.callsTo("moveMount")], [[], []]);
    // The peer from the ioctl, /dev (twice) and the console entry.
    assert.equal(sys.callsTo("close").length, 4);
  }
});

test("an existing /dev/console character device is kept and bound over", () => {
  const sys = withConsole(S_IFCHR);
  bindDevConsole(sys, MASTER);
  assert.equal(sys.callsTo("moveMount").length, 1);
});

/** setupConsole on the fake, whose pty starts with output processing and onlcr on; the calls it made. */
function consoleCalls(relayed: boolean): { name: string; args: unknown[] }[] {
  const sys = new RecordingSyscalls();
  const ioctl = sys.ioctl.bind(sys);
  sys.ioctl = (fd, request, arg = 0) => {
    if (request === TCGETS && arg instanceof Uint8Array) arg.set(encodeTermios({ iflag: 0, oflag: 0o1 | ONLCR, cflag: 0, lflag: 0, line: 0, cc: [] }));
    return ioctl(fd, request, arg);
  };
  setupConsole(sys, new Channel(sys, 50), { devConsole: false, controlling: false, relayed });
  return sys.calls.filter((c) => c.name === "sendmsg" || (c.name === "ioctl" && c.args[1] === TCSETS));
}

test("a terminal runt relays: onlcr is off before the master leaves the helper, since the process does not wait for runt", () => {
  const [set, sent] = consoleCalls(true);
  assert.equal(set.name, "ioctl");
  const master = set.args[0];
  assert.equal(decodeTermios(set.args[2] as Uint8Array).oflag, 0o1, "output processing stays, onlcr goes");
  assert.equal(sent.name, "sendmsg");
  assert.deepEqual(sent.args[2], [master]);
});

test("a terminal sent to a console socket keeps the settings it was made with: the receiver chooses, as under runc", () => {
  assert.deepEqual(consoleCalls(false).map((c) => c.name), ["sendmsg"]);
});
