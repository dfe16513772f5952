/** Differences between what two runtimes' containers saw, as readable text. */

/** What one container run showed, after normalisation. */
export interface View {
  status: number;
  sections: Map<string, string>;
}

/**
 * Line diff of two texts (longest common subsequence): lines only in `a`
 * are prefixed "- ", lines only in `b` "+ ", common lines are left out.
 */
export function lineDiff(a: string, b: string): string[] {
  const x = a.split("\n");
  const y = b.split("\n");
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++, j++;
    } else if (j >= y.length || (i < x.length && lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push(`- ${x[i++]}`);
    } else {
      out.push(`+ ${y[j++]}`);
    }
  }
  return out;
}

/**
 * One entry per difference: the exit status, a section only one side
 * printed, or a section whose text differs (with its line diff, "-" for
 * `aName`'s lines and "+" for `bName`'s).
 */
export function differences(a: View, b: View, aName = "runc", bName = "runt"): string[] {
  const found: string[] = [];
  if (a.status !== b.status) found.push(`exit status: ${aName} ${a.status}, ${bName} ${b.status}`);
  const names = [...new Set([...a.sections.keys(), ...b.sections.keys()])];
  for (const name of names) {
    const sa = a.sections.get(name);
    const sb = b.sections.get(name);
    if (sa === sb) continue;
    if (sa === undefined || sb === undefined) {
      found.push(`section ${name}: printed only by ${sa === undefined ? bName : aName}`);
      continue;
    }
    const diff = lineDiff(sa, sb).map((l) => `    ${l}`).join("\n");
    found.push(`section ${name} (- ${aName}, + ${bName}):\n${diff}`);
  }
  return found;
}
