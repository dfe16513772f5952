/**
 * The state directory: `--root`/ID/state.json, one directory per container.
 * Creating the directory is what reserves an ID, so two `create`s of one ID
 * cannot both proceed; state.json is replaced atomically (temp file + rename)
 * so a reader never sees half a record, whatever is killed when.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "../host_fs.ts";
import { join } from "../path.ts";
import { RuntError } from "../errors.ts";
import { checkContainerId } from "./id.ts";
import { checkStateRoot, stateRootAccessError, StateRootError } from "./root.ts";
import type { ContainerRecord } from "./record.ts";
import type { Exchange } from "./exchange.ts";
import { processId } from "../host.ts";

export const STATE_FILE = "state.json";

export class ContainerNotFoundError extends RuntError {}
export class ContainerExistsError extends RuntError {}

export class StateStore {
  private rootChecked = false;

  /** `exchange` (exchange.ts), where the caller has system calls, lets a record replace the last without a rename over it (see write). */
  constructor(readonly root: string, private readonly exchange?: Exchange) {}

  dir(id: string): string {
    this.checkRoot();
    return join(this.root, checkContainerId(id));
  }

  private checkRoot(): void {
    if (this.rootChecked) return;
    checkStateRoot(this.root);
    this.rootChecked = true;
  }

  /** Reserves `id`; fails if a container of that name exists, before anything else is made. */
  reserve(id: string): string {
    const dir = this.dir(id);
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
    } catch (e) {
      const refused = stateRootAccessError(this.root, e);
      throw refused !== e ? refused : new StateRootError(`--root ${this.root}: cannot create it: ${(e as Error).message}`);
    }
    try {
      mkdirSync(dir, { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        throw new ContainerExistsError(`container "${id}" already exists`);
      }
      const refused = stateRootAccessError(this.root, e);
      if (refused !== e) throw refused;
      throw new StateRootError(`--root ${this.root}: cannot create ${dir}: ${(e as Error).message}`);
    }
    return dir;
  }

  exists(id: string): boolean {
    const dir = this.dir(id);
    try {
      return statSync(dir).isDirectory();
    } catch (e) {
      const refused = stateRootAccessError(this.root, e);
      if (refused !== e) throw refused;
      return false;
    }
  }

  /**
   * The new record is written beside the last and swapped in for it
   * (RENAME_EXCHANGE), then the old one, left under the new one's name, is
   * removed. A rename over the last record would do as well for readers, but
   * ext4 and btrfs then write the new file's data out first (their safeguard
   * for replace-by-rename; 0.15 ms a write on this machine's ext4 /run, four
   * times in a `run`), which state that does not outlive a reboot has no use
   * for. The first record, a filesystem that cannot exchange, or a caller
   * without system calls: a plain rename.
   */
  write(record: ContainerRecord): void {
    const dir = this.dir(record.id);
    const tmp = join(dir, `.${STATE_FILE}.${processId()}`);
    const file = join(dir, STATE_FILE);
    writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
    if (this.exchange?.(tmp, file)) rmSync(tmp, { force: true });
    else renameSync(tmp, file);
  }

  /** The record, or null for a directory whose create never got as far as writing one. */
  tryRead(id: string): ContainerRecord | null {
    let text: string;
    try {
      text = readFileSync(join(this.dir(id), STATE_FILE), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw stateRootAccessError(this.root, e);
    }
    return JSON.parse(text) as ContainerRecord;
  }

  read(id: string): ContainerRecord {
    const record = this.tryRead(id);
    if (!record) throw new ContainerNotFoundError(`container "${id}" does not exist`);
    return record;
  }

  /** IDs of every container directory under the root, sorted. */
  ids(): string[] {
    this.checkRoot();
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw stateRootAccessError(this.root, e);
    }
    return names.filter((n) => {
      try {
        checkContainerId(n);
        return statSync(join(this.root, n)).isDirectory();
      } catch {
        return false;
      }
    }).sort();
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}
