/**
 * What runt hands the start-up program of a user namespace's init
 * (runtime/container/user_namespace.ts), against the recording fake: the
 * descriptors it dup2s into place and the init's environment, read from the
 * program image the kernel would run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { F_DUPFD, F_DUPFD_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/constants.ts";
import type { FileAction } from "../../ffi/syscalls.ts";
import { spawnUserNamespaceInit } from "../../runtime/container/user_namespace.ts";
import { denoCacheDir } from "../../runtime/init/deno_cache.ts";
import { INIT_FD_ENV } from "../../runtime/init/config.ts";
import { environment } from "../../runtime/host.ts";

/** The fake, also telling which descriptors are a path's: the one opened and the copies fcntl made of it. */
class TrackingSyscalls extends RecordingSyscalls {
  private readonly of = new Map<number, string>();
  override open(path: string, flags: number, mode = 0): number {
    const fd = super.open(path, flags, mode);
    this.of.set(fd, path);
    return fd;
  }
  override fcntl(fd: number, cmd: number, arg = 0): number {
    const copy = super.fcntl(fd, cmd, arg);
    if ((cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) && this.of.has(fd)) this.of.set(copy, this.of.get(fd)!);
    return copy;
  }
  copiesOf(path: string): number[] {
    return [...this.of].filter(([, p]) => p === path).map(([fd]) => fd);
  }
}

const CONFIG = { linux: { namespaces: [{ type: "user" }, { type: "mount" }, { type: "pid" }] } };

function spawn(sys: TrackingSyscalls) {
  const init = spawnUserNamespaceInit(sys, "c1", CONFIG, {}, true, 0, "/run/runt/c1/exec.fifo");
  const [[, , envp, options]] = sys.callsTo("posixSpawn") as [string, string[], string[], { fileActions: FileAction[] }][];
  const written = sys.callsTo("write").map(([, data]) => data as Uint8Array);
  const image = new TextDecoder("latin1").decode(written.reduce((all, b) => new Uint8Array([...all, ...b]), new Uint8Array()));
  return { init, envp, fileActions: options.fileActions, image };
}

/** `NAME=value` strings the image holds (NUL-terminated, as execve takes them). */
function envEntries(image: string, name: string): string[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...image.matchAll(new RegExp(`(?<=^|\\0)${escaped}=([^\\0]*)(?=\\0)`, "g"))].map((m) => m[1]);
}

test("the program is spawned with no environment of its own; the init it execs gets runt's, with the channel's descriptor", () => {
  const { envp, image } = spawn(new TrackingSyscalls());
  assert.deepEqual(envp, []);
  // stdio are 0-2, so the channel is the first descriptor after them.
  assert.deepEqual(envEntries(image, INIT_FD_ENV), ["3"]);
  const [name, value] = Object.entries(environment()).find(([k, v]) => v && k !== INIT_FD_ENV && k !== "DENO_DIR")!;
  assert.deepEqual(envEntries(image, name), [value], `runt's ${name} does not reach the init`);
});

test("an init that Deno runs from sources reads Deno's cache through a descriptor runt opened; the compiled binary's and Bun's get none", () => {
  const sys = new TrackingSyscalls();
  const { fileActions, image } = spawn(sys);
  const cache = denoCacheDir();
  const opens = sys.callsTo("open").filter(([path]) => path === cache);
  if (cache === undefined) {
    assert.deepEqual(envEntries(image, "DENO_DIR"), []);
    return;
  }
  // Opened once, as a path only and as a directory: the init can read through it, not use it for anything else.
  assert.equal(opens.length, 1);
  assert.equal((opens[0][1] as number) & (O_PATH | O_DIRECTORY), O_PATH | O_DIRECTORY);
  const [dir] = envEntries(image, "DENO_DIR");
  const slot = Number(/^\/proc\/self\/fd\/(\d+)$/.exec(dir ?? "")?.[1]);
  assert.ok(Number.isInteger(slot), `DENO_DIR=${dir} names no descriptor`);
  // The descriptor runt opened, or the copy it was lifted to, is the one dup2'd to that slot.
  const placed = fileActions.filter((a) => a.op === "dup2" && a.to === slot) as { fd: number }[];
  assert.equal(placed.length, 1, `no descriptor is dup2'd to ${slot}`);
  assert.ok(sys.copiesOf(cache).includes(placed[0].fd), "the descriptor placed for the cache is not the one runt opened");
  // Only the channel, the fifo, the init's executable and the cache are placed: no slot is taken twice.
  const targets = fileActions.filter((a) => a.op === "dup2" && a.to > 2).map((a) => (a as { to: number }).to);
  assert.deepEqual(targets, [3, 4, 5, 6]);
  assert.equal(slot, 6);
});

test("a Deno cache runt cannot open leaves the init as it was: no DENO_DIR, nothing placed for it", () => {
  const cache = denoCacheDir();
  const sys = new TrackingSyscalls().failOn("open", "EACCES", { when: (path: string) => path === cache });
  const { fileActions, image } = spawn(sys);
  assert.deepEqual(envEntries(image, "DENO_DIR"), []);
  const targets = fileActions.filter((a) => a.op === "dup2" && a.to > 2).map((a) => (a as { to: number }).to);
  assert.deepEqual(targets, [3, 4, 5]);
});
