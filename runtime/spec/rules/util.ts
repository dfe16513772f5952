/** Small questions several rules ask of a config. */
import { HOOK_KINDS, type NamespaceType } from "../constants.ts";
import type { LinuxNamespace, Spec } from "../schema.ts";

/** The same scope below every kind of hook: hooks.prestart[*]…, hooks.poststop[*]… */
export const hookScopes = (below: string) => HOOK_KINDS.map((kind) => `hooks.${kind}[*]${below}`);

export const isAbsolute = (path: string) => path.startsWith("/");

/** The namespace entry of `type` and its index, if the config lists one. */
export function findNamespace(spec: Spec, type: NamespaceType): { ns: LinuxNamespace; index: number } | undefined {
  const list = spec.linux?.namespaces ?? [];
  const index = list.findIndex((ns) => ns.type === type);
  return index < 0 ? undefined : { ns: list[index], index };
}

/** "needs a user namespace in linux.namespaces" ("an ipc": the letters are read out). */
export const needsNamespace = (type: NamespaceType) =>
  `needs ${type === "ipc" ? "an" : "a"} ${type} namespace in linux.namespaces`;

/** "expected an integer from 0 to 7, got 9" */
export const outOfRange = (min: number, max: number, got: number) => `expected an integer from ${min} to ${max}, got ${got}`;
