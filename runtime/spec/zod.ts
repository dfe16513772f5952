/**
 * The one module that loads zod; the rest of runt imports it from here.
 *
 * A bare `"zod"` resolves only where a config or a package manager maps it:
 * Deno running a script outside this repository (`import … from
 * "/path/to/runt/mod.ts"`, no deno.json of its own) has neither and stops at
 * "Import "zod" not a dependency". A path to the zod that `npm ci` installed
 * next to these sources resolves the same for Deno, Bun and `bun build`,
 * wherever the importing script lives. The npm package ships zod inside it
 * (package.json `bundleDependencies`) so the path holds there too, and
 * deno.json maps the path to `npm:zod` for JSR.
 */
// @ts-types="zod"
export { z } from "../../node_modules/zod/index.js";
