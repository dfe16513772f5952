/** The client of bench/library_server.ts: `Runt.run()` timed inside one running Deno script. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./contenders.ts";

export const LIBRARY = "runt (Runt.run() in Deno)";

export class LibraryRunner {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = "";
  private waiting: ((line: string) => void) | undefined;

  constructor() {
    this.child = spawn(join(REPO, "node_modules/.bin/deno"), ["run", "-A", "--quiet", join(REPO, "bench/library_server.ts")], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffered += chunk;
      const nl = this.buffered.indexOf("\n");
      if (nl >= 0 && this.waiting) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const deliver = this.waiting;
        this.waiting = undefined;
        deliver(line);
      }
    });
    this.child.stderr.resume();
    this.child.on("exit", (code) => this.waiting?.(JSON.stringify({ error: `the script exited (${code})` })));
  }

  /** One run of the bundle to completion; its time as the script measured it. */
  run(root: string, bundle: string, id: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = (line) => {
        const answer = JSON.parse(line) as { ms?: number; status?: number; error?: string };
        if (answer.error !== undefined) reject(new Error(answer.error));
        else if (answer.status !== 0) reject(new Error(`exit status ${answer.status}`));
        else resolve(answer.ms!);
      };
      this.child.stdin.write(`${root} ${bundle} ${id}\n`);
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.stdin.end();
    });
  }
}
