/**
 * The part of the OCI distribution API that pulling needs: manifests by tag
 * or digest, blobs by digest, each answer checked against its digest.
 */
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, statSync } from "node:fs";
import { ImageError } from "../image/errors.ts";
import { MEDIA } from "../image/oci.ts";
import { answerChallenge, type Credentials, parseChallenge } from "./auth.ts";
import { isLoopback, type RegistryReference } from "./reference.ts";

const MANIFEST_TYPES = [MEDIA.index, MEDIA.dockerList, MEDIA.manifest, MEDIA.dockerManifest].join(", ");

export interface ClientOptions {
  creds?: Credentials;
  /** Plain http for a registry that is not on the loopback. */
  insecure?: boolean;
}

export class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(private readonly ref: RegistryReference, private readonly options: ClientOptions = {}) {
    const scheme = isLoopback(ref.endpoint) || options.insecure ? "http" : "https";
    this.base = `${scheme}://${ref.endpoint}/v2/${ref.repository}`;
  }

  /** The manifest (or index) `reference` names: its bytes, media type and checked digest. */
  async manifest(reference: string): Promise<{ bytes: Uint8Array; mediaType: string; digest: string }> {
    const response = await this.get(`/manifests/${reference}`, { Accept: MANIFEST_TYPES });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const claimed = reference.startsWith("sha256:") ? reference : response.headers.get("docker-content-digest");
    if (claimed && claimed !== digest) throw new ImageError(`${this.ref.name}: manifest ${claimed} does not match its digest (got ${digest})`);
    const mediaType = response.headers.get("content-type")?.split(";")[0].trim() ?? "";
    return { bytes, mediaType, digest };
  }

  /**
   * Writes the blob to `path`, carrying on from what a broken-off download
   * left there: a Range request, appended to on 206, started over on 200 (a
   * registry that ignores ranges). A download that breaks off again keeps
   * what it got. `onBytes` hears every chunk (and the bytes resumed from);
   * the caller checks the whole against its digest.
   */
  async blob(digest: string, path: string, size: number, onBytes: (n: number) => void = () => {}): Promise<void> {
    const have = existsSync(path) ? statSync(path).size : 0;
    const response = await this.get(`/blobs/${digest}`, have > 0 && have < size ? { Range: `bytes=${have}-` } : {});
    const resumed = response.status === 206 ? have : 0;
    if (resumed > 0) onBytes(resumed);
    const out = createWriteStream(path, { flags: resumed > 0 ? "a" : "w" });
    let written = resumed;
    let broke: Error | undefined;
    try {
      for await (const chunk of response.body!) {
        written += chunk.length;
        onBytes(chunk.length);
        if (!out.write(chunk)) await new Promise((resolve) => out.once("drain", resolve));
      }
    } catch (e) {
      broke = e as Error;
    } finally {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
    if (broke || written < size) {
      throw new ImageError(
        `${this.ref.name}: download of ${digest} broke off after ${written} of ${size} bytes${broke ? ` (${broke.message})` : ""}; pull again to resume it`,
      );
    }
  }

  /** GET with the authorization earned so far; a 401 is answered once, as its challenge asks. */
  private async get(path: string, headers: Record<string, string>): Promise<Response> {
    const url = `${this.base}${path}`;
    let response = await this.fetch(url, headers);
    if (response.status === 401) {
      const header = response.headers.get("www-authenticate");
      await response.body?.cancel();
      const answer = header ? await answerChallenge(parseChallenge(header), this.options.creds, `repository:${this.ref.repository}:pull`) : undefined;
      if (!answer) throw new ImageError(`${this.ref.name}: the registry wants credentials (--creds USER:PASSWORD or an auth file entry)`);
      this.authorization = answer;
      response = await this.fetch(url, headers);
    }
    if (!response.ok) {
      await response.body?.cancel();
      const why = response.status === 401 || response.status === 403 ? " (check the credentials)" : response.status === 404 ? " (not found)" : "";
      throw new ImageError(`${this.ref.name}: GET ${path}: ${response.status} ${response.statusText}${why}`);
    }
    return response;
  }

  private async fetch(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, { headers: this.authorization ? { ...headers, Authorization: this.authorization } : headers });
    } catch (e) {
      throw new ImageError(`${this.ref.name}: cannot reach ${new URL(url).origin}: ${(e as Error).message}`);
    }
  }
}
