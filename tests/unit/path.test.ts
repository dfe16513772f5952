/** runtime/path.ts gives node:path's POSIX answers, so modules could move off node:path without a change in behaviour. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { posix } from "node:path";
import { basename, dirname, fileUrlPath, isAbsolute, join, normalize, resolve } from "../../runtime/path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "///a//b",
  "a",
  "a/",
  "/a",
  "/a/",
  "a/b/c",
  "/a/b/c/",
  "./a",
  "a/./b",
  "a/../b",
  "../a",
  "../../a/b",
  "/..",
  "/../a",
  "/a/../..",
  "a/..",
  "a/../..",
  "./",
  "a//b//",
  "/a/b/../../../c",
  "config.json",
  "/run/runt/ID/state.json",
  "rootfs/./dev/../proc/",
];

test("normalize, dirname, basename and isAbsolute agree with node:path on every sample", () => {
  for (const p of PATHS) {
    assert.equal(normalize(p), posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(dirname(p), posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(basename(p), posix.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(isAbsolute(p), posix.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
});

test("join and resolve agree with node:path on every pair of samples", () => {
  for (const a of PATHS) {
    for (const b of PATHS) {
      assert.equal(join(a, b), posix.join(a, b), `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
      assert.equal(resolve(a, b), posix.resolve(a, b), `resolve(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    }
  }
  assert.equal(join(), posix.join());
  assert.equal(join("/a", "b", "../c", "d/"), posix.join("/a", "b", "../c", "d/"));
  assert.equal(resolve(), posix.resolve());
});

test("fileUrlPath decodes a file: URL's path and refuses any other URL", () => {
  assert.equal(fileUrlPath(new URL("file:///tmp/a%20b/c.ts")), "/tmp/a b/c.ts");
  assert.equal(fileUrlPath("file:///work/r%C3%BCnt/"), "/work/rünt/");
  assert.throws(() => fileUrlPath("https://example.com/mod.ts"), /not a file: URL/);
});
