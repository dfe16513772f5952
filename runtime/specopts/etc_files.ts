/**
 * The container's own /etc/hosts, /etc/resolv.conf and /etc/hostname, as
 * ctnr writes them: files in the bundle directory, bind-mounted read-only
 * over the image's, so the image (and the shared layers) stay untouched.
 */
import { readFileSync, writeFileSync } from "../host_fs.ts";
import { join } from "../path.ts";
import { RuntError } from "../errors.ts";
import { withMounts } from "./mounts.ts";
import type { SpecOpt } from "./types.ts";

export interface NameResolution {
  /** Name servers; the host's (from /etc/resolv.conf) when none are given. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `NAME:IP` pairs for /etc/hosts. */
  hosts?: string[];
}

/** Apply after the hostname is set: /etc/hostname and the hosts entry for it take the spec's. */
export function withNameResolution(config: NameResolution): SpecOpt {
  const hosts = (config.hosts ?? []).map(parseHost);
  return (spec, ctx) => {
    if (!ctx.bundle) throw new RuntError("--dns/--add-host: the container needs a bundle directory for its /etc files");
    const hostname = spec.hostname || "localhost";
    const files: Record<string, string> = {
      hostname: `${hostname}\n`,
      hosts: [
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        `127.0.1.1\t${hostname}`,
        ...hosts.map(([name, ip]) => `${ip}\t${name}`),
      ].join("\n") + "\n",
      "resolv.conf": resolvConf(config),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(ctx.bundle, name), text, { mode: 0o644 });
    withMounts(Object.keys(files).map((name) => ({
      destination: `/etc/${name}`,
      type: "bind",
      source: join(ctx.bundle!, name),
      options: ["rbind", "nosuid", "nodev", "noexec", "ro"],
    })))(spec, ctx);
  };
}

function resolvConf(config: NameResolution): string {
  const servers = config.dns?.length ? config.dns : hostNameservers();
  for (const ip of servers) if (!isIP(ip)) throw new RuntError(`--dns: "${ip}" is not an IP address`);
  const lines = servers.map((s) => `nameserver ${s}`);
  if (config.dnsSearch?.length) lines.push(`search ${config.dnsSearch.join(" ")}`);
  if (config.dnsOptions?.length) lines.push(`options ${config.dnsOptions.join(" ")}`);
  return lines.join("\n") + "\n";
}

function hostNameservers(): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8").split("\n").map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      // A loopback resolver on the host is unreachable from a network namespace of its own.
      .filter((ip): ip is string => ip !== undefined && !ip.startsWith("127.") && ip !== "::1");
  } catch {
    return [];
  }
}

/** `NAME:IP` (the IP may be IPv6, so the name ends at the first colon). */
function parseHost(text: string): [string, string] {
  const colon = text.indexOf(":");
  const name = text.slice(0, colon), ip = text.slice(colon + 1);
  if (colon <= 0 || !isIP(ip)) throw new RuntError(`--add-host: expected NAME:IP, got "${text}"`);
  return [name, ip];
}

function isIP(text: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(text) || (/^[0-9a-fA-F:]+$/.test(text) && text.includes(":"));
}
