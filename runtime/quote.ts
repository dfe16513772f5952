/**
 * A user's value in a message: JSON-quoted, so the message stays one line
 * whatever the value holds, and cut short, so a 10 MB hostname does not come
 * back whole on stderr. Every message that shows a value from a config, a
 * flag or the command line quotes it through here.
 */

export const MAX_QUOTED = 80;

export function quote(text: string): string {
  if (text.length <= MAX_QUOTED) return JSON.stringify(text);
  let end = MAX_QUOTED;
  // Never half a surrogate pair: it would print as a replacement character.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return JSON.stringify(text.slice(0, end) + "…");
}
