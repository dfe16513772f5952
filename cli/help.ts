/**
 * Help text in urfave/cli's layout (NAME, USAGE, VERSION, COMMANDS, GLOBAL
 * OPTIONS; for a command NAME, USAGE, DESCRIPTION, OPTIONS), as runc prints
 * it, generated from the same flag declarations the parser uses.
 */
import type { Command, FlagSpec, Flags } from "./command.ts";
import { GLOBAL_FLAGS } from "./global.ts";

/** `--bundle DIR, -b DIR`: urfave/cli names the long flag first, then the short one. */
function flagNames(name: string, f: FlagSpec): string {
  const value = f.type === "string" ? ` ${f.value ?? "value"}` : "";
  return `--${name}${value}` + (f.short ? `, -${f.short}${value}` : "");
}

function flagLines(flags: Flags): string[] {
  const rows = Object.entries(flags).map(([name, f]) => {
    const dflt = typeof f.default === "string" && f.default ? ` (default: ${/^\d+$/.test(f.default) ? f.default : `"${f.default}"`})` : "";
    return [flagNames(name, f), f.description + dflt];
  });
  return table(rows);
}

/** Two columns as Go's tabwriter lays them out: the first padded to its widest cell plus two spaces. */
function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `   ${n.padEnd(width)}  ${d}`);
}

function indent(text: string): string[] {
  return text.trimEnd().split("\n").map((l) => (l ? `   ${l}` : ""));
}

export function globalHelp(commands: Command[], version: string): string {
  return [
    "NAME:",
    "   runt - an OCI container runtime written in TypeScript",
    "",
    "USAGE:",
    "   runt [global options] command [command options] [arguments...]",
    "",
    "VERSION:",
    ...indent(version),
    "",
    "COMMANDS:",
    ...table([...commands.map((c) => [c.name, c.summary]), ["help, h", "Shows a list of commands or help for one command"]]),
    "",
    "GLOBAL OPTIONS:",
    ...flagLines(GLOBAL_FLAGS),
    "",
  ].join("\n");
}

export function commandHelp(cmd: Command): string {
  const hasFlags = Object.keys(cmd.flags).length > 0;
  return [
    "NAME:",
    `   runt ${cmd.name} - ${cmd.summary}`,
    "",
    "USAGE:",
    `   runt ${cmd.name}${hasFlags ? " [command options]" : ""}${cmd.args ? " " + cmd.args : ""}`,
    ...(cmd.description ? ["", "DESCRIPTION:", ...indent(cmd.description)] : []),
    ...(hasFlags ? ["", "OPTIONS:", ...flagLines(cmd.flags)] : []),
    "",
  ].join("\n");
}
