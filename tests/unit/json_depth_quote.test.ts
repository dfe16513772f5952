/** The two guards on user input in messages and configs: nesting depth and the shortened quote. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nestsDeeperThan } from "../../runtime/json_depth.ts";
import { MAX_QUOTED, quote } from "../../runtime/quote.ts";

test("nesting is counted over arrays and objects, not over brackets inside strings", () => {
  assert.equal(nestsDeeperThan('{"a":[[1]]}', 3), false);
  assert.equal(nestsDeeperThan('{"a":[[[1]]]}', 3), true);
  assert.equal(nestsDeeperThan(`{"a":"${"[".repeat(50)}\\"{{{{"}`, 2), false);
  assert.equal(nestsDeeperThan("[".repeat(100_000) + "]".repeat(100_000)), true);
});

test("quote keeps short values whole and cuts long ones, never inside a surrogate pair", () => {
  assert.equal(quote("a\nb"), '"a\\nb"');
  assert.equal(quote("h".repeat(10_000_000)), `"${"h".repeat(MAX_QUOTED)}…"`);
  const cut = JSON.parse(quote("x".repeat(MAX_QUOTED - 1) + "😀".repeat(5))) as string;
  assert.equal(cut, "x".repeat(MAX_QUOTED - 1) + "…");
});
