/** Spec options for the container's process and its view: arguments, environment, directory, terminal, hostname, root. */
import type { SpecOpt } from "./types.ts";

/** Replaces the whole command line, the image's entrypoint included (as `ctr run IMAGE ID CMD…` does). */
export function withProcessArgs(...args: string[]): SpecOpt {
  return (spec) => {
    spec.process!.args = [...args];
  };
}

/** Sets or replaces `KEY=VALUE` entries by key; a bare `KEY` removes it. */
export function withEnv(env: readonly string[]): SpecOpt {
  return (spec) => {
    spec.process!.env = mergeEnv(spec.process!.env ?? [], env);
  };
}

export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  const keyOf = (entry: string) => entry.split("=", 1)[0];
  for (const entry of overrides) {
    const key = keyOf(entry);
    const at = out.findIndex((e) => keyOf(e) === key);
    if (!entry.includes("=")) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = entry;
    } else {
      out.push(entry);
    }
  }
  return out;
}

export function withCwd(cwd: string): SpecOpt {
  return (spec) => {
    spec.process!.cwd = cwd;
  };
}

export function withTty(terminal: boolean): SpecOpt {
  return (spec) => {
    spec.process!.terminal = terminal;
  };
}

export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    spec.hostname = hostname;
  };
}

export function withReadonlyRootfs(readonly: boolean): SpecOpt {
  return (spec) => {
    spec.root = { ...spec.root!, readonly };
  };
}

export function withRootfsPath(path: string): SpecOpt {
  return (spec) => {
    spec.root = { ...spec.root!, path };
  };
}

export function withAnnotations(annotations: Record<string, string>): SpecOpt {
  return (spec) => {
    spec.annotations = { ...spec.annotations, ...annotations };
  };
}

/** The signal `runt stop` sends first, as the image config's StopSignal records it. */
export function withStopSignal(signal: string): SpecOpt {
  return withAnnotations({ "org.opencontainers.image.stopSignal": signal });
}
