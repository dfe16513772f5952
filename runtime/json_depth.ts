/**
 * How deeply a JSON text nests arrays and objects. JSON.parse copes with any
 * depth, but JSON.stringify and every recursive walk of the value afterwards
 * overflow the stack somewhere below 10^4 levels, which no real config needs.
 */

/**
 * Far above any real config, far below where the stack runs out in the
 * deepest caller (measured: 10000 levels already overflow JSON.stringify in
 * create, so runc's limit of 10000 cannot be matched).
 */
export const MAX_JSON_DEPTH = 1000;

/** True when `text` nests more than `max` levels; strings (and brackets in them) are skipped. */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) i++;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
