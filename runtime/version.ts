/** runt's own release, kept in step with package.json by a unit test. */
export const RUNT_VERSION = "0.1.0";

/** The newest OCI runtime-spec version runt implements (the reference it was built against). */
export const OCI_VERSION = "1.3.0";

/** The oldest config.json `ociVersion` runt accepts. */
export const OCI_VERSION_MIN = "1.0.0";

/**
 * Set by `make build`/`make release` (bun build --define RUNT_BUILD_COMMIT='"…"'),
 * absent when runt runs from its sources.
 */
declare const RUNT_BUILD_COMMIT: string | undefined;

/**
 * The commit compiled into this binary, if any: a copy of the binary far
 * from its checkout still says which sources it is.
 */
export function builtCommit(): string | undefined {
  return typeof RUNT_BUILD_COMMIT === "string" && RUNT_BUILD_COMMIT !== "" ? RUNT_BUILD_COMMIT : undefined;
}

/** Which JavaScript runtime is executing runt, for `--version` and bug reports. */
export function hostRuntime(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${(globalThis as { process?: { version: string } }).process?.version ?? "unknown"}`;
}
