/**
 * Registry credentials and challenges: `--creds user:pass`, else the auth
 * file (REGISTRY_AUTH_FILE, else ~/.docker/config.json) entry for the
 * registry; a 401's WWW-Authenticate says Basic (send them) or Bearer (get a
 * token from the realm, with them if there are any, anonymously if not).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ImageError } from "../image/errors.ts";

export interface Credentials {
  username: string;
  password: string;
}

export function parseCreds(text: string): Credentials {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new ImageError(`--creds: expected USER:PASSWORD`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The auth file's entry for `host` (keys may be bare hosts or URLs, as docker writes them). */
export function credentialsFor(host: string, env: Record<string, string | undefined> = process.env): Credentials | undefined {
  const file = env.REGISTRY_AUTH_FILE || join(env.HOME ?? "/root", ".docker", "config.json");
  let auths: Record<string, { auth?: string; username?: string; password?: string }>;
  try {
    auths = JSON.parse(readFileSync(file, "utf8")).auths ?? {};
  } catch {
    return undefined;
  }
  const keys = host === "docker.io" ? ["docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"] : [host];
  for (const [key, entry] of Object.entries(auths)) {
    const bare = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (!keys.includes(key) && !keys.includes(bare)) continue;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (entry.auth) return parseCreds(Buffer.from(entry.auth, "base64").toString("utf8"));
  }
  return undefined;
}

export function basicHeader(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://auth",service="registry",scope="repository:x:pull"`. */
export function parseChallenge(header: string): Challenge {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return { scheme, params };
}

/** The Authorization header a challenge asks for; undefined when it cannot be met. */
export async function answerChallenge(challenge: Challenge, creds: Credentials | undefined, scope: string): Promise<string | undefined> {
  if (challenge.scheme === "basic") return creds ? basicHeader(creds) : undefined;
  if (challenge.scheme !== "bearer" || !challenge.params.realm) return undefined;
  const url = new URL(challenge.params.realm);
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  url.searchParams.set("scope", challenge.params.scope ?? scope);
  const response = await fetch(url, { headers: creds ? { Authorization: basicHeader(creds) } : {} });
  if (!response.ok) {
    await response.body?.cancel();
    throw new ImageError(`registry token service ${url.origin}: ${response.status} ${response.statusText}${creds ? " (check the credentials)" : ""}`);
  }
  const body = await response.json() as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new ImageError(`registry token service ${url.origin}: no token in its answer`);
  return `Bearer ${token}`;
}
