/** Namespaces: the host's instead of a new one (ctr's --net-host and its /etc files), or a given one (--with-ns). */
import { RuntError } from "../errors.ts";
import type { Spec } from "../spec/schema.ts";
import { withMounts } from "./mounts.ts";
import type { SpecOpt } from "./types.ts";

type NamespaceType = NonNullable<NonNullable<Spec["linux"]>["namespaces"]>[number]["type"];

/** No namespace of `type`: the container shares the host's. */
export function withHostNamespace(type: NamespaceType): SpecOpt {
  return (spec) => {
    spec.linux ??= {};
    spec.linux.namespaces = (spec.linux.namespaces ?? []).filter((ns) => ns.type !== type);
  };
}

/** A namespace of `type`, new or (with `path`) the one at that path. */
export function withLinuxNamespace(type: NamespaceType, path?: string): SpecOpt {
  return (spec) => {
    spec.linux ??= {};
    const others = (spec.linux.namespaces ?? []).filter((ns) => ns.type !== type);
    spec.linux.namespaces = [...others, path ? { type, path } : { type }];
  };
}

/** The host's network, with the host's /etc/hosts and /etc/resolv.conf bound read-only, as ctr --net-host does. */
export function withHostNetwork(): SpecOpt {
  const host = withHostNamespace("network");
  const files = withMounts(["/etc/hosts", "/etc/resolv.conf"].map((path) => ({
    destination: path,
    type: "bind",
    source: path,
    options: ["rbind", "ro"],
  })));
  return (spec, ctx) => {
    host(spec, ctx);
    files(spec, ctx);
  };
}

/** ctr's --network: "host" shares the host's network (and its /etc files), "none" a new empty network namespace. */
export function withNetwork(mode: string): SpecOpt {
  if (mode === "host") return withHostNetwork();
  if (mode === "none") return withLinuxNamespace("network");
  throw new RuntError(`--network: expected none or host, got "${mode}"`);
}

const NAMESPACE_TYPES = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];

/** `TYPE:PATH` (ctr's --with-ns): join the namespace at PATH. */
export function parseWithNamespace(text: string): SpecOpt {
  const colon = text.indexOf(":");
  const type = text.slice(0, colon), path = text.slice(colon + 1);
  if (colon < 0 || !path.startsWith("/")) throw new RuntError(`--with-ns: expected TYPE:/PATH, got "${text}"`);
  if (!NAMESPACE_TYPES.includes(type)) throw new RuntError(`--with-ns: unknown namespace type "${type}" (one of ${NAMESPACE_TYPES.join(", ")})`);
  return withLinuxNamespace(type as NamespaceType, path);
}
