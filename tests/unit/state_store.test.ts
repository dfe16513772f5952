import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ociState, type ContainerRecord } from "../../runtime/state/record.ts";
import { ContainerExistsError, ContainerNotFoundError, StateStore } from "../../runtime/state/store.ts";
import { InvalidIdError } from "../../runtime/state/id.ts";
import { loadSyscalls, RENAME_EXCHANGE, SyscallError, type Syscalls } from "../../ffi/mod.ts";
import { renameExchange } from "../../runtime/state/exchange.ts";

const sys: Syscalls = await loadSyscalls();

function withStore(fn: (store: StateStore, root: string) => void): void {
  const base = mkdtempSync(join(tmpdir(), "runt-store-"));
  try {
    fn(new StateStore(join(base, "root")), join(base, "root"));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function record(id: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, ociVersion: "1.3.0", bundle: "/b", rootfs: "/b/rootfs", created: "2026-01-01T00:00:00.000Z", owner: "root",
    annotations: {}, phase: "created", pid: 42, pidStartTime: "123", config: { ociVersion: "1.3.0" } as never, ...over,
  };
}

test("reserve makes the root (0700) and the container directory, and refuses a duplicate ID", () => {
  withStore((store, root) => {
    store.reserve("web");
    assert.equal(statSync(root).mode & 0o777, 0o700);
    assert.ok(store.exists("web"));
    assert.throws(() => store.reserve("web"), (e) => e instanceof ContainerExistsError && /container "web" already exists/.test(e.message));
  });
});

test("write then read round-trips, leaving no temporary file", () => {
  withStore((store) => {
    store.reserve("a");
    store.write(record("a"));
    store.write(record("a", { phase: "running" }));
    assert.equal(store.read("a").phase, "running");
    assert.deepEqual(readdirSync(store.dir("a")), ["state.json"]);
  });
});

test("with system calls, each record after the first is swapped in for the last (RENAME_EXCHANGE), leaving no temporary file", () => {
  const base = mkdtempSync(join(tmpdir(), "runt-store-"));
  try {
    const swaps: unknown[][] = [];
    const counting = { renameat2: (...args: Parameters<Syscalls["renameat2"]>) => (swaps.push(args), sys.renameat2(...args)) };
    const store = new StateStore(join(base, "root"), renameExchange(counting));
    store.reserve("a");
    store.write(record("a"));
    const first = statSync(join(store.dir("a"), "state.json")).ino;
    store.write(record("a", { phase: "running" }));
    assert.equal(store.read("a").phase, "running");
    assert.notEqual(statSync(join(store.dir("a"), "state.json")).ino, first, "a new file, not the old one rewritten");
    assert.deepEqual(readdirSync(store.dir("a")), ["state.json"]);
    // The first write found nothing to exchange with and renamed; the second exchanged.
    assert.equal(swaps.length, 2);
    assert.ok(swaps.every((call) => call[4] === RENAME_EXCHANGE));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("where the filesystem cannot exchange (EINVAL), the record is renamed into place as before", () => {
  const base = mkdtempSync(join(tmpdir(), "runt-store-"));
  try {
    const refusing = { renameat2: (...args: Parameters<Syscalls["renameat2"]>) => { throw new SyscallError("renameat2", args, 22); } };
    const store = new StateStore(join(base, "root"), renameExchange(refusing));
    store.reserve("a");
    store.write(record("a"));
    store.write(record("a", { phase: "stopped" }));
    assert.equal(store.read("a").phase, "stopped");
    assert.deepEqual(readdirSync(store.dir("a")), ["state.json"]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("reading an unknown or half-created container", () => {
  withStore((store) => {
    assert.throws(() => store.read("ghost"), (e) => e instanceof ContainerNotFoundError && e.message === `container "ghost" does not exist`);
    store.reserve("half");
    assert.equal(store.tryRead("half"), null);
  });
});

test("ids lists container directories only, sorted; a missing root is empty", () => {
  withStore((store, root) => {
    assert.deepEqual(store.ids(), []);
    for (const id of ["b", "a", "c"]) store.reserve(id);
    writeFileSync(join(root, "stray-file"), "");
    assert.deepEqual(store.ids(), ["a", "b", "c"]);
    store.remove("b");
    assert.deepEqual(store.ids(), ["a", "c"]);
  });
});

test("a bad ID never reaches the file system", () => {
  withStore((store) => {
    assert.throws(() => store.reserve("../escape"), InvalidIdError);
    assert.throws(() => store.read(".."), InvalidIdError);
  });
});

test("the OCI state carries runc's fields, pid 0 once stopped, annotations only when present", () => {
  const r = record("x", { annotations: { a: "b" } });
  const state = ociState(r, "running");
  assert.deepEqual(state, {
    ociVersion: "1.3.0", id: "x", pid: 42, status: "running", bundle: "/b", rootfs: "/b/rootfs",
    created: "2026-01-01T00:00:00.000Z", annotations: { a: "b" }, owner: "root",
  });
  // runc's key order, which clients compare byte for byte.
  assert.deepEqual(Object.keys(state), ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"]);
  const stopped = ociState(record("y"), "stopped");
  assert.equal(stopped.pid, 0);
  assert.equal("annotations" in stopped, false);
});
