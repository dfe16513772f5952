/**
 * Removes from probe output what differs between any two container runs —
 * kernel-assigned numbers, timestamps, temporary paths — and keeps what a
 * runtime decides: mount points, types, options, propagation kinds, modes.
 */

/** Literal host paths to replace by stable placeholders, e.g. a bundle directory by "<bundle>". */
export type Substitutions = Array<[from: string, to: string]>;

/**
 * One mountinfo line without its mount ID, parent ID and device number, and
 * with peer group numbers dropped from the propagation tags (shared:12 →
 * shared): those are allocated by the kernel in whatever order mounts happen.
 */
export function normaliseMountinfoLine(line: string): string {
  const fields = line.split(" ");
  const dash = fields.indexOf("-");
  if (dash < 6) return line;
  const [_id, _parent, _device, root, mountPoint, options, ...rest] = fields.slice(0, dash);
  const tags = rest.map((tag) => tag.replace(/:\d+$/, ""));
  return [root, mountPoint, options, ...tags, ...fields.slice(dash)].join(" ");
}

export function normaliseMountinfo(text: string): string {
  return text.split("\n").map(normaliseMountinfoLine).join("\n");
}

/** `ls -l` timestamps ("Nov 23 07:54" or "Nov 23  2025") become "<date>". */
export function normaliseDates(text: string): string {
  return text.replace(/ [A-Z][a-z]{2} [ \d]\d +(\d\d:\d\d|\d{4}) /g, " <date> ");
}

/**
 * `ls -l /proc/PID/fd` reduced to the descriptor numbers. Targets and open
 * modes of 0-2 depend on the caller, not the runtime: runc puts pipes of
 * its own in between, runt hands the caller's stdio through (read-write
 * sockets under Bun). Which descriptors are open is the runtime's doing.
 */
export function normaliseFds(text: string): string {
  return text.split("\n").flatMap((line) => {
    const m = /^l[-rwx]{9}\s.*\s(\d+) -> /.exec(line);
    if (m) return [m[1]];
    return line.startsWith("total ") ? [] : [line];
  }).join("\n");
}

export function substitute(text: string, subs: Substitutions): string {
  // Longest first, so a path inside another (rootfs inside bundle) wins.
  const ordered = [...subs].filter(([from]) => from !== "").sort((a, b) => b[0].length - a[0].length);
  return ordered.reduce((t, [from, to]) => t.split(from).join(to), text);
}

const BY_SECTION: Record<string, (text: string) => string> = {
  mountinfo: normaliseMountinfo,
  fds: normaliseFds,
};

/** Every section normalised: path substitutions and dates everywhere, plus the section's own rule. */
export function normaliseSections(sections: Map<string, string>, subs: Substitutions): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, text] of sections) {
    const own = BY_SECTION[name] ?? ((t: string) => t);
    out.set(name, own(normaliseDates(substitute(text, subs))));
  }
  return out;
}
