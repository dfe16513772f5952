/** The OCI image documents runt reads: indexes, manifests and configs, checked as far as runt relies on them. */
import { ImageError } from "./errors.ts";
import { formatPlatform, type Platform } from "./platform.ts";

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface Index {
  manifests: Descriptor[];
}

export interface Manifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    ExposedPorts?: Record<string, unknown> | null;
  };
  rootfs: { type: string; diff_ids: string[] };
}

export function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new ImageError(`${what}: not valid JSON`);
  }
}

export function isIndex(mediaType: string | undefined): boolean {
  return mediaType === MEDIA.index || mediaType === MEDIA.dockerList;
}

/** The host's platform in OCI terms. */
export function hostPlatform(): { architecture: string; os: string } {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" };
  return { architecture: arch[process.arch] ?? process.arch, os: "linux" };
}

/**
 * The manifest of an index for `want` (this host unless --platform says
 * otherwise; a variant only when asked for); an entry without a platform
 * counts as a match. A miss names the platforms the index has.
 */
export function pickManifest(index: Index, what: string, want: Platform = hostPlatform()): Descriptor {
  const candidates = index.manifests ?? [];
  const match = candidates.find((d) =>
    d.platform?.os === want.os && d.platform?.architecture === want.architecture && (!want.variant || d.platform.variant === want.variant)
  ) ?? candidates.find((d) => d.platform === undefined);
  if (!match) {
    const have = candidates.flatMap((d) => (d.platform ? [formatPlatform(d.platform)] : []));
    throw new ImageError(`${what}: no manifest for ${formatPlatform(want)} (the index has ${have.join(", ") || "none"})`);
  }
  return match;
}

export function checkManifest(manifest: Manifest, what: string): void {
  if (!manifest || typeof manifest.config?.digest !== "string" || !Array.isArray(manifest.layers)) {
    throw new ImageError(`${what}: not an image manifest (config and layers expected)`);
  }
}

export function checkConfig(config: ImageConfig, layers: number, what: string): void {
  const ids = config?.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.length !== layers) {
    throw new ImageError(`${what}: rootfs.diff_ids must list one digest per layer (${layers})`);
  }
}
