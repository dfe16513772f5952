/** What runt decides from who runs it: the default state root (runc's rule) and which maps it may write itself. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStateRoot } from "../../runtime/state/default_root.ts";
import { isOwnIdOnly } from "../../runtime/userns/maps.ts";

const inUserNs = () => true, notInUserNs = () => false;

test("the default root: $XDG_RUNTIME_DIR/runt for a user without root, /run/runt for root and without XDG_RUNTIME_DIR (as runc)", () => {
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/1001" }, 1001, notInUserNs), "/run/user/1001/runt");
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/1001/" }, 1001, notInUserNs), "/run/user/1001/runt");
  assert.equal(defaultStateRoot({}, 1001, notInUserNs), "/run/runt");
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "" }, 1001, notInUserNs), "/run/runt");
  // Real root keeps /run/runt even with a runtime directory of its own (/run/user/0).
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/0" }, 0, notInUserNs), "/run/runt");
  // uid 0 of a user namespace (rootless docker) takes XDG_RUNTIME_DIR unless USER says root.
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/1001", USER: "alice" }, 0, inUserNs), "/run/user/1001/runt");
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/1001" }, 0, inUserNs), "/run/user/1001/runt");
  assert.equal(defaultStateRoot({ XDG_RUNTIME_DIR: "/run/user/0", USER: "root" }, 0, inUserNs), "/run/runt");
});

test("only the user's own ID as root is a map the kernel lets it write itself (after setgroups deny for gids)", () => {
  assert.ok(isOwnIdOnly([{ containerID: 0, hostID: 1001, size: 1 }], 1001));
  assert.ok(!isOwnIdOnly([{ containerID: 0, hostID: 1001, size: 1 }], 1002));
  assert.ok(!isOwnIdOnly([{ containerID: 1, hostID: 1001, size: 1 }], 1001));
  assert.ok(!isOwnIdOnly([{ containerID: 0, hostID: 1001, size: 2 }], 1001));
  assert.ok(!isOwnIdOnly([{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }], 1001));
  assert.ok(!isOwnIdOnly([], 1001));
});
