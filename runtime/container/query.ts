/** Reading containers' states: `state` and `list`. */
import { ociState, type OciState } from "../state/record.ts";
import type { StateStore } from "../state/store.ts";
import { containerStatus } from "./status.ts";

export function containerState(store: StateStore, id: string): OciState {
  const record = store.read(id);
  return ociState(record, containerStatus(record));
}

/** Every container under the store's root, by ID; a create still writing its first record is left out. */
export function listContainers(store: StateStore): OciState[] {
  const states: OciState[] = [];
  for (const id of store.ids()) {
    const record = store.tryRead(id);
    if (record) states.push(ociState(record, containerStatus(record)));
  }
  return states;
}
