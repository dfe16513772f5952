/**
 * A script using runt's image API as a user would write one: run by
 * library_images.test.ts in its own process. Prints what it observed as JSON.
 */
import { Runt, withHostname } from "../../mod.ts";

const [root, store, archive, pulled] = process.argv.slice(2);
const runt = await Runt.open(root, { imageStore: store });
const seen: Record<string, unknown> = {};
const message = async (body: () => unknown) => {
  try {
    await body();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

seen.loaded = await runt.images.load(archive);
seen.pulled = await runt.images.pull(pulled);
seen.listed = runt.images.list().map((i) => i.name).sort();

seen.piped = await runt.run({
  image: "busybox:lib",
  args: ["sh", "-c", 'echo "out $A"; echo err >&2; cat; exit 3'],
  env: { A: "1" },
  stdin: "from stdin\n",
});
seen.pulledRun = await runt.run({ image: pulled, args: ["echo", "pulled image"] });
seen.readOnly = await runt.run({ image: "busybox:lib", readOnly: true, args: ["sh", "-c", "touch /x"] });
seen.specFunction = await runt.run({ image: "busybox:lib", specOpts: [withHostname("from-a-function")], args: ["hostname"] });
seen.unknownOption = await message(() => runt.run({ image: "busybox:lib", colour: "blue" }));

const waited = await runt.create({ image: "busybox:lib", id: "lib-wait", args: ["sh", "-c", "exit 7"] });
seen.createdStatus = waited.state().status;
waited.start();
seen.waited = await waited.wait();
waited.delete();
seen.afterDelete = await message(() => runt.state("lib-wait"));

const stopped = await runt.create({ image: "busybox:lib", id: "lib-stop", args: ["sleep", "60"] });
stopped.start();
seen.running = stopped.state().status;
// PID 1 ignores SIGTERM it has no handler for: stop ends with SIGKILL.
seen.stopped = await stopped.stop(0.2);
stopped.delete();

const killed = await runt.create({ image: "busybox:lib", id: "lib-kill", args: ["sleep", "60"] });
killed.start();
killed.kill("KILL");
seen.killed = await killed.wait();
killed.delete();

seen.removed = runt.images.remove("busybox:lib");
seen.pruned = runt.images.prune();
seen.listedAfter = runt.images.list().map((i) => i.name);
console.log(JSON.stringify(seen));
