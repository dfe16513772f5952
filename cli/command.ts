/**
 * The shape every subcommand file exports, and the flag parser they share.
 * Flags are declared once (for parsing and for help); parsing is built on
 * `node:util` parseArgs, with runt's own one-line messages for mistakes.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import type { Logger } from "./log.ts";

export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
  multiple?: boolean;
  /** Shown in help after the flag, e.g. `--bundle DIR`. */
  value?: string;
  description: string;
  default?: string | boolean;
}

export type Flags = Record<string, FlagSpec>;

export interface GlobalOptions {
  debug: boolean;
  log?: string;
  logFormat: "text" | "json";
  root: string;
  systemdCgroup: boolean;
  rootless: "true" | "false" | "auto";
}

export interface CommandContext {
  global: GlobalOptions;
  log: Logger;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** What follows the flags, e.g. `<container-id>`. */
  args?: string;
  description?: string;
  flags: Flags;
  /**
   * After this many positional arguments the rest is taken as it stands,
   * flags included (`runt exec ID ls -l`), as runc's command line does.
   */
  verbatimAfter?: number;
  /** How many positional arguments are accepted. */
  minArgs?: number;
  maxArgs?: number;
  run(ctx: CommandContext, flags: FlagValues, args: string[]): Promise<number> | number;
}

/** Parses `argv` against `flags`; `where` names the command in error messages. */
export function parseFlags(
  argv: string[],
  flags: Flags,
  where: string,
): { values: FlagValues; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, multiple: f.multiple ?? false, ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  // Non-strict so that mistakes come back as tokens we can word ourselves.
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = flags[token.name];
    if (!spec) throw new UsageError(`unknown flag ${token.rawName} for ${where}`);
    if (spec.type === "string" && typeof token.value !== "string") {
      throw new UsageError(`flag ${token.rawName} of ${where} needs a value (${spec.value ?? "VALUE"})`);
    }
    if (spec.type === "boolean" && token.inlineValue) {
      throw new UsageError(`flag ${token.rawName} of ${where} takes no value`);
    }
  }
  for (const [name, spec] of Object.entries(flags)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { values: values as FlagValues, positionals };
}

export function checkArgCount(cmd: Command, args: string[]): void {
  const min = cmd.minArgs ?? 0;
  const max = cmd.maxArgs ?? 0;
  const usage = `usage: runt ${cmd.name}${Object.keys(cmd.flags).length ? " [flags]" : ""}${cmd.args ? " " + cmd.args : ""}`;
  if (args.length < min) throw new UsageError(`"runt ${cmd.name}" needs ${cmd.args ?? "more arguments"} (${usage})`);
  if (args.length > max) {
    throw new UsageError(`"runt ${cmd.name}" got unexpected argument "${args[max]}" (${usage})`);
  }
}

/**
 * Splits `argv` after its `count`-th positional argument: what comes before
 * is parsed as flags, what comes after belongs to someone else.
 */
export function splitAfterPositionals(argv: string[], flags: Flags, count: number): [head: string[], tail: string[]] {
  let seen = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return [argv.slice(0, i), argv.slice(i + 1)];
    if (arg.startsWith("-") && arg !== "-") {
      const name = arg.replace(/^--?/, "").split("=")[0];
      const spec = flags[name] ?? Object.values(flags).find((f) => f.short === name);
      // A string flag's value is the next word unless given inline.
      if (spec?.type === "string" && !arg.includes("=") && !(arg.length > 2 && !arg.startsWith("--"))) i++;
      continue;
    }
    if (++seen === count) {
      const tail = argv.slice(i + 1);
      return [argv.slice(0, i + 1), tail[0] === "--" ? tail.slice(1) : tail];
    }
  }
  return [argv, []];
}
