import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ociState, type ContainerRecord } from "../../runtime/state/record.ts";
import { ContainerExistsError, ContainerNotFoundError, StateStore } from "../../runtime/state/store.ts";
import { InvalidIdError } from "../../runtime/state/id.ts";

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
