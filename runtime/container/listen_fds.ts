/**
 * systemd socket activation passed through to the container, as runc does:
 * when runt itself was given listening sockets (LISTEN_FDS for LISTEN_PID =
 * runt's PID), they go to the container at the same numbers, 3 onwards,
 * before any --preserve-fds ones, and the container is told it has them.
 */
import type { Spec } from "../spec/schema.ts";

/** How many activation descriptors the environment hands to process `pid` (0 if they are someone else's). */
export function activationFds(env: Record<string, string | undefined>, pid: number): number {
  if (env.LISTEN_PID !== String(pid)) return 0;
  const count = Number(env.LISTEN_FDS);
  return Number.isInteger(count) && count > 0 ? count : 0;
}

/** The spec the container's process runs with: sd_listen_fds(3) inside looks for PID 1. */
export function withActivationEnv(spec: Spec, count: number): Spec {
  if (count === 0 || !spec.process) return spec;
  const env = [...(spec.process.env ?? []), `LISTEN_FDS=${count}`, "LISTEN_PID=1"];
  return { ...spec, process: { ...spec.process, env } };
}
