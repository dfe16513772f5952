/**
 * Every command runt implements, in the order help lists them, each module
 * loaded only when its command runs: what a command's module imports is
 * evaluated at start-up, so `state` does not pay for `create`'s code (nor
 * for the help text of all of them).
 */
import type { Command } from "../command.ts";

const LOADERS: Record<string, () => Promise<Command>> = {
  bundle: async () => (await import("./bundle.ts")).bundleCommand,
  create: async () => (await import("./create.ts")).createCommand,
  delete: async () => (await import("./delete.ts")).deleteCommand,
  events: async () => (await import("./events.ts")).eventsCommand,
  exec: async () => (await import("./exec.ts")).execCommand,
  features: async () => (await import("./features.ts")).featuresCommand,
  image: async () => (await import("./image.ts")).imageCommand,
  kill: async () => (await import("./kill.ts")).killCommand,
  stop: async () => (await import("./stop.ts")).stopCommand,
  list: async () => (await import("./list.ts")).listCommand,
  pause: async () => (await import("./pause.ts")).pauseCommand,
  ps: async () => (await import("./ps.ts")).psCommand,
  resume: async () => (await import("./resume.ts")).resumeCommand,
  run: async () => (await import("./run.ts")).runCommand,
  spec: async () => (await import("./spec.ts")).specCommand,
  start: async () => (await import("./start.ts")).startCommand,
  state: async () => (await import("./state.ts")).stateCommand,
  update: async () => (await import("./update.ts")).updateCommand,
  validate: async () => (await import("./validate.ts")).validateCommand,
};

/** The command's names, in help's order. */
export const COMMAND_NAMES: readonly string[] = Object.keys(LOADERS);

/** The command called `name`, or undefined for a name runt does not have. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(LOADERS, name) ? LOADERS[name]() : undefined;
}

/** All of them, for the help text. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_NAMES.map((name) => LOADERS[name]()));
}
