/** runc's `--version` lines, with the JavaScript runtime where runc names its Go. */
import { builtCommit, hostRuntime, OCI_VERSION, RUNT_VERSION } from "../runtime/version.ts";

export async function versionText(): Promise<string> {
  const [engine, engineVersion] = hostRuntime().split(" ");
  const commit = builtCommit() ?? (await import("../runtime/source_commit.ts")).sourceCommit(new URL("..", import.meta.url));
  return [
    `runt version ${RUNT_VERSION}`,
    `commit: ${commit}`,
    `spec: ${OCI_VERSION}`,
    `${engine}: ${engineVersion}`,
    // runc names the libseccomp it links; runt compiles its filters itself and links none.
    "libseccomp: none (seccomp filters compiled by runt)",
    "",
  ].join("\n");
}
