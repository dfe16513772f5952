/** `make release` and `make install`: what a user downloads or installs, checked as a user would. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { headCommit, make, makeRelease, RELEASE_NAME, VERSION } from "./release_dir.ts";
import { isRoot, REPO, tempDir, UNDER } from "./runt.ts";

const skip = !isRoot ? "needs root" : UNDER !== "binary" ? "the release is exercised from the binary run" : false;

test("make release: a copy of the binary far from the checkout names its version and commit; sha256sum -c accepts the checksum file", { skip }, () => {
  const release = makeRelease();
  const away = tempDir("runt-away-");
  try {
    const check = spawnSync("sha256sum", ["-c", `${RELEASE_NAME}.sha256`], { cwd: release.dir, encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout.trim(), `${RELEASE_NAME}: OK`);

    const copy = join(away.path, "runt");
    copyFileSync(join(release.dir, RELEASE_NAME), copy);
    // The checkout hidden under a tmpfs, as on another machine: the commit must come from the binary itself.
    const r = spawnSync("unshare", ["-m", "sh", "-c", 'mount -t tmpfs none "$1" && exec "$2" --version', "sh", REPO, copy], {
      cwd: away.path,
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = r.stdout.split("\n");
    assert.equal(first, `runt version ${VERSION}`);
    assert.equal(second, `commit: ${headCommit()}`);

    const run = spawnSync(copy, ["spec"], { cwd: away.path, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(readFileSync(join(away.path, "config.json"), "utf8")).process.args[0], "sh");
  } finally {
    away.cleanup();
    release.cleanup();
  }
});

test("make install PREFIX=/usr DESTDIR=D puts the binary at D/usr/bin/runt, executable", { skip }, () => {
  const dest = tempDir("runt-destdir-");
  try {
    const r = make(["install", `DESTDIR=${dest.path}`, "PREFIX=/usr"]);
    assert.equal(r.status, 0, r.stderr);
    const installed = join(dest.path, "usr/bin/runt");
    assert.equal(statSync(installed).mode & 0o777, 0o755);
    assert.ok(readFileSync(installed).equals(readFileSync(join(REPO, "dist/runt"))));
  } finally {
    dest.cleanup();
  }
});
