/**
 * The shape every subcommand file exports, and the flag parser they share.
 * Flags are declared once (for parsing and for help), and parsed the way
 * runc's command line parses them, with runt's own one-line messages.
 */
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
  verbatimAfter?: number | ((argv: string[]) => number | undefined);
  /** How many positional arguments are accepted. */
  minArgs?: number;
  maxArgs?: number;
  run(ctx: CommandContext, flags: FlagValues, args: string[]): Promise<number> | number;
}

/**
 * Parses `argv` against `flags` as Go's flag package (under urfave/cli, as
 * runc uses it) does: `-name` and `--name` alike, for short and long names,
 * with the value after `=` or in the next word; a boolean takes `=true` or
 * `=false`; `--` ends the flags. Flags may follow positional arguments
 * (urfave/cli moves them forward) unless `stopAtPositional`, for commands
 * whose trailing words belong to someone else. `where` names the command in
 * error messages.
 */
export function parseFlags(
  argv: string[],
  flags: Flags,
  where: string,
  stopAtPositional = false,
): { values: FlagValues; positionals: string[] } {
  const values: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (stopAtPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const body = arg.slice(arg.startsWith("--") ? 2 : 1);
    const eq = body.indexOf("=");
    const written = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const [name, spec] = lookupFlag(flags, written);
    const shown = `${arg.startsWith("--") ? "--" : "-"}${written}`;
    if (!spec || written === "" || written.startsWith("-")) throw new UsageError(`unknown flag ${shown} for ${where}`);
    let value: string | boolean;
    if (spec.type === "boolean") {
      value = inline === undefined ? true : goBool(inline, shown, where);
    } else if (inline !== undefined) {
      value = inline;
    } else if (i + 1 < argv.length) {
      value = argv[++i];
    } else {
      throw new UsageError(`flag ${shown} of ${where} needs a value (${spec.value ?? "VALUE"})`);
    }
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else values[name] = value;
  }
  for (const [name, spec] of Object.entries(flags)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { values, positionals };
}

/** A flag by its long name or its short one, with either number of dashes. */
function lookupFlag(flags: Flags, written: string): [name: string, spec: FlagSpec | undefined] {
  if (Object.hasOwn(flags, written)) return [written, flags[written]];
  const entry = Object.entries(flags).find(([, f]) => f.short === written);
  return entry ?? [written, undefined];
}

/** strconv.ParseBool, which Go's flag package uses for `-flag=value`. */
function goBool(text: string, shown: string, where: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  throw new UsageError(`flag ${shown} of ${where} takes true or false, got "${text}"`);
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
      // A string flag's value is the next word unless given after "=".
      if (spec?.type === "string" && !arg.includes("=")) i++;
      continue;
    }
    if (++seen === count) {
      const tail = argv.slice(i + 1);
      return [argv.slice(0, i + 1), tail[0] === "--" ? tail.slice(1) : tail];
    }
  }
  return [argv, []];
}
