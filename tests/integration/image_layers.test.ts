/**
 * Layer extraction: what GNU tar writes from the same archive is the
 * reference for every entry kind and attribute; whiteouts and opaque
 * directories as overlayfs itself merges them; and crafted layers that make
 * a naive extractor (GNU tar with -P, which keeps names as they are) write
 * outside its directory stay inside the root with runt.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadSyscalls } from "../../ffi/mod.ts";
import { extractLayerFile, type LayerMode } from "../../runtime/image/extract.ts";
import { tarBytes, type TarSpec } from "../fixtures/tar_writer.ts";
import { isRoot, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";

async function extract(root: string, layer: string, mode: LayerMode = "apply"): Promise<void> {
  mkdirSync(root, { recursive: true });
  await extractLayerFile(await loadSyscalls(), root, layer, mode);
}

function writeLayer(path: string, entries: TarSpec[]): string {
  writeFileSync(path, tarBytes(entries));
  return path;
}

const LIST_XATTRS = "import os, sys; p = sys.argv[1]; " +
  "print(','.join(f'{k}={os.getxattr(p, k, follow_symlinks=False)!r}' for k in sorted(os.listxattr(p, follow_symlinks=False))))";

/** Every path below `root` with what lstat and getfattr say of it, for comparing two trees. */
function describeTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const path = join(root, rel);
    const st = lstatSync(path, { bigint: true });
    const xattrs = execFileSync("python3", ["-c", LIST_XATTRS, path], { encoding: "utf8" }).trim();
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(path)}` : st.isFile() ? readFileSync(path, "utf8") : "";
    out.push(`${rel} mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} rdev=${st.rdev} nlink=${st.nlink} mtime=${st.mtimeNs} ${xattrs} ${what}`);
    if (st.isDirectory()) for (const child of readdirSync(path).sort()) walk(rel === "." ? child : `${rel}/${child}`);
  };
  walk(".");
  return out;
}

const EVERY_KIND: TarSpec[] = [
  { name: "./", type: "directory", mode: 0o755, mtime: 1_600_000_000 },
  { name: "./etc/", type: "directory", mode: 0o750, uid: 12, gid: 34, mtime: 1_600_000_001 },
  { name: "./etc/hello", data: "hello\n", mode: 0o640, uid: 1000, gid: 1001, mtime: 1_600_000_002.25 },
  { name: "./bin/", type: "directory", mode: 0o755 },
  { name: "./bin/su", data: "#!/bin/sh\n", mode: 0o4755 },
  { name: "./bin/hard", type: "hardlink", linkname: "./bin/su" },
  { name: "./bin/link", type: "symlink", linkname: "../etc/hello", uid: 7, gid: 8, mtime: 1_600_000_003 },
  { name: "./dev/", type: "directory" },
  { name: "./dev/null", type: "char", devmajor: 1, devminor: 3, mode: 0o666 },
  { name: "./dev/loop9", type: "block", devmajor: 7, devminor: 9, mode: 0o660, gid: 6 },
  { name: "./run/", type: "directory", mode: 0o1777 },
  { name: "./run/pipe", type: "fifo", mode: 0o620 },
  { name: "./attrs", data: "x", xattrs: { "user.origin": "layer", "trusted.note": "kept" } },
  { name: `./${"p".repeat(60)}/`, type: "directory" },
  { name: `./${"p".repeat(60)}/${"q".repeat(70)}`, data: "pax long name" },
  { name: `./${"g".repeat(120)}`, data: "gnu long name", longNames: "gnu" },
];

test("every entry kind and attribute comes out as GNU tar writes it, from plain, gzip and zstd layers", { skip }, async () => {
  const dir = tempDir("runt-layer-");
  try {
    const plain = writeLayer(join(dir.path, "layer.tar"), EVERY_KIND);
    writeFileSync(join(dir.path, "layer.tar.gz"), gzipSync(readFileSync(plain)));
    execFileSync("zstd", ["-q", plain, "-o", join(dir.path, "layer.tar.zst")]);
    const reference = join(dir.path, "gnu");
    mkdirSync(reference);
    execFileSync("tar", ["--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", plain, "-C", reference]);
    const expected = describeTree(reference);
    for (const file of ["layer.tar", "layer.tar.gz", "layer.tar.zst"]) {
      const root = join(dir.path, file.replaceAll(".", "-"));
      await extract(root, join(dir.path, file));
      assert.deepEqual(describeTree(root), expected, file);
    }
  } finally {
    dir.cleanup();
  }
});

const LOWER: TarSpec[] = [
  { name: "gone", data: "deleted above" },
  { name: "gone-dir/", type: "directory" },
  { name: "gone-dir/inner", data: "deleted with its directory" },
  { name: "opaque/", type: "directory" },
  { name: "opaque/old", data: "hidden by the opaque directory above" },
  { name: "opaque/sub/", type: "directory" },
  { name: "opaque/sub/deep", data: "hidden too" },
  { name: "kept", data: "lower" },
];
const UPPER: TarSpec[] = [
  { name: "opaque/", type: "directory" },
  { name: "opaque/new", data: "written by the upper layer before its opaque marker" },
  { name: "opaque/.wh..wh..opq" },
  { name: ".wh.gone" },
  { name: ".wh.gone-dir" },
  { name: ".wh..wh.plnk", type: "directory" },
  { name: "added", data: "upper" },
];

test("whiteouts and opaque directories: applied in place, the same tree overlayfs merges from layers kept apart", { skip }, async () => {
  const dir = tempDir("runt-layer-");
  const merged = join(dir.path, "merged");
  try {
    const lower = writeLayer(join(dir.path, "lower.tar"), LOWER);
    const upper = writeLayer(join(dir.path, "upper.tar"), UPPER);
    const flat = join(dir.path, "flat");
    await extract(flat, lower);
    await extract(flat, upper);
    assert.deepEqual(readdirSync(flat).sort(), ["added", "kept", "opaque"]);
    assert.deepEqual(readdirSync(join(flat, "opaque")), ["new"]);

    await extract(join(dir.path, "l0"), lower, "overlay");
    await extract(join(dir.path, "l1"), upper, "overlay");
    assert.equal(lstatSync(join(dir.path, "l1", "gone")).rdev, 0);
    assert.ok(lstatSync(join(dir.path, "l1", "gone")).isCharacterDevice());
    mkdirSync(merged);
    execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${join(dir.path, "l1")}:${join(dir.path, "l0")}`, merged]);
    assert.deepEqual(describeTree(merged).map(withoutMtime), describeTree(flat).map(withoutMtime));
  } finally {
    spawnSync("umount", [merged]);
    dir.cleanup();
  }
});

/**
 * Directory times differ where a whiteout or removal changed the directory
 * after its entry was written; overlayfs reports its root's link count as 1.
 */
function withoutMtime(line: string): string {
  if (line.startsWith(". ")) return line.replace(/mtime=\d+/, "").replace(/nlink=\d+/, "");
  return line.startsWith("opaque ") ? line.replace(/mtime=\d+/, "") : line;
}

interface Escape {
  what: string;
  /** The crafted layer; `outside` is a directory next to the root the layer is extracted into. */
  entries: (outside: string) => TarSpec[];
  /** Where a naive extractor writes, relative to `outside`. */
  escaped: string;
}

const ESCAPES: Escape[] = [
  { what: "a ../ name", entries: () => [{ name: "../outside/dotdot", data: "escaped" }], escaped: "dotdot" },
  { what: "an absolute name", entries: (outside) => [{ name: `${outside}/absolute`, data: "escaped" }], escaped: "absolute" },
  {
    what: "an entry below a symlink to a directory outside",
    entries: () => [{ name: "evil", type: "symlink", linkname: "../outside" }, { name: "evil/planted", data: "escaped" }],
    escaped: "planted",
  },
  {
    what: "an entry below an absolute symlink",
    entries: (outside) => [{ name: "abs", type: "symlink", linkname: outside }, { name: "abs/planted-abs", data: "escaped" }],
    escaped: "planted-abs",
  },
];

for (const escape of ESCAPES) {
  test(`${escape.what} is written inside the root, where GNU tar -P writes outside`, { skip }, async () => {
    const dir = tempDir("runt-layer-");
    try {
      for (const side of ["naive", "runt"]) {
        const root = join(dir.path, side, "rootfs");
        const outside = join(dir.path, side, "outside");
        mkdirSync(root, { recursive: true });
        mkdirSync(outside);
        const layer = writeLayer(join(dir.path, `${side}.tar`), escape.entries(outside));
        if (side === "naive") {
          spawnSync("tar", ["-P", "-xpf", layer, "-C", root]);
          assert.ok(existsSync(join(outside, escape.escaped)), "the crafted layer escapes a naive extractor");
        } else {
          await extract(root, layer);
          assert.deepEqual(readdirSync(outside), [], "nothing written outside the root");
          const inside = spawnSync("find", [root, "-name", escape.escaped], { encoding: "utf8" }).stdout.trim();
          assert.equal(readFileSync(inside, "utf8"), "escaped", `written inside instead (${inside})`);
        }
      }
    } finally {
      dir.cleanup();
    }
  });
}

test("a hardlink to a file outside the root is refused, where GNU tar -P links the host file in", { skip }, async () => {
  const dir = tempDir("runt-layer-");
  try {
    for (const side of ["naive", "runt"]) {
      for (const [i, link] of ["../outside/secret0", join(dir.path, side, "outside", "secret1")].entries()) {
        const root = join(dir.path, side, `rootfs${i}`);
        const secret = join(dir.path, side, "outside", `secret${i}`);
        mkdirSync(root, { recursive: true });
        mkdirSync(join(dir.path, side, "outside"), { recursive: true });
        writeFileSync(secret, "host secret");
        const layer = writeLayer(join(dir.path, `${side}${i}.tar`), [{ name: "hl", type: "hardlink", linkname: link }]);
        if (side === "naive") {
          spawnSync("tar", ["-P", "-xpf", layer, "-C", root]);
          assert.equal(lstatSync(secret).nlink, 2, `the crafted layer (${link}) links the host file for a naive extractor`);
        } else {
          await assert.rejects(extract(root, layer), new RegExp(`layer entry hl: hardlink target ${link} is not in the layer`));
          assert.equal(lstatSync(secret).nlink, 1);
          assert.equal(existsSync(join(root, "hl")), false);
        }
      }
    }
  } finally {
    dir.cleanup();
  }
});

test("a hardlink whose target path climbs out lands on the file of that name inside the root", { skip }, async () => {
  const dir = tempDir("runt-layer-");
  try {
    const root = join(dir.path, "rootfs");
    mkdirSync(join(dir.path, "etc"));
    writeFileSync(join(dir.path, "etc", "passwd"), "host");
    const layer = writeLayer(join(dir.path, "l.tar"), [
      { name: "etc/passwd", data: "image" },
      { name: "x/hl", type: "hardlink", linkname: "../../../etc/passwd" },
    ]);
    await extract(root, layer);
    assert.equal(readFileSync(join(root, "x", "hl"), "utf8"), "image");
    assert.equal(lstatSync(join(root, "etc", "passwd")).nlink, 2);
    assert.equal(lstatSync(join(dir.path, "etc", "passwd")).nlink, 1);
  } finally {
    dir.cleanup();
  }
});
