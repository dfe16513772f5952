/** --platform: the stored image must be built for the platform asked for (the store keeps one platform per name). */
import { ImageError } from "./errors.ts";
import type { ImageStore } from "./store.ts";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `OS/ARCH[/VARIANT]`, or `ARCH` alone for linux. */
export function parsePlatform(text: string): Platform {
  const parts = text.split("/");
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_]+$/.test(p))) throw new ImageError(`--platform: expected OS/ARCH[/VARIANT], got "${text}"`);
  if (parts.length === 1) return { os: "linux", architecture: parts[0] };
  return parts.length === 3 ? { os: parts[0], architecture: parts[1], variant: parts[2] } : { os: parts[0], architecture: parts[1] };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join("/");
}

export function checkImagePlatform(store: ImageStore, ref: string, text: string): void {
  const want = parsePlatform(text);
  const found = store.resolve(ref);
  if (!found) return;
  const config = store.config(store.manifest(found.digest));
  const have = `${config.os ?? "linux"}/${config.architecture ?? "unknown"}`;
  if (have !== `${want.os}/${want.architecture}`) throw new ImageError(`--platform: ${ref} is for ${have}, not ${want.os}/${want.architecture}`);
}
