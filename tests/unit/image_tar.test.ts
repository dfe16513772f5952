import { test } from "node:test";
import assert from "node:assert/strict";
import { cleanPath } from "../../runtime/image/extract.ts";
import { compressionOf } from "../../runtime/image/decompress.ts";
import { readTar, type TarEntry } from "../../runtime/image/tar.ts";
import { tarBytes, type TarSpec } from "../fixtures/tar_writer.ts";

async function entries(bytes: Uint8Array, chunk = 7): Promise<TarEntry[]> {
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  }
  const out: TarEntry[] = [];
  for await (const e of readTar(chunks())) out.push(e);
  return out;
}

const read = (specs: TarSpec[]) => entries(tarBytes(specs));

test("names: pax path and GNU long names win over the truncated ustar name", async () => {
  const long = "d/".repeat(80) + "file";
  const [pax, gnu] = await read([{ name: long, data: "a" }, { name: long + "2", data: "b", longNames: "gnu" }]);
  assert.equal(pax.name, long);
  assert.equal(gnu.name, long + "2");
  assert.equal(new TextDecoder().decode(gnu.data), "b");
});

test("a pax header applies to the next entry only; xattrs and sub-second times come from it", async () => {
  const [first, second] = await read([
    { name: "a", mtime: 1.5, xattrs: { "user.k": "v" } },
    { name: "b", mtime: 2 },
  ]);
  assert.equal(first.mtimeNs, 1_500_000_000n);
  assert.deepEqual([...first.xattrs.keys()], ["user.k"]);
  assert.equal(second.mtimeNs, 2_000_000_000n);
  assert.equal(second.xattrs.size, 0);
});

test("entry kinds, modes, owners, devices and link names as the header holds them", async () => {
  const [dev, link, dir] = await read([
    { name: "null", type: "char", devmajor: 1, devminor: 3, mode: 0o4666, uid: 5, gid: 6 },
    { name: "l", type: "symlink", linkname: "../../etc" },
    { name: "d/", type: "directory" },
  ]);
  assert.deepEqual([dev.type, dev.devmajor, dev.devminor, dev.mode, dev.uid, dev.gid], ["char", 1, 3, 0o4666, 5, 6]);
  assert.deepEqual([link.type, link.linkname], ["symlink", "../../etc"]);
  assert.equal(dir.type, "directory");
});

test("GNU base-256 numbers", async () => {
  const bytes = tarBytes([{ name: "big", uid: 0 }]);
  bytes.fill(0, 108, 116);
  bytes[108] = 0x80;
  bytes[115] = 0x01;
  bytes.set(new TextEncoder().encode("        "), 148);
  const sum = bytes.subarray(0, 512).reduce((n, b) => n + b, 0);
  bytes.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  const [entry] = await entries(bytes);
  assert.equal(entry.uid, 1);
});

test("not a tar, a truncated tar and an unsupported entry type are one-line errors", async () => {
  await assert.rejects(entries(new Uint8Array(512).fill(65)), /not a tar stream \(bad header checksum\)/);
  const whole = tarBytes([{ name: "f", data: "x".repeat(600) }]);
  await assert.rejects(entries(whole.subarray(0, 700)), /ends inside an entry/);
  const sparse = tarBytes([{ name: "s" }]);
  sparse[156] = "S".charCodeAt(0);
  sparse.set(new TextEncoder().encode("        "), 148);
  const sum = sparse.subarray(0, 512).reduce((n, b) => n + b, 0);
  sparse.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  await assert.rejects(entries(sparse), /layer entry s: tar entry type "S" is not supported/);
});

test("names are cleaned as absolute paths: .. never climbs above the root", () => {
  assert.deepEqual(cleanPath("../../etc/passwd"), ["etc", "passwd"]);
  assert.deepEqual(cleanPath("/abs/./x/../y"), ["abs", "y"]);
  assert.deepEqual(cleanPath("./"), []);
});

test("compression is told by magic bytes", () => {
  assert.equal(compressionOf(new Uint8Array([0x1f, 0x8b, 8, 0])), "gzip");
  assert.equal(compressionOf(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])), "zstd");
  assert.equal(compressionOf(new TextEncoder().encode("etc/")), "none");
});
