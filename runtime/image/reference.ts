/**
 * Image names as docker writes them: a short name means Docker Hub's
 * library (`busybox` is docker.io/library/busybox:latest), a missing tag
 * means `latest`.
 */
import { ImageError } from "./errors.ts";

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function normalizeReference(ref: string): string {
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at) : "";
  let rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(":");
  let tag = "";
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  const isHost = first.includes(".") || first.includes(":") || first === "localhost";
  let host = isHost ? first : "docker.io";
  let path = isHost ? rest.slice(slash + 1) : rest;
  if (host === "index.docker.io") host = "docker.io";
  if (host === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (!NAME.test(path)) throw new ImageError(`image reference ${JSON.stringify(ref)}: invalid repository name`);
  if (tag && !TAG.test(tag)) throw new ImageError(`image reference ${JSON.stringify(ref)}: invalid tag`);
  if (digest && !/^@sha256:[0-9a-f]{64}$/.test(digest)) throw new ImageError(`image reference ${JSON.stringify(ref)}: invalid digest`);
  return `${host}/${path}${tag || !digest ? `:${tag || "latest"}` : ""}${digest}`;
}
