/** A normalized image reference split into what the distribution API needs. */
import { normalizeReference } from "../image/reference.ts";

export interface RegistryReference {
  /** The name the image is stored under (docker.io/library/busybox:latest). */
  name: string;
  /** host[:port] as written in the name. */
  host: string;
  /** Where the API is: Docker Hub's names live at registry-1.docker.io. */
  endpoint: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

export function parseReference(ref: string): RegistryReference {
  const name = normalizeReference(ref);
  const slash = name.indexOf("/");
  const host = name.slice(0, slash);
  let rest = name.slice(slash + 1);
  let reference: string;
  const at = rest.indexOf("@");
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at).replace(/:[^/]*$/, "");
  } else {
    const colon = rest.lastIndexOf(":");
    reference = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name, host, endpoint: host === "docker.io" ? "registry-1.docker.io" : host, repository: rest, reference };
}

/** Plain http only where nothing crosses a network: the loopback names, or when asked for. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "");
  return name === "localhost" || name === "127.0.0.1" || name === "[::1]";
}
