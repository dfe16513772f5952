/**
 * The kernel's list syntax for CPUs and memory nodes ("0-3,7", cpuset(7)
 * and bitmap_parselist): comma-separated numbers and ranges, a range
 * optionally strided as "0-15:2/4" (use 2 of every 4). Kept as ranges so a
 * huge range costs nothing until someone expands it.
 */

export interface CpuRange {
  first: number;
  last: number;
  /** For "a-b:used/group": take `used` of every `group` numbers. */
  used?: number;
  group?: number;
}

const ITEM = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/;

/** The ranges of a list; an empty list (or only spaces) is no ranges; undefined when malformed. */
export function parseCpuList(text: string): CpuRange[] | undefined {
  if (text.trim() === "") return [];
  const ranges: CpuRange[] = [];
  for (const item of text.split(",")) {
    const m = ITEM.exec(item.trim());
    if (!m) return undefined;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) return undefined;
    if (m[3] === undefined) {
      ranges.push({ first, last });
      continue;
    }
    const used = Number(m[3]), group = Number(m[4]);
    if (used === 0 || group === 0 || used > group) return undefined;
    ranges.push({ first, last, used, group });
  }
  return ranges;
}
