/**
 * Finding the container's executable the way runc does (Go's exec.LookPath
 * with the container's environment), so a missing or unusable program is a
 * create-time error rather than a silent exit at start. Runs after
 * pivot_root, where paths are the container's; runt's own code looks
 * through modeInContainer (container_paths.ts), which follows no /proc link.
 */
import { statSync } from "../host_fs.ts";
import { S_IFDIR, S_IFMT, S_IFREG } from "../../ffi/constants.ts";
import type { ModeOf } from "./container_paths.ts";
import * as posix from "../path.ts";
import { ProcessError } from "./errors.ts";
import { quote } from "../quote.ts";

/** The value of `name` in an environment list; the last entry wins, as when each is set in turn. */
export function envValue(env: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const entry of env) {
    if (entry.startsWith(name + "=")) value = entry.slice(name.length + 1);
  }
  return value;
}

/** The calling process's own view: for a process that is already the container's. */
const modeOfPath: ModeOf = (path) => statSync(path).mode;

/** Why `path` cannot be executed, or undefined when it can. */
function executableProblem(path: string, modeOf: ModeOf): string | undefined {
  let mode;
  try {
    mode = modeOf(path);
  } catch (e) {
    return describeFsError(e);
  }
  if ((mode & S_IFMT) === S_IFDIR) return "is a directory";
  if ((mode & S_IFMT) !== S_IFREG) return "not a regular file";
  if ((mode & 0o111) === 0) return "permission denied";
  return undefined;
}

function describeFsError(e: unknown): string {
  switch ((e as { code?: string }).code) {
    case "ENOENT":
      return "no such file or directory";
    case "ENOTDIR":
      return "not a directory";
    case "EACCES":
      return "permission denied";
    case "ELOOP":
      // Also what the kernel says of a /proc/self/fd link, which runt's own lookups do not follow.
      return "too many levels of symbolic links, or a link of /proc's";
    default:
      return (e as Error).message;
  }
}

function checkCwd(cwd: string, modeOf: ModeOf): void {
  let mode;
  try {
    mode = modeOf(cwd);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "no such directory" : describeFsError(e);
    throw new ProcessError(`process.cwd ${quote(cwd)}: ${why}`);
  }
  if ((mode & S_IFMT) !== S_IFDIR) throw new ProcessError(`process.cwd ${quote(cwd)}: not a directory`);
}

/**
 * The absolute path to execute for `args0`: with a slash it is taken
 * relative to `cwd`; without one it is looked up on the PATH of `env` (no
 * PATH means no search, as in runc). A program found through a relative
 * PATH entry is refused, as Go's exec.LookPath does. `modeOf` looks at a
 * path: runt's own code in the container's root passes modeInContainer.
 */
export function resolveExecutable(args0: string, env: readonly string[], cwd: string, modeOf: ModeOf = modeOfPath): string {
  checkCwd(cwd, modeOf);
  const quoted = quote(args0);
  if (args0.includes("/")) {
    const full = posix.resolve(cwd, args0);
    const problem = executableProblem(full, modeOf);
    if (problem) throw new ProcessError(`exec: ${quoted}: ${problem}`);
    return full;
  }
  const search = envValue(env, "PATH") ?? "";
  if (args0 !== "" && search !== "") {
    for (const entry of search.split(":")) {
      const candidate = posix.join(entry === "" ? "." : entry, args0);
      if (executableProblem(posix.resolve(cwd, candidate), modeOf)) continue;
      if (!posix.isAbsolute(candidate)) {
        throw new ProcessError(`exec: ${quoted}: cannot run executable found relative to current directory`);
      }
      return candidate;
    }
  }
  throw new ProcessError(`exec: ${quoted}: executable file not found in $PATH`);
}
