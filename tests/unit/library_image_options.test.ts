/** A script's image options become the flag values `run --image` parses, or one clear error. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { imageFlagValues, type ImageOptions } from "../../runtime/library/image_options.ts";

test("camelCase options map onto the CLI's image flags", () => {
  const flags = imageFlagValues({ image: "busybox", readOnly: true, capAdd: "NET_ADMIN", memoryLimit: 64 * 1024 * 1024, env: { A: "1" }, args: ["sh"], specOpts: [] });
  assert.deepEqual(flags, { image: "busybox", "read-only": true, "cap-add": ["NET_ADMIN"], "memory-limit": "67108864", env: ["A=1"] });
});

test("the caller's own keys are passed over", () => {
  assert.deepEqual(imageFlagValues({ image: "busybox", id: "x", stdout: "piped" }, ["id", "stdout"]), { image: "busybox" });
});

test("an unknown option, a wrong type or no image is refused with one line naming it", () => {
  assert.throws(() => imageFlagValues({ image: "busybox", colour: "blue" }), { message: 'unknown option "colour"' });
  assert.throws(() => imageFlagValues({ image: "busybox", readOnly: "yes" } as unknown as ImageOptions), { message: 'option "readOnly": expected true or false' });
  assert.throws(() => imageFlagValues({ image: "busybox", cwd: ["/a"] } as unknown as ImageOptions), { message: 'option "cwd": expected a string' });
  assert.throws(() => imageFlagValues({ args: ["sh"] }), { message: "image: give an image (or a rootfs directory)" });
});
