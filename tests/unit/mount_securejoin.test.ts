import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PathResolutionError, secureJoin } from "../../runtime/mount/securejoin.ts";

function withRoot(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), "runt-sj-"));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("plain paths, dots and missing components stay inside the root", () => {
  withRoot((root) => {
    mkdirSync(join(root, "a/b"), { recursive: true });
    assert.equal(secureJoin(root, "/a/b"), join(root, "a/b"));
    assert.equal(secureJoin(root, "a//./b/"), join(root, "a/b"));
    assert.equal(secureJoin(root, "/a/missing/deeper"), join(root, "a/missing/deeper"));
    assert.equal(secureJoin(root, "/../../etc"), join(root, "etc"));
    assert.equal(secureJoin(root, "/"), root);
  });
});

test("an absolute symlink is taken relative to the root, not the host", () => {
  withRoot((root) => {
    mkdirSync(join(root, "real"));
    symlinkSync("/etc", join(root, "proc"));
    symlinkSync("/real", join(root, "link"));
    assert.equal(secureJoin(root, "/proc"), join(root, "etc"));
    assert.equal(secureJoin(root, "/link/x"), join(root, "real/x"));
  });
});

test("relative symlinks with .. cannot climb out", () => {
  withRoot((root) => {
    mkdirSync(join(root, "a"));
    symlinkSync("../../../../../../tmp", join(root, "a/up"));
    assert.equal(secureJoin(root, "/a/up/file"), join(root, "tmp/file"));
    symlinkSync("sibling", join(root, "a/rel"));
    assert.equal(secureJoin(root, "/a/rel"), join(root, "a/sibling"));
  });
});

test("a symlink loop is an error, not a hang", () => {
  withRoot((root) => {
    symlinkSync("/loop2", join(root, "loop1"));
    symlinkSync("/loop1", join(root, "loop2"));
    assert.throws(() => secureJoin(root, "/loop1/x"), PathResolutionError);
  });
});
