import { test } from "node:test";
import assert from "node:assert/strict";
import { formatProgress, humanBytes, progressLine } from "../../runtime/registry/progress.ts";

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (t: string) => writes.push(t) };
}

test("the progress line: layers done of all, bytes fetched of all, rewritten in place", () => {
  assert.equal(formatProgress("img", { done: 1, total: 3, bytes: 1536, totalBytes: 3 * 1024 * 1024 }), "\rimg: layers 1/3, 1.5 KiB of 3.0 MiB\x1b[K");
  assert.equal(humanBytes(512), "512 B");
});

test("off a terminal, a pull writes nothing", () => {
  const out = sink(false);
  const p = progressLine("img", out);
  p.start(2, 100);
  p.bytes(100);
  p.blobDone();
  p.finish();
  assert.deepEqual(out.writes, []);
});

test("on a terminal: drawn at the start, at each finished layer and at most once per interval in between; ended with a newline", () => {
  const out = sink(true);
  let clock = 0;
  const p = progressLine("img", out, 100, () => clock);
  p.start(2, 300);
  p.bytes(100); // within the interval of the first draw: not drawn
  clock = 150;
  p.bytes(100);
  p.blobDone();
  p.finish();
  assert.deepEqual(out.writes, [
    "\rimg: layers 0/2, 0 B of 300 B\x1b[K",
    "\rimg: layers 0/2, 200 B of 300 B\x1b[K",
    "\rimg: layers 1/2, 200 B of 300 B\x1b[K",
    "\n",
  ]);
});
