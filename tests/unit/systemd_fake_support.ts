/** The stand-in for systemd's manager (systemd_fake.ts) on a private bus, with the calls it has seen. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { startPrivateBus } from "./dbus_support.ts";

const FAKE = fileURLToPath(new URL("./systemd_fake.ts", import.meta.url));

export interface Fake {
  address: string;
  /** The calls the fake has printed, waited for until there are `count`. */
  calls(count: number): Promise<Array<{ member: string; body: unknown[] }>>;
  stop(): Promise<void>;
}

export async function startFake(): Promise<Fake> {
  const bus = await startPrivateBus();
  const argv = "Deno" in globalThis
    ? [(globalThis as unknown as { Deno: { execPath(): string } }).Deno.execPath(), "run", "-A", "--no-check", FAKE, bus.address]
    : [process.execPath, FAKE, bus.address];
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    waiting?.();
  });
  const until = async (n: number) => {
    while (lines.length < n) await new Promise<void>((resolve) => (waiting = resolve));
  };
  await until(1);
  return {
    address: bus.address,
    async calls(count) {
      await until(count + 1);
      return lines.slice(1).map((l) => JSON.parse(l));
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await bus.stop();
    },
  };
}

