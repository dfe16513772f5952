/**
 * POSIX path arithmetic with node:path's results, in plain TypeScript: under
 * Deno, importing node:path loads its Node layer, tens of milliseconds on
 * every command. Paths here are Linux paths only.
 */
import { currentDirectory } from "./host.ts";

/** `path` with `.`, `..` and repeated slashes resolved lexically; "." for an empty relative result. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(part);
  }
  let joined = out.join("/");
  if (absolute) joined = `/${joined}`;
  else if (joined === "") joined = ".";
  return trailing && joined !== "/" ? `${joined}/` : joined;
}

export function join(...parts: string[]): string {
  // A loop, not filter(): the first call of an engine built-in written in JavaScript costs a fresh process tens of microseconds.
  let path = "";
  for (const part of parts) if (part !== "") path = path === "" ? part : `${path}/${part}`;
  return path === "" ? "." : normalize(path);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** The absolute path the parts name, read right to left from the first absolute one (else the working directory). */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i] : `${parts[i]}/${path}`;
  }
  if (!path.startsWith("/")) path = `${currentDirectory()}/${path}`;
  const normal = normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

/** Everything before the last name, as node:path cuts it: one slash before the name goes, others stay. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const hasRoot = path.startsWith("/");
  let end = -1;
  let inTrailingSlashes = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] !== "/") inTrailingSlashes = false;
    else if (!inTrailingSlashes) {
      end = i;
      break;
    }
  }
  if (end === -1) return hasRoot ? "/" : ".";
  if (hasRoot && end === 1) return "//";
  return path.slice(0, end);
}

/** The last name in `path`, trailing slashes ignored. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** The path of a file: URL, percent-escapes decoded (node:url's fileURLToPath for Linux). */
export function fileUrlPath(url: URL | string): string {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "file:") throw new TypeError(`not a file: URL: ${u.href}`);
  return decodeURIComponent(u.pathname);
}
