/**
 * The image config into the spec, as containerd's WithImageConfig does:
 * Env over the default environment, Entrypoint + Cmd, WorkingDir, User
 * (resolved in the image), StopSignal and ExposedPorts as the
 * org.opencontainers.image.* annotations, and Labels as annotations.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { ImageConfig } from "../image/oci.ts";
import { mergeEnv } from "./process.ts";
import type { SpecOpt } from "./types.ts";
import { withUser } from "./user.ts";

export function withImageConfig(sys: Syscalls, image: ImageConfig): SpecOpt {
  return (spec, ctx) => {
    const config = image.config ?? {};
    const process = spec.process!;
    process.env = mergeEnv(process.env ?? [], config.Env ?? []);
    const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    if (args.length > 0) process.args = args;
    process.cwd = config.WorkingDir || "/";
    process.user = { uid: 0, gid: 0 };
    if (config.User) withUser(sys, config.User)(spec, ctx);
    const annotations: Record<string, string> = { ...(config.Labels ?? {}) };
    if (config.StopSignal) annotations["org.opencontainers.image.stopSignal"] = config.StopSignal;
    const ports = Object.keys(config.ExposedPorts ?? {}).sort();
    if (ports.length > 0) annotations["org.opencontainers.image.exposedPorts"] = ports.join(",");
    if (Object.keys(annotations).length > 0) spec.annotations = { ...spec.annotations, ...annotations };
  };
}
