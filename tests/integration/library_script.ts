/**
 * A script using runt as a library, as a user would write one: run by
 * library.test.ts in its own process. Prints what it observed as JSON.
 */
import { Runt } from "../../mod.ts";

const [root, bundle, exitingBundle] = process.argv.slice(2);
const runt = await Runt.open(root);
const created = await runt.create("lib", { bundle });
const listed = runt.list().map((s) => `${s.id}:${s.status}`);
runt.start("lib");
const running = runt.state("lib").status;
const pids = runt.pids("lib");
const execExit = await runt.exec("lib", { cwd: "/", args: ["sh", "-c", "exit 4"], env: ["PATH=/bin"], user: { uid: 0, gid: 0 } });
runt.pause("lib");
const paused = runt.state("lib").status;
runt.resume("lib");
runt.kill("lib", "KILL");
const end = Date.now() + 10_000;
while (runt.state("lib").status !== "stopped" && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
const stopped = runt.state("lib").status;
runt.delete("lib");
let afterDelete = "";
try {
  runt.state("lib");
} catch (e) {
  afterDelete = (e as Error).message;
}
const exit = await runt.run("lib2", { bundle: exitingBundle });
console.log(JSON.stringify({ created: created.status, pid: created.pid, listed, running, pids, execExit, paused, stopped, afterDelete, exit }));
