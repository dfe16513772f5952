/**
 * Finding the container's executable the way runc does (Go's exec.LookPath
 * with the container's environment), so a missing or unusable program is a
 * create-time error rather than a silent exit at start. Runs after
 * pivot_root with synchronous fs calls, which then see the container root.
 */
import { statSync } from "../host_fs.ts";
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

/** Why `path` cannot be executed, or undefined when it can. */
function executableProblem(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return describeFsError(e);
  }
  if (st.isDirectory()) return "is a directory";
  if (!st.isFile()) return "not a regular file";
  if ((st.mode & 0o111) === 0) return "permission denied";
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
      return "too many levels of symbolic links";
    default:
      return (e as Error).message;
  }
}

function checkCwd(cwd: string): void {
  let st;
  try {
    st = statSync(cwd);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "no such directory" : describeFsError(e);
    throw new ProcessError(`process.cwd ${quote(cwd)}: ${why}`);
  }
  if (!st.isDirectory()) throw new ProcessError(`process.cwd ${quote(cwd)}: not a directory`);
}

/**
 * The absolute path to execute for `args0`: with a slash it is taken
 * relative to `cwd`; without one it is looked up on the PATH of `env` (no
 * PATH means no search, as in runc). A program found through a relative
 * PATH entry is refused, as Go's exec.LookPath does.
 */
export function resolveExecutable(args0: string, env: readonly string[], cwd: string): string {
  checkCwd(cwd);
  const quoted = quote(args0);
  if (args0.includes("/")) {
    const full = posix.resolve(cwd, args0);
    const problem = executableProblem(full);
    if (problem) throw new ProcessError(`exec: ${quoted}: ${problem}`);
    return full;
  }
  const search = envValue(env, "PATH") ?? "";
  if (args0 !== "" && search !== "") {
    for (const entry of search.split(":")) {
      const candidate = posix.join(entry === "" ? "." : entry, args0);
      if (executableProblem(posix.resolve(cwd, candidate))) continue;
      if (!posix.isAbsolute(candidate)) {
        throw new ProcessError(`exec: ${quoted}: cannot run executable found relative to current directory`);
      }
      return candidate;
    }
  }
  throw new ProcessError(`exec: ${quoted}: executable file not found in $PATH`);
}
