// openInRoot against the real kernel (openat2 needs no privilege): what a
// missing mount point becomes, where a link in its place leads, and which
// calls the common case takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls, O_CLOEXEC, O_DIRECTORY, O_PATH, type Syscalls } from "../../ffi/mod.ts";
import { openInRoot, type OpenInRootOptions } from "../../runtime/mount/inroot.ts";

const sys: Syscalls = await loadSyscalls();

/** A scratch root with `a/` in it, opened as the rootfs is; the calls openInRoot makes, by name. */
function inRoot(fn: (root: string, open: (path: string, options?: OpenInRootOptions) => string, calls: string[]) => void): void {
  const root = mkdtempSync(join(tmpdir(), "runt-inroot-"));
  mkdirSync(join(root, "a"));
  const rootfd = sys.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  const calls: string[] = [];
  const counting = new Proxy(sys, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
  const open = (path: string, options: OpenInRootOptions = { create: "directory" }) => {
    const fd = openInRoot(counting, rootfd, path, options);
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } finally {
      sys.close(fd);
    }
  };
  try {
    fn(root, open, calls);
  } finally {
    sys.close(rootfd);
    rmSync(root, { recursive: true, force: true });
  }
}

test("a missing last component under an existing directory is made in one step: open the parent, make, open", () => {
  inRoot((root, open, calls) => {
    let created = false;
    assert.equal(open("/a/new", { create: "directory", onCreate: () => created = true }), join(root, "a/new"));
    assert.ok(statSync(join(root, "a/new")).isDirectory());
    assert.ok(created);
    assert.deepEqual(calls, ["openat2", "openat2", "mkdirat", "openat2", "close"]);
    calls.length = 0;
    assert.equal(open("/top"), join(root, "top"));
    assert.deepEqual(calls, ["openat2", "mkdirat", "openat2"], "right under the root, the root's own descriptor is the parent");
    assert.equal(open("/a/file", { create: "file" }), join(root, "a/file"));
    assert.ok(statSync(join(root, "a/file")).isFile());
  });
});

test("missing parents are made by the walk, each inside the root", () => {
  inRoot((root, open) => {
    assert.equal(open("/x/y/z"), join(root, "x/y/z"));
    assert.ok(statSync(join(root, "x/y/z")).isDirectory());
  });
});

test("a dangling link in the last component's place is followed inside the root, never out of it", () => {
  inRoot((root, open) => {
    symlinkSync("/target/inner", join(root, "a/abs"));
    assert.equal(open("/a/abs"), join(root, "target/inner"));
    symlinkSync("../../../../escaped", join(root, "a/rel"));
    assert.equal(open("/a/rel"), join(root, "escaped"));
    assert.ok(lstatSync(join(root, "a/abs")).isSymbolicLink(), "the link itself is left as it was");
  });
});

test("a parent reached through a link is resolved inside the root; noSymlinks refuses it", () => {
  inRoot((root, open) => {
    symlinkSync("/a", join(root, "via"));
    assert.equal(open("/via/leaf"), join(root, "a/leaf"));
    assert.throws(() => open("/via/other", { create: "directory", noSymlinks: true }), /ELOOP/);
  });
});

test("a parent that is a file is an error naming ENOTDIR, and nothing is made", () => {
  inRoot((root, open) => {
    writeFileSync(join(root, "a/plain"), "");
    assert.throws(() => open("/a/plain/leaf"), /ENOTDIR/);
    assert.ok(statSync(join(root, "a/plain")).isFile());
  });
});
