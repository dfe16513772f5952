/**
 * The Deno side of `Runt.run()` in `make bench`: one long-running script
 * that imports mod.ts once and, for each line "ROOT BUNDLE ID" on stdin,
 * runs that container to completion with Runt.run() and answers one line
 * of JSON: `{"ms": …, "status": …}` or `{"error": "…"}`. The time is taken
 * around the call alone, so it holds no process start-up, as a script that
 * runs containers from its own loop would see it.
 */
import { Runt } from "../mod.ts";

const encoder = new TextEncoder();
const reply = (value: unknown) => Deno.stdout.writeSync(encoder.encode(JSON.stringify(value) + "\n"));
const runts = new Map<string, Runt>();

let pending = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += chunk;
  for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
    const [root, bundle, id] = pending.slice(0, nl).split(" ");
    pending = pending.slice(nl + 1);
    try {
      let runt = runts.get(root);
      if (runt === undefined) runts.set(root, runt = await Runt.open(root));
      const began = performance.now();
      const status = await runt.run(id, { bundle });
      reply({ ms: performance.now() - began, status });
    } catch (e) {
      reply({ error: (e as Error).message });
    }
  }
}
