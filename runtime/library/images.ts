/** `runt.images`: the image store as `runt image pull|load|ls|rm|prune` works it. */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { pull } from "../../cli/commands/image.ts";
import { type ImageRecord, ImageStore } from "../image/store.ts";

export interface PullOptions {
  /** USER:PASSWORD; by default REGISTRY_AUTH_FILE or ~/.docker/config.json. */
  creds?: string;
  /** Plain http for a registry that is not on 127.0.0.1/localhost. */
  insecure?: boolean;
}

export class RuntImages {
  readonly store: ImageStore;

  constructor(sys: Syscalls, storeRoot?: string) {
    this.store = new ImageStore(sys, storeRoot);
  }

  /** Resolves to the image's name as `list` gives it. */
  pull(ref: string, options: PullOptions = {}): Promise<string> {
    return pull(this.store, { creds: options.creds, insecure: options.insecure === true }, ref);
  }

  /** An OCI image layout directory, an oci-archive or a docker-archive tar; resolves to the names loaded. */
  load(path: string): Promise<string[]> {
    return this.store.load(path);
  }

  list(): ImageRecord[] {
    return this.store.list();
  }

  /** Returns the name removed. */
  remove(ref: string): string {
    return this.store.remove(ref);
  }

  /** Removes the blobs and unpacked layers no image or container uses. */
  prune(): { blobs: number; layers: number } {
    return this.store.prune();
  }
}
