import { test } from "node:test";
import assert from "node:assert/strict";
import { checkContainerId, InvalidIdError, MAX_ID_LENGTH } from "../../runtime/state/id.ts";

test("container IDs made of letters, digits and _ + - . are accepted", () => {
  for (const id of ["a", "web-1", "my_app.v2+build", "X".repeat(MAX_ID_LENGTH), "..a", "a.."]) {
    assert.equal(checkContainerId(id), id);
  }
});

test("IDs that could escape or break the state directory are refused with a reason", () => {
  const cases: [string, RegExp][] = [
    ["", /is empty/],
    [".", /"\." is not allowed/],
    ["..", /"\.\." is not allowed/],
    ["a/b", /invalid characters/],
    ["../etc", /invalid characters/],
    ["a b", /invalid characters/],
    ["tab\there", /invalid characters/],
    ["ünï", /invalid characters/],
    ["X".repeat(MAX_ID_LENGTH + 1), /at most 255/],
  ];
  for (const [id, message] of cases) {
    assert.throws(() => checkContainerId(id), (e: unknown) => e instanceof InvalidIdError && message.test(e.message), id);
  }
});

test("each character is allowed exactly when runc's pattern [A-Za-z0-9_+.-] allows it", () => {
  const runcPattern = /^[A-Za-z0-9_+.-]$/;
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    const id = `a${ch}b`;
    const allowed = (() => {
      try {
        checkContainerId(id);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(allowed, runcPattern.test(ch), `U+${c.toString(16).padStart(4, "0")}`);
  }
  assert.throws(() => checkContainerId("a\u{1F600}"), /invalid characters/);
});
