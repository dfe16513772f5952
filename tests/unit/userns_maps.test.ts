/** The text written to /proc/PID/uid_map and gid_map: one line per range, in the config's order. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostIdOf, idMapText } from "../../runtime/userns/maps.ts";

test("several ranges become one line each, in order, for one write", () => {
  const text = idMapText([{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 300000, size: 1 }]);
  assert.equal(text, "0 100000 1000\n1000 300000 1\n");
});

test("an ID inside is found in its range of a uid_map text; one left out is undefined", () => {
  const text = "         0     100000       1000\n      1000     300000       1000\n";
  assert.equal(hostIdOf(text, 0), 100000);
  assert.equal(hostIdOf(text, 1500), 300500);
  assert.equal(hostIdOf(text, 2000), undefined);
});
