/** Finding the state directory a container manager gave runt (`--root`), from the container's ID. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The --root under which a container manager has runt keep container `id`: the directory holding `id`/state.json. */
export function runtRootOf(id: string): string | undefined {
  const walk = (dir: string, depth: number): string | undefined => {
    if (depth > 4) return undefined;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === id && existsSync(join(dir, id, "state.json"))) return dir;
      const found = walk(join(dir, e.name), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk("/run", 0);
}
