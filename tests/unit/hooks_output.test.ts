import { test } from "node:test";
import assert from "node:assert/strict";
import { OutputTail } from "../../runtime/hooks/mod.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("only the last bytes are kept, across and within chunks", () => {
  const tail = new OutputTail(8);
  tail.push(bytes("abc"));
  tail.push(bytes("defgh"));
  assert.equal(tail.text(), "abcdefgh");
  tail.push(bytes("ij"));
  assert.equal(tail.text(), "cdefghij");
  tail.push(bytes("0123456789"));
  assert.equal(tail.text(), "23456789");
});

test("the last line skips blank lines, strips control characters and is shortened", () => {
  const tail = new OutputTail();
  tail.push(bytes("first\n\x1b[31mred\x1b[0m error\r\n\n   \n"));
  assert.equal(tail.lastLine(), "[31mred[0m error");
  const long = new OutputTail();
  long.push(bytes("y".repeat(300) + "\n"));
  assert.equal(long.lastLine(), "y".repeat(200) + "...");
  assert.equal(new OutputTail().lastLine(), "");
});
