/**
 * The image rows of `make bench`, against the Debian tools that do the same
 * job: a pull and unpack of one busybox image from a local docker-registry
 * (`runt image pull` + a first `run --image` against `skopeo copy` + `umoci
 * unpack`), and `run --image` of an image already unpacked against `runc
 * run` of a bundle umoci unpacked from it. Interleaved round by round; each
 * pull starts from an empty store, as a first pull does.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../tests/fixtures/oci_image.ts";
import { startRegistry } from "../tests/fixtures/registry.ts";
import { type Contender, DIST, invoke, RUNC } from "./contenders.ts";
import { nextId } from "./measure.ts";
import type { Recorder } from "./stats.ts";

const ROUNDS = Number(process.env.BENCH_IMAGE_ROUNDS ?? 7);
export const SKOPEO_UMOCI = "skopeo copy + umoci unpack";
/** The metrics of these rows, as report.ts shows them. */
export const IMAGE_PULL = "imagePull";
export const IMAGE_RUN = "imageRun";
/** runt's pull alone, the part of IMAGE_PULL before its first run. */
export const IMAGE_PULL_ONLY = "imagePullOnly";

function timed(argv: string[]): number {
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${argv.slice(0, 2).join(" ")} exited ${r.status}: ${(r.stderr ?? "").trim().split("\n")[0]}`);
  return ms;
}

function must(c: Contender, root: string, args: string[]): number {
  const r = invoke(c, root, args, true);
  if (r.status !== 0) throw new Error(`${args[0]} exited ${r.status}: ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
  return r.ms;
}

/** umoci's bundle, made to run `busybox true` without a terminal as the runt side does. */
function trueBundle(bundle: string): string {
  const file = join(bundle, "config.json");
  const spec = JSON.parse(readFileSync(file, "utf8"));
  spec.process.args = ["/bin/busybox", "true"];
  spec.process.terminal = false;
  writeFileSync(file, JSON.stringify(spec));
  return bundle;
}

export async function measureImages(work: string, rec: Recorder, runt: Contender): Promise<void> {
  const dir = mkdtempSync(join(work, "images-"));
  const registry = await startRegistry(join(dir, "registry"), "none");
  try {
    registry.push(busyboxImageTar(join(dir, "image"), "busybox:bench"), "bench/busybox:1");
    const ref = `${registry.host}/bench/busybox:1`;
    const root = join(dir, "state");
    const runcRoot = join(dir, "runc-state");
    const warmStore = join(dir, "warm-store");
    must(runt, root, ["image", "pull", "--store", warmStore, ref]);
    const layout = join(dir, "layout");
    timed(["skopeo", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${layout}:bench`]);
    const bundle = join(dir, "bundle");
    timed(["umoci", "unpack", "--image", `${layout}:bench`, bundle]);
    trueBundle(bundle);
    const runImage = (store: string) => ["run", "--store", store, "--rm", "--image", ref, nextId("image"), "/bin/busybox", "true"];

    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms caches up and is not counted.
      const keep = round > 0;
      const fresh = join(dir, `round-${round}`);
      mkdirSync(fresh);
      await rec.sample(DIST, { [IMAGE_PULL]: "total", [IMAGE_PULL_ONLY]: "pull" }, () => {
        const store = join(fresh, "store");
        const pull = must(runt, root, ["image", "pull", "--store", store, ref]);
        return { pull, total: pull + must(runt, root, runImage(store)) };
      }, keep);
      await rec.sample(SKOPEO_UMOCI, IMAGE_PULL, () => {
        const copied = join(fresh, "layout");
        return timed(["skopeo", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${copied}:bench`]) +
          timed(["umoci", "unpack", "--image", `${copied}:bench`, join(fresh, "bundle")]);
      }, keep);
      await rec.sample(DIST, IMAGE_RUN, () => must(runt, root, runImage(warmStore)), keep);
      await rec.sample(RUNC, IMAGE_RUN, () => must({ name: RUNC, argv: ["runc"] }, runcRoot, ["run", "--bundle", bundle, nextId("runc")]), keep);
      rmSync(fresh, { recursive: true, force: true });
    }
  } finally {
    registry.stop();
  }
}
